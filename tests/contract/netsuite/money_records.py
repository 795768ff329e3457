"""Helpers for the contract tests on transactions (sublists, apply lines, Auto Apply): plain REST calls signed
with the target's token-based-auth credentials, and the customer / item / invoice a test needs.

The account's ids come from the same environment variables as the account-configuration tests
(tests/contract/netsuite/account_setup.py, docs/contract-tests.md): the customers' subsidiary
(NETSUITE_CONTRACT_PARENT_SUBSIDIARY_ID), the income account of the service item each test creates
(NETSUITE_CONTRACT_INCOME_ACCOUNT_ID), and a tax code on every line when the account requires one
(NETSUITE_CONTRACT_TAX_CODES_REQUIRED, NETSUITE_CONTRACT_TAX_CODE_ID).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import requests

from tests.contract.netsuite.account_setup import INCOME_ACCOUNT, PARENT_SUBSIDIARY, REAL_TAX_CODES_REQUIRED, TAX_CODE
from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.rest import signed_session
from zuora_netsuite.adapters.http import json_bytes
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient


def new_item(target: NetSuiteTarget, netsuite: NetSuiteClient) -> str:
    """A new service item available to the customers' subsidiary (and its children); returns its internal id."""
    external_id = target.external_id("item")
    return netsuite.upsert(
        "serviceSaleItem",
        external_id,
        {
            "itemId": external_id,
            "incomeAccount": {"id": INCOME_ACCOUNT},
            "subsidiary": {"items": [{"id": PARENT_SUBSIDIARY}]},
            "includeChildren": True,
        },
    )


def item_line(item_id: str, amount: Decimal | int) -> dict[str, Any]:
    """An invoice / credit memo item line; with a tax code when the account requires one on every line."""
    line: dict[str, Any] = {"item": {"id": item_id}, "amount": amount}
    if REAL_TAX_CODES_REQUIRED:
        line["taxCode"] = {"id": TAX_CODE}
    return line


def days_ago(days: int) -> date:
    """A recent transaction date (an open accounting period on a real account)."""
    return date.today() - timedelta(days=days)


class Rest:
    """Signed REST calls the connector's client does not make (PATCH, GET by internal id)."""

    def __init__(self, target: NetSuiteTarget) -> None:
        self.base_url = target.rest_url.rstrip("/")
        self.session = signed_session(target)

    def patch(
        self, record_type: str, internal_id: str, body: dict[str, Any], *, replace: str | None = None
    ) -> requests.Response:
        return self.session.patch(
            f"{self.base_url}/record/v1/{record_type}/{internal_id}",
            params={"replace": replace} if replace else None,
            data=json_bytes(body),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            timeout=60,
        )

    def put_by_external_id(self, record_type: str, external_id: str, body: dict[str, Any]) -> requests.Response:
        return self.session.put(
            f"{self.base_url}/record/v1/{record_type}/eid:{external_id}",
            data=json_bytes(body),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            timeout=60,
        )

    def get(self, record_type: str, internal_id: str) -> dict[str, Any]:
        response = self.session.get(
            f"{self.base_url}/record/v1/{record_type}/{internal_id}",
            params={"expandSubResources": "true"},
            headers={"Accept": "application/json"},
            timeout=60,
        )
        response.raise_for_status()
        record: dict[str, Any] = response.json()
        return record

    def close(self) -> None:
        self.session.close()


def lines(record: dict[str, Any], sublist: str) -> list[dict[str, Any]]:
    items = (record.get(sublist) or {}).get("items") or []
    return [line for line in items if isinstance(line, dict)]


def applied(record: dict[str, Any]) -> dict[str, Decimal]:
    """Document internal id -> amount, of the apply lines that apply."""
    return {
        str(line["doc"]["id"]): Decimal(str(line["amount"]))
        for line in lines(record, "apply")
        if line.get("apply", True) is not False
    }


def new_customer(target: NetSuiteTarget, netsuite: NetSuiteClient, name: str) -> str:
    return netsuite.upsert(
        "customer",
        target.external_id(name),
        {"companyName": f"Contract {name}", "subsidiary": {"id": PARENT_SUBSIDIARY}},
    )


def new_invoice(
    target: NetSuiteTarget,
    netsuite: NetSuiteClient,
    customer_id: str,
    item_id: str,
    amounts: list[Decimal],
    *,
    tran_date: date | None = None,
) -> tuple[str, str, dict[str, Any]]:
    """Create an invoice with one item line per amount; returns (internal id, external id, body)."""
    eid = target.external_id("invoice")
    body: dict[str, Any] = {
        "entity": {"id": customer_id},
        "tranDate": tran_date or days_ago(2),
        "item": {"items": [item_line(item_id, amount) for amount in amounts]},
    }
    return netsuite.upsert("invoice", eid, body), eid, body

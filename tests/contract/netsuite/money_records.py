"""Helpers for the contract tests on transactions (sublists, apply lines, Auto Apply): plain REST calls signed
with the target's token-based-auth credentials, and the customer / item / invoice a test needs.

The ids a real account must supply come from environment variables, with simulator defaults
(docs/contract-tests.md): NETSUITE_CONTRACT_SUBSIDIARY_ID (default "1") and NETSUITE_CONTRACT_ITEM_ID (a
service sale item with an income account; on the simulator one is created the first time, as a real account
already has one).
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import requests
from requests_oauthlib import OAuth1

from tests.contract.netsuite.conftest import NetSuiteTarget
from zuora_netsuite.http import json_bytes
from zuora_netsuite.netsuite.client import NetSuiteClient, netsuite_realm

SIMULATOR_ITEM_EXTERNAL_ID = "zncontract-service-item"


def subsidiary_id() -> str:
    return os.environ.get("NETSUITE_CONTRACT_SUBSIDIARY_ID", "1")


def item_id(target: NetSuiteTarget) -> str:
    """A service item invoices can carry: NETSUITE_CONTRACT_ITEM_ID on a real account. On the simulator, one is
    created once (simulator-side setup of what a real account already has)."""
    configured = os.environ.get("NETSUITE_CONTRACT_ITEM_ID")
    if configured:
        return configured
    simulator = target.simulator
    assert simulator is not None, "set NETSUITE_CONTRACT_ITEM_ID to a service sale item of the account"
    existing = simulator.get_by_external_id("serviceSaleItem", SIMULATOR_ITEM_EXTERNAL_ID)
    if existing is not None:
        return str(existing["id"])
    return simulator.seed_record(
        "serviceSaleItem", {"itemId": "Contract Service", "incomeAccount": {"id": "54"}}, SIMULATOR_ITEM_EXTERNAL_ID
    )


def days_ago(days: int) -> date:
    """A recent transaction date (an open accounting period on a real account)."""
    return date.today() - timedelta(days=days)


class Rest:
    """Signed REST calls the connector's client does not make (PATCH, GET by internal id)."""

    def __init__(self, target: NetSuiteTarget) -> None:
        self.base_url = target.rest_url.rstrip("/")
        self.session = requests.Session()
        self.session.auth = OAuth1(
            target.consumer_key,
            client_secret=target.consumer_secret,
            resource_owner_key=target.token_id,
            resource_owner_secret=target.token_secret,
            signature_method="HMAC-SHA256",
            realm=netsuite_realm(target.account_id),
        )

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
        {"companyName": f"Contract {name}", "subsidiary": {"id": subsidiary_id()}},
    )


def new_invoice(
    target: NetSuiteTarget,
    netsuite: NetSuiteClient,
    customer_id: str,
    amounts: list[Decimal],
    *,
    tran_date: date | None = None,
    external_id: str | None = None,
) -> tuple[str, str, dict[str, Any]]:
    """Create an invoice with one item line per amount; returns (internal id, external id, body)."""
    eid = external_id or target.external_id("invoice")
    body: dict[str, Any] = {
        "entity": {"id": customer_id},
        "tranDate": tran_date or days_ago(2),
        "item": {"items": [{"item": {"id": item_id(target)}, "quantity": 1, "amount": a} for a in amounts]},
    }
    return netsuite.upsert("invoice", eid, body), eid, body

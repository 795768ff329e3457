"""The account configuration the books contract tests need (issue 13), and their records.

On a real account (docs/contract-tests.md, "Account configuration"):

| variable                                   | meaning (default)                                                 |
| NETSUITE_CONTRACT_BANK_ACCOUNT_ID          | a bank account payments may be deposited to and refunds paid from (1) |
| NETSUITE_CONTRACT_PAYMENT_METHOD_ID        | a payment method (1)                                              |
| NETSUITE_CONTRACT_REVENUE_RECOGNITION      | true when the Revenue Recognition feature is on (true)            |
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.money_records import days_ago, item_line
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient

BANK_ACCOUNT = os.environ.get("NETSUITE_CONTRACT_BANK_ACCOUNT_ID", "1")
PAYMENT_METHOD = os.environ.get("NETSUITE_CONTRACT_PAYMENT_METHOD_ID", "1")
REVENUE_RECOGNITION = os.environ.get("NETSUITE_CONTRACT_REVENUE_RECOGNITION", "true").lower() == "true"


def dated_line(item_id: str, amount: Decimal | int, start: str | None, end: str | None) -> dict[str, Any]:
    """An item line with revenue recognition dates (either may be left out)."""
    line = item_line(item_id, amount)
    if start is not None:
        line["revRecStartDate"] = start
    if end is not None:
        line["revRecEndDate"] = end
    return line


def payment_body(customer_id: str, amount: Decimal | int, apply: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A customer payment that Auto Apply leaves alone (only the apply lines sent)."""
    body: dict[str, Any] = {
        "customer": {"id": customer_id},
        "tranDate": days_ago(1),
        "payment": amount,
        "autoApply": False,
        **extra,
    }
    if apply:
        body["apply"] = {"items": apply}
    return body


def new_credit_memo(
    target: NetSuiteTarget, netsuite: NetSuiteClient, customer_id: str, item_id: str, amount: Decimal
) -> str:
    """A credit memo applied to nothing (its whole amount unapplied); returns its internal id."""
    return netsuite.upsert(
        "creditMemo",
        target.external_id("creditmemo"),
        {
            "entity": {"id": customer_id},
            "tranDate": days_ago(2),
            "autoApply": False,
            "item": {"items": [item_line(item_id, amount)]},
        },
    )

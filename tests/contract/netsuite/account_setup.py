"""Which account configuration a NetSuite contract test checks, and the records it needs.

On the simulator a test sets the configuration it checks on ``target.simulator.account`` (what a real account's
administrator would have set up) inside ``simulated_account``, which puts the simulator back as it was
afterwards. On a real account the configuration is read from environment variables (docs/contract-tests.md,
"Account configuration"):

| variable                                   | meaning (default)                                                 |
| NETSUITE_CONTRACT_PARENT_SUBSIDIARY_ID     | a subsidiary with a child (1)                                     |
| NETSUITE_CONTRACT_CHILD_SUBSIDIARY_ID      | a child of it (2)                                                 |
| NETSUITE_CONTRACT_INCOME_ACCOUNT_ID        | an income account for test items, usable by both (54)             |
| NETSUITE_CONTRACT_TAX_CODES_REQUIRED       | true when every line needs a tax code (SuiteTax, non-US) (false)   |
| NETSUITE_CONTRACT_TAX_CODE_ID              | a tax code the lines may use (7)                                  |
| NETSUITE_CONTRACT_CUSTOMER_FORM_ID         | a customer form that makes a custentity field mandatory (unset)   |
| NETSUITE_CONTRACT_CUSTOMER_FORM_FIELD      | that field's id, e.g. custentity_region                           |
| NETSUITE_CONTRACT_CUSTOMER_FORM_VALUE      | a valid value for it (free-form text)                             |
| NETSUITE_CONTRACT_NUMBERING_CUSTOMER       | manual / allow_override / ignore / reject (manual)                |
| NETSUITE_CONTRACT_NUMBERING_INVOICE        | allow_override / ignore / reject (allow_override)                 |
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sandbox.netsuite_account import AccountConfiguration, NumberingMode
from tests.contract.netsuite.conftest import NetSuiteTarget, real_account_configured
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient

REAL = real_account_configured()
PARENT_SUBSIDIARY = os.environ.get("NETSUITE_CONTRACT_PARENT_SUBSIDIARY_ID", "1")
CHILD_SUBSIDIARY = os.environ.get("NETSUITE_CONTRACT_CHILD_SUBSIDIARY_ID", "2")
INCOME_ACCOUNT = os.environ.get("NETSUITE_CONTRACT_INCOME_ACCOUNT_ID", "54")
TAX_CODE = os.environ.get("NETSUITE_CONTRACT_TAX_CODE_ID", "7")
REAL_TAX_CODES_REQUIRED = os.environ.get("NETSUITE_CONTRACT_TAX_CODES_REQUIRED", "false").lower() == "true"
TRAN_DATE = date(2026, 1, 15).isoformat()


def real_numbering(record_type: str, default: NumberingMode) -> NumberingMode:
    value = os.environ.get(f"NETSUITE_CONTRACT_NUMBERING_{record_type.upper()}", default)
    if value not in ("manual", "allow_override", "ignore", "reject"):
        raise ValueError(f"NETSUITE_CONTRACT_NUMBERING_{record_type.upper()}={value!r}")
    return value  # type: ignore[return-value]


@contextmanager
def simulated_account(target: NetSuiteTarget) -> Iterator[AccountConfiguration | None]:
    """The simulator's account configuration, for a test to set what it checks (None on a real account); put back
    as it was when the block ends."""
    simulator = target.simulator
    if simulator is None:
        yield None
        return
    saved = simulator.account.copy()
    try:
        yield simulator.account
    finally:
        simulator.account = saved


def item_line(item_eid: str, amount: int = 10, *, tax_codes_required: bool) -> dict[str, Any]:
    line: dict[str, Any] = {"item": {"externalId": item_eid}, "amount": amount}
    if tax_codes_required:
        line["taxCode"] = {"id": TAX_CODE}
    return line


def customer(target: NetSuiteTarget, netsuite: NetSuiteClient, subsidiary: str, **extra: Any) -> str:
    """A new customer of this subsidiary; returns its external id."""
    external_id = target.external_id("customer")
    netsuite.upsert(
        "customer", external_id, {"companyName": f"Contract {external_id}", "subsidiary": {"id": subsidiary}, **extra}
    )
    return external_id


def item(target: NetSuiteTarget, netsuite: NetSuiteClient, subsidiaries: list[str], *, include_children: bool) -> str:
    """A new service item shared with these subsidiaries; returns its external id."""
    external_id = target.external_id("item")
    netsuite.upsert(
        "serviceSaleItem",
        external_id,
        {
            "itemId": external_id,
            "incomeAccount": {"id": INCOME_ACCOUNT},
            "subsidiary": {"items": [{"id": s} for s in subsidiaries]},
            "includeChildren": include_children,
        },
    )
    return external_id


def invoice_body(customer_eid: str, lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"entity": {"externalId": customer_eid}, "tranDate": TRAN_DATE, "item": {"items": lines}, **extra}

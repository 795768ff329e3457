"""Given: an in-memory Zuora tenant with an account, a charge and transactions; NetSuite and state in memory."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.dataset import ZUORA_ERROR_FIELD
from tests.unit.logic.conftest import World, account, charge, plan
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.settings import ClassificationDefaults, SyncConfig, ZuoraTenant

ACCOUNT_ID = "a" * 32
CHARGE_ID = "c" * 32
INVOICE_ID = "1" * 32
PAYMENT_ID = "2" * 32
STAMP = {"UpdatedDate": "2026-11-20T10:00:00.000+00:00", "CreatedDate": "2026-11-01T10:00:00.000+00:00"}


def invoice(record_id: str = INVOICE_ID, items: list[tuple[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
    row = {
        "Id": record_id,
        "AccountId": ACCOUNT_ID,
        "InvoiceNumber": "INV00042",
        "InvoiceDate": "2026-11-01",
        "DueDate": "2026-12-01",
        "Status": "Posted",
        "Amount": 100,
        "TaxAmount": 0,
        **STAMP,
    }
    row.update(fields)
    return {k: v for k, v in row.items() if v is not None}


def invoice_item(invoice_id: str, number: int, amount: Any, charge_id: str = CHARGE_ID) -> dict[str, Any]:
    return {
        "Id": f"{invoice_id[:30]}{number:02d}",
        "InvoiceId": invoice_id,
        "ProductRatePlanChargeId": charge_id,
        "ChargeName": "Pro Monthly",
        "Quantity": 1,
        "ChargeAmount": amount,
        **STAMP,
    }


def payment(record_id: str = PAYMENT_ID, **fields: Any) -> dict[str, Any]:
    row = {
        "Id": record_id,
        "AccountId": ACCOUNT_ID,
        "PaymentNumber": "P-00007",
        "EffectiveDate": "2026-11-05",
        "Status": "Processed",
        "Amount": 100,
        "AppliedAmount": 100,
        **STAMP,
    }
    row.update(fields)
    return {k: v for k, v in row.items() if v is not None}


class Ledger(World):
    """A World with a valid account, plan and charge in Zuora, and a tax item configured."""

    def __init__(self) -> None:
        super().__init__()
        self.config = SyncConfig(
            classification_defaults=ClassificationDefaults(subsidiary="Parent Co"),
            item_income_account_id="400",
            zuora=ZuoraTenant(error_field=ZUORA_ERROR_FIELD),
            tax_item_id="900",
        )
        self.zuora.put("Account", account(ACCOUNT_ID))
        self.zuora.put("ProductRatePlan", plan())
        self.zuora.put("ProductRatePlanCharge", charge(CHARGE_ID))

    def add_invoice(self, record_id: str = INVOICE_ID, amounts: tuple[Any, ...] = (100,), **fields: Any) -> None:
        self.zuora.put("Invoice", invoice(record_id, **fields))
        for number, amount in enumerate(amounts):
            self.zuora.put("InvoiceItem", invoice_item(record_id, number, amount))


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


def sync_config(**settings: Any) -> SyncConfig:
    """The sync configuration these tests start from (a OneWorld account, a tax item), with `settings` on top."""
    return SyncConfig.model_validate(
        {
            "classification_defaults": {"subsidiary": "Parent Co"},
            "item_income_account_id": "400",
            "tax_item_id": "900",
            "zuora": {"error_field": ZUORA_ERROR_FIELD},
            **settings,
        }
    )


def sync_record(ledger: Ledger, record_type: RecordType, record_id: str) -> SyncOutcome:
    """One record through the sync logic, its write-back flushed, as one SQS message would."""
    record_sync = ledger.record_sync()
    outcome = record_sync.sync(SyncRequest(record_type=record_type, record_id=record_id, run_id="run-1"), "m1")
    record_sync.write_backs.flush()
    return outcome

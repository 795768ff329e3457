"""Payments applied to several invoices, credit memos applied to their invoice, memo write-back by REST."""

from __future__ import annotations

from decimal import Decimal

from tests.unit.transactions.conftest import ACCOUNT_ID, CHARGE_ID, PAYMENT_ID, STAMP, Ledger, payment
from tests.unit.transactions.test_invoice_sync import sync
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.record_types import RecordType

FIRST, SECOND = "1" * 32, "3" * 32
MEMO_ID = "4" * 32


def test_a_payment_across_two_invoices_applies_each_amount_and_syncs_the_invoices_first(ledger: Ledger) -> None:
    # Given two invoices and one payment paying the first fully and the second partly
    ledger.add_invoice(FIRST, amounts=(100,), Amount=100)
    ledger.add_invoice(SECOND, amounts=(80,), Amount=80, InvoiceNumber="INV00043")
    ledger.zuora.put("Payment", payment(Amount=Decimal("150.00"), AppliedAmount=Decimal("150.00")))
    ledger.zuora.put("InvoicePayment", {"Id": "ip1", "InvoiceId": FIRST, "PaymentId": PAYMENT_ID, "Amount": 100})
    ledger.zuora.put("InvoicePayment", {"Id": "ip2", "InvoiceId": SECOND, "PaymentId": PAYMENT_ID, "Amount": 50})
    # When only the payment's message arrives
    outcome = sync(ledger, RecordType.PAYMENT, PAYMENT_ID)
    # Then both invoices were synced before it, and it applies 100 and 50 (a partial payment stays partial)
    assert outcome is SyncOutcome.SYNCED
    assert len(ledger.netsuite.records["invoice"]) == 2
    record_type, _, body = ledger.netsuite.writes[-1]
    assert record_type == "customerPayment"
    assert body["payment"] == Decimal("150.00")
    applied = {line["doc"]["externalId"]: line["amount"] for line in body["apply"]["items"]}
    assert applied == {f"zuora-invoice-{FIRST}": Decimal("100"), f"zuora-invoice-{SECOND}": Decimal("50")}
    assert ledger.zuora.get("Payment", PAYMENT_ID)["TransferredToAccounting"] == "Yes"


def test_a_payment_applied_to_nothing_is_not_synced(ledger: Ledger) -> None:
    ledger.zuora.put("Payment", payment())
    assert sync(ledger, RecordType.PAYMENT, PAYMENT_ID) is SyncOutcome.WARNING
    assert "not applied to any invoice" in ledger.zuora.get("Payment", PAYMENT_ID)["IntegrationError__c"]


def test_a_credit_memo_is_applied_to_its_invoice_and_written_back_through_its_rest_resource(ledger: Ledger) -> None:
    # Given an invoice and a credit memo for part of it
    ledger.add_invoice(FIRST, amounts=(100,), Amount=100)
    ledger.zuora.put(
        "CreditMemo",
        {"Id": MEMO_ID, "AccountId": ACCOUNT_ID, "MemoNumber": "CM00001", "MemoDate": "2026-11-10", "Status": "Posted",
         "TotalAmount": 30, "ReferredInvoiceId": FIRST, "AppliedAmount": 30, **STAMP},
    )  # fmt: skip
    ledger.zuora.put(
        "CreditMemoItem",
        {"Id": "cmi1", "CreditMemoId": MEMO_ID, "ProductRatePlanChargeId": CHARGE_ID, "ChargeName": "Pro Monthly",
         "Amount": 30, **STAMP},
    )  # fmt: skip
    # When the credit memo syncs
    outcome = sync(ledger, RecordType.CREDIT_MEMO, MEMO_ID)
    # Then NetSuite has a credit memo applying 30 to the invoice
    assert outcome is SyncOutcome.SYNCED
    record_type, _, body = ledger.netsuite.writes[-1]
    assert record_type == "creditMemo"
    assert body["apply"]["items"] == [{"doc": {"externalId": f"zuora-invoice-{FIRST}"}, "apply": True, "amount": 30}]
    # And the memo's fields went back through PUT /v1/creditmemos/{id}, not action/update
    memo_updates = [objects for object_type, objects in ledger.zuora.updates if object_type == "CreditMemo"]
    assert memo_updates[-1][0]["transferredToAccounting"] == "Yes"
    assert ledger.zuora.get("CreditMemo", MEMO_ID)["TransferredToAccounting"] == "Yes"
    assert ledger.zuora.get("CreditMemo", MEMO_ID)["IntegrationStatus__NS"] == "Sync Complete"

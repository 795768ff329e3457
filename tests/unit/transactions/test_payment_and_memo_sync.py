"""Payments applied to several invoices and debit memos, credit memos applied to what they were applied to, memo
write-back by REST, refunds of credit memos; on an Invoice Settlement tenant (parts, Object Query) and a legacy one
(InvoicePayment), and a clear reason when the tenant is not shaped as configured."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.unit.logic.conftest import NOW
from tests.unit.transactions.conftest import ACCOUNT_ID, CHARGE_ID, PAYMENT_ID, STAMP, Ledger, payment
from tests.unit.transactions.test_invoice_sync import sync
from zuora_netsuite.logic.dispatch import Dispatcher, DispatchFailed
from zuora_netsuite.logic.recovery import RecordReset
from zuora_netsuite.mapping import mappings_for
from zuora_netsuite.mapping.settlement import TenantMismatch
from zuora_netsuite.models.record_types import DEPENDENCY_ORDER, RecordType
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.settings import SyncConfig, ZuoraTenant

FIRST, SECOND = "1" * 32, "3" * 32
MEMO_ID, DEBIT_MEMO_ID, REFUND_ID = "4" * 32, "5" * 32, "6" * 32
NO_MEMOS = frozenset(DEPENDENCY_ORDER) - {RecordType.DEBIT_MEMO, RecordType.CREDIT_MEMO}


def legacy(ledger: Ledger) -> None:
    """The tenant and the configuration: no Invoice Settlement (InvoicePayment, no memos)."""
    ledger.zuora.invoice_settlement = False
    ledger.config = ledger.config.model_copy(
        update={"zuora": ZuoraTenant(invoice_settlement=False), "enabled_types": NO_MEMOS}
    )


def failure_reason(ledger: Ledger) -> str:
    """The payment's permanent error, as the connector's state and the DLQ letter carry it."""
    state = ledger.state.states[(RecordType.PAYMENT, PAYMENT_ID)]
    assert state.error is not None
    assert state.error.kind.value == "permanent"
    return state.error.message


def credit_memo(**fields: object) -> dict[str, object]:
    return {
        "Id": MEMO_ID, "AccountId": ACCOUNT_ID, "MemoNumber": "CM00001", "MemoDate": "2026-11-10", "Status": "Posted",
        "TotalAmount": 30, **STAMP, **fields,
    }  # fmt: skip


def memo_item(kind: str, memo_id: str, amount: int) -> dict[str, object]:
    return {
        "Id": f"{memo_id[:30]}i1", f"{kind}Id": memo_id, "ProductRatePlanChargeId": CHARGE_ID,
        "ChargeName": "Pro Monthly", "Amount": amount, **STAMP,
    }  # fmt: skip


def test_a_payment_across_two_invoices_applies_each_part_and_syncs_the_invoices_first(ledger: Ledger) -> None:
    # Given two invoices and one payment whose parts pay the first fully and the second partly
    ledger.add_invoice(FIRST, amounts=(100,), Amount=100)
    ledger.add_invoice(SECOND, amounts=(80,), Amount=80, InvoiceNumber="INV00043")
    ledger.zuora.put("Payment", payment(Amount=Decimal("150.00"), AppliedAmount=Decimal("150.00")))
    ledger.zuora.put("PaymentPart", {"Id": "pp1", "InvoiceId": FIRST, "PaymentId": PAYMENT_ID, "Amount": 100})
    ledger.zuora.put("PaymentPart", {"Id": "pp2", "InvoiceId": SECOND, "PaymentId": PAYMENT_ID, "Amount": 50})
    # When only the payment's message arrives
    outcome = sync(ledger, RecordType.PAYMENT, PAYMENT_ID)
    # Then both invoices were synced before it, and it applies 100 and 50 (a partial payment stays partial)
    assert outcome is SyncOutcome.SYNCED
    assert len(ledger.netsuite.records["invoice"]) == 2
    record_type, _, body = ledger.netsuite.writes[-1]
    assert record_type == "customerPayment"
    assert body["payment"] == Decimal("150.00")
    invoices = ledger.netsuite.records["invoice"]
    applied = {line["doc"]["id"]: line["amount"] for line in body["apply"]["items"]}
    assert applied == {
        invoices[f"zuora-invoice-{FIRST}"]["id"]: Decimal("100"),
        invoices[f"zuora-invoice-{SECOND}"]["id"]: Decimal("50"),
    }
    # And NetSuite's Auto Apply may not add other invoices, and a re-send replaces the apply lines
    assert body["autoApply"] is False
    assert ledger.netsuite.replaced[-1] == ("apply",)
    assert ledger.zuora.get("Payment", PAYMENT_ID)["TransferredToAccounting"] == "Yes"
    # And the applications came from Object Query's payment applications (one call), not from InvoicePayment
    assert ledger.zuora.gets == ["/object-query/payment-applications"]
    assert not [q for q in ledger.zuora.queries if "InvoicePayment" in q]


def test_a_payment_applied_to_a_debit_memo_syncs_the_debit_memo_first_and_applies_to_its_netsuite_invoice(
    ledger: Ledger,
) -> None:
    # Given a posted debit memo and a payment whose only part pays it
    ledger.zuora.put("DebitMemo", {**credit_memo(Id=DEBIT_MEMO_ID, MemoNumber="DM00001", TotalAmount=40)})
    ledger.zuora.put("DebitMemoItem", memo_item("DebitMemo", DEBIT_MEMO_ID, 40))
    ledger.zuora.put("Payment", payment(Amount=40, AppliedAmount=40))
    ledger.zuora.put("PaymentPart", {"Id": "pp1", "DebitMemoId": DEBIT_MEMO_ID, "PaymentId": PAYMENT_ID, "Amount": 40})
    # When the payment syncs
    assert sync(ledger, RecordType.PAYMENT, PAYMENT_ID) is SyncOutcome.SYNCED
    # Then the debit memo became a NetSuite invoice first, and the payment applies to it
    assert f"zuora-debitmemo-{DEBIT_MEMO_ID}" in ledger.netsuite.records["invoice"]
    body = ledger.netsuite.writes[-1][2]
    debit_memo_invoice = ledger.netsuite.records["invoice"][f"zuora-debitmemo-{DEBIT_MEMO_ID}"]["id"]
    assert body["apply"]["items"][0]["doc"] == {"id": debit_memo_invoice}


def test_on_a_legacy_tenant_a_payment_applies_its_invoice_payments(ledger: Ledger) -> None:
    # Given a tenant without Invoice Settlement, configured so, and a payment with two InvoicePayment rows
    legacy(ledger)
    ledger.add_invoice(FIRST, amounts=(100,), Amount=100)
    ledger.add_invoice(SECOND, amounts=(80,), Amount=80, InvoiceNumber="INV00043")
    ledger.zuora.put("Payment", payment(Amount=150, AppliedAmount=150))
    ledger.zuora.put("InvoicePayment", {"Id": "ip1", "InvoiceId": FIRST, "PaymentId": PAYMENT_ID, "Amount": 100})
    ledger.zuora.put("InvoicePayment", {"Id": "ip2", "InvoiceId": SECOND, "PaymentId": PAYMENT_ID, "Amount": 50})
    # When the payment syncs
    assert sync(ledger, RecordType.PAYMENT, PAYMENT_ID) is SyncOutcome.SYNCED
    # Then it applies both amounts, read through ZOQL (no Invoice Settlement resource was asked)
    invoices = ledger.netsuite.records["invoice"]
    applied = {line["doc"]["id"]: line["amount"] for line in ledger.netsuite.writes[-1][2]["apply"]["items"]}
    assert applied == {
        invoices[f"zuora-invoice-{FIRST}"]["id"]: Decimal("100"),
        invoices[f"zuora-invoice-{SECOND}"]["id"]: Decimal("50"),
    }
    assert not ledger.zuora.gets


def test_configured_legacy_on_an_invoice_settlement_tenant_fails_naming_the_setting(ledger: Ledger) -> None:
    # Given the configuration says legacy, but the tenant has Invoice Settlement (Actions refuse InvoicePayment)
    legacy(ledger)
    ledger.zuora.invoice_settlement = True
    ledger.add_invoice(FIRST, amounts=(100,), Amount=100)
    ledger.zuora.put("Payment", payment())
    # When a payment syncs
    outcome = sync(ledger, RecordType.PAYMENT, PAYMENT_ID)
    # Then it fails permanently with a reason naming the setting to change
    assert outcome is SyncOutcome.ERROR
    reason = failure_reason(ledger)
    assert "zuora.invoice_settlement" in reason
    assert "set it to true" in reason


def test_configured_invoice_settlement_on_a_legacy_tenant_fails_naming_the_setting(ledger: Ledger) -> None:
    # Given the configuration says Invoice Settlement, but the tenant has not got it
    ledger.zuora.invoice_settlement = False
    ledger.zuora.put("Payment", payment())
    # When a payment syncs, then its parts cannot be read and the reason names the setting
    assert sync(ledger, RecordType.PAYMENT, PAYMENT_ID) is SyncOutcome.ERROR
    reason = failure_reason(ledger)
    assert "Invoice Settlement is not enabled" in reason
    assert "zuora.invoice_settlement" in reason
    # And listing memos fails the same way, before anything is enqueued
    with pytest.raises(TenantMismatch, match="set it to false"):
        list(
            mappings_for(ZuoraTenant())[RecordType.CREDIT_MEMO].pending(ledger.zuora, datetime(2026, 1, 1, tzinfo=UTC))
        )


def test_memo_types_cannot_be_enabled_for_a_legacy_tenant() -> None:
    # Given a legacy tenant configuration that keeps the memo types enabled, then the configuration is refused
    with pytest.raises(ValueError, match=r"enabled_types includes credit_memo, debit_memo"):
        SyncConfig(zuora=ZuoraTenant(invoice_settlement=False))
    # And without them it is accepted
    assert SyncConfig(zuora=ZuoraTenant(invoice_settlement=False), enabled_types=NO_MEMOS)


def test_a_credit_memo_is_applied_as_its_applications_say_and_written_back_through_the_bulk_put(
    ledger: Ledger,
) -> None:
    # Given an invoice and a credit memo of 30, of which 25 is applied to the invoice
    ledger.add_invoice(FIRST, amounts=(100,), Amount=100)
    ledger.zuora.put("CreditMemo", credit_memo(ReferredInvoiceId=FIRST, AppliedAmount=25))
    ledger.zuora.put("CreditMemoItem", memo_item("CreditMemo", MEMO_ID, 30))
    ledger.zuora.put("CreditMemoPart", {"Id": "cp1", "CreditMemoId": MEMO_ID, "InvoiceId": FIRST, "Amount": 25})
    # When the credit memo syncs
    outcome = sync(ledger, RecordType.CREDIT_MEMO, MEMO_ID)
    # Then NetSuite has a credit memo of 30 applying 25 to the invoice (the rest stays unapplied)
    assert outcome is SyncOutcome.SYNCED
    record_type, _, body = ledger.netsuite.writes[-1]
    assert record_type == "creditMemo"
    invoice_id = ledger.netsuite.records["invoice"][f"zuora-invoice-{FIRST}"]["id"]
    assert body["apply"]["items"] == [{"doc": {"id": invoice_id}, "apply": True, "amount": 25}]
    assert body["autoApply"] is False
    assert ledger.netsuite.replaced[-1] == ("item", "apply")
    assert [line["amount"] for line in body["item"]["items"]] == [30]
    # And it was read with Object Query (its applications expanded), neither one GET per memo nor through Actions
    assert "/object-query/credit-memos" in ledger.zuora.gets
    assert "/object-query/credit-memo-items" in ledger.zuora.gets
    assert not [path for path in ledger.zuora.gets if path.startswith(f"/v1/credit-memos/{MEMO_ID}")]
    assert not [q for q in ledger.zuora.queries if "CreditMemo" in q]
    # And the memo's fields went back through the memos' bulk PUT, not action/update
    memo_updates = [objects for object_type, objects in ledger.zuora.updates if object_type == "CreditMemo"]
    assert memo_updates[-1][0]["transferredToAccounting"] == "Yes"
    assert ledger.zuora.get("CreditMemo", MEMO_ID)["TransferredToAccounting"] == "Yes"
    assert ledger.zuora.get("CreditMemo", MEMO_ID)["IntegrationStatus__NS"] == "Sync Complete"


def test_pending_memos_are_posted_not_transferred_and_not_ignored(ledger: Ledger) -> None:
    # Given posted credit memos: new, transferred, ignored, already synced; and a draft one
    ids = {name: name[0] * 32 for name in ("new", "transferred", "ignored", "synced", "draft")}
    ledger.zuora.put("CreditMemo", credit_memo(Id=ids["new"]))
    ledger.zuora.put("CreditMemo", credit_memo(Id=ids["transferred"], TransferredToAccounting="Yes"))
    ledger.zuora.put("CreditMemo", credit_memo(Id=ids["ignored"], IntegrationStatus__NS="Ignore"))
    ledger.zuora.put(
        "CreditMemo",
        credit_memo(Id=ids["synced"], IntegrationStatus__NS="Sync Complete", TransferredToAccounting="Yes"),
    )
    ledger.zuora.put("CreditMemo", credit_memo(Id=ids["draft"], Status="Draft"))
    # When the dispatcher lists pending credit memos
    mapping = mappings_for(ZuoraTenant())[RecordType.CREDIT_MEMO]
    rows = list(mapping.pending(ledger.zuora, datetime(2026, 1, 1, tzinfo=UTC)))
    # Then only the new one is pending, listed with Object Query, with its UpdatedDate in UTC
    assert [row["Id"] for row in rows] == [ids["new"]]
    assert datetime.fromisoformat(str(rows[0]["UpdatedDate"])) == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert "/object-query/credit-memos" in ledger.zuora.gets


def test_an_operator_reset_of_a_synced_credit_memo_clears_its_fields_through_its_rest_resource(ledger: Ledger) -> None:
    # Given a synced credit memo
    ledger.add_invoice(FIRST, amounts=(100,), Amount=100)
    ledger.zuora.put("CreditMemo", credit_memo())
    ledger.zuora.put("CreditMemoItem", memo_item("CreditMemo", MEMO_ID, 30))
    assert sync(ledger, RecordType.CREDIT_MEMO, MEMO_ID) is SyncOutcome.SYNCED
    # When the operator resets it
    RecordReset(ledger.zuora, ledger.state, ledger.queue, ledger.config.zuora).reset(RecordType.CREDIT_MEMO, MEMO_ID)
    # Then its integration fields (the error reason too) were cleared with PUT /v1/credit-memos/{id}, as JSON nulls
    # (Actions refuse memos; a REST field is cleared with null, never "")
    memo = ledger.zuora.get("CreditMemo", MEMO_ID)
    assert "IntegrationId__NS" not in memo
    assert "IntegrationStatus__NS" not in memo
    cleared = {"IntegrationId__NS": None, "IntegrationStatus__NS": None, "IntegrationError__c": None}
    assert ledger.zuora.updates[-1] == ("CreditMemo", [{"Id": MEMO_ID, **cleared}])


def test_configured_invoice_settlement_on_a_legacy_tenant_fails_the_memo_types_and_dispatches_the_others(
    ledger: Ledger,
) -> None:
    # Given a tenant without Invoice Settlement, a connector configured with it, and a pending payment
    ledger.zuora.invoice_settlement = False
    ledger.zuora.put("Payment", payment())
    # When the dispatcher runs, then the run fails (the alarm on dispatcher errors fires) naming the setting
    with pytest.raises(DispatchFailed, match=r"zuora\.invoice_settlement"):
        Dispatcher(ledger.zuora, ledger.state, ledger.queue, ledger.config, clock=lambda: NOW).run("run-1")
    summary = ledger.state.summaries[-1]
    assert summary.status == "failed"
    # And the memo types are reported with a reason naming the setting, and the payment is still enqueued
    skipped = {t.record_type: t.skipped_reason or "" for t in summary.types}
    for memo_type in (RecordType.DEBIT_MEMO, RecordType.CREDIT_MEMO):
        assert "zuora.invoice_settlement" in skipped[memo_type]
        assert "Invoice Settlement is not enabled" in skipped[memo_type]
    assert [r.record_id for r in ledger.queue.sent if r.record_type is RecordType.PAYMENT] == [PAYMENT_ID]

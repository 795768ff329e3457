"""An invoice cancelled in Zuora after it synced (issue 13, docs/mapping.md "Changes after sync"): Zuora unposts it
to Draft and sets Status = Canceled, keeping its IntegrationId__NS
(https://docs.zuora.com/zuora-platform/data-management/data-loader/data-dictionary-for-data-loader/update/invoices/unpost-invoice-update-fields).
With after_sync.canceled_invoice "credit_memo" (the default) the connector credits the NetSuite invoice with a credit
memo mirroring its lines, dated the run date, applied to what is open on it; once, whatever is retried or replayed;
and never writes over the invoice's own integration fields in Zuora. With "report" nothing is created."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.unit.logic.conftest import NOW
from tests.unit.transactions.conftest import INVOICE_ID, STAMP, Ledger, sync_record
from zuora_netsuite.logic.dispatch import Dispatcher
from zuora_netsuite.logic.recovery import RecordReset
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.settings import AfterSyncConfig, SyncConfig

CANCEL_EID = f"zuora-invoicecancel-{INVOICE_ID}"
CANCELLED_AT = {**STAMP, "UpdatedDate": "2026-11-22T09:00:00.000+00:00"}


def _synced_then_cancelled(ledger: Ledger, *, tax: bool = False) -> dict[str, Any]:
    """Given an invoice of 100 (with 7.41 tax on one line when `tax`) synced to NetSuite, then cancelled in Zuora."""
    if tax:
        ledger.add_invoice(amounts=(Decimal("92.59"),), Amount=Decimal("100.00"), TaxAmount=Decimal("7.41"))
    else:
        ledger.add_invoice(amounts=(60, 40))
    assert sync_record(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    invoice = ledger.zuora.get("Invoice", INVOICE_ID)
    assert invoice["IntegrationStatus__NS"] == "Sync Complete"
    invoice.update(Status="Canceled", Balance=0, **CANCELLED_AT)
    ledger.zuora.updates.clear()
    return dict(invoice)


def _dispatched(ledger: Ledger) -> list[str]:
    """The record keys one dispatcher run enqueues for the cancellation type."""
    ledger.queue.sent.clear()
    dispatcher = Dispatcher(zuora=ledger.zuora, state=ledger.state, queue=ledger.queue, config=ledger.config,
                            clock=lambda: NOW)  # fmt: skip
    dispatcher.run(f"run-{len(ledger.state.summaries)}", only=frozenset({RecordType.INVOICE_CANCELLATION}))
    return [request.key for request in ledger.queue.sent]


def _memo(ledger: Ledger) -> dict[str, Any]:
    memo: dict[str, Any] = ledger.netsuite.records["creditMemo"][CANCEL_EID]
    return memo


def test_a_cancelled_invoice_is_credited_once_in_netsuite_on_the_run_date_and_zuora_keeps_the_invoice_link(
    ledger: Ledger,
) -> None:
    before = _synced_then_cancelled(ledger)
    netsuite_invoice = ledger.netsuite.records["invoice"][f"zuora-invoice-{INVOICE_ID}"]
    # When the dispatcher runs and the cancellation syncs
    assert _dispatched(ledger) == [f"invoice_cancellation:{INVOICE_ID}"]
    assert sync_record(ledger, RecordType.INVOICE_CANCELLATION, INVOICE_ID) is SyncOutcome.SYNCED
    # Then NetSuite has a credit memo with the invoice's lines (item, amount), dated the run date, applied to the
    # NetSuite invoice for its whole total
    memo = _memo(ledger)
    assert [(line["item"], line["amount"]) for line in memo["item"]["items"]] == [
        (line["item"], line["amount"]) for line in netsuite_invoice["item"]["items"]
    ]
    assert memo["tranDate"] == NOW.date()
    assert memo["entity"] == netsuite_invoice["entity"]
    assert memo["apply"]["items"] == [{"doc": {"id": netsuite_invoice["id"]}, "apply": True, "amount": 100}]
    assert memo["autoApply"] is False
    # and nothing was written to Zuora: the invoice keeps its own Integration ID and status
    assert ledger.zuora.updates == []
    invoice = ledger.zuora.get("Invoice", INVOICE_ID)
    assert (invoice["IntegrationId__NS"], invoice["IntegrationStatus__NS"]) == (
        before["IntegrationId__NS"],
        "Sync Complete",
    )
    # When the dispatcher runs again, and the same message is delivered again (a retry, a replay)
    assert _dispatched(ledger) == []
    writes = len(ledger.netsuite.writes)
    assert sync_record(ledger, RecordType.INVOICE_CANCELLATION, INVOICE_ID) is not SyncOutcome.SYNCED
    # Then no second credit memo is written
    assert len(ledger.netsuite.writes) == writes
    assert list(ledger.netsuite.records["creditMemo"]) == [CANCEL_EID]


def test_the_credit_memo_carries_the_tax_lines_of_the_invoice(ledger: Ledger) -> None:
    _synced_then_cancelled(ledger, tax=True)
    assert sync_record(ledger, RecordType.INVOICE_CANCELLATION, INVOICE_ID) is SyncOutcome.SYNCED
    # Then its lines are the charge line and the tax line on the tax item, adding up to the invoice's 100
    lines = _memo(ledger)["item"]["items"]
    assert [line["amount"] for line in lines] == [Decimal("92.59"), Decimal("7.41")]
    assert lines[1]["item"] == {"id": "900"}


def test_an_invoice_paid_in_netsuite_meanwhile_is_credited_for_its_open_amount_only(ledger: Ledger) -> None:
    # Given the NetSuite invoice has 30 open (70 paid in NetSuite) when its cancellation syncs
    _synced_then_cancelled(ledger)
    netsuite_invoice_id = ledger.netsuite.records["invoice"][f"zuora-invoice-{INVOICE_ID}"]["id"]
    ledger.netsuite.reference["transaction"] = [{"id": netsuite_invoice_id, "foreignamountunpaid": "30"}]
    # When it syncs
    assert sync_record(ledger, RecordType.INVOICE_CANCELLATION, INVOICE_ID) is SyncOutcome.SYNCED
    # Then the credit memo is still of the invoice's 100 (revenue reversed in full) but applies only the 30 open:
    # the 70 left is unapplied credit, which reconcile names (logic/reconciliation.py)
    memo = _memo(ledger)
    assert sum(line["amount"] for line in memo["item"]["items"]) == 100
    assert memo["apply"]["items"] == [{"doc": {"id": netsuite_invoice_id}, "apply": True, "amount": Decimal(30)}]


def test_a_retry_after_the_credit_memo_was_written_applies_the_same_amount_again(ledger: Ledger) -> None:
    # Given the credit memo already applies 100 (NetSuite shows the invoice with nothing open), its state not saved
    _synced_then_cancelled(ledger)
    netsuite_invoice_id = ledger.netsuite.records["invoice"][f"zuora-invoice-{INVOICE_ID}"]["id"]
    ledger.netsuite.reference["transaction"] = [
        {"id": netsuite_invoice_id, "foreignamountunpaid": "0"},
        {"id": "999", "externalid": CANCEL_EID, "foreignpaymentamountused": "100"},
    ]
    # When the cancellation syncs (again)
    assert sync_record(ledger, RecordType.INVOICE_CANCELLATION, INVOICE_ID) is SyncOutcome.SYNCED
    # Then the apply line keeps the 100 it applies (never unapplied by its own retry)
    assert _memo(ledger)["apply"]["items"][0]["amount"] == Decimal(100)


def test_with_the_report_policy_nothing_is_credited(ledger: Ledger) -> None:
    report = AfterSyncConfig(canceled_invoice="report")
    settings = ledger.config.model_dump(exclude={"enabled_types"})
    ledger.config = SyncConfig.model_validate({**settings, "after_sync": report})
    _synced_then_cancelled(ledger)
    # Then the type is not dispatched at all (reconcile reports the invoice instead)
    assert RecordType.INVOICE_CANCELLATION not in ledger.config.enabled_types
    assert _dispatched(ledger) == []
    assert "creditMemo" not in ledger.netsuite.records


def test_an_invoice_cancelled_before_it_ever_synced_is_not_credited(ledger: Ledger) -> None:
    # Given an invoice cancelled in Zuora that never reached NetSuite
    ledger.add_invoice(Status="Canceled", Balance=0)
    # When the dispatcher runs, or its cancellation arrives anyway (a replay)
    assert _dispatched(ledger) == []
    outcome = sync_record(ledger, RecordType.INVOICE_CANCELLATION, INVOICE_ID)
    # Then nothing is written anywhere
    assert outcome is SyncOutcome.EXCLUDED
    assert ledger.netsuite.writes == []
    assert ledger.zuora.updates == []


def test_a_posted_invoice_has_no_cancellation(ledger: Ledger) -> None:
    ledger.add_invoice()
    assert sync_record(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    assert _dispatched(ledger) == []
    assert sync_record(ledger, RecordType.INVOICE_CANCELLATION, INVOICE_ID) is SyncOutcome.EXCLUDED


def test_an_operator_reset_of_a_cancellation_forgets_its_state_and_never_clears_the_invoices_link(
    ledger: Ledger,
) -> None:
    # Given a cancellation credited in NetSuite
    before = _synced_then_cancelled(ledger)
    assert sync_record(ledger, RecordType.INVOICE_CANCELLATION, INVOICE_ID) is SyncOutcome.SYNCED
    # When an operator resets it (connector_cli reset)
    RecordReset(ledger.zuora, ledger.state, ledger.queue, ledger.config.zuora).reset(
        RecordType.INVOICE_CANCELLATION, INVOICE_ID
    )
    # Then only the connector's state is forgotten: the Zuora invoice keeps its Integration ID and status, so the
    # next run finds the cancellation again and upserts the same credit memo (never a second one)
    invoice = ledger.zuora.get("Invoice", INVOICE_ID)
    assert ledger.zuora.updates == []
    assert invoice["IntegrationId__NS"] == before["IntegrationId__NS"]
    assert _dispatched(ledger) == [f"invoice_cancellation:{INVOICE_ID}"]
    assert sync_record(ledger, RecordType.INVOICE_CANCELLATION, INVOICE_ID) is SyncOutcome.SYNCED
    assert list(ledger.netsuite.records["creditMemo"]) == [CANCEL_EID]

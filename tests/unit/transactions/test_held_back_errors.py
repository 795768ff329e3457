"""The dispatcher's hold on records in permanent or dependency error: a record is held back only while Zuora
still has the version that failed, and a record that failed because of its parent comes back once the parent is
fixed (docs/architecture.md, "Records in error")."""

from __future__ import annotations

from datetime import timedelta

from tests.unit.logic.conftest import NOW
from tests.unit.transactions.conftest import ACCOUNT_ID, CHARGE_ID, INVOICE_ID, Ledger
from zuora_netsuite.failures import FailureKind
from zuora_netsuite.logic.dispatch import Dispatcher
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import SyncOutcome

LATER = NOW + timedelta(hours=1)


def sync(ledger: Ledger, record_type: RecordType, record_id: str, run_id: str = "run-1") -> SyncOutcome:
    record_sync = ledger.record_sync()
    outcome = record_sync.sync(SyncRequest(record_type=record_type, record_id=record_id, run_id=run_id), "m1")
    assert record_sync.write_backs.flush() == set()
    return outcome


def dispatch(ledger: Ledger, run_id: str) -> list[tuple[RecordType, str]]:
    """One dispatcher run after a run at NOW: records in sync since then are not looked at again."""
    for record_type in RecordType:
        ledger.state.advance_watermark(record_type, NOW)
    ledger.queue.sent.clear()
    Dispatcher(ledger.zuora, ledger.state, ledger.queue, ledger.config, clock=lambda: LATER).run(run_id)
    return [(r.record_type, r.record_id) for r in ledger.queue.sent]


def stamp(ledger: Ledger, zuora_object: str, record_id: str, at: timedelta) -> None:
    """Zuora stamps UpdatedDate on every write, the connector's write-back included."""
    ledger.zuora.get(zuora_object, record_id)["UpdatedDate"] = (NOW + at).isoformat()


def invoice_failed_because_of_its_charge(ledger: Ledger) -> None:
    ledger.zuora.get("ProductRatePlanCharge", CHARGE_ID).pop("ItemType__NS")
    ledger.add_invoice()
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.ERROR
    state = ledger.state.get(RecordType.INVOICE, INVOICE_ID)
    assert state is not None
    assert state.error is not None
    assert state.error.kind is FailureKind.DEPENDENCY


def test_an_invoice_held_back_for_its_charge_is_enqueued_once_the_charge_synced_on_its_own(ledger: Ledger) -> None:
    # Given an invoice in dependency error because its charge failed validation
    invoice_failed_because_of_its_charge(ledger)
    # And the dispatcher holds both back while nothing changes
    assert dispatch(ledger, "run-2") == []
    # When the charge is fixed in Zuora and synced (by its webhook), the invoice being untouched
    ledger.zuora.get("ProductRatePlanCharge", CHARGE_ID)["ItemType__NS"] = "Service"
    stamp(ledger, "ProductRatePlanCharge", CHARGE_ID, timedelta(minutes=10))
    assert sync(ledger, RecordType.ITEM, CHARGE_ID, run_id="webhook") is SyncOutcome.SYNCED
    # Then the next dispatcher run enqueues the invoice
    assert (RecordType.INVOICE, INVOICE_ID) in dispatch(ledger, "run-3")
    # And it syncs into NetSuite
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID, run_id="run-3") is SyncOutcome.SYNCED
    assert ledger.zuora.get("Invoice", INVOICE_ID)["TransferredToAccounting"] == "Yes"


def test_an_invoice_comes_back_in_the_same_run_as_its_fixed_charge(ledger: Ledger) -> None:
    # Given an invoice in dependency error because of its charge
    invoice_failed_because_of_its_charge(ledger)
    # When the charge is fixed in Zuora and the dispatcher runs
    ledger.zuora.get("ProductRatePlanCharge", CHARGE_ID)["ItemType__NS"] = "Service"
    stamp(ledger, "ProductRatePlanCharge", CHARGE_ID, timedelta(minutes=10))
    sent = dispatch(ledger, "run-2")
    # Then the charge and, after it, the invoice are enqueued in that one run
    assert sent == [(RecordType.ITEM, CHARGE_ID), (RecordType.INVOICE, INVOICE_ID)]


def test_a_fix_made_seconds_after_the_failure_is_not_mistaken_for_the_connectors_write_back(ledger: Ledger) -> None:
    # Given a synced account, and a charge that failed validation; Zuora stamped the error write-back 2 s later
    assert sync(ledger, RecordType.CUSTOMER, ACCOUNT_ID) is SyncOutcome.SYNCED
    ledger.zuora.get("ProductRatePlanCharge", CHARGE_ID).pop("ItemType__NS")
    assert sync(ledger, RecordType.ITEM, CHARGE_ID) is SyncOutcome.WARNING
    stamp(ledger, "ProductRatePlanCharge", CHARGE_ID, timedelta(seconds=2))
    # And the next run looked at that version once (no NetSuite write, no second dead letter) and holds it back
    assert dispatch(ledger, "run-2") == [(RecordType.ITEM, CHARGE_ID)]
    assert sync(ledger, RecordType.ITEM, CHARGE_ID, run_id="run-2") is SyncOutcome.WARNING
    assert len(ledger.queue.dead_letters) == 1
    assert dispatch(ledger, "run-3") == []
    # When a user fixes the charge 20 s after the failure
    ledger.zuora.get("ProductRatePlanCharge", CHARGE_ID)["ItemType__NS"] = "Service"
    stamp(ledger, "ProductRatePlanCharge", CHARGE_ID, timedelta(seconds=20))
    # Then the next run enqueues it, and it syncs
    assert dispatch(ledger, "run-4") == [(RecordType.ITEM, CHARGE_ID)]
    assert sync(ledger, RecordType.ITEM, CHARGE_ID, run_id="run-4") is SyncOutcome.SYNCED
    assert ledger.netsuite.writes[-1][0] == "serviceSaleItem"

"""The dispatcher reads the pending records from Zuora, marks them in progress and carries them in the sync
message (a snapshot); the sync then makes no Zuora read and no mark while it holds a NetSuite slot. Snapshots that
are older than the version already synced, older than their max age or too large are not used."""

from __future__ import annotations

import json
from dataclasses import MISSING, fields
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.fakes import FakeDeadLetterQueue, FakeStateStore
from tests.unit.logic.conftest import NOW, account
from tests.unit.logic.test_sync_batch import sqs_event
from tests.unit.transactions.conftest import ACCOUNT_ID, CHARGE_ID, INVOICE_ID, PAYMENT_ID, STAMP, Ledger, payment
from zuora_netsuite.logic.dispatch import Dispatcher
from zuora_netsuite.logic.replay import DeadLetterReplay
from zuora_netsuite.logic.sync_batch import process_sync_batch
from zuora_netsuite.mapping import mappings_for
from zuora_netsuite.mapping.snapshot import dump, load, restore
from zuora_netsuite.mapping.transaction import TransactionSource
from zuora_netsuite.models.messages import RequestSource, SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.replay import ReplayRequest
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.models.zuora import (
    ZuoraAccount,
    ZuoraApplication,
    ZuoraContact,
    ZuoraInvoice,
    ZuoraInvoiceItem,
    ZuoraTaxationItem,
)
from zuora_netsuite.settings import SnapshotSettings

MEMO_ID, DEBIT_MEMO_ID, REFUND_ID = "4" * 32, "5" * 32, "6" * 32
CUSTOMERS = frozenset({RecordType.CUSTOMER})


def with_every_type(ledger: Ledger) -> dict[RecordType, str]:
    """Given one record of each type, with lines, parts and applications (an invoice's cancellation reads the
    invoice)."""
    ledger.add_invoice(amounts=(Decimal("92.59"),), Amount=Decimal("100.00"), TaxAmount=Decimal("7.41"))
    ledger.zuora.put("Payment", payment())
    ledger.zuora.put("PaymentPart", {"Id": "pp1", "InvoiceId": INVOICE_ID, "PaymentId": PAYMENT_ID, "Amount": 100})
    memo = {"AccountId": ACCOUNT_ID, "MemoDate": "2026-11-10", "Status": "Posted", "TotalAmount": 30, **STAMP}
    ledger.zuora.put("CreditMemo", {"Id": MEMO_ID, "MemoNumber": "CM1", "ReferredInvoiceId": INVOICE_ID, **memo})
    ledger.zuora.put("DebitMemo", {"Id": DEBIT_MEMO_ID, "MemoNumber": "DM1", **memo})
    for kind, memo_id in (("CreditMemo", MEMO_ID), ("DebitMemo", DEBIT_MEMO_ID)):
        line = {"Id": f"{memo_id[:30]}i1", f"{kind}Id": memo_id, "ProductRatePlanChargeId": CHARGE_ID, **STAMP}
        ledger.zuora.put(f"{kind}Item", {**line, "ChargeName": "Pro Monthly", "Amount": 30})
    ledger.zuora.put("CreditMemoPart", {"Id": "cp1", "CreditMemoId": MEMO_ID, "InvoiceId": INVOICE_ID, "Amount": 30})
    refund = {"Id": REFUND_ID, "AccountId": ACCOUNT_ID, "RefundNumber": "R1", "RefundDate": "2026-11-12"}
    ledger.zuora.put("Refund", {**refund, "Status": "Processed", "Type": "External", "Amount": 30, **STAMP})
    ledger.zuora.put("RefundPart", {"Id": "rp1", "RefundId": REFUND_ID, "CreditMemoId": MEMO_ID, "Amount": 30})
    return {
        RecordType.CUSTOMER: ACCOUNT_ID,
        RecordType.ITEM: CHARGE_ID,
        RecordType.INVOICE: INVOICE_ID,
        RecordType.PAYMENT: PAYMENT_ID,
        RecordType.CREDIT_MEMO: MEMO_ID,
        RecordType.DEBIT_MEMO: DEBIT_MEMO_ID,
        RecordType.REFUND: REFUND_ID,
        RecordType.INVOICE_CANCELLATION: INVOICE_ID,
    }


def dispatcher(ledger: Ledger, **snapshots: Any) -> Dispatcher:
    config = ledger.config.model_copy(update={"snapshots": SnapshotSettings(**snapshots)})
    return Dispatcher(zuora=ledger.zuora, state=ledger.state, queue=ledger.queue, config=config, clock=lambda: NOW)


def sync_batch(ledger: Ledger, requests: list[SyncRequest]) -> list[SyncOutcome]:
    """One SQS batch: prefetch, sync each record, flush the write-backs."""
    record_sync = ledger.record_sync()
    record_sync.prefetch(requests)
    outcomes = [record_sync.sync(r, f"m-{r.record_id}") for r in requests]
    assert record_sync.write_backs.flush() == set()
    return outcomes


def zuora_reads(ledger: Ledger) -> list[str]:
    return ledger.zuora.queries + ledger.zuora.gets


def statuses_written(ledger: Ledger) -> list[str]:
    return [str(fields.get("IntegrationStatus__NS")) for _, objects in ledger.zuora.updates for fields in objects]


@pytest.mark.parametrize("record_type", list(RecordType))
def test_a_snapshot_reads_back_as_the_record_zuora_answered(ledger: Ledger, record_type: RecordType) -> None:
    # Given a record of the type as the mapping fetches it from Zuora
    record_id = with_every_type(ledger)[record_type]
    source = mappings_for(ledger.config.zuora)[record_type].fetch(ledger.zuora, [record_id])[record_id]
    # When it travels as JSON in a message and is read back
    data = dump(source)
    assert data is not None
    restored = load(json.loads(json.dumps(data)))
    # Then it is the same record, lines, applications, amounts (Decimal) and times included
    assert restored == source
    assert type(restored) is type(source)


def test_the_dispatcher_marks_then_sends_snapshots_and_the_sync_reads_nothing_from_zuora(ledger: Ledger) -> None:
    # Given a new account, charge and invoice in Zuora
    ledger.add_invoice()
    events: list[str] = []
    update, send = ledger.zuora.update, ledger.queue.send
    ledger.zuora.update = lambda t, objects: events.append(f"mark {t}") or update(t, objects)  # type: ignore[method-assign]
    ledger.queue.send = lambda requests: events.append(f"send {requests[0].record_type.value}") or send(requests)  # type: ignore[method-assign]

    # When the dispatcher runs
    dispatcher(ledger).run("run-1")

    # Then each type's records were marked in progress before their messages were sent, and carry a snapshot
    # with the status Zuora showed before the mark
    assert events == [
        "mark Account", "send customer", "mark ProductRatePlanCharge", "send item", "mark Invoice", "send invoice",
    ]  # fmt: skip
    assert ledger.zuora.get("Invoice", INVOICE_ID)["IntegrationStatus__NS"] == "Creating Invoice"
    requests = list(ledger.queue.sent)
    assert all(r.snapshot is not None for r in requests)
    assert [restore(r.snapshot).integration_status for r in requests if r.snapshot] == [None] * 3

    # When the sync function gets the three messages in one batch
    ledger.zuora.queries.clear()
    ledger.zuora.gets.clear()
    ledger.zuora.updates.clear()
    outcomes = sync_batch(ledger, requests)

    # Then all three are in NetSuite without one Zuora read or mark: Zuora only gets the final statuses
    assert outcomes == [SyncOutcome.SYNCED] * 3
    assert zuora_reads(ledger) == []
    assert statuses_written(ledger) == ["Sync Complete"] * 3
    assert ledger.zuora.get("Invoice", INVOICE_ID)["IntegrationStatus__NS"] == "Sync Complete"


def test_a_snapshot_older_than_the_version_already_synced_is_read_again_and_never_written_over_it(
    ledger: Ledger,
) -> None:
    # Given an account dispatched with its snapshot, then renamed in Zuora and synced by a webhook before it
    ledger.zuora.put("Account", account(ACCOUNT_ID))
    dispatcher(ledger).run("run-1", only=CUSTOMERS)
    (scheduled,) = ledger.queue.sent
    ledger.zuora.get("Account", ACCOUNT_ID).update(Name="Acme Renamed", UpdatedDate="2026-11-23T11:00:00+00:00")
    webhook = SyncRequest(record_type=RecordType.CUSTOMER, record_id=ACCOUNT_ID, source=RequestSource.WEBHOOK)
    assert sync_batch(ledger, [webhook]) == [SyncOutcome.SYNCED]
    ledger.zuora.queries.clear()

    # When the scheduled message with the older snapshot arrives
    outcome = sync_batch(ledger, [scheduled])

    # Then the sync read Zuora again and NetSuite keeps the new name
    assert zuora_reads(ledger) != []
    assert outcome == [SyncOutcome.UNCHANGED]
    assert [body["companyName"] for _, _, body in ledger.netsuite.writes] == ["Acme Corp", "Acme Renamed"][1:]


def test_a_late_copy_of_a_dispatched_message_is_read_again_and_writes_nothing(ledger: Ledger) -> None:
    # Given an invoice dispatched with its snapshot and synced from that message; its NetSuite write was then only
    # linked, as after a crash between the write and the state (no payload hash: "the next change is sent in full")
    ledger.add_invoice()
    Dispatcher(
        zuora=ledger.zuora,
        state=ledger.state,
        queue=ledger.queue,
        config=ledger.config,
        clock=lambda: NOW - timedelta(minutes=1),
    ).run("run-1")
    requests = list(ledger.queue.sent)
    assert sync_batch(ledger, requests) == [SyncOutcome.SYNCED] * 3
    synced = ledger.state.get(RecordType.INVOICE, INVOICE_ID)
    assert synced is not None
    ledger.state.save(synced.model_copy(update={"payload_hash": None}))
    writes, late = len(ledger.netsuite.writes), [r for r in requests if r.record_type is RecordType.INVOICE]
    ledger.zuora.queries.clear()

    # When SQS delivers a copy of the dispatcher's message late (a first delivery: its snapshot is under max age,
    # taken before the invoice synced, when it was not yet transferred to accounting)
    outcome = sync_batch(ledger, late)

    # Then the sync read Zuora again, where the invoice is transferred: nothing is written to NetSuite
    assert zuora_reads(ledger) != []
    assert outcome == [SyncOutcome.EXCLUDED]
    assert len(ledger.netsuite.writes) == writes


def test_a_snapshot_older_than_its_max_age_is_not_used(ledger: Ledger) -> None:
    # Given an account dispatched with its snapshot more than an hour before its message is processed
    ledger.zuora.put("Account", account(ACCOUNT_ID))
    Dispatcher(
        zuora=ledger.zuora,
        state=ledger.state,
        queue=ledger.queue,
        config=ledger.config,
        clock=lambda: NOW - timedelta(seconds=3601),
    ).run("run-1", only=CUSTOMERS)
    ledger.zuora.get("Account", ACCOUNT_ID)["Name"] = "Acme Renamed"  # changed since, UpdatedDate not moved
    ledger.zuora.queries.clear()

    # When the sync processes it
    outcome = sync_batch(ledger, list(ledger.queue.sent))

    # Then it read the account from Zuora: NetSuite gets what Zuora holds now
    assert outcome == [SyncOutcome.SYNCED]
    assert zuora_reads(ledger) != []
    assert ledger.netsuite.writes[-1][2]["companyName"] == "Acme Renamed"


def test_a_record_too_large_for_a_snapshot_is_sent_without_one_and_marked_by_the_sync(ledger: Ledger) -> None:
    # Given an invoice with many lines, and snapshots limited to 1,000 bytes
    ledger.add_invoice(amounts=tuple(Decimal("1.00") for _ in range(20)), Amount=Decimal("20.00"))

    # When the dispatcher runs
    dispatcher(ledger, max_bytes=1_000).run("run-1", only=frozenset({RecordType.INVOICE}))

    # Then the invoice is enqueued without a snapshot and Zuora does not show it in progress yet
    (request,) = ledger.queue.sent
    assert request.snapshot is None
    assert "IntegrationStatus__NS" not in ledger.zuora.get("Invoice", INVOICE_ID)
    # and the sync reads it and marks it itself, as for a webhook
    ledger.zuora.updates.clear()
    assert sync_batch(ledger, [request]) == [SyncOutcome.SYNCED]
    assert statuses_written(ledger)[0] == "Creating Invoice"


def test_with_max_age_zero_no_snapshot_is_carried(ledger: Ledger) -> None:
    ledger.zuora.put("Account", account(ACCOUNT_ID))
    dispatcher(ledger, max_age_seconds=0).run("run-1", only=CUSTOMERS)
    assert [r.snapshot for r in ledger.queue.sent] == [None]
    assert ledger.zuora.updates == []  # the sync marks it


def test_a_replayed_message_loses_its_snapshot_so_the_sync_reads_zuora_afresh(ledger: Ledger) -> None:
    # Given a dispatched message SQS moved to the DLQ after maxReceiveCount, snapshot and all
    ledger.zuora.put("Account", account(ACCOUNT_ID))
    dispatcher(ledger).run("run-1", only=CUSTOMERS)
    dlq = FakeDeadLetterQueue()
    dlq.put(ledger.queue.sent[0].model_dump_json(), record_type="customer")

    # When the operator replays it
    DeadLetterReplay(dlq, FakeStateStore(), clock=lambda: NOW).run(ReplayRequest())

    # Then the request goes back without its snapshot
    (replayed,) = dlq.requeued
    assert SyncRequest.model_validate_json(replayed.body).snapshot is None
    assert SyncRequest.model_validate_json(replayed.body).record_id == ACCOUNT_ID


def every_transaction_field_set() -> TransactionSource:
    """Given a transaction whose every field holds a value (contacts, tax, discount, refund parts included)."""
    contact = ZuoraContact.model_validate(
        {"Id": "k1", "WorkEmail": "ap@example.com", "Country": "France", "VAT__c": "FR1"}
    )
    zuora_account = ZuoraAccount.model_validate(account()).model_copy(update={"bill_to": contact, "sold_to": contact})
    invoice_item = ZuoraInvoiceItem.model_validate(
        {"Id": "i1", "InvoiceId": INVOICE_ID, "ChargeAmount": "92.59", "ServiceStartDate": "2026-11-01", **STAMP}
    )
    return TransactionSource(
        ZuoraInvoice.model_validate(
            {"Id": INVOICE_ID, "AccountId": ACCOUNT_ID, "Amount": "100.00", "InvoiceDate": "2026-11-01", **STAMP}
        ),
        zuora_account,
        (invoice_item,),
        applications=(ZuoraApplication(id="pp1", invoice_id=INVOICE_ID, amount=Decimal("1.10")),),
        invoice_numbers={INVOICE_ID: "INV1"},
        refunded_credit_memos=(MEMO_ID,),
        taxation=(
            ZuoraTaxationItem.model_validate(
                {"Id": "t1", "InvoiceItemId": "i1", "TaxCode": "VAT20", "TaxAmount": "7.41"}
            ),
        ),
        discount_charges=frozenset({CHARGE_ID}),
        payment_method_type="CreditCard",
        refund_sources=((RecordType.CREDIT_MEMO, MEMO_ID, Decimal("30.00")),),
        resent_when_changed=True,
    )


def test_every_field_of_a_transaction_travels_in_its_snapshot() -> None:
    # Given a transaction with every field set (a field added to TransactionSource and not carried fails here)
    source = every_transaction_field_set()
    assert all(getattr(source, f.name) != f.default for f in fields(TransactionSource) if f.default is not MISSING)
    # When it travels as JSON and is read back
    restored = load(json.loads(json.dumps(dump(source))))
    # Then nothing is lost: the account's contacts (and their custom fields), tax, discounts, refund parts
    assert restored == source
    assert isinstance(restored, TransactionSource)
    assert restored.account is not None
    assert restored.account.bill_to == source.account.bill_to  # type: ignore[union-attr]
    assert restored.account.bill_to is not None
    assert restored.account.bill_to.model_extra == {"VAT__c": "FR1"}


def test_a_customer_snapshot_carries_its_bill_to_and_sold_to_contacts() -> None:
    # Given an account fetched with its contacts
    contact = ZuoraContact.model_validate({"Id": "k1", "FirstName": "Ada", "Country": "United Kingdom"})
    source = ZuoraAccount.model_validate(account()).model_copy(update={"bill_to": contact, "sold_to": None})
    # When its snapshot is read back
    restored = load(json.loads(json.dumps(dump(source))))
    # Then the address book and email the customer mapping builds from the contacts are there
    assert isinstance(restored, ZuoraAccount)
    assert restored.bill_to == contact
    assert restored.sold_to is None


def test_a_redelivered_message_is_read_from_zuora_so_a_crash_after_the_netsuite_write_is_recovered(
    ledger: Ledger,
) -> None:
    # Given an account the dispatcher marked in progress and sent with its snapshot
    ledger.add_invoice()
    dispatcher(ledger).run("run-1")
    request = next(r for r in ledger.queue.sent if r.record_type is RecordType.CUSTOMER)
    assert request.snapshot is not None
    ledger.zuora.queries.clear()
    # When SQS delivers the message a second time (the first attempt may have crashed after writing NetSuite)
    event = sqs_event([request.model_dump_json()])
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = "2"
    process_sync_batch(event, ledger.record_sync())
    # Then the snapshot was not used: the sync read the account from Zuora, where the mark ("Creating Customer")
    # tells it to look for the earlier write by external id before writing
    assert any("from Account" in query for query in ledger.zuora.queries)


def test_a_first_delivery_uses_the_snapshot_and_reads_nothing_from_zuora(ledger: Ledger) -> None:
    # Given the same account, sent with its snapshot
    ledger.add_invoice()
    dispatcher(ledger).run("run-1")
    request = next(r for r in ledger.queue.sent if r.record_type is RecordType.CUSTOMER)
    ledger.zuora.queries.clear()
    ledger.zuora.gets.clear()
    # When SQS delivers it for the first time
    process_sync_batch(sqs_event([request.model_dump_json()]), ledger.record_sync())
    # Then Zuora is not read
    assert zuora_reads(ledger) == []

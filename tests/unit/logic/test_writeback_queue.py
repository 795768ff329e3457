"""Final statuses through the write-back queue: the sync enqueues them (10 a request) instead of writing to Zuora,
and the write-back function writes each batch with one Zuora request per object type, only while the status is
still the record's current one (docs/architecture.md, "Write-back queue")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from tests.fakes import FakeStateStore, FakeZuora
from zuora_netsuite.failures import FailureKind, SyncFailure
from zuora_netsuite.logic.writeback import QueuedWriteBacks, WriteBack
from zuora_netsuite.logic.writeback_drain import WriteBackDrain
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import RecordState
from zuora_netsuite.models.writeback import WriteBackMessage

AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SYNCED, FAILED = "Sync Complete", "Error Creating Customer"


class FakeWriteBackQueue:
    def __init__(self, fail_sends: int = 0) -> None:
        self.sent: list[list[WriteBackMessage]] = []
        self.fail_sends = fail_sends

    def send(self, messages: Sequence[WriteBackMessage]) -> None:
        if self.fail_sends:
            self.fail_sends -= 1
            raise SyncFailure("SQS down", code="WRITEBACK_QUEUE", kind=FailureKind.TRANSIENT)
        self.sent.append(list(messages))


def account_id(n: int) -> str:
    return f"{n:032x}"


def message(n: int, status: str = SYNCED, at: datetime = AT, netsuite_id: str | None = "7") -> WriteBackMessage:
    return WriteBackMessage(
        record_type=RecordType.CUSTOMER,
        record_id=account_id(n),
        zuora_object="Account",
        integration_status=status,
        sync_date=at,
        integration_id=netsuite_id if status == SYNCED else None,
        integration_error=None if status == SYNCED else "Name is blank",
    )


def state(n: int, status: str) -> RecordState:
    return RecordState(record_type=RecordType.CUSTOMER, record_id=account_id(n), external_id=f"c-{n}", status=status)


def test_given_a_queue_when_a_batch_of_25_is_flushed_then_3_sends_and_no_zuora_call():
    # Given a sync batch's buffer with a write-back queue
    queue = FakeWriteBackQueue()
    buffer = QueuedWriteBacks(queue)
    for n in range(25):
        buffer.add(f"m{n}", WriteBack("Account", account_id(n), SYNCED, AT, "7", record_type=RecordType.CUSTOMER))
    # When it is flushed
    failed = buffer.flush()
    # Then the statuses are on the queue, 10 a request, nothing failed
    assert failed == set()
    assert [len(sent) for sent in queue.sent] == [10, 10, 5]
    assert queue.sent[0][0] == message(0)


def test_given_the_queue_fails_when_flushed_then_the_messages_of_that_request_are_retried():
    queue = FakeWriteBackQueue(fail_sends=1)
    buffer = QueuedWriteBacks(queue)
    for n in range(12):
        buffer.add(f"m{n}", WriteBack("Account", account_id(n), SYNCED, AT, "7", record_type=RecordType.CUSTOMER))
    # When the first send fails
    failed = buffer.flush()
    # Then its ten sync messages are retried, the other two were enqueued
    assert failed == {f"m{n}" for n in range(10)}
    assert [len(sent) for sent in queue.sent] == [2]


def test_given_50_statuses_when_drained_then_one_zuora_request_writes_them_all():
    zuora = FakeZuora({"Account": [{"Id": account_id(n)} for n in range(50)]})
    states = FakeStateStore()
    for n in range(50):
        states.states[(RecordType.CUSTOMER, account_id(n))] = state(n, SYNCED)
    # When a batch of 50 is drained
    failed = WriteBackDrain(zuora, states).write([(f"m{n}", message(n)) for n in range(50)])
    # Then one action/update call, one state read, every record shows its status in Zuora
    assert failed == set()
    assert len(zuora.updates) == 1
    assert states.batch_gets == 1
    assert all(zuora.get("Account", account_id(n))["IntegrationStatus__NS"] == SYNCED for n in range(50))


def test_given_a_status_superseded_by_a_later_outcome_when_drained_then_it_is_not_written():
    # Given a record whose failure was written back, then it synced (state: Sync Complete)
    zuora = FakeZuora({"Account": [{"Id": account_id(1), "IntegrationStatus__NS": SYNCED}]})
    states = FakeStateStore()
    states.states[(RecordType.CUSTOMER, account_id(1))] = state(1, SYNCED)
    # When the older error status is delivered late
    failed = WriteBackDrain(zuora, states).write([("m1", message(1, FAILED))])
    # Then Zuora keeps Sync Complete
    assert failed == set()
    assert zuora.updates == []
    assert zuora.get("Account", account_id(1))["IntegrationStatus__NS"] == SYNCED


def test_given_two_statuses_of_one_record_in_a_batch_when_drained_then_the_latest_is_written():
    zuora = FakeZuora({"Account": [{"Id": account_id(1)}]})
    states = FakeStateStore()  # no state yet: nothing to compare with
    later = message(1, SYNCED, at=AT + timedelta(seconds=5), netsuite_id="9")
    WriteBackDrain(zuora, states).write([("m2", later), ("m1", message(1, FAILED))])
    [(_, sent)] = zuora.updates
    assert [fields["IntegrationId__NS"] for fields in sent] == ["9"]


def test_given_zuora_rejects_one_object_when_drained_then_only_its_message_is_delivered_again():
    zuora = FakeZuora({"Account": [{"Id": account_id(1)}]})  # account 2 does not exist in Zuora
    states = FakeStateStore()
    failed = WriteBackDrain(zuora, states).write([("m1", message(1)), ("m2", message(2))])
    assert failed == {"m2"}


def test_given_zuora_is_down_when_drained_then_the_whole_batch_is_delivered_again():
    zuora = FakeZuora({"Account": [{"Id": account_id(1)}, {"Id": account_id(2)}]})
    zuora.fail_updates = 1
    failed = WriteBackDrain(zuora, FakeStateStore()).write([("m1", message(1)), ("m2", message(2))])
    assert failed == {"m1", "m2"}

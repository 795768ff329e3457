"""Replay of SyncDLQ: filters, dry run, delete only after send, error state cleared, report."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes import FakeDeadLetterQueue, FakeStateStore, utc
from zuora_netsuite.failures import FailureKind
from zuora_netsuite.logic.replay import DeadLetterReplay
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType, external_id
from zuora_netsuite.models.replay import ReplayRequest
from zuora_netsuite.models.state import RecordError, RecordState

NOW = utc(2026, 11, 23, 12, 0)


def body(record_type: RecordType, record_id: str) -> str:
    return SyncRequest(record_type=record_type, record_id=record_id, run_id="run-1").model_dump_json()


def permanent(dlq: FakeDeadLetterQueue, record_type: RecordType, record_id: str, code: str = "VALIDATION",
              failed_at: str = "2026-11-23T11:00:00+00:00") -> str:  # fmt: skip
    return dlq.put(
        body(record_type, record_id), record_type=record_type.value, failure_kind="permanent",
        failure_code=code, failure_reason=f"{record_id} is invalid", failed_at=failed_at,
    )  # fmt: skip


def in_error(state: FakeStateStore, record_type: RecordType, record_id: str, kind: FailureKind) -> None:
    state.save(
        RecordState(
            record_type=record_type, record_id=record_id, external_id=external_id(record_type, record_id),
            payload_hash="h", error=RecordError(
                kind=kind, code="503", message="NetSuite answered 503 after 4 attempts",
                first_failed_at=utc(2026, 11, 23, 10, 0), last_failed_at=utc(2026, 11, 23, 10, 30), payload_hash="h",
            ),
        )
    )  # fmt: skip


def replayer(dlq: FakeDeadLetterQueue, state: FakeStateStore) -> DeadLetterReplay:
    return DeadLetterReplay(dlq, state, clock=lambda: NOW)


def test_replay_moves_every_message_back_unchanged_and_empties_the_dlq():
    # Given two permanent failures and one message SQS moved after maxReceiveCount
    dlq, state = FakeDeadLetterQueue(), FakeStateStore()
    permanent(dlq, RecordType.CUSTOMER, "a1")
    permanent(dlq, RecordType.ITEM, "c1")
    in_error(state, RecordType.CUSTOMER, "a2", FailureKind.TRANSIENT)
    dlq.put(body(RecordType.CUSTOMER, "a2"), record_type="customer")
    original_bodies = sorted(m.body for m in dlq.messages.values())

    # When the operator replays everything
    report = replayer(dlq, state).run(ReplayRequest())

    # Then all three went back to SyncQueue with their bodies unchanged, and the DLQ is empty
    assert sorted(m.body for m in dlq.requeued) == original_bodies
    assert dlq.messages == {}
    assert {item.record_id for item in report.moved} == {"a1", "c1", "a2"}
    assert report.skipped == []
    assert report.failed == []
    # And the transient one is described from the record's error state
    [a2] = [item for item in report.moved if item.record_id == "a2"]
    assert (a2.failure_kind, a2.failure_code) == ("transient", "503")
    assert "503" in a2.reason


def test_dry_run_lists_what_would_move_and_moves_nothing():
    # Given two messages on the DLQ, one of them for a record in error
    dlq, state = FakeDeadLetterQueue(), FakeStateStore()
    permanent(dlq, RecordType.CUSTOMER, "a1")
    permanent(dlq, RecordType.CUSTOMER, "a2")
    in_error(state, RecordType.CUSTOMER, "a1", FailureKind.PERMANENT)

    # When the operator does a dry run
    report = replayer(dlq, state).run(ReplayRequest(dry_run=True))

    # Then both are listed, nothing was sent or deleted, both are visible again, and the error is kept
    assert report.dry_run
    assert {item.record_id for item in report.moved} == {"a1", "a2"}
    assert dlq.requeued == []
    assert len(dlq.messages) == 2
    assert dlq.hidden == set()
    record = state.get(RecordType.CUSTOMER, "a1")
    assert record is not None
    assert record.error is not None


def test_filters_by_type_id_kind_code_and_age_leave_the_rest_on_the_dlq():
    # Given failures of different types, codes and ages
    dlq, state = FakeDeadLetterQueue(), FakeStateStore()
    permanent(dlq, RecordType.CUSTOMER, "old", code="USER_ERROR", failed_at="2026-11-20T12:00:00+00:00")
    permanent(dlq, RecordType.CUSTOMER, "new", code="USER_ERROR", failed_at="2026-11-23T11:50:00+00:00")
    permanent(dlq, RecordType.CUSTOMER, "bad", code="VALIDATION", failed_at="2026-11-20T12:00:00+00:00")
    permanent(dlq, RecordType.ITEM, "item", code="USER_ERROR", failed_at="2026-11-20T12:00:00+00:00")

    # When the operator replays customers that NetSuite rejected more than a day ago
    report = replayer(dlq, state).run(
        ReplayRequest(
            record_types=frozenset({RecordType.CUSTOMER}),
            failure_kinds=frozenset({"permanent"}),
            failure_codes=frozenset({"user_error"}),
            older_than=timedelta(days=1),
        )
    )

    # Then only that one moved; the others are skipped and still on the DLQ, visible
    assert [item.record_id for item in report.moved] == ["old"]
    assert {item.record_id for item in report.skipped} == {"new", "bad", "item"}
    assert {SyncRequest.model_validate_json(m.body).record_id for m in dlq.messages.values()} == {"new", "bad", "item"}
    assert dlq.hidden == set()

    # When the operator then replays one record by id
    report = replayer(dlq, state).run(ReplayRequest(record_ids=frozenset({"item"})))

    # Then only that record moved
    assert [item.record_id for item in report.moved] == ["item"]


def test_max_count_limits_how_many_move():
    # Given 25 messages on the DLQ
    dlq, state = FakeDeadLetterQueue(), FakeStateStore()
    for n in range(25):
        permanent(dlq, RecordType.CUSTOMER, f"a{n}")

    # When the operator replays at most 12
    report = replayer(dlq, state).run(ReplayRequest(max_messages=12))

    # Then exactly 12 moved and 13 stay, visible
    assert len(report.moved) == 12
    assert len(dlq.messages) == 13
    assert dlq.hidden == set()


def test_replayed_records_lose_their_error_so_they_are_sent_again_even_when_unchanged():
    # Given a record in permanent error with its message on the DLQ
    dlq, state = FakeDeadLetterQueue(), FakeStateStore()
    in_error(state, RecordType.CUSTOMER, "a1", FailureKind.PERMANENT)
    permanent(dlq, RecordType.CUSTOMER, "a1")

    # When it is replayed
    replayer(dlq, state).run(ReplayRequest())

    # Then its error and its last payload are forgotten (no "same payload already rejected", no "unchanged")
    record = state.get(RecordType.CUSTOMER, "a1")
    assert record is not None
    assert record.error is None
    assert record.payload_hash is None


def test_a_message_is_deleted_only_after_it_was_sent_and_its_error_is_put_back():
    # Given two messages, one of which SyncQueue refuses
    dlq, state = FakeDeadLetterQueue(), FakeStateStore()
    in_error(state, RecordType.CUSTOMER, "a1", FailureKind.PERMANENT)
    refused = permanent(dlq, RecordType.CUSTOMER, "a1")
    permanent(dlq, RecordType.CUSTOMER, "a2")
    dlq.refuse_sends.add(refused)

    # When the operator replays
    report = replayer(dlq, state).run(ReplayRequest())

    # Then the refused one is reported failed, is still on the DLQ (visible), and keeps its error
    assert [item.record_id for item in report.failed] == ["a1"]
    assert [item.record_id for item in report.moved] == ["a2"]
    assert refused in dlq.messages
    assert dlq.hidden == set()
    record = state.get(RecordType.CUSTOMER, "a1")
    assert record is not None
    assert record.error is not None
    assert not report.ok


def test_a_message_that_is_not_a_sync_request_is_skipped_and_kept():
    # Given a foreign message on the DLQ
    dlq, state = FakeDeadLetterQueue(), FakeStateStore()
    dlq.put("not json")

    # When the operator replays
    report = replayer(dlq, state).run(ReplayRequest())

    # Then it is reported as skipped, with why, and stays on the DLQ
    [item] = report.skipped
    assert item.failure_code == "INVALID_MESSAGE"
    assert len(dlq.messages) == 1
    assert dlq.requeued == []

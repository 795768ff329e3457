"""Which DLQ messages a replay moves, and the note of each one it leaves: the limits of one received batch."""

from __future__ import annotations

from tests.fakes import FakeDeadLetterQueue, FakeStateStore
from tests.unit.operations.test_replay import permanent, replayer
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.replay import ReplayRequest


def test_a_dry_run_with_a_maximum_lists_that_many_as_would_move_and_the_rest_as_over_the_maximum() -> None:
    # Given five messages on the DLQ (one receive of ten)
    dlq, state = FakeDeadLetterQueue(), FakeStateStore()
    for n in range(5):
        permanent(dlq, RecordType.CUSTOMER, f"a{n}")

    # When the operator asks what replaying at most three would do
    report = replayer(dlq, state).run(ReplayRequest(dry_run=True, max_messages=3))

    # Then three would move and two are over the maximum, and all five stay on the DLQ
    assert [item.note for item in report.moved] == ["dry run: would move"] * 3
    assert [item.note for item in report.skipped] == ["over the maximum count"] * 2
    assert len(dlq.messages) == 5

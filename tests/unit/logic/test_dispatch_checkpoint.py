"""A backlog too large for one dispatcher invocation: the run stops before its Lambda deadline, the type it stopped in
keeps a checkpoint, and the next run resumes there. Together the two runs send every pending record exactly once,
even when the records the first run sent are still pending in Zuora (not synced yet) and Zuora lists them in
another order; the types after the one it stopped in wait for the run that finishes it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

from tests.fakes import FakeQueue
from tests.unit.logic.conftest import NOW, World, account, charge, plan
from zuora_netsuite.logic.dispatch import NOT_REACHED, STOPPED_AT_BUDGET, Dispatcher
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.settings import SnapshotSettings

CHUNK = 5
SECONDS_PER_CHUNK = 3.0


class Invocation:
    """The invocation's time (InvocationBudget): `seconds` at the start, each chunk sent takes SECONDS_PER_CHUNK."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds

    def remaining(self) -> float | None:
        return max(0.0, self.left)

    def release_reserve(self) -> None:
        pass


class TimedQueue(FakeQueue):
    """The sync queue; sending a chunk uses the invocation's time."""

    def __init__(self) -> None:
        super().__init__()
        self.invocation: Invocation | None = None

    def send(self, requests: Sequence[SyncRequest]) -> int:
        if self.invocation is not None:
            self.invocation.left -= SECONDS_PER_CHUNK
        return super().send(requests)


def ids(n: int) -> str:
    return f"{n:032x}"


def dispatcher(world: World, queue: TimedQueue, seconds: float | None, at: timedelta = timedelta()) -> Dispatcher:
    invocation = Invocation(seconds) if seconds is not None else None
    queue.invocation = invocation
    return Dispatcher(
        zuora=world.zuora,
        state=world.state,
        queue=queue,
        config=world.config.model_copy(update={"snapshots": SnapshotSettings(fetch_chunk=CHUNK)}),
        clock=lambda: NOW + at,
        budget=invocation,
    )


def given_a_backlog(world: World, accounts: int) -> list[str]:
    account_ids = [ids(n) for n in range(1, accounts + 1)]
    for record_id in account_ids:
        world.zuora.put("Account", account(record_id))
    world.zuora.put("ProductRatePlan", plan())
    world.zuora.put("ProductRatePlanCharge", charge(ids(999)))
    return account_ids


def test_a_run_stopped_at_its_budget_is_resumed_and_every_record_is_sent_once(world: World) -> None:
    # Given 23 pending accounts and a charge, and an invocation with time for two chunks of five
    account_ids = given_a_backlog(world, 23)
    queue = TimedQueue()

    # When the first run reaches its time budget
    first = dispatcher(world, queue, seconds=10.0).run("run-1")

    # Then it stopped cleanly after two chunks, before its deadline, and says so
    assert first.status == "stopped"
    customers, items = first.types[0], first.types[1]
    assert (customers.record_type, customers.enqueued, customers.skipped_reason) == (
        RecordType.CUSTOMER,
        2 * CHUNK,
        STOPPED_AT_BUDGET,
    )
    assert (items.record_type, items.enqueued, items.skipped_reason) == (RecordType.ITEM, 0, NOT_REACHED)
    # And the customers' and the items' watermarks stay where they were: nothing is lost
    assert world.state.get_watermark(RecordType.CUSTOMER) is None
    assert world.state.get_watermark(RecordType.ITEM) is None
    first_sent = [r.record_id for r in queue.sent]

    # When Zuora lists the accounts in another order (the ones sent are still pending: not synced yet)
    world.zuora.objects["Account"] = dict(reversed(world.zuora.objects["Account"].items()))
    # And the next scheduled run has all the time it needs
    second = dispatcher(world, queue, seconds=900.0, at=timedelta(minutes=15)).run("run-2")

    # Then every account and the charge were sent exactly once by the two runs together
    sent = Counter((r.record_type, r.record_id) for r in queue.sent)
    assert sent == Counter({(RecordType.CUSTOMER, i): 1 for i in account_ids} | {(RecordType.ITEM, ids(999)): 1})
    assert set(first_sent) <= set(account_ids)
    assert second.status == "completed"
    assert second.types[0].enqueued == len(account_ids) - 2 * CHUNK
    # And the customers' watermark moved to the start of the run that began their listing (changes made while
    # the two runs went on are listed again by the next one); the checkpoint is gone
    assert world.state.get_watermark(RecordType.CUSTOMER) == NOW
    assert world.state.get_checkpoint(RecordType.CUSTOMER) is None


def test_a_run_resumed_and_stopped_again_still_sends_each_record_once(world: World) -> None:
    # Given 23 pending accounts and a charge, and invocations with time for two chunks each
    account_ids = given_a_backlog(world, 23)
    queue = TimedQueue()

    # When short runs follow each other until one completes
    statuses: list[str] = []
    while "completed" not in statuses and len(statuses) < 5:
        statuses.append(dispatcher(world, queue, seconds=10.0).run(f"run-{len(statuses)}").status)

    # Then two runs stopped, the third completed, and no record was sent twice
    assert statuses == ["stopped", "stopped", "completed"]
    sent = Counter((r.record_type, r.record_id) for r in queue.sent)
    assert sent == Counter({(RecordType.CUSTOMER, i): 1 for i in account_ids} | {(RecordType.ITEM, ids(999)): 1})


def test_without_a_budget_the_run_keeps_no_checkpoint(world: World) -> None:
    # Given pending accounts, and the operator CLI's run (no Lambda deadline)
    given_a_backlog(world, 7)
    queue = TimedQueue()

    # When it runs
    summary = dispatcher(world, queue, seconds=None).run("run-1")

    # Then it sends everything and writes no checkpoint
    assert summary.status == "completed"
    assert world.state.checkpoint_chunks == {}

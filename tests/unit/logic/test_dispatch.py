"""The dispatcher: pending selection per type, dependency order, run lease, watermarks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.unit.logic.conftest import NOW, World, account, charge, plan
from zuora_netsuite.logic.dispatch import Dispatcher, DispatchFailed
from zuora_netsuite.models.record_types import DEPENDENCY_ORDER, RecordType


def dispatcher(world: World) -> Dispatcher:
    return Dispatcher(zuora=world.zuora, state=world.state, queue=world.queue, config=world.config, clock=lambda: NOW)


def ids(n: int) -> str:
    return f"{n:032x}"


def test_pending_accounts_are_enqueued_and_excluded_ones_are_not(world: World) -> None:
    # Given accounts of every kind
    world.zuora.put("Account", account(ids(1)))  # new and active: pending
    world.zuora.put("Account", account(ids(2), IntegrationStatus__NS="Error Creating Customer"))  # pending
    world.zuora.put("Account", account(ids(3), SynctoNetSuite__NS="No"))  # excluded by the user
    world.zuora.put("Account", account(ids(4), Status="Draft"))  # not active
    world.zuora.put("Account", account(ids(5), IntegrationStatus__NS="Ignore"))  # never again
    world.zuora.put("Account", account(ids(6), Status="Canceled"))  # never synced: nothing to inactivate
    world.zuora.put(
        "Account",
        account(
            ids(7),
            Status="Canceled",
            IntegrationId__NS="55",
            IntegrationStatus__NS="Sync Complete",
            UpdatedDate="2026-11-23T11:00:00.000+00:00",
        ),
    )  # inactivate
    world.zuora.put("Account", account(ids(8), SynctoNetSuite__NS="Yes"))  # pending
    # When the dispatcher runs
    summary = dispatcher(world).run("run-1")
    # Then exactly the pending accounts are on the queue, one message each
    sent = sorted(r.record_id for r in world.queue.sent if r.record_type is RecordType.CUSTOMER)
    assert sent == [ids(1), ids(2), ids(7), ids(8)]
    assert summary.status == "completed"
    assert summary.types[0].found == 4
    assert summary.types[0].enqueued == 4


def test_types_are_dispatched_in_dependency_order_and_empty_types_are_skipped(world: World) -> None:
    world.zuora.put("ProductRatePlan", plan())
    world.zuora.put("ProductRatePlanCharge", charge(ids(9)))
    summary = dispatcher(world).run("run-1")
    assert [t.record_type for t in summary.types] == list(DEPENDENCY_ORDER)
    assert summary.types[0].skipped_reason == "nothing pending"
    assert [r.record_type for r in world.queue.sent] == [RecordType.ITEM]


def test_synced_records_are_pending_again_only_when_changed_after_the_watermark(world: World) -> None:
    # Given a synced account, unchanged since long before the last run
    world.zuora.put(
        "Account",
        account(
            ids(1),
            IntegrationStatus__NS="Sync Complete",
            IntegrationId__NS="9",
            UpdatedDate="2026-11-01T00:00:00.000+00:00",
        ),
    )
    world.state.advance_watermark(RecordType.CUSTOMER, NOW - timedelta(hours=1))
    dispatcher(world).run("run-1")
    assert world.queue.sent == []
    # When it is edited in Zuora after the watermark
    world.zuora.get("Account", ids(1))["UpdatedDate"] = "2026-11-23T12:30:00.000+00:00"
    dispatcher(world).run("run-2")
    # Then it is pending again
    assert [r.record_id for r in world.queue.sent] == [ids(1)]


def test_watermark_advances_to_the_run_start_once_the_type_is_enqueued(world: World) -> None:
    dispatcher(world).run("run-1")
    assert world.state.get_watermark(RecordType.CUSTOMER) == NOW
    assert world.state.get_watermark(RecordType.ITEM) == NOW


def test_watermark_stays_when_the_zuora_query_fails(world: World) -> None:
    world.zuora.fail_queries = 1
    with pytest.raises(DispatchFailed, match="customer: Zuora answered 503"):
        dispatcher(world).run("run-1")
    assert world.state.get_watermark(RecordType.CUSTOMER) is None
    assert world.state.summaries[-1].status == "failed"
    assert world.state.run_lease is None  # the lease is released for the next run


def test_a_type_that_cannot_be_listed_does_not_stop_the_other_types(world: World) -> None:
    # Given a pending charge, and Zuora refusing the first query of the run (the customers')
    world.zuora.put("ProductRatePlan", plan())
    world.zuora.put("ProductRatePlanCharge", charge(ids(9)))
    world.zuora.fail_queries = 1
    # When the dispatcher runs
    with pytest.raises(DispatchFailed) as raised:
        dispatcher(world).run("run-1")
    # Then the items are still enqueued and their watermark advances; customers keep theirs for the next run,
    # and the run ends failed naming the customers' reason
    assert [r.record_id for r in world.queue.sent if r.record_type is RecordType.ITEM] == [ids(9)]
    assert world.state.get_watermark(RecordType.ITEM) == NOW
    assert world.state.get_watermark(RecordType.CUSTOMER) is None
    assert raised.value.failures == ["customer: Zuora answered 503"]
    summary = world.state.summaries[-1]
    assert summary.status == "failed"
    assert summary.types[0].skipped_reason == "failed: Zuora answered 503"


def test_overlapping_run_is_skipped(world: World) -> None:
    world.zuora.put("Account", account(ids(1)))
    world.state.acquire_run_lease("run-still-going", 900)
    summary = dispatcher(world).run("run-2")
    assert summary.status == "skipped"
    assert world.queue.sent == []


def test_a_run_summary_is_stored(world: World) -> None:
    world.zuora.put("Account", account(ids(1)))
    dispatcher(world).run("run-1")
    [stored] = world.state.summaries
    assert stored.run_id == "run-1"
    assert stored.enqueued == 1
    assert stored.finished_at is not None

"""A batch running out of time: records not started are returned as batch item failures, and the write-backs of
the records already synced are flushed before the Lambda's timeout (docs/reliability.md, "Time budget")."""

from __future__ import annotations

from typing import Any

from tests.unit.clients.test_time_budget import FakeClock
from tests.unit.logic.conftest import World, account
from tests.unit.logic.test_sync_batch import body, sqs_event
from zuora_netsuite.adapters.http import TimeBudget
from zuora_netsuite.logic.sync_batch import process_sync_batch


def test_records_not_started_in_time_are_retried_and_the_synced_ones_are_reported_to_zuora(world: World) -> None:
    # Given three new accounts, a NetSuite write that takes 25 s, and 60 s left of which 10 s are the reserve
    ids = [f"{n:032d}" for n in range(3)]
    for record_id in ids:
        world.zuora.put("Account", account(record_id, AccountNumber=record_id[-8:]))
    clock = FakeClock()
    upsert = world.netsuite.upsert

    def slow_upsert(*args: Any, **kwargs: Any) -> str:
        clock.now += 25.0
        return upsert(*args, **kwargs)

    world.netsuite.upsert = slow_upsert  # type: ignore[method-assign]
    budget = TimeBudget(clock)
    budget.start(60.0, reserve=10.0)
    # When the batch is processed
    response = process_sync_batch(sqs_event([body(record_id) for record_id in ids]), world.record_sync(), budget=budget)
    # Then the two records started in time are in NetSuite and Zuora says so
    assert len(world.netsuite.records["customer"]) == 2
    for record_id in ids[:2]:
        assert world.zuora.get("Account", record_id)["IntegrationStatus__NS"] == "Sync Complete"
    # And the third was not started: SQS delivers it again, and it is not in the DLQ
    assert response == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert world.queue.dead_letters == []

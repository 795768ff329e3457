"""A permanent error is reported everywhere even when a step fails half-way: the dead letter and the error
write-back to Zuora survive a failure between the steps (docs/reliability.md, "Reporting a permanent error")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tests.unit.logic.conftest import World, account
from tests.unit.logic.test_sync_batch import body, sqs_event
from zuora_netsuite.failures import NetSuiteError
from zuora_netsuite.logic.sync_batch import process_sync_batch
from zuora_netsuite.models.zuora import ZuoraUpdateResult

ACCOUNT_ID = "1" * 32


def rejected_by_netsuite(world: World, times: int) -> None:
    world.zuora.put("Account", account(ACCOUNT_ID))
    for _ in range(times):
        world.netsuite.fail_next.append(
            NetSuiteError("Invalid email address", code="USER_ERROR", path="email", http_status=400)
        )


def deliver(world: World) -> list[str]:
    """One delivery of the record's message; the ids SQS must deliver again."""
    response = process_sync_batch(sqs_event([body(ACCOUNT_ID)]), world.record_sync())
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


def test_a_dead_letter_that_could_not_be_sent_is_sent_on_the_redelivery(world: World) -> None:
    # Given an account NetSuite rejects, and the DLQ send fails on the first attempt
    rejected_by_netsuite(world, times=2)
    world.queue.fail_dead_letters = 1
    # When the message is delivered, fails, and SQS delivers it again
    assert deliver(world) == ["m0"]
    assert deliver(world) == []
    # Then the DLQ has the record's dead letter, once, with NetSuite's reason
    assert [letter.reason for letter in world.queue.dead_letters] == ["Invalid email address"]
    # And Zuora shows the error
    row = world.zuora.get("Account", ACCOUNT_ID)
    assert row["IntegrationStatus__NS"] == "Error Creating Customer"
    assert row["IntegrationError__c"] == "Invalid email address"


def test_an_error_write_back_that_did_not_land_is_written_on_the_redelivery(world: World) -> None:
    # Given an account NetSuite rejects
    rejected_by_netsuite(world, times=1)
    # And Zuora refuses the write-back at the end of the first batch (after marking it "Creating Customer")
    real_update = world.zuora.update
    calls = 0

    def update_failing_second_call(object_type: str, objects: Sequence[Mapping[str, Any]]) -> list[ZuoraUpdateResult]:
        nonlocal calls
        calls += 1
        if calls == 2:
            world.zuora.fail_updates = 1
        return real_update(object_type, objects)

    world.zuora.update = update_failing_second_call  # type: ignore[method-assign]
    # When the message is delivered, its write-back fails, and SQS delivers it again
    assert deliver(world) == ["m0"]
    assert world.zuora.get("Account", ACCOUNT_ID)["IntegrationStatus__NS"] == "Creating Customer"
    assert deliver(world) == []
    # Then Zuora shows the error instead of staying at "Creating Customer", and the DLQ has one dead letter
    row = world.zuora.get("Account", ACCOUNT_ID)
    assert row["IntegrationStatus__NS"] == "Error Creating Customer"
    assert row["IntegrationError__c"] == "Invalid email address"
    assert len(world.queue.dead_letters) == 1
    # And NetSuite saw the rejected payload once
    assert len(world.netsuite.writes) == 1

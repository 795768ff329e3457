"""The Integration Status lifecycle, crash recovery, reset and the dispatcher's hold on permanent errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.unit.logic.conftest import NOW, World, account
from zuora_netsuite.failures import FailureKind, NetSuiteError
from zuora_netsuite.logic.dispatch import Dispatcher
from zuora_netsuite.logic.recovery import RecordReset, ResetRefused
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType, external_id
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.settings import ZuoraTenant

A1, A2, A3 = "a" * 32, "b" * 32, "c" * 32


def request(record_id: str) -> SyncRequest:
    return SyncRequest(record_type=RecordType.CUSTOMER, record_id=record_id, run_id="run-1")


def sync_batch(world: World, *record_ids: str) -> list[SyncOutcome]:
    """One SQS batch: prefetch (which marks records in progress), sync each, flush the write-backs."""
    record_sync = world.record_sync()
    requests = [request(record_id) for record_id in record_ids]
    record_sync.prefetch(requests)
    outcomes = [record_sync.sync(r, f"m-{r.record_id}") for r in requests]
    assert record_sync.write_backs.flush() == set()
    return outcomes


def statuses_sent(world: World) -> list[list[str]]:
    return [[o["IntegrationStatus__NS"] for o in objects] for _, objects in world.zuora.updates]


def test_new_records_are_marked_creating_in_one_zuora_call_before_netsuite_then_sync_complete(world: World):
    # Given three new accounts
    for record_id in (A1, A2, A3):
        world.zuora.put("Account", account(record_id, AccountNumber=record_id[:8]))

    # When they sync in one batch
    outcomes = sync_batch(world, A1, A2, A3)

    # Then Zuora got one call marking all three "Creating Customer", then one call with "Sync Complete"
    assert outcomes == [SyncOutcome.SYNCED] * 3
    assert statuses_sent(world) == [["Creating Customer"] * 3, ["Sync Complete"] * 3]


def test_an_update_of_a_synced_customer_does_not_flip_its_status(world: World):
    # Given a synced account whose name then changes in Zuora
    world.zuora.put("Account", account(A1))
    sync_batch(world, A1)
    world.zuora.get("Account", A1)["Name"] = "Acme Renamed"
    world.zuora.updates.clear()

    # When it syncs again
    sync_batch(world, A1)

    # Then NetSuite got the update, and the status went straight from Sync Complete to Sync Complete
    assert world.netsuite.writes[-1][2]["companyName"] == "Acme Renamed"
    assert statuses_sent(world) == [["Sync Complete"]]


def test_ignore_is_never_touched(world: World):
    # Given an account set to Ignore
    world.zuora.put("Account", account(A1, IntegrationStatus__NS="Ignore"))

    # When it is synced (e.g. a replayed message)
    outcomes = sync_batch(world, A1)

    # Then nothing is written anywhere
    assert outcomes == [SyncOutcome.EXCLUDED]
    assert world.netsuite.writes == []
    assert world.zuora.updates == []


def test_a_failed_netsuite_write_ends_in_error_creating(world: World):
    # Given a new account that NetSuite rejects
    world.zuora.put("Account", account(A1))
    world.netsuite.fail_next.append(NetSuiteError("Invalid entityId", code="USER_ERROR", http_status=400))

    # When it syncs
    sync_batch(world, A1)

    # Then it went Creating -> Error Creating, with the reason on the Zuora record
    assert statuses_sent(world) == [["Creating Customer"], ["Error Creating Customer"]]
    assert world.zuora.get("Account", A1)["IntegrationError__c"] == "Invalid entityId"


def test_a_record_left_creating_and_found_in_netsuite_is_linked_without_a_second_write(world: World):
    # Given a crash after NetSuite committed the customer: Zuora says "Creating Customer", no state
    world.zuora.put("Account", account(A1, IntegrationStatus__NS="Creating Customer"))
    eid = external_id(RecordType.CUSTOMER, A1)
    world.netsuite.records["customer"] = {eid: {"id": "4242", "externalId": eid}}

    # When the record syncs again
    record_sync = world.record_sync()
    outcome = record_sync.sync(request(A1), "m1")
    assert record_sync.write_backs.flush() == set()

    # Then it is looked up by external id, linked and Sync Complete: no write, no duplicate
    assert outcome is SyncOutcome.SYNCED
    assert world.netsuite.writes == []
    state = world.state.get(RecordType.CUSTOMER, A1)
    assert state is not None
    assert state.netsuite_id == "4242"
    assert state.status == "Sync Complete"
    assert world.zuora.get("Account", A1)["IntegrationId__NS"] == "4242"


def test_a_record_left_creating_and_not_in_netsuite_is_synced_normally(world: World):
    # Given a crash before NetSuite committed anything
    world.zuora.put("Account", account(A1, IntegrationStatus__NS="Creating Customer"))

    # When the record syncs again
    [outcome] = sync_batch(world, A1)

    # Then it is created once
    assert outcome is SyncOutcome.SYNCED
    assert len(world.netsuite.records["customer"]) == 1
    assert world.zuora.get("Account", A1)["IntegrationStatus__NS"] == "Sync Complete"


def test_dispatcher_holds_back_permanent_errors_until_the_record_changes_in_zuora(world: World):
    # Given two accounts that failed validation at NOW, and an account that failed transiently
    for record_id in (A1, A2):
        world.zuora.put("Account", account(record_id, Name=""))
        world.record_sync().sync(request(record_id), "m")
    world.zuora.put("Account", account(A3))
    world.netsuite.fail_next.append(
        NetSuiteError("NetSuite answered 503", code="503", http_status=503, kind=FailureKind.TRANSIENT)
    )
    with pytest.raises(NetSuiteError):
        world.record_sync().sync(request(A3), "m")
    # And Zuora stamped the error write-back a few seconds after the failure, and the next sync of that version
    # recorded it (no NetSuite write, no second report); then A2 was fixed an hour later
    for record_id in (A1, A2, A3):
        world.zuora.get("Account", record_id)["UpdatedDate"] = (NOW + timedelta(seconds=5)).isoformat()
    world.record_sync().sync(request(A1), "m")
    world.zuora.get("Account", A2).update(Name="Fixed", UpdatedDate=(NOW + timedelta(hours=1)).isoformat())
    dispatcher = Dispatcher(world.zuora, world.state, world.queue, world.config, clock=lambda: NOW + timedelta(hours=2))

    # When the dispatcher runs
    dispatcher.run("run-2")

    # Then the unchanged permanent error is held back; the fixed one and the transient one are enqueued
    assert {r.record_id for r in world.queue.sent} == {A2, A3}
    # And errors were read with one index query per type, never a scan
    assert world.state.error_queries == list(world.config.enabled_in_order())


def test_reset_clears_zuora_and_state_and_the_next_sync_relinks(world: World):
    # Given a synced account
    world.zuora.put("Account", account(A1))
    sync_batch(world, A1)
    linked = world.zuora.get("Account", A1)["IntegrationId__NS"]

    # When the operator resets it
    result = RecordReset(world.zuora, world.state, world.queue, ZuoraTenant()).reset(
        RecordType.CUSTOMER, A1, enqueue=True
    )

    # Then Zuora's Integration ID and Status are cleared, the state is gone, and the record is enqueued
    assert result.previous_integration_id == linked
    row = world.zuora.get("Account", A1)
    assert "IntegrationId__NS" not in row
    assert "IntegrationStatus__NS" not in row
    assert world.state.get(RecordType.CUSTOMER, A1) is None
    assert [r.record_id for r in world.queue.sent] == [A1]

    # When it syncs again
    sync_batch(world, A1)

    # Then it is re-linked to the same NetSuite customer: no duplicate
    assert len(world.netsuite.records["customer"]) == 1
    assert world.zuora.get("Account", A1)["IntegrationId__NS"] == linked


def test_reset_is_refused_while_the_record_is_syncing(world: World):
    # Given an account a worker is syncing right now
    world.zuora.put("Account", account(A1, IntegrationStatus__NS="Sync Complete", IntegrationId__NS="7"))
    world.state.acquire_record_lease(RecordType.CUSTOMER, A1, "worker-9", 300)

    # When the operator resets it, then it is refused and nothing changed in Zuora
    with pytest.raises(ResetRefused, match="being synced"):
        RecordReset(world.zuora, world.state, world.queue, ZuoraTenant()).reset(RecordType.CUSTOMER, A1)
    assert world.zuora.get("Account", A1)["IntegrationId__NS"] == "7"


def test_reset_of_an_unknown_record_is_refused(world: World):
    with pytest.raises(ResetRefused, match="does not exist"):
        RecordReset(world.zuora, world.state, world.queue, ZuoraTenant()).reset(RecordType.CUSTOMER, A1)

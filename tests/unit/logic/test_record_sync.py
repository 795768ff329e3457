"""The per-record sync: validate, map, upsert by external id, state, write-back, failures by kind."""

from __future__ import annotations

import pytest

from tests.unit.logic.conftest import World, account, charge, plan
from zuora_netsuite.failures import FailureKind, NetSuiteError, SyncFailure
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import SyncOutcome

ACCOUNT_ID = "a" * 32


def request(record_id: str = ACCOUNT_ID, record_type: RecordType = RecordType.CUSTOMER) -> SyncRequest:
    return SyncRequest(record_type=record_type, record_id=record_id, run_id="run-1")


def sync_one(world: World, req: SyncRequest, message_id: str = "m1") -> SyncOutcome:
    record_sync = world.record_sync()
    outcome = record_sync.sync(req, message_id)
    assert record_sync.write_backs.flush() == set()
    return outcome


def test_new_account_becomes_a_customer_and_zuora_gets_the_integration_fields(world: World) -> None:
    # Given an active account with a department and no subsidiary of its own
    world.zuora.put("Account", account(Department__NS="Sales"))
    # When it syncs
    outcome = sync_one(world, request())
    # Then NetSuite has one customer, upserted by the external id, with the default subsidiary
    assert outcome is SyncOutcome.SYNCED
    [(record_type, eid, body)] = world.netsuite.writes
    assert (record_type, eid) == ("customer", f"zuora-account-{ACCOUNT_ID}")
    assert body["companyName"] == "Acme Corp"
    assert body["entityId"] == "A00000001"
    assert body["subsidiary"] == {"id": "1"}
    assert body["department"] == {"id": "10"}
    assert body["currency"] == {"id": "1"}
    assert body["isInactive"] is False
    # And Zuora carries the NetSuite id and Sync Complete
    zuora_row = world.zuora.get("Account", ACCOUNT_ID)
    assert zuora_row["IntegrationStatus__NS"] == "Sync Complete"
    assert zuora_row["IntegrationId__NS"] == world.netsuite.records["customer"][eid]["id"]
    assert "IntegrationError__c" not in zuora_row
    # And the state remembers the link
    state = world.state.get(RecordType.CUSTOMER, ACCOUNT_ID)
    assert state is not None
    assert state.netsuite_id == zuora_row["IntegrationId__NS"]


def test_unchanged_account_is_not_sent_to_netsuite_again(world: World) -> None:
    # Given an account already synced
    world.zuora.put("Account", account())
    sync_one(world, request())
    writes, updates = len(world.netsuite.writes), len(world.zuora.updates)
    # When it is synced again without any change
    outcome = sync_one(world, request())
    # Then nothing is written to NetSuite, nor to Zuora
    assert outcome is SyncOutcome.UNCHANGED
    assert len(world.netsuite.writes) == writes
    assert len(world.zuora.updates) == updates


def test_update_of_a_synced_customer_never_sends_the_subsidiary(world: World) -> None:
    # Given a synced account whose name then changes in Zuora
    world.zuora.put("Account", account())
    sync_one(world, request())
    world.zuora.get("Account", ACCOUNT_ID)["Name"] = "Acme Corporation"
    # When it syncs again
    outcome = sync_one(world, request())
    # Then the update carries the new name but no subsidiary (it cannot change in NetSuite)
    assert outcome is SyncOutcome.SYNCED
    body = world.netsuite.writes[-1][2]
    assert body["companyName"] == "Acme Corporation"
    assert "subsidiary" not in body
    assert len(world.netsuite.records["customer"]) == 1


def test_cancelled_account_inactivates_its_customer(world: World) -> None:
    world.zuora.put("Account", account())
    sync_one(world, request())
    world.zuora.get("Account", ACCOUNT_ID)["Status"] = "Canceled"
    sync_one(world, request())
    assert world.netsuite.writes[-1][2]["isInactive"] is True


def test_invalid_account_gets_a_warning_with_every_reason_and_goes_to_the_dlq(world: World) -> None:
    # Given an account with an unknown subsidiary and a currency NetSuite lacks
    world.zuora.put("Account", account(Subsidiary__NS="Atlantis", Currency="XAF"))
    # When it syncs
    outcome = sync_one(world, request())
    # Then nothing reaches NetSuite, and the reason names both problems
    assert outcome is SyncOutcome.WARNING
    assert world.netsuite.writes == []
    row = world.zuora.get("Account", ACCOUNT_ID)
    assert row["IntegrationStatus__NS"] == "Error Creating Customer"
    assert 'Subsidiary__NS "Atlantis" does not exist in NetSuite' in row["IntegrationError__c"]
    assert 'currency "XAF" does not exist in NetSuite' in row["IntegrationError__c"]
    state = world.state.get(RecordType.CUSTOMER, ACCOUNT_ID)
    assert state is not None
    assert state.error is not None
    assert state.error.kind is FailureKind.PERMANENT
    assert "Atlantis" in state.error.message
    [letter] = world.queue.dead_letters
    assert letter.request.record_id == ACCOUNT_ID
    assert "Atlantis" in letter.reason


def test_the_same_validation_failure_is_reported_once_not_every_cycle(world: World) -> None:
    world.zuora.put("Account", account(Subsidiary__NS="Atlantis"))
    sync_one(world, request())
    updates = len(world.zuora.updates)
    outcome = sync_one(world, request())
    assert outcome is SyncOutcome.WARNING
    assert len(world.queue.dead_letters) == 1
    assert len(world.zuora.updates) == updates


def test_fixed_account_syncs_and_clears_its_error(world: World) -> None:
    world.zuora.put("Account", account(Subsidiary__NS="Atlantis"))
    sync_one(world, request())
    world.zuora.get("Account", ACCOUNT_ID)["Subsidiary__NS"] = "Parent Co : Europe"
    outcome = sync_one(world, request())
    assert outcome is SyncOutcome.SYNCED
    assert world.netsuite.writes[-1][2]["subsidiary"] == {"id": "2"}
    row = world.zuora.get("Account", ACCOUNT_ID)
    assert row["IntegrationStatus__NS"] == "Sync Complete"
    assert "IntegrationError__c" not in row
    state = world.state.get(RecordType.CUSTOMER, ACCOUNT_ID)
    assert state is not None
    assert state.error is None


def test_netsuite_rejection_is_permanent_and_the_same_payload_is_not_resent(world: World) -> None:
    # Given NetSuite rejects the customer with a USER_ERROR
    world.zuora.put("Account", account())
    world.netsuite.fail_next.append(
        NetSuiteError("Invalid email address", code="USER_ERROR", path="email", http_status=400)
    )
    # When it syncs twice without a change in Zuora
    first = sync_one(world, request())
    second = sync_one(world, request())
    # Then it is an error with NetSuite's reason, and NetSuite saw it once
    assert (first, second) == (SyncOutcome.ERROR, SyncOutcome.ERROR)
    assert len(world.netsuite.writes) == 1
    assert "Invalid email address" in world.zuora.get("Account", ACCOUNT_ID)["IntegrationError__c"]


def test_transient_netsuite_failure_is_raised_for_sqs_to_retry(world: World) -> None:
    world.zuora.put("Account", account())
    world.netsuite.fail_next.append(
        NetSuiteError(
            "Too many requests", code="CONCURRENCY_LIMIT_EXCEEDED", kind=FailureKind.TRANSIENT, http_status=429
        )
    )
    with pytest.raises(SyncFailure) as raised:
        world.record_sync().sync(request(), "m1")
    assert raised.value.is_transient
    assert world.queue.dead_letters == []
    # And the retry succeeds, creating exactly one customer
    assert sync_one(world, request()) is SyncOutcome.SYNCED
    assert len(world.netsuite.records["customer"]) == 1


def test_record_leased_by_another_worker_is_retried_later(world: World) -> None:
    world.zuora.put("Account", account())
    world.state.acquire_record_lease(RecordType.CUSTOMER, ACCOUNT_ID, "other-worker", 300)
    with pytest.raises(SyncFailure) as raised:
        world.record_sync().sync(request(), "m1")
    assert raised.value.code == "RECORD_BUSY"
    assert raised.value.is_transient
    assert world.netsuite.writes == []


def test_record_deleted_in_zuora_is_a_permanent_error(world: World) -> None:
    outcome = sync_one(world, request())
    assert outcome is SyncOutcome.ERROR
    assert "no longer exists in Zuora" in world.queue.dead_letters[0].reason


def test_charge_becomes_the_item_type_it_names_and_expired_plans_inactivate_it(world: World) -> None:
    world.zuora.put("ProductRatePlan", plan(EffectiveEndDate="2026-01-01"))
    world.zuora.put("ProductRatePlanCharge", charge(ItemType__NS="Non Inventory", Class__NS="SaaS : Subscriptions"))
    outcome = sync_one(world, request("c" * 32, RecordType.ITEM))
    assert outcome is SyncOutcome.SYNCED
    [(record_type, eid, body)] = world.netsuite.writes
    assert record_type == "nonInventorySaleItem"
    assert eid == "zuora-charge-" + "c" * 32
    assert body["itemId"] == "Pro - Pro Monthly"
    assert body["isInactive"] is True
    assert body["class"] == {"id": "20"}
    assert body["incomeAccount"] == {"id": "400"}
    assert body["subsidiary"] == {"items": [{"id": "1"}]}


@pytest.mark.parametrize(
    ("item_type", "reason"),
    [(None, "ItemType__NS is empty"), ("Kit", 'ItemType__NS "Kit" is not one of')],
)
def test_charge_without_a_valid_item_type_fails_validation(world: World, item_type: str | None, reason: str) -> None:
    world.zuora.put("ProductRatePlan", plan())
    world.zuora.put("ProductRatePlanCharge", charge(ItemType__NS=item_type))
    outcome = sync_one(world, request("c" * 32, RecordType.ITEM))
    assert outcome is SyncOutcome.WARNING
    assert reason in world.zuora.get("ProductRatePlanCharge", "c" * 32)["IntegrationError__c"]
    assert world.netsuite.writes == []


def test_reference_tables_are_read_once_per_container(world: World) -> None:
    for n in range(3):
        world.zuora.put("Account", account(record_id=f"{n:032d}", AccountNumber=f"A{n}"))
        sync_one(world, request(f"{n:032d}"))
    # subsidiary, department, class, location and currency: one SuiteQL query each, at most
    assert world.netsuite.suiteql_calls <= 5


def test_account_linked_in_zuora_but_missing_in_netsuite_is_created_with_its_subsidiary(world: World) -> None:
    # Given Zuora says the account was synced (an Integration ID), but the connector never wrote it
    world.zuora.put("Account", account(IntegrationId__NS="777", IntegrationStatus__NS="Sync Complete"))
    # When it syncs
    outcome = sync_one(world, request())
    # Then the customer is upserted with its subsidiary, so NetSuite can create it if it is missing
    assert outcome is SyncOutcome.SYNCED
    assert world.netsuite.writes[-1][2]["subsidiary"] == {"id": "1"}


def test_an_account_linked_only_in_zuora_is_shown_updating_and_then_error_updating_when_netsuite_refuses_it(
    world: World,
) -> None:
    # Given an account Zuora says is in NetSuite (an Integration ID) that the connector never wrote, and a
    # NetSuite that refuses the write
    world.zuora.put("Account", account(IntegrationId__NS="777", IntegrationStatus__NS="Error Updating Customer"))
    world.netsuite.fail_next.append(NetSuiteError("Invalid entityId", code="USER_ERROR", http_status=400))
    record_sync = world.record_sync()
    # When it syncs in a batch (marked in progress first)
    record_sync.prefetch([request()])
    outcome = record_sync.sync(request(), "m1")
    assert record_sync.write_backs.flush() == set()
    # Then it is an update all along: marked "Updating Customer", then "Error Updating Customer", the one
    # decision of whether a record is in NetSuite already
    assert outcome is SyncOutcome.ERROR
    statuses = [[o["IntegrationStatus__NS"] for o in objects] for _, objects in world.zuora.updates]
    assert statuses == [["Updating Customer"], ["Error Updating Customer"]]
    # And the body still carries the create-only subsidiary: the connector itself never wrote it
    assert world.netsuite.writes[-1][2]["subsidiary"] == {"id": "1"}


def test_customer_without_any_subsidiary_fails_validation_in_one_world(world: World) -> None:
    world.config = world.config.model_copy(
        update={"classification_defaults": world.config.classification_defaults.model_copy(update={"subsidiary": None})}
    )
    world.zuora.put("Account", account())
    assert sync_one(world, request()) is SyncOutcome.WARNING
    assert "no subsidiary" in world.zuora.get("Account", ACCOUNT_ID)["IntegrationError__c"]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"SynctoNetSuite__NS": "No"}, "SynctoNetSuite__NS is No"),
        ({"Status": "Draft"}, "draft"),
        ({"Status": "Canceled"}, "never synced"),
        ({"IntegrationStatus__NS": "Ignore"}, "Ignore"),
    ],
)
def test_an_account_the_schedule_would_not_pick_is_skipped_when_it_arrives_another_way(
    world: World, fields: dict[str, str], reason: str
) -> None:
    # Given an account that is not eligible, arriving by webhook, replay or manual trigger
    world.zuora.put("Account", account(**fields))
    record_sync = world.record_sync()
    record_sync.prefetch([request()])
    # When it syncs
    outcome = record_sync.sync(request(), "m1")
    record_sync.write_backs.flush()
    # Then nothing is written to NetSuite, Zuora or the DLQ
    assert outcome is SyncOutcome.EXCLUDED
    assert world.netsuite.writes == []
    assert world.zuora.updates == []
    assert world.queue.dead_letters == []

"""Go-live linking (logic/linking.py): which NetSuite record each Zuora account / charge is, and adopting the
unambiguous ones without creating anything."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from sandbox.dataset import ZUORA_ERROR_FIELD
from sandbox.zuora_simulator import SYNCED_OBJECTS, schema_with_custom_fields
from tests.fakes import FakeNetSuite, FakeStateStore, FakeZuora
from tests.unit.logic.conftest import World
from tests.unit.logic.conftest import account as logic_account
from zuora_netsuite.failures import FailureKind, NetSuiteError
from zuora_netsuite.logic.linking import CandidateIndex, Linker, claimed_twice, match_one
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType, external_id
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.settings import LinkingSettings, SyncConfig, ZuoraTenant

CUSTOMER = RecordType.CUSTOMER
ITEM = RecordType.ITEM


def account(account_id: str, number: str, **extra: Any) -> dict[str, Any]:
    return {
        "Id": account_id,
        "AccountNumber": number,
        "Name": f"Co {number}",
        "Status": "Active",
        "Currency": "USD",
        "UpdatedDate": "2026-01-01T00:00:00.000+00:00",
        **extra,
    }


def customers(*rows: dict[str, Any]) -> CandidateIndex:
    return CandidateIndex.from_rows(CUSTOMER, rows)


def test_the_first_key_with_candidates_decides_one_is_matched_two_are_ambiguous() -> None:
    index = customers(
        {"id": "10", "entityid": "A1", "email": "x@a.com"},
        {"id": "11", "entityid": "L1", "email": "AP@b.com"},
        {"id": "12", "entityid": "L2", "email": "ap@b.com"},
    )
    keys = ("entityId", "email")
    matched = match_one(index, CUSTOMER, "z1", "A1", {"entityId": "A1", "email": "ap@b.com"}, keys)
    assert (matched.status, matched.key, [c.internal_id for c in matched.candidates]) == ("matched", "entityId", ["10"])
    # entityId finds nothing, email (case-insensitive) finds two
    ambiguous = match_one(index, CUSTOMER, "z2", "A2", {"entityId": "A2", "email": "Ap@B.com"}, keys)
    assert (ambiguous.status, ambiguous.key, len(ambiguous.candidates)) == ("ambiguous", "email", 2)
    nothing = match_one(index, CUSTOMER, "z3", "A3", {"entityId": "A3", "email": None}, keys)
    assert nothing.status == "unmatched"
    # with only entityId configured, the email pair is not looked at
    assert match_one(index, CUSTOMER, "z2", "A2", {"entityId": "A2", "email": "ap@b.com"}, ("entityId",)).status == (
        "unmatched"
    )


def test_a_candidate_with_another_external_id_or_item_type_is_a_conflict_and_ours_is_already_linked() -> None:
    index = customers(
        {"id": "10", "entityid": "A1", "externalid": "legacy-crm-9"},
        {"id": "11", "entityid": "A2", "externalid": external_id(CUSTOMER, "z2")},
    )
    assert match_one(index, CUSTOMER, "z1", "A1", {"entityId": "A1"}, ("entityId",)).status == "conflict"
    assert match_one(index, CUSTOMER, "z2", "A2", {"entityId": "A2"}, ("entityId",)).status == "linked"
    items = CandidateIndex.from_rows(
        ITEM,
        [
            {"id": "20", "itemid": "Gold", "itemtype": "NonInvtPart", "subtype": "Sale"},
            {"id": "21", "itemid": "Silver", "itemtype": "Service", "subtype": "Resale"},
        ],
    )
    gold = match_one(items, ITEM, "c1", "Gold", {"itemId": "Gold"}, ("itemId",), expected_type="serviceSaleItem")
    assert gold.status == "conflict"
    assert "nonInventorySaleItem" in gold.reason
    silver = match_one(items, ITEM, "c2", "Silver", {"itemId": "Silver"}, ("itemId",), expected_type="serviceSaleItem")
    assert silver.status == "conflict"  # a service item for resale is not the sale item the connector makes


def test_a_netsuite_record_two_zuora_records_match_is_ambiguous_for_both() -> None:
    index = customers({"id": "10", "entityid": "X", "email": "same@a.com"})
    first = match_one(index, CUSTOMER, "z1", "A1", {"email": "same@a.com"}, ("email",))
    second = match_one(index, CUSTOMER, "z2", "A2", {"email": "SAME@a.com"}, ("email",))
    assert [m.status for m in claimed_twice([first, second])] == ["ambiguous", "ambiguous"]


def linker(zuora: FakeZuora, netsuite: FakeNetSuite, state: FakeStateStore) -> Linker:
    return Linker(zuora, netsuite, state, LinkingSettings(), ZuoraTenant())


def test_adopting_a_match_sets_the_external_id_then_the_state_then_zuora_and_creates_nothing() -> None:
    # Given an unlinked account A1 whose customer exists in NetSuite without an external id, and a linked one
    zuora = FakeZuora({"Account": [account("z1", "A1"), account("z9", "A9", IntegrationId__NS="500")]})
    netsuite = FakeNetSuite({"customer": [{"id": "10", "entityid": "A1"}, {"id": "500", "entityid": "A9"}]})
    netsuite.unlinked["customer"] = {"10": {"entityId": "A1"}}
    state = FakeStateStore()
    links = linker(zuora, netsuite, state)
    # When the plan is made and the match adopted
    [match] = links.plan(CUSTOMER)
    result = links.adopt(match)
    # Then the customer got the connector's external id, the state knows it, and Zuora has its Integration ID
    assert result.ok, result.reason
    assert netsuite.adopted == [("customer", "10", external_id(CUSTOMER, "z1"))]
    saved = state.get(CUSTOMER, "z1")
    assert saved is not None
    assert (saved.netsuite_id, saved.netsuite_type, saved.payload_hash) == (
        "10",
        "customer",
        None,
    )
    assert zuora.get("Account", "z1")["IntegrationId__NS"] == "10"
    assert "IntegrationStatus__NS" not in zuora.get("Account", "z1")  # still pending: the next run updates it
    assert netsuite.writes == []  # nothing created or upserted
    assert not state.leases


def test_an_ambiguous_match_is_never_adopted_and_a_refused_external_id_leaves_no_state() -> None:
    zuora = FakeZuora({"Account": [account("z1", "A1")]})
    netsuite = FakeNetSuite({"customer": [{"id": "10", "entityid": "A1"}]})
    state = FakeStateStore()
    links = linker(zuora, netsuite, state)
    [match] = links.plan(CUSTOMER)
    ambiguous = claimed_twice([match, match])[0]
    assert not links.adopt(ambiguous).ok
    assert netsuite.adopted == []
    # NetSuite refuses the external id (another record has it): no state, no Zuora write, the lease released
    netsuite.fail_next.append(NetSuiteError("duplicate", code="DUP_RCRD", kind=FailureKind.PERMANENT))
    refused = links.adopt(match)
    assert not refused.ok
    assert "duplicate" in refused.reason
    assert state.get(CUSTOMER, "z1") is None
    assert not state.leases
    assert "IntegrationId__NS" not in zuora.get("Account", "z1")


# --- the sync path: linking.match_before_create ---------------------------------------------------------------


def sync_customer(world: World) -> SyncOutcome:
    record_sync = world.record_sync()
    outcome = record_sync.sync(SyncRequest(record_type=CUSTOMER, record_id="a" * 32, run_id="run-1"), "m1")
    record_sync.write_backs.flush()
    return outcome


def test_with_match_before_create_an_existing_customer_is_adopted_and_updated_not_created(world: World) -> None:
    # Given NetSuite already has customer 77 with the account's number, without an external id
    world.zuora.put("Account", logic_account())
    world.netsuite.reference["customer"] = [{"id": "77", "entityid": "A00000001"}]
    world.netsuite.unlinked["customer"] = {"77": {"entityId": "A00000001", "subsidiary": {"id": "10"}}}
    world.config = world.config.model_copy(update={"linking": LinkingSettings(match_before_create=True)})
    # When the account syncs
    assert sync_customer(world) is SyncOutcome.SYNCED
    # Then customer 77 got the external id, and the write was an update of it (no subsidiary: create-only)
    eid = external_id(CUSTOMER, "a" * 32)
    assert world.netsuite.adopted == [("customer", "77", eid)]
    [(record_type, written_eid, body)] = world.netsuite.writes
    assert (record_type, written_eid) == ("customer", eid)
    assert "subsidiary" not in body
    assert world.netsuite.records["customer"][eid]["id"] == "77"
    assert world.zuora.get("Account", "a" * 32)["IntegrationId__NS"] == "77"


def test_with_match_before_create_an_ambiguous_customer_is_not_created_and_says_to_link(world: World) -> None:
    # Given two NetSuite customers answering the account's match key (the fake does not enforce unique names)
    world.zuora.put("Account", logic_account())
    world.netsuite.reference["customer"] = [
        {"id": "77", "entityid": "A00000001"},
        {"id": "78", "entityid": "A00000001"},
    ]
    world.config = world.config.model_copy(update={"linking": LinkingSettings(match_before_create=True)})
    # When the account syncs
    assert sync_customer(world) is SyncOutcome.ERROR
    # Then nothing was written and the reason names the candidates and `connector_cli link`
    assert world.netsuite.writes == []
    reason = world.zuora.get("Account", "a" * 32)[ZUORA_ERROR_FIELD]
    assert "customer 77, customer 78" in reason
    assert "connector_cli link" in reason


def test_without_match_before_create_the_sync_path_looks_for_nothing(world: World) -> None:
    world.zuora.put("Account", logic_account())
    world.netsuite.reference["customer"] = [{"id": "77", "entityid": "A00000001"}]
    assert sync_customer(world) is SyncOutcome.SYNCED
    assert world.netsuite.adopted == []


# --- a custom-field match key: {"netsuite": "custentity_...", "zuora": "Account.X__c"} ---------------------------

LEGACY = {"netsuite": "custentity_legacy_id", "zuora": "Account.LegacyId__c"}


@pytest.fixture
def legacy_id_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Zuora tenant has Account.LegacyId__c (created by its administrator)."""
    custom = {object_type: [ZUORA_ERROR_FIELD] for object_type in SYNCED_OBJECTS}
    custom["Account"] = [*custom["Account"], "LegacyId__c"]
    monkeypatch.setattr("tests.fakes.ZUORA_SCHEMA", schema_with_custom_fields(custom))


def custom_config(**linking: Any) -> SyncConfig:
    return SyncConfig.model_validate({"linking": {"customer_match": [LEGACY, "entityId"], **linking}})


def test_a_custom_field_key_must_name_a_custentity_column_and_an_account_custom_field() -> None:
    # Given custom-field keys whose NetSuite id or Zuora source is not one
    for bad, named in (
        ({"netsuite": "custbody_legacy", "zuora": "Account.LegacyId__c"}, "custentity"),
        ({"netsuite": "custentity_Legacy", "zuora": "Account.LegacyId__c"}, "lower case"),
        ({"netsuite": "custentity_legacy", "zuora": "Account.LegacyId"}, "Account.<Field>__c"),
        ({"netsuite": "custentity_legacy", "zuora": "BillTo.LegacyId__c"}, "Account.<Field>__c"),
    ):
        # When the configuration is validated, Then it is refused, naming the setting
        with pytest.raises(ValidationError) as refused:
            SyncConfig.model_validate({"linking": {"customer_match": [bad]}})
        assert "linking.customer_match" in str(refused.value)
        assert named in str(refused.value)
    # And a valid one makes the account fetch select the Zuora field
    assert ("Account", "LegacyId__c") in custom_config().zuora.source_fields
    assert custom_config().linking.customer_keys == ("custentity_legacy_id", "entityId")


@pytest.mark.usefixtures("legacy_id_field")
def test_a_custom_field_key_matches_the_exact_value_and_skips_blank_values() -> None:
    # Given accounts with a legacy id (one blank) and NetSuite customers carrying it in a custom entity field
    zuora = FakeZuora(
        {
            "Account": [
                account("z1", "A1", LegacyId__c="L-1"),
                account("z2", "A2", LegacyId__c="L-2"),
                account("z3", "A3", LegacyId__c=" "),
                account("z4", "A4", LegacyId__c="l-1x"),
            ]
        }
    )
    netsuite = FakeNetSuite(
        {
            "customer": [
                {"id": "10", "entityid": "C10", "custentity_legacy_id": "L-1"},
                {"id": "11", "entityid": "C11", "custentity_legacy_id": "L-2"},
                {"id": "12", "entityid": "C12", "custentity_legacy_id": "L-2"},
                {"id": "13", "entityid": "C13", "custentity_legacy_id": " "},
                {"id": "14", "entityid": "C14", "custentity_legacy_id": "L-1X"},
            ]
        }
    )
    config = custom_config()
    # When the plan is made
    links = Linker(zuora, netsuite, FakeStateStore(), config.linking, config.zuora)
    matches = {m.zuora_id: m for m in links.plan(CUSTOMER)}
    # Then the custom field decides: one candidate matched, two ambiguous, blank and case-different unmatched
    assert (matches["z1"].status, matches["z1"].key, matches["z1"].value) == ("matched", "custentity_legacy_id", "L-1")
    assert [c.internal_id for c in matches["z1"].candidates] == ["10"]
    assert matches["z2"].status == "ambiguous"
    assert matches["z3"].status == "unmatched"
    assert matches["z4"].status == "unmatched"


@pytest.mark.usefixtures("legacy_id_field")
def test_with_match_before_create_a_custom_field_key_adopts_the_customer(world: World) -> None:
    # Given NetSuite customer 77 carrying the account's legacy id (not its number) in a custom entity field
    world.zuora.put("Account", logic_account(LegacyId__c="L-77"))
    world.netsuite.reference["customer"] = [{"id": "77", "entityid": "Other", "custentity_legacy_id": "L-77"}]
    world.netsuite.unlinked["customer"] = {"77": {"entityId": "Other", "subsidiary": {"id": "10"}}}
    linking = {"customer_match": [LEGACY], "match_before_create": True}
    world.config = SyncConfig.model_validate({**world.config.model_dump(by_alias=True), "linking": linking})
    # When the account syncs
    assert sync_customer(world) is SyncOutcome.SYNCED
    # Then customer 77 was adopted by its custom field and updated, not created
    assert world.netsuite.adopted == [("customer", "77", external_id(CUSTOMER, "a" * 32))]
    assert world.zuora.get("Account", "a" * 32)["IntegrationId__NS"] == "77"

"""Going live on a NetSuite account that has been in use: customers and items already exist without the
connector's external id, and the preferred customer form makes a custom field mandatory. `link` adopts every
unambiguous match and reports the ambiguous and conflicting ones; the next cycle creates no duplicate, updates the
adopted records, fills the mandatory field from the configuration and creates the rest."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from connector_cli.main import cli
from sandbox.netsuite_account import CustomForm
from sandbox.stack import Sandbox, SandboxOptions
from zuora_netsuite.models.record_types import RecordType, external_id

pytestmark = pytest.mark.slow

REGION = "custentity_zn_region"
FORM = CustomForm("145", "customer", "Go-live Customer Form", mandatory={REGION: "Region"})
REGION_CODES = {"North America": "NA", "EMEA": "EMEA", "APAC": "APAC"}  # LATAM and blank: the default
ITEM_TYPES = ("serviceSaleItem", "nonInventorySaleItem", "inventoryItem")


def link(endpoints: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["--sandbox", str(endpoints), "--json", "link", *args])
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


@pytest.fixture(scope="module")
def go_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, dict[str, Any], dict[str, Any]]]:
    options = SandboxOptions(
        seed=12,
        accounts=24,
        charges=10,
        retry_delay_seconds=0,
        max_receive_count=2,
        preexisting_netsuite=True,
        preexisting_customer_fields={REGION: "Legacy"},
        sync_config_extra={
            # the mandatory field from Zuora's Account.Region__c, through a value map, with a default
            "field_mappings": {
                "customer": {
                    "fields": {REGION: {"source": "Account.Region__c", "value_map": REGION_CODES, "default": "OTHER"}}
                }
            },
            "linking": {"customer_match": ["entityId", "email"], "item_match": ["itemId", "displayName"]},
        },
    )
    sandbox = Sandbox(options)
    # Given an account whose preferred customer form makes the region mandatory (set up before its old records)
    sandbox.netsuite.account.add_form(FORM, preferred=True)
    with sandbox, sandbox.function_environment():
        endpoints = tmp_path_factory.mktemp("go-live") / "endpoints.json"
        endpoints.write_text(json.dumps(sandbox.endpoints()))
        # When the operator looks first (no --yes: nothing adopted), then adopts
        report = link(endpoints)
        adopted = link(endpoints, "--yes")
        # and the scheduled cycle runs
        sandbox.run_cycle()
        yield sandbox, report, adopted


def test_link_reports_every_match_the_data_holds_and_adopts_only_the_unambiguous(go_live: Any) -> None:
    sandbox, report, adopted = go_live
    expected = sandbox.preexisting.expected_links
    statuses = {record["zuora_id"]: record["status"] for record in report["records"]}
    # Then the report names each pre-existing match with its status, and nothing was adopted by looking
    assert {zuora_id: statuses.get(zuora_id) for zuora_id in expected} == expected
    assert report["adopted"] == 0
    assert not report["adopting"]
    # And with --yes exactly the matched ones are adopted, the ambiguous and conflicting never
    assert adopted["adopted"] == sum(1 for status in expected.values() if status == "matched")
    assert adopted["failed"] == []
    ambiguous = [r for r in report["records"] if r["status"] == "ambiguous"]
    assert all(len(record["candidates"]) >= 2 for record in ambiguous)
    # (customers two of which share the account's bill-to email, items two of which have the charge's name)
    assert {record["type"] for record in ambiguous} == {"customer", "item"}


def test_adopted_records_are_updated_in_place_and_nothing_is_created_twice(go_live: Any) -> None:
    sandbox, _, _ = go_live
    links = sandbox.preexisting
    by_zuora = dict(zip((r.zuora_id for r in links.records), links.internal_ids, strict=True))
    # Then each matched account / charge is its pre-existing NetSuite record, now with the connector's external id
    for zuora_id in links.ids_for("matched"):
        record_type = RecordType.CUSTOMER if sandbox.zuora.get("Account", zuora_id) else RecordType.ITEM
        netsuite_types = ("customer",) if record_type is RecordType.CUSTOMER else ITEM_TYPES
        found = [
            r
            for t in netsuite_types
            for r in sandbox.netsuite.records(t)
            if r.get("externalId") == external_id(record_type, zuora_id)
        ]
        assert [r["id"] for r in found] == [by_zuora[zuora_id]]
        zuora_object = "Account" if record_type is RecordType.CUSTOMER else "ProductRatePlanCharge"
        synced = sandbox.zuora.get(zuora_object, zuora_id)
        assert (synced["IntegrationId__NS"], synced["IntegrationStatus__NS"]) == (by_zuora[zuora_id], "Sync Complete")
    # And no Customer ID or item name is there twice (NetSuite would have refused it; none was attempted and lost)
    customers = sandbox.netsuite.records("customer")
    items = [r for t in ITEM_TYPES for r in sandbox.netsuite.records(t)]
    assert max(Counter(c.get("entityId") for c in customers if c.get("entityId")).values()) == 1
    assert max(Counter(i.get("itemId") for i in items).values()) == 1


def test_the_rest_is_created_with_the_mandatory_field_and_conflicts_end_in_error_saying_why(go_live: Any) -> None:
    sandbox, _, _ = go_live
    links = sandbox.preexisting
    preexisting_ids = set(links.internal_ids)
    # Then every customer the connector created carries the form's mandatory field from the configuration
    created = [c for c in sandbox.netsuite.records("customer") if c["id"] not in preexisting_ids]
    assert created
    regions = {a["Id"]: a.get("Region__c") for a in sandbox.dataset.accounts}
    for customer in created:
        zuora_region = regions[customer["externalId"].removeprefix("zuora-account-")]
        assert customer.get(REGION) == REGION_CODES.get(zuora_region or "", "OTHER")
    # with the bill-to address as the default billing address, and children under their parent account's customer
    assert all(
        any(line.get("defaultBilling") for line in (c.get("addressBook") or {}).get("items", [])) for c in created
    )
    by_eid = {c.get("externalId"): c for c in sandbox.netsuite.records("customer")}
    pairs = [
        (
            by_eid.get(external_id(RecordType.CUSTOMER, a["Id"])),
            by_eid.get(external_id(RecordType.CUSTOMER, a["ParentId"])),
        )
        for a in sandbox.dataset.accounts
        if a.get("ParentId")
    ]
    synced_pairs = [(child, parent) for child, parent in pairs if child is not None and parent is not None]
    assert synced_pairs
    assert all(child["parent"]["id"] == parent["id"] for child, parent in synced_pairs)
    # And a conflicting account (its number is a NetSuite customer of another system) ends in error, saying so
    for zuora_id in links.ids_for("conflict"):
        zuora_object = "Account" if sandbox.zuora.get("Account", zuora_id) else "ProductRatePlanCharge"
        record = sandbox.zuora.get(zuora_object, zuora_id)
        assert record["IntegrationStatus__NS"].startswith("Error"), record
        assert "already" in record.get("IntegrationError__c", ""), record

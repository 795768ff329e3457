"""Whole scheduled cycles on the sandbox: dispatcher -> SQS -> sync -> NetSuite, state in DynamoDB, DLQ."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from sandbox.report import dlq_messages, record_states
from sandbox.stack import Sandbox, SandboxOptions
from tests.e2e.conftest import running_sandbox
from zuora_netsuite.adapters.state import state_from_item
from zuora_netsuite.models.record_types import RecordType, external_id

ITEM_TYPES = {"Service": "serviceSaleItem", "Non Inventory": "nonInventorySaleItem", "Inventory": "inventoryItem"}


@pytest.fixture(scope="module")
def first_cycle() -> Any:
    # Given a generated tenant: 150 accounts and 50 charges, some invalid, some excluded
    with running_sandbox(SandboxOptions(seed=11, accounts=150, charges=50, retry_delay_seconds=0)) as sandbox:
        # When one scheduled cycle runs to completion
        result = sandbox.run_cycle()
        writes_after_first = sandbox.netsuite.stats.writes()
        # And a second cycle runs on unchanged data
        second = sandbox.run_cycle()
        yield sandbox, result, second, writes_after_first


def netsuite_by_eid(sandbox: Sandbox, *types: str) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for record_type in types:
        for record in sandbox.netsuite.records(record_type):
            found.setdefault(record["externalId"], []).append({**record, "type": record_type})
    return found


def test_every_valid_customer_exists_exactly_once_with_its_fields(first_cycle: Any) -> None:
    sandbox, *_ = first_cycle
    customers = netsuite_by_eid(sandbox, "customer")
    expected = sandbox.dataset.expected_synced("Account")
    assert expected, "the data set has valid accounts"
    for account in sandbox.dataset.accounts:
        eid = external_id(RecordType.CUSTOMER, account["Id"])
        if account["Id"] not in expected:
            assert eid not in customers, f"{account['Id']} should not be in NetSuite"
            continue
        [customer] = customers[eid]  # exactly once
        if account.get("CustomerType__NS", "Company") == "Individual":
            assert customer["isPerson"] is True
        else:
            assert customer["companyName"] == account["Name"].strip()
        assert customer["entityId"] == account["AccountNumber"]
        assert customer["isInactive"] is (account["Status"] == "Canceled")
        zuora = sandbox.zuora.get("Account", account["Id"])
        assert zuora is not None
        assert zuora["IntegrationStatus__NS"] == "Sync Complete"
        assert zuora["IntegrationId__NS"] == customer["id"]


def test_customers_carry_their_contacts_addresses_terms_and_parent(first_cycle: Any) -> None:
    """Issue 12: bill-to / sold-to as the address book, email and phone, payment terms, the parent account."""
    sandbox, *_ = first_cycle
    customers = {eid: found[0] for eid, found in netsuite_by_eid(sandbox, "customer").items()}
    contacts = {contact["Id"]: contact for contact in sandbox.dataset.zuora_objects["Contact"]}
    terms = sandbox.sync_config["payment_terms"]
    expected = sandbox.dataset.expected_synced("Account")
    children = 0
    for account in sandbox.dataset.accounts:
        if account["Id"] not in expected:
            continue
        customer = customers[external_id(RecordType.CUSTOMER, account["Id"])]
        bill_to = contacts[account["BillToId"]]
        assert (customer["email"], customer["phone"]) == (bill_to["WorkEmail"], bill_to["WorkPhone"])
        lines = customer["addressBook"]["items"]
        # Bill To is the default billing address, Sold To the default shipping one: one line when they are one
        assert len(lines) == (1 if account["BillToId"] == account["SoldToId"] else 2)
        [billing] = [line for line in lines if line["defaultBilling"]]
        [shipping] = [line for line in lines if line["defaultShipping"]]
        assert billing["addressBookAddress"]["city"] == bill_to["City"]
        assert shipping["addressBookAddress"]["city"] == contacts[account["SoldToId"]]["City"]
        assert len(billing["addressBookAddress"]["country"]["id"]) == 2
        assert customer["terms"]["id"] == terms[account["PaymentTerm"]]
        if account.get("ParentId"):
            children += 1
            parent = customers[external_id(RecordType.CUSTOMER, account["ParentId"])]
            assert customer["parent"]["id"] == parent["id"]
        else:
            assert "parent" not in customer
    assert children >= 5, "the data set has child accounts"
    # And the account whose contact is in a country that does not exist is not in NetSuite, its reason naming it
    [invalid] = [key for key, fault in sandbox.dataset.expected_invalid.items() if fault == "Country"]
    assert 'Country "Atlantis"' in sandbox.zuora.get("Account", invalid)["IntegrationError__c"]


def test_every_valid_item_exists_once_as_the_type_its_charge_names(first_cycle: Any) -> None:
    sandbox, *_ = first_cycle
    items = netsuite_by_eid(sandbox, *ITEM_TYPES.values())
    expected = sandbox.dataset.expected_synced("ProductRatePlanCharge")
    for charge in sandbox.dataset.charges:
        eid = external_id(RecordType.ITEM, charge["Id"])
        if charge["Id"] not in expected:
            assert eid not in items
            continue
        [item] = items[eid]
        assert item["type"] == ITEM_TYPES[charge["ItemType__NS"]]
        assert item["isInactive"] is (charge["Id"] in sandbox.dataset.expected_inactive)
        assert sandbox.zuora.get("ProductRatePlanCharge", charge["Id"])["IntegrationId__NS"] == item["id"]


def test_every_invalid_record_carries_its_reason_in_zuora_dynamodb_and_the_dlq(first_cycle: Any) -> None:
    sandbox, *_ = first_cycle
    assert sandbox.resources is not None
    table = sandbox.aws.resource("dynamodb").Table(sandbox.resources.table_name)
    states = {s.record_id: s for s in map(state_from_item, record_states(table))}
    dead = Counter(
        m["MessageAttributes"]["failure_code"]["StringValue"]
        for m in dlq_messages(sandbox.aws.client("sqs"), sandbox.resources.dlq_url)
    )
    assert sandbox.dataset.expected_invalid
    originals = {r["Id"]: r for r in [*sandbox.dataset.accounts, *sandbox.dataset.charges]}
    for record_id, field in sandbox.dataset.expected_invalid.items():
        object_type, label = (
            ("Account", "Customer") if sandbox.zuora.get("Account", record_id) else ("ProductRatePlanCharge", "Item")
        )
        zuora = sandbox.zuora.get(object_type, record_id)
        assert zuora is not None
        # "Updating" when Zuora already linked the record to NetSuite before this run, else "Creating"
        verb = "Updating" if originals[record_id].get("IntegrationId__NS") else "Creating"
        assert zuora["IntegrationStatus__NS"] == f"Error {verb} {label}", record_id
        assert field.lower() in zuora["IntegrationError__c"].lower() or field == "Name", zuora["IntegrationError__c"]
        state = states[record_id]
        assert state.error is not None
        assert state.error.message.startswith(zuora["IntegrationError__c"][:100])
    assert dead["VALIDATION"] == len(sandbox.dataset.expected_invalid)


def test_excluded_records_are_never_dispatched(first_cycle: Any) -> None:
    sandbox, result, *_ = first_cycle
    found = {t["record_type"]: t["found"] for t in result.summary["types"]}
    accounts = {a["Id"] for a in sandbox.dataset.accounts}
    charges = {c["Id"] for c in sandbox.dataset.charges}
    excluded = sandbox.dataset.expected_excluded
    assert found["customer"] == len(accounts - excluded)
    assert found["item"] == len(charges - excluded)


def test_a_second_cycle_on_unchanged_data_makes_zero_netsuite_writes(first_cycle: Any) -> None:
    sandbox, _, second, writes_after_first = first_cycle
    assert sandbox.netsuite.stats.writes() == writes_after_first
    assert second.summary["status"] == "completed"


def test_a_write_netsuite_committed_but_answered_too_late_creates_no_duplicate() -> None:
    # Given NetSuite commits the first writes but answers after the client's timeout
    options = SandboxOptions(seed=3, accounts=12, charges=4, retry_delay_seconds=0)
    with running_sandbox(options, HTTP_TIMEOUT_SECONDS="0.5") as sandbox:
        sandbox.netsuite.timeout_after_commit(3, delay_seconds=1.0)
        # When a cycle runs (the client times out, the record is retried)
        sandbox.run_cycle()
        # Then every valid account and charge exists exactly once in NetSuite, and the retry of the write that
        # was answered too late completed the sync: Zuora says Sync Complete and links that one record (counting
        # external ids alone passes when the write is a POST: its retry fails with DUP_RCRD, no duplicate made)
        customers = netsuite_by_eid(sandbox, "customer")
        items = netsuite_by_eid(sandbox, *ITEM_TYPES.values())
        assert customers, "customers were synced"
        assert all(len(found) == 1 for found in [*customers.values(), *items.values()])
        wanted = [
            ("Account", record_id, customers, external_id(RecordType.CUSTOMER, record_id))
            for record_id in sandbox.dataset.expected_synced("Account")
        ] + [
            ("ProductRatePlanCharge", record_id, items, external_id(RecordType.ITEM, record_id))
            for record_id in sandbox.dataset.expected_synced("ProductRatePlanCharge")
        ]
        for object_type, record_id, in_netsuite, eid in wanted:
            [record] = in_netsuite[eid]  # exactly once
            zuora = sandbox.zuora.get(object_type, record_id)
            assert zuora is not None
            assert (zuora["IntegrationStatus__NS"], zuora.get("IntegrationId__NS")) == (
                "Sync Complete",
                record["id"],
            ), eid
        # And nothing went to the dead-letter queue but the data set's invalid records
        assert sandbox.resources is not None
        dead = dlq_messages(sandbox.aws.client("sqs"), sandbox.resources.dlq_url)
        assert len(dead) == len(sandbox.dataset.expected_invalid)

"""Complete customers (issue 12): bill-to / sold-to contacts as the address book, email and phone, individuals'
names, payment terms through a value map, and the parent account synced first."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.logic.conftest import World, account
from zuora_netsuite.mapping.addresses import country_code
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import SyncOutcome

ACCOUNT_ID = "a" * 32
PARENT_ID = "b" * 32
BILL_TO_ID = "1" * 32
SOLD_TO_ID = "2" * 32


def contact(record_id: str, **fields: Any) -> dict[str, Any]:
    row = {
        "Id": record_id,
        "AccountId": ACCOUNT_ID,
        "FirstName": "Ada",
        "LastName": "Lovelace",
        "WorkEmail": "ada@acme.example",
        "WorkPhone": "+1 415 555 0100",
        "Address1": "1 Market St",
        "City": "San Francisco",
        "State": "CA",
        "PostalCode": "94105",
        "Country": "United States",
    }
    row.update(fields)
    return {k: v for k, v in row.items() if v is not None}


def sync(world: World, record_id: str = ACCOUNT_ID) -> SyncOutcome:
    record_sync = world.record_sync()
    outcome = record_sync.sync(SyncRequest(record_type=RecordType.CUSTOMER, record_id=record_id, run_id="r"), "m")
    assert record_sync.write_backs.flush() == set()
    return outcome


def last_body(world: World) -> dict[str, Any]:
    return world.netsuite.writes[-1][2]


def with_contacts(world: World, *, sold_to: dict[str, Any] | None = None, **fields: Any) -> None:
    world.zuora.put("Contact", contact(BILL_TO_ID))
    if sold_to is not None:
        world.zuora.put("Contact", sold_to)
    sold_to_id = sold_to["Id"] if sold_to is not None else BILL_TO_ID
    world.zuora.put("Account", account(BillToId=BILL_TO_ID, SoldToId=sold_to_id, **fields))


def test_distinct_bill_to_and_sold_to_become_default_billing_and_default_shipping_lines(world: World) -> None:
    # Given an account whose sold-to contact is in London
    sold_to = contact(SOLD_TO_ID, Address1="10 Downing St", City="London", State=None, PostalCode="SW1A 2AA",
                      Country="United Kingdom")  # fmt: skip
    with_contacts(world, sold_to=sold_to)
    # When it syncs
    assert sync(world) is SyncOutcome.SYNCED
    # Then the customer has two address lines, Bill To the default billing, Sold To the default shipping
    body = last_body(world)
    lines = {line["label"]: line for line in body["addressBook"]["items"]}
    assert (lines["Bill To"]["defaultBilling"], lines["Bill To"]["defaultShipping"]) == (True, False)
    assert (lines["Sold To"]["defaultBilling"], lines["Sold To"]["defaultShipping"]) == (False, True)
    assert lines["Bill To"]["addressBookAddress"] == {
        "addressee": "Acme Corp",
        "attention": "Ada Lovelace",
        "addr1": "1 Market St",
        "city": "San Francisco",
        "state": "CA",
        "zip": "94105",
        "country": {"id": "US"},
        "addrPhone": "+1 415 555 0100",
    }
    assert lines["Sold To"]["addressBookAddress"]["country"] == {"id": "GB"}
    # And email and phone come from the bill-to contact
    assert (body["email"], body["phone"]) == ("ada@acme.example", "+1 415 555 0100")
    # And the address book is replaced whole, so that an update never appends the lines again
    assert world.netsuite.replaced[-1] == ("addressBook",)


def test_one_contact_as_bill_to_and_sold_to_is_one_line_both_defaults(world: World) -> None:
    with_contacts(world)
    sync(world)
    [line] = last_body(world)["addressBook"]["items"]
    assert (line["label"], line["defaultBilling"], line["defaultShipping"]) == ("Bill To and Sold To", True, True)


def test_a_re_sync_after_an_address_change_leaves_exactly_the_new_lines(world: World) -> None:
    # Given a synced customer
    with_contacts(world)
    sync(world)
    # When the bill-to contact moves and the account syncs again
    world.zuora.get("Contact", BILL_TO_ID)["City"] = "Oakland"
    world.zuora.get("Account", ACCOUNT_ID)["UpdatedDate"] = "2026-11-21T10:00:00.000+00:00"
    sync(world)
    # Then NetSuite holds one line, the new one
    [stored] = world.netsuite.records["customer"].values()
    assert [line["addressBookAddress"]["city"] for line in stored["addressBook"]["items"]] == ["Oakland"]


def test_create_only_addresses_are_sent_on_create_and_never_on_update(world: World) -> None:
    world.config = world.config.model_copy(update={"customer_addresses": "create_only"})
    with_contacts(world)
    sync(world)
    assert "addressBook" in last_body(world)
    assert world.netsuite.replaced[-1] == ()
    world.zuora.get("Account", ACCOUNT_ID)["Name"] = "Acme Corporation"
    sync(world)
    assert "addressBook" not in last_body(world)


def test_addresses_off_sends_no_address_book(world: World) -> None:
    world.config = world.config.model_copy(update={"customer_addresses": "off"})
    with_contacts(world)
    sync(world)
    assert "addressBook" not in last_body(world)
    assert last_body(world)["email"] == "ada@acme.example"


def test_unknown_country_fails_the_account_naming_the_contact_and_the_setting(world: World) -> None:
    # Given a bill-to contact in a country that does not exist
    world.zuora.put("Contact", contact(BILL_TO_ID, Country="Atlantis"))
    world.zuora.put("Account", account(BillToId=BILL_TO_ID, SoldToId=BILL_TO_ID))
    # When it syncs, Then it fails before NetSuite, with a reason a person can act on
    assert sync(world) is SyncOutcome.WARNING
    assert world.netsuite.writes == []
    reason = world.zuora.get("Account", ACCOUNT_ID)["IntegrationError__c"]
    assert 'BillTo Country "Atlantis"' in reason
    assert "country_codes" in reason
    # And once country_codes says what it is, it syncs
    world.config = world.config.model_copy(update={"country_codes": {"atlantis": "GR"}})
    world.zuora.get("Account", ACCOUNT_ID)["UpdatedDate"] = "2026-11-21T10:00:00.000+00:00"
    assert sync(world) is SyncOutcome.SYNCED
    assert last_body(world)["addressBook"]["items"][0]["addressBookAddress"]["country"] == {"id": "GR"}


@pytest.mark.parametrize(
    ("name", "code"),
    [("United States", "US"), ("germany", "DE"), ("GB", "GB"), ("Korea, Republic of", "KR"), ("Atlantis", None)],
)
def test_country_names_as_zuora_shows_them_become_iso_codes(name: str, code: str | None) -> None:
    assert country_code(name, {}) == code


def test_an_individual_takes_first_and_last_name_from_the_bill_to_contact(world: World) -> None:
    with_contacts(world, Name="Ada King Lovelace", CustomerType__NS="Individual")
    sync(world)
    body = last_body(world)
    assert (body["isPerson"], body["firstName"], body["lastName"]) == (True, "Ada", "Lovelace")
    assert "companyName" not in body


def test_an_individual_without_contact_names_splits_the_account_name(world: World) -> None:
    world.zuora.put("Account", account(Name="Grace Hopper", CustomerType__NS="Individual"))
    sync(world)
    body = last_body(world)
    assert (body["firstName"], body["lastName"]) == ("Grace", "Hopper")
    assert "addressBook" not in body
    assert "email" not in body


def test_an_individual_name_longer_than_netsuite_allows_names_the_contact_field(world: World) -> None:
    world.zuora.put("Contact", contact(BILL_TO_ID, FirstName="F" * 40))
    world.zuora.put("Account", account(BillToId=BILL_TO_ID, SoldToId=BILL_TO_ID, CustomerType__NS="Individual"))
    assert sync(world) is SyncOutcome.WARNING
    assert "BillTo FirstName is 40 characters" in world.zuora.get("Account", ACCOUNT_ID)["IntegrationError__c"]


def test_payment_term_goes_through_the_value_map(world: World) -> None:
    # Given payment terms mapped to NetSuite term ids
    world.config = world.config.model_copy(update={"payment_terms": {"Net 30": "2", "Due Upon Receipt": "4"}})
    world.zuora.put("Account", account(PaymentTerm="net 30"))
    # When it syncs, Then the customer's terms are the mapped term
    sync(world)
    assert last_body(world)["terms"] == {"id": "2"}


def test_a_payment_term_missing_from_the_map_fails_naming_it(world: World) -> None:
    world.config = world.config.model_copy(update={"payment_terms": {"Net 30": "2"}})
    world.zuora.put("Account", account(PaymentTerm="Net 45"))
    assert sync(world) is SyncOutcome.WARNING
    reason = world.zuora.get("Account", ACCOUNT_ID)["IntegrationError__c"]
    assert 'PaymentTerm "Net 45" has no NetSuite term in payment_terms' in reason


def test_without_payment_terms_configured_no_terms_are_sent(world: World) -> None:
    world.zuora.put("Account", account(PaymentTerm="Net 45"))
    sync(world)
    assert "terms" not in last_body(world)


def test_the_parent_account_is_synced_first_and_referenced_by_internal_id(world: World) -> None:
    # Given a child account whose parent has never synced
    world.zuora.put("Account", account(PARENT_ID, AccountNumber="A00000000", Name="Acme Holdings"))
    world.zuora.put("Account", account(ParentId=PARENT_ID))
    # When the child syncs
    assert sync(world) is SyncOutcome.SYNCED
    # Then the parent was created first, and the child points at it
    customers = world.netsuite.records["customer"]
    parent = customers[f"zuora-account-{PARENT_ID}"]
    assert [eid for _, eid, _ in world.netsuite.writes] == [f"zuora-account-{PARENT_ID}", f"zuora-account-{ACCOUNT_ID}"]
    assert customers[f"zuora-account-{ACCOUNT_ID}"]["parent"] == {"id": parent["id"]}


def test_a_child_whose_parent_fails_fails_naming_the_parent(world: World) -> None:
    world.zuora.put("Account", account(PARENT_ID, AccountNumber="A00000000", Name=" "))
    world.zuora.put("Account", account(ParentId=PARENT_ID))
    assert sync(world) is SyncOutcome.ERROR
    assert f"parent account {PARENT_ID}" in world.zuora.get("Account", ACCOUNT_ID)["IntegrationError__c"]
    assert "customer" not in world.netsuite.records or not world.netsuite.records["customer"]


def test_contacts_are_fetched_in_one_query_per_batch(world: World) -> None:
    # Given three accounts with contacts
    for n in range(3):
        world.zuora.put("Contact", contact(f"{n}" * 32))
        world.zuora.put("Account", account(f"{n + 3}" * 32, BillToId=f"{n}" * 32, SoldToId=f"{n}" * 32))
    from zuora_netsuite.mapping.customer import CustomerMapping
    from zuora_netsuite.settings import ZuoraTenant

    # When the mapping fetches them together
    world.zuora.queries.clear()
    fetched = CustomerMapping(ZuoraTenant()).fetch(world.zuora, [f"{n + 3}" * 32 for n in range(3)])
    # Then one Account query and one Contact query were made, and each account carries its contact
    assert [q.split(" from ")[1].split()[0] for q in world.zuora.queries] == ["Account", "Contact"]
    assert {account.bill_to.id for account in fetched.values()} == {f"{n}" * 32 for n in range(3)}  # type: ignore[attr-defined]

"""A customer's address book: Bill To / Sold To lines with their default flags and the address subrecord, appended
by an update unless ``?replace=addressBook``.

REST API Browser, record ``customer`` (``addressBook``: ``customer-addressBookCollection`` of
``customer-addressBookElement``: ``defaultBilling``, ``defaultShipping``, ``label``, ``addressBookAddress`` =
``customer-addressBook-addressBookAddress`` with ``addr1``, ``city``, ``state``, ``zip``, ``country`` {"id": ISO code},
``addressee``, ``attention``, ``addrPhone``):
https://system.netsuite.com/help/helpcenter/en_US/APIs/REST_API_Browser/record/v1/2024.2/index.html
"""

from __future__ import annotations

from typing import Any

from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.entity_records import Records, customer_body, error_detail, unique_name

UPDATING_A_SUBLIST = "https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html"
REPLACING_A_SUBLIST = "https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545297048.html"


def address(addr1: str, city: str, country: str, **extra: Any) -> dict[str, Any]:
    return {"addressee": "Contract Co", "addr1": addr1, "city": city, "country": {"id": country}, **extra}


BILL_TO = {
    "defaultBilling": True,
    "defaultShipping": False,
    "label": "Bill To",
    "addressBookAddress": address("1 Market St", "San Francisco", "US", state="CA", zip="94105", attention="Ada"),
}
SOLD_TO = {
    "defaultBilling": False,
    "defaultShipping": True,
    "label": "Sold To",
    "addressBookAddress": address("10 Downing St", "London", "GB", zip="SW1A 2AA"),
}
OTHER = {"label": "Warehouse", "addressBookAddress": address("5 Dock Rd", "Dublin", "IE")}


def book(records: Records, customer_id: str) -> list[dict[str, Any]]:
    lines = (records.record("customer", customer_id).get("addressBook") or {}).get("items") or []
    return [line for line in lines if isinstance(line, dict)]


def country(line: dict[str, Any]) -> str:
    return str(((line.get("addressBookAddress") or {}).get("country") or {}).get("id"))


def test_given_bill_to_and_sold_to_lines_when_a_customer_is_created_then_each_line_keeps_its_flag_and_address(
    netsuite_target: NetSuiteTarget, records: Records
):
    """REST API Browser, customer-addressBookElement and customer-addressBook-addressBookAddress (module docstring):
    the lines, their default flags and the address subrecord's fields, country as {"id": "US"}."""
    # Given a customer body with a Bill To line (default billing) and a Sold To line (default shipping)
    body = customer_body(unique_name("addr"), externalId=netsuite_target.external_id("customer"))
    body["addressBook"] = {"items": [BILL_TO, SOLD_TO]}
    # When it is created
    customer_id = records.created_id("customer", body)
    # Then both lines are there, with their flags, labels and addresses
    lines = book(records, customer_id)
    by_label = {line.get("label"): line for line in lines}
    assert set(by_label) == {"Bill To", "Sold To"}
    assert (by_label["Bill To"]["defaultBilling"], by_label["Bill To"]["defaultShipping"]) == (True, False)
    assert (by_label["Sold To"]["defaultBilling"], by_label["Sold To"]["defaultShipping"]) == (False, True)
    bill_to = by_label["Bill To"]["addressBookAddress"]
    assert (bill_to["addr1"], bill_to["city"], bill_to["state"], bill_to["zip"]) == (
        "1 Market St",
        "San Francisco",
        "CA",
        "94105",
    )
    assert (country(by_label["Bill To"]), country(by_label["Sold To"])) == ("US", "GB")


def test_given_a_customer_with_addresses_when_an_update_sends_a_line_without_replace_then_it_is_added(
    netsuite_target: NetSuiteTarget, records: Records
):
    """Oracle NetSuite help, "Updating a Sublist" (section_1545295601,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html): lines of a non-keyed
    sublist are appended. The address book is such a sublist, so a re-sent address is there twice."""
    # Given a customer with a Bill To line
    body = customer_body(unique_name("addr"), externalId=netsuite_target.external_id("customer"))
    body["addressBook"] = {"items": [BILL_TO]}
    customer_id = records.created_id("customer", body)
    # When a PATCH sends another line, without ?replace=
    response = records.patch("customer", customer_id, {"addressBook": {"items": [OTHER]}})
    # Then the customer has both lines
    assert response.status_code == 204, response.text
    assert sorted(str(line.get("label")) for line in book(records, customer_id)) == ["Bill To", "Warehouse"]


def test_given_a_customer_with_addresses_when_an_update_replaces_the_address_book_then_only_the_sent_lines_remain(
    netsuite_target: NetSuiteTarget, records: Records
):
    """Oracle NetSuite help, "Replacing a Sublist" (section_1545297048,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545297048.html): with
    ?replace=<sublist> the sublist holds exactly the request's lines."""
    # Given a customer with a Bill To and a Sold To line
    body = customer_body(unique_name("addr"), externalId=netsuite_target.external_id("customer"))
    body["addressBook"] = {"items": [BILL_TO, SOLD_TO]}
    customer_id = records.created_id("customer", body)
    # When the upsert-like update sends the same Bill To line and a new Sold To, replacing the address book
    moved = {**SOLD_TO, "addressBookAddress": address("2 Rue de Rivoli", "Paris", "FR")}
    response = records.patch(
        "customer", customer_id, {"addressBook": {"items": [BILL_TO, moved]}}, replace="addressBook"
    )
    # Then exactly those two lines remain: no duplicate, the old Sold To gone
    assert response.status_code == 204, response.text
    lines = book(records, customer_id)
    assert sorted((str(line.get("label")), country(line)) for line in lines) == [("Bill To", "US"), ("Sold To", "FR")]


def test_given_an_address_when_its_country_is_not_a_country_reference_then_the_customer_is_refused(
    netsuite_target: NetSuiteTarget, records: Records
):
    """REST API Browser, customer-addressBook-addressBookAddress.country: a reference to the Country list by its
    ISO code ({"id": "US"}); a name is not one of its values."""
    # Given an address whose country is a name
    body = customer_body(unique_name("addr"), externalId=netsuite_target.external_id("customer"))
    body["addressBook"] = {"items": [{**BILL_TO, "addressBookAddress": address("1 Main St", "Nowhere", "Atlantis")}]}
    # When the customer is created
    response = records.create("customer", body)
    # Then it is refused, naming the country
    assert response.status_code == 400, response.text
    assert (
        "country"
        in str(error_detail(response).get("o:errorPath", "")).lower()
        + str(error_detail(response).get("detail", "")).lower()
    )

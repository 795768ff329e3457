"""A customer's parent, payment terms, email and phone, and an individual's first and last name.

REST API Browser, record ``customer`` (``parent`` -> customer, ``terms`` -> term, ``email``, ``phone``, ``isPerson``,
``firstName``, ``lastName``, ``companyName``):
https://system.netsuite.com/help/helpcenter/en_US/APIs/REST_API_Browser/record/v1/2024.2/index.html
"""

from __future__ import annotations

from tests.contract.netsuite.account_setup import PARENT_SUBSIDIARY
from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.entity_records import TERM_ID, Records, customer_body, error_detail, unique_name


def ref_id(value: object) -> str | None:
    return str(value["id"]) if isinstance(value, dict) and value.get("id") is not None else None


def test_given_a_parent_customer_and_a_term_when_a_customer_names_them_then_it_is_stored_with_both(
    netsuite_target: NetSuiteTarget, records: Records
):
    """REST API Browser, customer.parent (a customer) and customer.terms (a term), with email and phone."""
    # Given a parent customer
    parent_id = records.created_id(
        "customer", customer_body(unique_name("parent"), externalId=netsuite_target.external_id("customer"))
    )
    # When a child customer names it, a payment term, an email and a phone
    child = customer_body(
        unique_name("child"),
        externalId=netsuite_target.external_id("customer"),
        parent={"id": parent_id},
        terms={"id": TERM_ID},
        email="billing@example.com",
        phone="+1 415 555 0100",
    )
    child_id = records.created_id("customer", child)
    # Then the child reads back with all four
    stored = records.record("customer", child_id)
    assert (ref_id(stored.get("parent")), ref_id(stored.get("terms"))) == (parent_id, TERM_ID)
    assert (stored.get("email"), stored.get("phone")) == ("billing@example.com", "+1 415 555 0100")


def test_given_a_term_id_that_does_not_exist_when_a_customer_names_it_then_it_is_refused_naming_terms(
    netsuite_target: NetSuiteTarget, records: Records
):
    """Oracle NetSuite help, "Error Handling in REST Web Services" (section_156570709583,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html): an invalid reference
    is a 400 naming the field ("Invalid Field Value 987654 for the following field: terms")."""
    # Given a customer body naming a term that does not exist
    body = customer_body(unique_name("terms"), externalId=netsuite_target.external_id("customer"))
    body["terms"] = {"id": "987654"}
    # When it is created
    response = records.create("customer", body)
    # Then it is refused, naming terms
    assert response.status_code == 400, response.text
    detail = error_detail(response)
    assert "terms" in (str(detail.get("o:errorPath")) + str(detail.get("detail")))


def test_given_an_individual_when_it_is_created_with_first_and_last_name_then_they_are_kept(
    netsuite_target: NetSuiteTarget, records: Records
):
    """REST API Browser, customer.isPerson ("Is Individual"), firstName, lastName: an individual is named by its
    first and last name (companyName is for companies)."""
    # Given an individual customer body
    body = {
        "isPerson": True,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "subsidiary": {"id": PARENT_SUBSIDIARY},
        "externalId": netsuite_target.external_id("person"),
    }
    body = {**customer_body(unique_name("person")), **body}
    body.pop("companyName", None)
    # When it is created
    customer_id = records.created_id("customer", body)
    # Then it reads back as an individual with both names
    stored = records.record("customer", customer_id)
    assert (stored.get("isPerson"), stored.get("firstName"), stored.get("lastName")) == (True, "Ada", "Lovelace")


def test_given_an_individual_without_a_last_name_when_it_is_created_then_it_is_refused(
    netsuite_target: NetSuiteTarget, records: Records
):
    """REST API Browser, customer.lastName: required for an individual ("Please enter value(s) for: Last Name")."""
    body = {**customer_body(unique_name("person")), "isPerson": True, "firstName": "Ada"}
    body.pop("companyName", None)
    response = records.create("customer", {**body, "externalId": netsuite_target.external_id("person")})
    assert response.status_code == 400, response.text
    assert "last" in str(error_detail(response)).lower()


def test_given_a_customer_when_it_is_made_its_own_parent_then_it_is_refused_naming_parent(
    netsuite_target: NetSuiteTarget, records: Records
):
    """REST API Browser, customer.parent: "Child Of" another customer (a hierarchy). No page states the error for a
    customer made its own parent (or a sub-customer of its own sub-customer); the simulator refuses it with a 400
    naming parent, the stricter reading (docs/contract-tests.md)."""
    # Given a customer
    customer_id = records.created_id(
        "customer", customer_body(unique_name("self"), externalId=netsuite_target.external_id("customer"))
    )
    # When it is updated to be its own parent
    response = records.patch("customer", customer_id, {"parent": {"id": customer_id}})
    # Then it is refused, and it has no parent
    assert response.status_code == 400, response.text
    assert records.record("customer", customer_id).get("parent") is None

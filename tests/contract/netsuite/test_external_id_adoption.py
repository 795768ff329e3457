"""Adopting a record that exists without an external id: PATCH by internal id sets one; the record is then found
(and upserted) by it; an external id another record of the same kind uses is refused.

Oracle NetSuite help, "Using External IDs" (section_156334828635,
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156334828635.html): "You can also use an
external ID in the request body with the field name externalId"; letters, numbers, underscore and hyphen.
"Updating a Record Instance" (section_1545142173,
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545142173.html): PATCH by internal id, omitted
fields unchanged, 204 with the record's URL in Location. Tim Dietrich, "NetSuite: SuiteTalk REST and External IDs"
(https://timdietrich.me/blog/netsuite-suitetalk-rest-external-ids): a PATCH setting externalId sets or changes it;
a value another record of the table already has is answered 400.
"""

from __future__ import annotations

import pytest

from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.entity_records import Records, customer_body, item_body, unique_name
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.failures import NetSuiteError


@pytest.mark.parametrize(("record_type", "kind"), [("customer", "customer"), ("serviceSaleItem", "item")])
def test_given_a_record_without_external_id_when_a_patch_sets_one_then_it_is_found_and_upserted_by_it(
    netsuite_target: NetSuiteTarget, records: Records, netsuite: NetSuiteClient, record_type: str, kind: str
):
    """section_156334828635 + section_1545142173 + timdietrich.me (module docstring)."""
    # Given a record entered without an external id (as years of NetSuite use leave them)
    name = unique_name(kind)
    body = customer_body(name) if kind == "customer" else item_body(name)
    internal_id = records.created_id(record_type, body)
    assert "externalId" not in records.record(record_type, internal_id)
    # When a PATCH by internal id sets the connector's external id, and nothing else
    external_id = netsuite_target.external_id(kind)
    response = records.patch(record_type, internal_id, {"externalId": external_id})
    # Then NetSuite answers 204 with the record's URL
    assert response.status_code == 204, response.text
    assert response.headers["Location"].rstrip("/").endswith(f"/{internal_id}")
    # And the record is found by it, unchanged otherwise
    found = netsuite.get_by_external_id(record_type, external_id) or {}
    assert (str(found.get("id")), found.get("externalId")) == (internal_id, external_id)
    assert found.get("entityId" if kind == "customer" else "itemId") in (name, None)
    # And an upsert by that external id updates the very same record (no second one)
    assert netsuite.upsert(record_type, external_id, {"isInactive": False}) == internal_id


def test_given_two_customers_when_the_second_is_given_the_external_id_of_the_first_then_it_is_refused(
    netsuite_target: NetSuiteTarget, records: Records
):
    """timdietrich.me (module docstring): "If you attempt to set a record's external ID to a value that has already
    been assigned to another record (in the same table), then SuiteTalk will return a 400". The error code is not
    documented for REST; the simulator answers DUP_RCRD."""
    # Given a customer with an external id, and one without
    taken = netsuite_target.external_id("customer")
    records.created_id("customer", customer_body(unique_name("first"), externalId=taken))
    second = records.created_id("customer", customer_body(unique_name("second")))
    # When the second is given the first one's external id
    response = records.patch("customer", second, {"externalId": taken})
    # Then it is refused, and the second keeps no external id
    assert response.status_code == 400, response.text
    assert "externalId" not in records.record("customer", second)
    # (on a real account, give it its own so the clean-up query finds it)
    records.patch("customer", second, {"externalId": netsuite_target.external_id("customer")})


def test_given_the_connectors_client_when_it_adopts_a_record_then_a_taken_external_id_is_a_permanent_error(
    netsuite_target: NetSuiteTarget, records: Records, netsuite: NetSuiteClient
):
    """section_156334828635 + timdietrich.me (module docstring), through the connector's own client
    (NetSuiteClient.set_external_id, the PATCH go-live linking sends)."""
    # Given two items made without external ids
    first = records.created_id("serviceSaleItem", item_body(unique_name("item")))
    second = records.created_id("serviceSaleItem", item_body(unique_name("item")))
    external_id = netsuite_target.external_id("item")
    # When the client adopts the first, then tries the same external id on the second
    netsuite.set_external_id("serviceSaleItem", first, external_id)
    with pytest.raises(NetSuiteError) as refused:
        netsuite.set_external_id("serviceSaleItem", second, external_id)
    # Then the first is found by it, and the second's refusal is permanent (retrying cannot help)
    assert str((netsuite.get_by_external_id("serviceSaleItem", external_id) or {}).get("id")) == first
    assert not refused.value.is_transient
    records.patch("serviceSaleItem", second, {"externalId": netsuite_target.external_id("item")})

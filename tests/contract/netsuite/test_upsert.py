"""NetSuite REST upsert by external id: the idempotent write the connector makes for every record."""

from __future__ import annotations

from tests.contract.netsuite.conftest import NetSuiteTarget
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient


def test_given_an_external_id_when_the_same_customer_is_upserted_twice_then_one_record_exists(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
):
    """Oracle NetSuite help, "Using External IDs to Upsert Records" (section_156335203191):
    PUT /record/v1/{type}/eid:{externalId} creates the record, or updates the one with that external id."""
    # Given a customer body with a new external id
    external_id = netsuite_target.external_id("customer")
    body = {"companyName": "Contract Upsert Co", "subsidiary": {"id": "1"}}
    # When it is upserted twice
    first = netsuite.upsert("customer", external_id, body)
    second = netsuite.upsert("customer", external_id, {"companyName": "Contract Upsert Co (renamed)"})
    # Then both writes reach the same record, which carries the second name
    assert first == second
    record = netsuite.get_by_external_id("customer", external_id)
    assert record is not None
    assert record["companyName"] == "Contract Upsert Co (renamed)"

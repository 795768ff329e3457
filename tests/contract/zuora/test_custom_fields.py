"""Which custom fields a tenant has: the NetSuite Connector package's __NS fields only on the objects it syncs, and no
error-reason field among them (the connector's reason goes to an administrator-created __c field, if any).

On a real tenant these need Zuora's NetSuite Connector package installed (docs/contract-tests.md). Read-only.
"""

from __future__ import annotations

import pytest

from tests.contract.zuora.actions import fault_code, query
from tests.contract.zuora.conftest import ZuoraTarget

PACKAGE_FIELDS = "IntegrationId__NS, IntegrationStatus__NS, SyncDate__NS"


@pytest.mark.parametrize("zuora_object", ["Account", "ProductRatePlanCharge", "Invoice", "Payment", "Refund"])
def test_given_an_object_the_netsuite_connector_syncs_when_querying_its_integration_fields_then_they_exist(
    zuora_target: ZuoraTarget, zuora_object: str
):
    """https://docs.zuora.com/zuora-platform/integration/integration-hub/billing-connector-for-netsuite-gl/netsuite-connector-custom-fields/zuora-custom-fields
    ("Zuora objects synced by the integration": Account, Product Rate Plan Charge, Invoice, Payment, Refund,
    Invoice Item Adjustment; "Common custom fields": Integration ID, Integration Status, Sync Date)."""
    response = query(zuora_target, f"select Id, {PACKAGE_FIELDS} from {zuora_object} where Id = '{'0' * 32}'")  # noqa: S608
    assert response.status_code == 200, response.text
    assert response.json()["records"] == []


@pytest.mark.parametrize("zuora_object", ["Product", "ProductRatePlan", "InvoiceItem"])
def test_given_an_object_the_package_does_not_sync_when_querying_an_integration_field_then_it_is_unknown(
    zuora_target: ZuoraTarget, zuora_object: str
):
    """Same page: the package adds its fields "to each synced object" only."""
    response = query(zuora_target, f"select Id, IntegrationStatus__NS from {zuora_object}")  # noqa: S608
    assert response.status_code == 400
    assert fault_code(response) == "INVALID_FIELD"


def test_given_the_package_fields_when_looking_for_an_error_reason_field_then_there_is_none(zuora_target: ZuoraTarget):
    """Same page: the package's fields are Integration ID, Integration Status and Sync Date (plus per-object ones);
    there is no IntegrationError__NS. The reason of an error is "in the sync log"
    (https://docs.zuora.com/zuora-platform/integration/integration-hub/billing-connector-for-netsuite-gl/integration-between-zuora-and-netsuite/netsuite-connector-sync-concepts/integration-status-and-error-recovery)."""
    response = query(zuora_target, "select Id, IntegrationError__NS from Account")
    assert response.status_code == 400
    assert fault_code(response) == "INVALID_FIELD"

"""Describe: ``GET /v1/describe/{object}`` lists an object's fields (custom ones included) as XML, with the contexts
each can be used in.

Zuora, "Describe an object" (https://developer.zuora.com/api-references/api/operation/GET_Describe): an XML document,
``<object><name/><label/><fields><field><name/>...<contexts><context>...``; "Changes to the Describe API"
(https://docs.zuora.com/en/zuora-platform/data/legacy-query-methods/export-zoql/changes-to-the-describe-api): the
``soap`` context marks fields of the SOAP API object. On a real tenant the NetSuite Connector package must be
installed (IntegrationId__NS). Read-only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import requests

from tests.contract.zuora.actions import bearer
from tests.contract.zuora.conftest import ZuoraTarget


def describe(target: ZuoraTarget, name: str) -> requests.Response:
    return requests.get(
        f"{target.base_url}/v1/describe/{name}", headers={"Authorization": f"Bearer {bearer(target)}"}, timeout=60
    )


def fields(document: str) -> dict[str, set[str]]:
    """Field name -> its contexts."""
    root = ET.fromstring(document)  # noqa: S314
    return {
        (field.findtext("name") or ""): {context.text or "" for context in field.iter("context")}
        for field in root.iter("field")
    }


def test_given_the_account_object_when_described_then_its_standard_and_custom_fields_are_listed_for_soap(
    zuora_target: ZuoraTarget,
):
    """GET_Describe + Changes to the Describe API (module docstring)."""
    # When Account is described
    response = describe(zuora_target, "Account")
    # Then the XML names the object and lists its fields with their contexts
    assert response.status_code == 200, response.text
    assert ET.fromstring(response.text).findtext("name") == "Account"  # noqa: S314
    listed = fields(response.text)
    for name in ("AccountNumber", "Name", "BillToId", "SoldToId", "ParentId", "PaymentTerm", "IntegrationId__NS"):
        assert "soap" in listed.get(name, set()), name


def test_given_the_contact_object_when_described_then_its_address_and_email_fields_are_listed(
    zuora_target: ZuoraTarget,
):
    """GET_Describe; object names: https://developer.zuora.com/v1-api-reference/api-object-names/ (Contact)."""
    response = describe(zuora_target, "Contact")
    assert response.status_code == 200, response.text
    listed = fields(response.text)
    assert {"AccountId", "WorkEmail", "WorkPhone", "Address1", "City", "State", "PostalCode", "Country"} <= set(listed)

"""The SuiteQL columns a go-live match reads: ``customer`` entityid, email, companyname, externalid (null until one
is set); ``item`` itemid, displayname, itemtype, subtype, externalid.

Oracle NetSuite help, "Executing SuiteQL Queries Through REST Web Services" (section_157909186990,
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_157909186990.html): POST /query/v1/suiteql
with ``Prefer: transient``; columns come back lower case, a null column is left out of its row. Item columns
(``itemid``, ``displayname``, ``itemtype`` "Service", ``subtype`` "Sale"): https://netsuitediagnostics.com/posts/suiteql-items
(third party; the account's Records Catalog is the authority).
"""

from __future__ import annotations

import pytest

from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.entity_records import (
    CUSTOMER_IDS_SETTABLE,
    Records,
    customer_body,
    item_body,
    unique_name,
)


@pytest.mark.skipif(not CUSTOMER_IDS_SETTABLE, reason="the account generates customer IDs (no Allow Override)")
def test_given_a_customer_without_external_id_when_selected_by_entityid_then_its_match_columns_come_back(
    netsuite_target: NetSuiteTarget, records: Records
):
    """section_157909186990 (module docstring): a customer row has entityid, email, companyname; externalid is null
    (left out of the row) until one is set."""
    # Given a customer entered without an external id, with a Customer ID and an email
    name = unique_name("match")
    customer_id = records.created_id("customer", customer_body(name, email="ap@example.com"))
    # When SuiteQL selects it by entityid
    rows = records.rows(
        f"SELECT id, entityid, email, companyname, externalid FROM customer WHERE entityid = '{name}'"  # noqa: S608
    )
    # Then exactly that customer comes back with its columns, and no externalid
    assert rows == [{"id": customer_id, "entityid": name, "email": "ap@example.com", "companyname": f"Contract {name}"}]
    # And once it has an external id, the column shows it
    external_id = netsuite_target.external_id("customer")
    assert records.patch("customer", customer_id, {"externalId": external_id}).status_code == 204
    [row] = records.rows(f"SELECT id, externalid FROM customer WHERE id = {customer_id}")  # noqa: S608
    assert row["externalid"] == external_id


def test_given_a_service_item_when_selected_by_itemid_then_its_type_subtype_and_display_name_come_back(
    netsuite_target: NetSuiteTarget, records: Records
):
    """netsuitediagnostics.com/posts/suiteql-items (module docstring): itemtype "Service" and subtype "Sale" for a
    service item for sale; displayname as entered."""
    # Given a service sale item with a display name, without an external id
    name = unique_name("match")
    item_id = records.created_id("serviceSaleItem", item_body(name, displayName="Contract Gold Plan"))
    # When SuiteQL selects it by itemid
    rows = records.rows(
        f"SELECT id, itemid, displayname, itemtype, subtype, externalid FROM item WHERE itemid = '{name}'"  # noqa: S608
    )
    # Then its columns come back
    assert rows == [
        {"id": item_id, "itemid": name, "displayname": "Contract Gold Plan", "itemtype": "Service", "subtype": "Sale"}
    ]
    records.patch("serviceSaleItem", item_id, {"externalId": netsuite_target.external_id("item")})

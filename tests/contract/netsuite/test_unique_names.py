"""Customer IDs are unique among customers, item names among items: a second record with the same name is refused
(which is why a connector that ignores the records already in NetSuite cannot simply create its own).

Customer: SOAP's UNIQUE_CUST_ID_REQD, "A customer record with this ID already exists. You must enter a unique
customer ID for each record you create." (http://www.netsuiterp.com/2019/01/uniquecustidreqd-error-on-upsertlist.html,
third party: "the behavior of Web Services is patterned to that of the user interface"). REST's code for it is not
documented: the simulator answers 400 USER_ERROR with that text, path entityId. Item name (itemId): no page found;
the simulator refuses a second item of any item type with the same name, the stricter reading (docs/contract-tests.md).
"""

from __future__ import annotations

import pytest

from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.entity_records import (
    CUSTOMER_IDS_SETTABLE,
    Records,
    customer_body,
    error_detail,
    item_body,
    unique_name,
)


@pytest.mark.skipif(not CUSTOMER_IDS_SETTABLE, reason="the account generates customer IDs (no Allow Override)")
def test_given_a_customer_when_another_is_created_with_the_same_customer_id_then_it_is_refused(
    netsuite_target: NetSuiteTarget, records: Records
):
    """netsuiterp.com UNIQUE_CUST_ID_REQD (module docstring)."""
    # Given a customer with a Customer ID
    name = unique_name("dup")
    records.created_id("customer", customer_body(name, externalId=netsuite_target.external_id("customer")))
    # When another customer is created with the same Customer ID
    response = records.create(
        "customer", customer_body(name, companyName="Contract Other Co", externalId=netsuite_target.external_id("c"))
    )
    # Then it is refused for good, saying the ID is taken
    assert response.status_code == 400, response.text
    assert "already exists" in str(error_detail(response).get("detail"))
    assert len(records.rows(f"SELECT id FROM customer WHERE entityid = '{name}'")) == 1  # noqa: S608


def test_given_an_item_when_another_is_created_with_the_same_name_then_it_is_refused(
    netsuite_target: NetSuiteTarget, records: Records
):
    """No page found for items (module docstring): the simulator's stricter reading, checked on a real account."""
    # Given a service item
    name = unique_name("dup")
    records.created_id("serviceSaleItem", item_body(name, externalId=netsuite_target.external_id("item")))
    # When a non-inventory item is created with the same name
    response = records.create("nonInventorySaleItem", item_body(name, externalId=netsuite_target.external_id("item")))
    # Then it is refused, naming itemId
    assert response.status_code == 400, response.text
    assert len(records.rows(f"SELECT id FROM item WHERE itemid = '{name}'")) == 1  # noqa: S608

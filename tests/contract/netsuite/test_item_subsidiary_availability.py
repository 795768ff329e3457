"""OneWorld: an item can be added to a transaction only for the subsidiaries it is shared with.

Oracle NetSuite help, "Associate Subsidiaries With Items"
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N276948.html): the item's Subsidiary field
lists the subsidiaries it is shared with; Include Children shares it with all their sub-subsidiaries; "You must
associate a subsidiary with an item to add that item to a transaction related to that subsidiary". A transaction
takes its subsidiary from its customer ("Associate Subsidiaries with Entities and Items",
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N276477.html).
"""

from __future__ import annotations

import pytest

from tests.contract.netsuite.account_setup import (
    CHILD_SUBSIDIARY,
    INCOME_ACCOUNT,
    PARENT_SUBSIDIARY,
    REAL,
    REAL_TAX_CODES_REQUIRED,
    customer,
    invoice_body,
    item,
    item_line,
)
from tests.contract.netsuite.conftest import NetSuiteTarget
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.failures import NetSuiteError

TAX = REAL and REAL_TAX_CODES_REQUIRED


def test_given_an_item_shared_with_the_parent_only_when_a_child_subsidiary_customer_is_invoiced_then_it_is_refused(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
):
    # Given a customer of a child subsidiary and an item shared with its parent, without Include Children
    buyer = customer(netsuite_target, netsuite, CHILD_SUBSIDIARY)
    parent_only = item(netsuite_target, netsuite, [PARENT_SUBSIDIARY], include_children=False)
    # When an invoice of that item is written for the customer
    with pytest.raises(NetSuiteError) as refused:
        netsuite.upsert(
            "invoice",
            netsuite_target.external_id("invoice"),
            invoice_body(buyer, [item_line(parent_only, tax_codes_required=TAX)]),
        )
    # Then NetSuite refuses the line's item for good, naming the line
    assert not refused.value.is_transient
    assert refused.value.path == "item.items[0].item"


def test_given_an_item_shared_with_the_parent_and_its_children_when_a_child_customer_is_invoiced_then_it_is_accepted(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
):
    # Given a customer of a child subsidiary and an item shared with its parent, Include Children checked
    buyer = customer(netsuite_target, netsuite, CHILD_SUBSIDIARY)
    shared = item(netsuite_target, netsuite, [PARENT_SUBSIDIARY], include_children=True)
    # When an invoice of that item is written for the customer
    invoice_eid = netsuite_target.external_id("invoice")
    netsuite.upsert("invoice", invoice_eid, invoice_body(buyer, [item_line(shared, tax_codes_required=TAX)]))
    # Then the invoice exists with its line
    invoice = netsuite.get_by_external_id("invoice", invoice_eid)
    assert invoice is not None


def test_given_a_oneworld_account_when_an_item_is_created_without_a_subsidiary_then_it_is_refused(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
):
    # Given a new item body with no subsidiary
    body = {"itemId": netsuite_target.external_id("item"), "incomeAccount": {"id": INCOME_ACCOUNT}}
    # When it is written
    with pytest.raises(NetSuiteError) as refused:
        netsuite.upsert("serviceSaleItem", netsuite_target.external_id("item"), body)
    # Then NetSuite asks for the subsidiary
    assert not refused.value.is_transient
    assert refused.value.path == "subsidiary"

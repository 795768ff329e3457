"""Sublists on update: NetSuite merges the request's sublist lines into the stored ones (non-keyed lines are
appended), on PATCH and on the upsert (PUT by external id) of an existing record alike."""

from __future__ import annotations

from decimal import Decimal

from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.money_records import Rest, item_line, lines, new_customer, new_invoice, new_item
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient

UPDATING_A_SUBLIST = "https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html"


def test_given_an_invoice_when_it_is_patched_with_item_lines_then_they_are_appended(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
):
    """Oracle NetSuite help, "Updating a Sublist" (section_1545295601,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html): "For non-keyed
    sublists, the lines are always appended to the ones that are already present on the sublist"."""
    # Given an invoice with two item lines (10 + 20)
    customer = new_customer(netsuite_target, netsuite, "sublist-patch")
    item = new_item(netsuite_target, netsuite)
    invoice_id, _, _ = new_invoice(netsuite_target, netsuite, customer, item, [Decimal("10.00"), Decimal("20.00")])
    # When a PATCH sends one item line of 5
    response = rest.patch("invoice", invoice_id, {"item": {"items": [item_line(item, 5)]}})
    # Then the line is added to the two: three lines, and the total is 35
    assert response.status_code == 204, response.text
    record = rest.get("invoice", invoice_id)
    assert [Decimal(str(line["amount"])) for line in lines(record, "item")] == [10, 20, 5]
    assert Decimal(str(record["total"])) == Decimal("35")


def test_given_an_invoice_when_the_same_body_is_upserted_again_without_replace_then_its_lines_and_total_double(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
):
    """Oracle NetSuite help, "Updating a Sublist" (section_1545295601,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html): an update appends
    non-keyed sublist lines; the upsert of an existing record ("Using the Upsert Operation", section_156335203191)
    is an update. So a retried or re-synced transaction body without ?replace= carries its lines twice."""
    # Given an invoice upserted by external id with lines of 10 and 20
    customer = new_customer(netsuite_target, netsuite, "sublist-upsert")
    item = new_item(netsuite_target, netsuite)
    invoice_id, external_id, body = new_invoice(
        netsuite_target, netsuite, customer, item, [Decimal("10.00"), Decimal("20.00")]
    )
    # When the very same body is upserted again (a retry after a timeout, a replay), without ?replace=
    again = netsuite.upsert("invoice", external_id, body)
    # Then it is the same record, now with four lines and twice the total
    assert again == invoice_id
    record = rest.get("invoice", invoice_id)
    assert len(lines(record, "item")) == 4
    assert Decimal(str(record["total"])) == Decimal("60")

"""?replace=<sublist>: the named sublists hold exactly the request's lines after the write; the connector's
upserts of transactions carry it, so a re-send never adds lines."""

from __future__ import annotations

from decimal import Decimal

from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.money_records import (
    Rest,
    applied,
    days_ago,
    item_line,
    lines,
    new_customer,
    new_invoice,
    new_item,
)
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient


def test_given_an_invoice_when_the_same_body_is_upserted_again_with_replace_item_then_lines_and_total_are_unchanged(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
):
    """Oracle NetSuite help, "Replacing a Sublist" (section_1545297048,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545297048.html): "For non-keyed
    sublists, all lines are always removed and replaced by lines that are in the incoming request"; the upsert
    takes the same `replace` query parameter (REST API Browser, PUT /{record}/eid:{externalId})."""
    # Given an invoice with lines of 10 and 20
    customer = new_customer(netsuite_target, netsuite, "replace-upsert")
    item = new_item(netsuite_target, netsuite)
    invoice_id, external_id, body = new_invoice(
        netsuite_target, netsuite, customer, item, [Decimal("10.00"), Decimal("20.00")]
    )
    # When the same body is upserted twice more with ?replace=item
    netsuite.upsert("invoice", external_id, body, replace=["item"])
    netsuite.upsert("invoice", external_id, body, replace=["item"])
    # Then the invoice still has two lines and a total of 30
    record = rest.get("invoice", invoice_id)
    assert [Decimal(str(line["amount"])) for line in lines(record, "item")] == [10, 20]
    assert Decimal(str(record["total"])) == Decimal("30")


def test_given_an_invoice_when_patched_with_replace_item_and_fewer_lines_then_the_other_lines_are_removed(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
):
    """Oracle NetSuite help, "Working with Sublists" (chapter_1545142407,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/chapter_1545142407.html): lines are removed
    with `PATCH ...?replace=item` carrying "all lines except those you want to delete"; "Replacing a Sublist"
    (section_1545297048)."""
    # Given an invoice with lines of 10, 20 and 30
    customer = new_customer(netsuite_target, netsuite, "replace-patch")
    item = new_item(netsuite_target, netsuite)
    invoice_id, _, _ = new_invoice(
        netsuite_target, netsuite, customer, item, [Decimal("10.00"), Decimal("20.00"), Decimal("30.00")]
    )
    # When a PATCH with ?replace=item sends one line of 25
    response = rest.patch(
        "invoice",
        invoice_id,
        {"item": {"items": [item_line(item, 25)]}},
        replace="item",
    )
    # Then that line is all the invoice has, and its total is 25
    assert response.status_code == 204, response.text
    record = rest.get("invoice", invoice_id)
    assert [Decimal(str(line["amount"])) for line in lines(record, "item")] == [25]
    assert Decimal(str(record["total"])) == Decimal("25")


def test_given_a_payment_applied_to_an_invoice_when_upserted_with_replace_apply_naming_another_then_only_that_applies(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
):
    """Oracle NetSuite help, "Replacing a Sublist" (section_1545297048,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545297048.html): for a keyed sublist
    "lines of a keyed sublist are updated if the line contains matching keys, other lines are removed, and the
    remaining unmatched lines from the request are added". The connector writes payments with ?replace=apply."""
    # Given two invoices of 100 and a payment of 100 applying 70 to the first
    customer = new_customer(netsuite_target, netsuite, "replace-apply")
    item = new_item(netsuite_target, netsuite)
    first, _, _ = new_invoice(netsuite_target, netsuite, customer, item, [Decimal("100.00")])
    second, _, _ = new_invoice(netsuite_target, netsuite, customer, item, [Decimal("100.00")])
    payment_eid = netsuite_target.external_id("payment")
    body = {"customer": {"id": customer}, "tranDate": days_ago(1), "payment": Decimal("100"), "autoApply": False}
    payment_id = netsuite.upsert(
        "customerPayment", payment_eid, {**body, "apply": {"items": [{"doc": {"id": first}, "amount": 70}]}}
    )
    # When it is upserted with ?replace=apply applying 80 to the second invoice only
    netsuite.upsert(
        "customerPayment",
        payment_eid,
        {**body, "apply": {"items": [{"doc": {"id": second}, "amount": 80}]}},
        replace=["apply"],
    )
    # Then only the second invoice is applied, and the first is fully open again
    assert applied(rest.get("customerPayment", payment_id)) == {second: Decimal("80")}
    assert Decimal(str(rest.get("invoice", first)["amountRemaining"])) == Decimal("100")

"""Apply sublists (customer payments, credit memos, customer refunds): keyed by the document they apply to,
which is named by its internal id."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.money_records import Rest, days_ago, lines, new_customer, new_invoice, new_item
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.failures import NetSuiteError


def _payment(customer_id: str, amount: Decimal, apply: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "customer": {"id": customer_id},
        "tranDate": days_ago(1),
        "payment": amount,
        "autoApply": False,
        "apply": {"items": apply},
    }


def test_given_a_payment_when_an_apply_line_names_the_same_invoice_again_then_that_line_is_updated_not_added(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
):
    """Oracle NetSuite help, "Updating a Sublist" (section_1545295601,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html): "lines of a keyed
    sublist are updated if the line contains matching keys, and the remaining lines from the request are
    added"; "Deposit Application" (article_0830101547,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0830101547.html): apply lines are
    identified "by the doc field as a key"."""
    # Given two invoices of 100 and a payment of 100 applying 40 to the first
    customer = new_customer(netsuite_target, netsuite, "apply-keyed")
    item = new_item(netsuite_target, netsuite)
    first, _, _ = new_invoice(netsuite_target, netsuite, customer, item, [Decimal("100.00")])
    second, _, _ = new_invoice(netsuite_target, netsuite, customer, item, [Decimal("100.00")])
    payment_eid = netsuite_target.external_id("payment")
    payment_id = netsuite.upsert(
        "customerPayment", payment_eid, _payment(customer, Decimal("100"), [{"doc": {"id": first}, "amount": 40}])
    )
    # When the payment is upserted again applying 60 to the first invoice and 25 to the second
    netsuite.upsert(
        "customerPayment",
        payment_eid,
        _payment(
            customer,
            Decimal("100"),
            [{"doc": {"id": first}, "amount": 60}, {"doc": {"id": second}, "amount": 25}],
        ),
    )
    # Then the first invoice's line was updated (60, not 40 + 60) and the second one's added
    apply_lines = lines(rest.get("customerPayment", payment_id), "apply")
    applying = [
        (str(line["doc"]["id"]), Decimal(str(line["amount"]))) for line in apply_lines if line.get("apply", True)
    ]
    assert sorted(applying) == sorted([(first, Decimal("60")), (second, Decimal("25"))])


def test_given_an_open_invoice_when_a_payment_applies_to_it_by_internal_id_then_its_balance_drops(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
):
    """Oracle NetSuite help, "Customer Payment" REST record (article_0224093711,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0224093711.html): the example names the
    invoice of an apply line by internal id, `"doc": {"id": "104"}`, with `"apply": true` and an `amount`."""
    # Given an invoice of 80
    customer = new_customer(netsuite_target, netsuite, "apply-by-id")
    item = new_item(netsuite_target, netsuite)
    invoice_id, _, _ = new_invoice(netsuite_target, netsuite, customer, item, [Decimal("80.00")])
    # When a payment of 50 applies 50 to it by internal id
    netsuite.upsert(
        "customerPayment",
        netsuite_target.external_id("payment"),
        _payment(customer, Decimal("50"), [{"doc": {"id": invoice_id}, "apply": True, "amount": 50}]),
    )
    # Then 30 remains open on the invoice
    assert Decimal(str(rest.get("invoice", invoice_id)["amountRemaining"])) == Decimal("30")


def test_given_an_open_invoice_when_an_apply_line_names_it_by_external_id_then_the_write_is_refused(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
):
    """Oracle NetSuite help, "Customer Payment" REST record (article_0224093711,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0224093711.html) names the applied
    document by internal id only; no page shows `{"externalId": ..}` on `doc`. The documentation being silent,
    the simulator refuses it (docs/contract-tests.md); the connector sends internal ids."""
    # Given an invoice with an external id
    customer = new_customer(netsuite_target, netsuite, "apply-by-eid")
    item = new_item(netsuite_target, netsuite)
    _, invoice_eid, _ = new_invoice(netsuite_target, netsuite, customer, item, [Decimal("80.00")])
    # When a payment names it by external id on its apply line
    with pytest.raises(NetSuiteError) as refused:
        netsuite.upsert(
            "customerPayment",
            netsuite_target.external_id("payment"),
            _payment(customer, Decimal("50"), [{"doc": {"externalId": invoice_eid}, "amount": 50}]),
        )
    # Then NetSuite refuses the write for good, pointing at the doc field
    assert refused.value.http_status == 400
    assert not refused.value.is_transient
    assert refused.value.path == "apply.items[0].doc"

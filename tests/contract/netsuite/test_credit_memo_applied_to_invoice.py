"""A credit memo applied to an invoice (issue 13: an invoice cancelled in Zuora after it synced is credited this way,
mapping/cancellation.py). The credit memo's `apply` sublist is keyed by `doc` like the payment's (Oracle NetSuite help,
"Updating a Sublist", https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html; the apply
line of the "Customer Payment" REST sample, https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0224093711.html).
No page states what NetSuite does with an application above the invoice's open amount: the simulator refuses it (the
stricter reading, docs/contract-tests.md), which is why the connector applies only what is open; nor does a page
document `foreignpaymentamountused` (the Records Catalog's `transaction` record is the authority), which the connector
reads so that a retry sends the same application again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.contract.netsuite.books_setup import BANK_ACCOUNT, payment_body
from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.money_records import Rest, days_ago, item_line, new_customer, new_invoice, new_item
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.failures import NetSuiteError


def _credit_memo(customer: str, item: str, total: Decimal, invoice: str, applied: Decimal) -> dict[str, Any]:
    return {
        "entity": {"id": customer},
        "tranDate": days_ago(0),
        "autoApply": False,
        "item": {"items": [item_line(item, total)]},
        "apply": {"items": [{"doc": {"id": invoice}, "apply": True, "amount": applied}]},
    }


def _suiteql(netsuite: NetSuiteClient, internal_id: str, column: str) -> Decimal:
    query = f"SELECT id, {column} FROM transaction WHERE id = {int(internal_id)}"  # noqa: S608 - an integer id
    [row] = list(netsuite.suiteql(query))
    return Decimal(str(row.get(column) or 0))


def test_given_a_partly_paid_invoice_when_a_credit_memo_of_its_total_applies_what_is_open_then_it_closes_the_invoice(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
) -> None:
    # Given an invoice of 100 of which a payment pays 70
    customer = new_customer(netsuite_target, netsuite, "cancel-cm")
    item = new_item(netsuite_target, netsuite)
    invoice, _, _ = new_invoice(netsuite_target, netsuite, customer, item, [Decimal("100.00")])
    pays_70 = [{"doc": {"id": invoice}, "apply": True, "amount": 70}]
    netsuite.upsert(
        "customerPayment",
        netsuite_target.external_id("payment"),
        payment_body(customer, 70, pays_70, account={"id": BANK_ACCOUNT}),
    )
    memo_eid = netsuite_target.external_id("creditmemo")
    # When a credit memo of 100 applies its whole total to the invoice
    with pytest.raises(NetSuiteError) as refused:
        netsuite.upsert("creditMemo", memo_eid, _credit_memo(customer, item, Decimal(100), invoice, Decimal(100)))
    # Then NetSuite refuses it (more than the 30 open), for good
    assert refused.value.http_status == 400
    assert not refused.value.is_transient
    # When it applies the 30 open instead, and the same credit memo is sent again (a retry)
    memo = netsuite.upsert("creditMemo", memo_eid, _credit_memo(customer, item, Decimal(100), invoice, Decimal(30)))
    again = _credit_memo(customer, item, Decimal(100), invoice, Decimal(30))
    assert netsuite.upsert("creditMemo", memo_eid, again, replace=("item", "apply")) == memo
    # Then the invoice has nothing open, the credit memo applies 30 and keeps 70 unapplied
    assert Decimal(str(rest.get("invoice", invoice)["amountRemaining"])) == 0
    assert _suiteql(netsuite, invoice, "foreignamountunpaid") == 0
    assert _suiteql(netsuite, memo, "foreignpaymentamountused") == Decimal(30)
    assert _suiteql(netsuite, memo, "foreignpaymentamountunused") == Decimal(70)

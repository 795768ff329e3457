"""Customer refunds of a credit memo's unapplied amount (issue 13): the refund's `apply` line names the credit memo."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.contract.netsuite.books_setup import BANK_ACCOUNT, new_credit_memo
from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.money_records import Rest, days_ago, new_customer, new_invoice, new_item
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.failures import NetSuiteError


def _refund(customer: str, credit_memo: str, amount: Decimal) -> dict[str, Any]:
    return {
        "customer": {"id": customer},
        "tranDate": days_ago(1),
        "account": {"id": BANK_ACCOUNT},
        "apply": {"items": [{"doc": {"id": credit_memo}, "apply": True, "amount": amount}]},
    }


def test_given_an_unapplied_credit_memo_when_part_of_it_is_refunded_then_only_the_rest_stays_unapplied(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
) -> None:
    """Oracle NetSuite help, "Customer Refund" (article_0830082954,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0830082954.html): the refund's `apply`
    sublist (keyed by `doc`) lists what it pays back; the UI refunds "credit memos and unapplied payments" of the
    customer. A credit memo of 100 applied to nothing, refunded 60, has 40 left to apply or refund."""
    # Given a credit memo of 100 applied to nothing
    customer = new_customer(netsuite_target, netsuite, "refund-cm")
    item = new_item(netsuite_target, netsuite)
    credit_memo = new_credit_memo(netsuite_target, netsuite, customer, item, Decimal("100.00"))
    # When 60 of it is refunded from a bank account
    netsuite.upsert(
        "customerRefund", netsuite_target.external_id("refund"), _refund(customer, credit_memo, Decimal(60))
    )
    # Then 40 of the credit memo is left unapplied
    assert Decimal(str(rest.get("creditMemo", credit_memo)["unapplied"])) == Decimal("40")


def test_given_a_credit_memo_partly_applied_when_a_refund_asks_more_than_is_left_then_it_is_refused(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
) -> None:
    """Oracle NetSuite help, "Customer Refund" (article_0830082954, page above): only the credit memo's open
    (unapplied) amount can be refunded. A credit memo of 100 of which 70 pays an invoice cannot refund 50: 400 for
    good, and the credit memo keeps its 30."""
    # Given a credit memo of 100, 70 of it applied to an invoice
    customer = new_customer(netsuite_target, netsuite, "refund-cm-over")
    item = new_item(netsuite_target, netsuite)
    invoice_id, _, _ = new_invoice(netsuite_target, netsuite, customer, item, [Decimal("70.00")])
    credit_memo = new_credit_memo(netsuite_target, netsuite, customer, item, Decimal("100.00"))
    applied = rest.patch(
        "creditMemo",
        credit_memo,
        {"autoApply": False, "apply": {"items": [{"doc": {"id": invoice_id}, "apply": True, "amount": 70}]}},
    )
    assert applied.status_code == 204, applied.text
    # When a refund asks 50 of it
    with pytest.raises(NetSuiteError) as refused:
        netsuite.upsert(
            "customerRefund", netsuite_target.external_id("refund"), _refund(customer, credit_memo, Decimal(50))
        )
    # Then NetSuite refuses it for good and the credit memo keeps its 30
    assert refused.value.http_status == 400
    assert not refused.value.is_transient
    assert Decimal(str(rest.get("creditMemo", credit_memo)["unapplied"])) == Decimal("30")
    # And refunding exactly the 30 left is accepted
    netsuite.upsert(
        "customerRefund", netsuite_target.external_id("refund"), _refund(customer, credit_memo, Decimal(30))
    )
    assert Decimal(str(rest.get("creditMemo", credit_memo)["unapplied"])) == Decimal("0")

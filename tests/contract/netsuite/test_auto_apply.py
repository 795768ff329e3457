"""NetSuite's Auto Apply: a customer payment or credit memo that does not say `"autoApply": false` is applied
by NetSuite itself to the customer's oldest open invoices (the account preference is on by default)."""

from __future__ import annotations

from decimal import Decimal

from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.money_records import (
    Rest,
    applied,
    days_ago,
    item_line,
    new_customer,
    new_invoice,
    new_item,
)
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient


def _two_invoices(target: NetSuiteTarget, netsuite: NetSuiteClient, name: str) -> tuple[str, str, str, str]:
    """A new customer with an invoice of 100 dated 5 days ago, created after one of 100 dated 10 days ago.
    Returns (customer, item, newer invoice, older invoice)."""
    customer = new_customer(target, netsuite, name)
    item = new_item(target, netsuite)
    newer, _, _ = new_invoice(target, netsuite, customer, item, [Decimal("100.00")], tran_date=days_ago(5))
    older, _, _ = new_invoice(target, netsuite, customer, item, [Decimal("100.00")], tran_date=days_ago(10))
    return customer, item, newer, older


def test_given_open_invoices_when_a_payment_does_not_say_auto_apply_false_then_netsuite_applies_it_oldest_first(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
):
    """Oracle NetSuite help, "Customer Payment" REST record (article_0224093711,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0224093711.html: the `autoApply` body
    field) and Accounting Preferences (bridgehead_N3258805,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/bridgehead_N3258805.html): with Auto Apply on,
    the payment goes to the oldest open invoices, by date (Setting Accounting Preferences, section_1532027485)."""
    # Given two open invoices of 100, the older one created last
    customer, _, newer, older = _two_invoices(netsuite_target, netsuite, "auto-apply-payment")
    # When a payment of 150 is written without apply lines and without "autoApply": false
    payment_id = netsuite.upsert(
        "customerPayment",
        netsuite_target.external_id("payment"),
        {"customer": {"id": customer}, "tranDate": days_ago(1), "payment": Decimal("150")},
    )
    # Then NetSuite applied 100 to the older invoice and 50 to the newer one
    assert applied(rest.get("customerPayment", payment_id)) == {older: Decimal("100"), newer: Decimal("50")}
    assert Decimal(str(rest.get("invoice", older)["amountRemaining"])) == 0
    assert Decimal(str(rest.get("invoice", newer)["amountRemaining"])) == Decimal("50")


def test_given_open_invoices_when_a_payment_says_auto_apply_false_then_only_its_own_lines_apply(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
):
    """Oracle NetSuite help, "Customer Payment" REST record (article_0224093711,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0224093711.html): `autoApply` false
    leaves the application to the request's apply lines; what they do not apply stays unapplied."""
    # Given two open invoices of 100
    customer, _, newer, older = _two_invoices(netsuite_target, netsuite, "no-auto-apply")
    # When a payment of 150 applies 30 to the newer invoice and says "autoApply": false
    payment_id = netsuite.upsert(
        "customerPayment",
        netsuite_target.external_id("payment"),
        {
            "customer": {"id": customer},
            "tranDate": days_ago(1),
            "payment": Decimal("150"),
            "autoApply": False,
            "apply": {"items": [{"doc": {"id": newer}, "apply": True, "amount": 30}]},
        },
    )
    # Then only those 30 are applied, 120 stays unapplied and the older invoice is untouched
    payment = rest.get("customerPayment", payment_id)
    assert applied(payment) == {newer: Decimal("30")}
    assert Decimal(str(payment["unapplied"])) == Decimal("120")
    assert Decimal(str(rest.get("invoice", older)["amountRemaining"])) == Decimal("100")


def test_given_an_open_invoice_when_a_credit_memo_does_not_say_auto_apply_false_then_netsuite_applies_it(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
):
    """Oracle NetSuite help, Accounting Preferences (bridgehead_N3258805,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/bridgehead_N3258805.html): Auto Apply also
    acts on credit memos; the credit memo REST record carries the same `autoApply` field and `apply` sublist."""
    # Given two open invoices of 100
    customer, item, newer, older = _two_invoices(netsuite_target, netsuite, "auto-apply-memo")
    # When a credit memo of 40 is written without apply lines and without "autoApply": false
    memo_id = netsuite.upsert(
        "creditMemo",
        netsuite_target.external_id("credit-memo"),
        {
            "entity": {"id": customer},
            "tranDate": days_ago(1),
            "item": {"items": [item_line(item, Decimal("40"))]},
        },
    )
    # Then NetSuite applied the 40 to the older invoice
    assert applied(rest.get("creditMemo", memo_id)) == {older: Decimal("40")}
    assert Decimal(str(rest.get("invoice", newer)["amountRemaining"])) == Decimal("100")

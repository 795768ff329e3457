"""Open balances read with SuiteQL (issue 13): what an invoice still owes and what a payment or credit memo has not
applied, in the transaction's currency, as `reconcile` compares them with Zuora's."""

from __future__ import annotations

from decimal import Decimal

from tests.contract.netsuite.books_setup import BANK_ACCOUNT, new_credit_memo, payment_body
from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.money_records import new_customer, new_invoice, new_item
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient


def _row(netsuite: NetSuiteClient, internal_id: str) -> dict[str, object]:
    columns = "id, foreigntotal, foreignamountunpaid, foreignpaymentamountunused"
    query = f"SELECT {columns} FROM transaction WHERE id = {int(internal_id)}"  # noqa: S608 - an integer id
    rows = list(netsuite.suiteql(query))
    assert len(rows) == 1
    return rows[0]


def test_given_a_partly_paid_invoice_and_a_partly_applied_payment_when_read_by_suiteql_then_the_open_amounts_show(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
) -> None:
    """No Oracle help page lists the columns; the Records Catalog (Setup > Records Catalog, record `transaction`) is the
    authority and public SuiteQL scripts use `transaction.foreignamountunpaid` (an invoice's open amount) and
    `foreignpaymentamountunused` (a payment's or credit memo's unapplied amount), both in the transaction's currency.
    A run on a real account settles them; the connector's reconciliation reads only these two."""
    # Given an invoice of 100, a payment of 130 applying 60 to it and a credit memo of 25 applied to nothing
    customer = new_customer(netsuite_target, netsuite, "open-balances")
    item = new_item(netsuite_target, netsuite)
    invoice_id, _, _ = new_invoice(netsuite_target, netsuite, customer, item, [Decimal("100.00")])
    payment_id = netsuite.upsert(
        "customerPayment",
        netsuite_target.external_id("payment"),
        payment_body(
            customer, 130, [{"doc": {"id": invoice_id}, "apply": True, "amount": 60}], account={"id": BANK_ACCOUNT}
        ),
    )
    credit_memo = new_credit_memo(netsuite_target, netsuite, customer, item, Decimal("25.00"))
    # When SuiteQL reads their open amounts
    # Then the invoice owes 40, the payment has 70 unapplied and the credit memo 25
    assert Decimal(str(_row(netsuite, invoice_id)["foreignamountunpaid"])) == Decimal("40")
    assert Decimal(str(_row(netsuite, payment_id)["foreignpaymentamountunused"])) == Decimal("70")
    assert Decimal(str(_row(netsuite, credit_memo)["foreignpaymentamountunused"])) == Decimal("25")

"""Customer payments: where the money is deposited (`account`, or Undeposited Funds with `undepFunds`), the payment
method, and the part of a payment applied to no invoice (unapplied cash on the customer) - issue 13."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.contract.netsuite.account_setup import INCOME_ACCOUNT
from tests.contract.netsuite.books_setup import BANK_ACCOUNT, PAYMENT_METHOD, payment_body
from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.money_records import Rest, new_customer, new_invoice, new_item
from tests.contract.netsuite.rest import simulator_only
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.failures import NetSuiteError


def test_given_a_payment_larger_than_what_it_applies_when_deposited_to_an_account_then_the_rest_is_unapplied(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
) -> None:
    """Oracle NetSuite help, "Customer Payment" (article_0224093711,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0224093711.html): the create sample sends
    `"account": {"id": "1"}`, `"payment": 250` and one apply line of 200; `applied` / `unapplied` are read-only totals.
    The 50 not applied stays on the payment as unapplied cash."""
    # Given an open invoice of 200
    customer = new_customer(netsuite_target, netsuite, "deposit-unapplied")
    item = new_item(netsuite_target, netsuite)
    invoice_id, _, _ = new_invoice(netsuite_target, netsuite, customer, item, [Decimal("200.00")])
    # When a payment of 250, deposited to a bank account, applies 200 to it
    payment_id = netsuite.upsert(
        "customerPayment",
        netsuite_target.external_id("payment"),
        payment_body(
            customer, 250, [{"doc": {"id": invoice_id}, "apply": True, "amount": 200}], account={"id": BANK_ACCOUNT}
        ),
    )
    # Then the invoice is paid and 50 of the payment is unapplied
    payment = rest.get("customerPayment", payment_id)
    assert str(payment["account"]["id"]) == BANK_ACCOUNT
    assert Decimal(str(payment["applied"])) == Decimal("200")
    assert Decimal(str(payment["unapplied"])) == Decimal("50")
    assert Decimal(str(rest.get("invoice", invoice_id)["amountRemaining"])) == Decimal("0")


def test_given_a_payment_with_no_apply_lines_when_written_then_all_of_it_is_unapplied(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
) -> None:
    """Oracle NetSuite help, "Customer Payment" (article_0224093711, page above): `payment` is the amount received;
    with Auto Apply off (`"autoApply": false`) and no apply line nothing is applied - a customer's prepayment or
    overpayment waits on the payment, unapplied, and the invoice stays open."""
    customer = new_customer(netsuite_target, netsuite, "deposit-none-applied")
    item = new_item(netsuite_target, netsuite)
    invoice_id, _, _ = new_invoice(netsuite_target, netsuite, customer, item, [Decimal("80.00")])
    payment_id = netsuite.upsert(
        "customerPayment",
        netsuite_target.external_id("payment"),
        payment_body(customer, Decimal("75.50"), [], account={"id": BANK_ACCOUNT}),
    )
    payment = rest.get("customerPayment", payment_id)
    assert Decimal(str(payment["unapplied"])) == Decimal("75.50")
    assert Decimal(str(rest.get("invoice", invoice_id)["amountRemaining"])) == Decimal("80")


def test_given_undeposited_funds_off_when_a_payment_names_no_account_then_netsuite_asks_for_one(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
) -> None:
    """Schema browser 2024.2, customerPayment (https://system.netsuite.com/help/helpcenter/en_US/srbrowser/Browser2024_2/schema/record/customerpayment.html):
    `account` "Sets the account used for payments already deposited. Required when undepFunds is set to FALSE."."""
    customer = new_customer(netsuite_target, netsuite, "deposit-no-account")
    with pytest.raises(NetSuiteError) as refused:
        netsuite.upsert(
            "customerPayment", netsuite_target.external_id("payment"), payment_body(customer, 10, [], undepFunds=False)
        )
    assert refused.value.http_status == 400
    assert not refused.value.is_transient


def test_given_undeposited_funds_when_a_payment_is_written_then_it_waits_there_without_an_account(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
) -> None:
    """Schema browser 2024.2, customerPayment (page above): `undepFunds` true - the payment is deposited later, from
    Undeposited Funds; `account` is only required when it is false."""
    customer = new_customer(netsuite_target, netsuite, "deposit-undeposited")
    payment_id = netsuite.upsert(
        "customerPayment", netsuite_target.external_id("payment"), payment_body(customer, 10, [], undepFunds=True)
    )
    assert rest.get("customerPayment", payment_id)["undepFunds"] is True


def test_given_a_payment_method_when_it_is_not_one_of_the_account_then_the_write_is_refused(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest
) -> None:
    """Schema browser 2024.2, customerPayment (page above): `paymentMethod` is a reference to a payment method (list
    Setup > Accounting > Accounting Lists). A known one is kept; an id that is no payment method is an invalid
    reference (400 for good, path `paymentMethod`)."""
    customer = new_customer(netsuite_target, netsuite, "deposit-method")
    payment_id = netsuite.upsert(
        "customerPayment",
        netsuite_target.external_id("payment"),
        payment_body(customer, 10, [], account={"id": BANK_ACCOUNT}, paymentMethod={"id": PAYMENT_METHOD}),
    )
    assert str(rest.get("customerPayment", payment_id)["paymentMethod"]["id"]) == PAYMENT_METHOD
    with pytest.raises(NetSuiteError) as refused:
        netsuite.upsert(
            "customerPayment",
            netsuite_target.external_id("payment"),
            payment_body(customer, 10, [], account={"id": BANK_ACCOUNT}, paymentMethod={"id": "987654"}),
        )
    assert refused.value.http_status == 400
    assert not refused.value.is_transient
    assert refused.value.path == "paymentMethod"


@simulator_only
def test_given_undeposited_funds_and_an_account_when_a_payment_is_written_then_the_simulator_refuses_it(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
) -> None:
    """Schema browser 2024.2, customerPayment (page above) gives `account` for payments "already deposited" and
    `undepFunds` for the others; no page says what NetSuite does with both. The simulator refuses the pair (400, path
    `account`), the stricter reading (docs/contract-tests.md): the connector sends one or the other."""
    customer = new_customer(netsuite_target, netsuite, "deposit-both")
    with pytest.raises(NetSuiteError) as refused:
        netsuite.upsert(
            "customerPayment",
            netsuite_target.external_id("payment"),
            payment_body(customer, 10, [], undepFunds=True, account={"id": BANK_ACCOUNT}),
        )
    assert refused.value.http_status == 400
    assert refused.value.path == "account"


@simulator_only
def test_given_an_income_account_when_a_payment_is_deposited_to_it_then_the_simulator_refuses_it(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
) -> None:
    """Records browser, customerpayment (https://system.netsuite.com/help/helpcenter/en_US/srbrowser/Browser2026_1/script/record/customerpayment.html):
    `account` is "the account where you want to deposit the amount received". The UI offers bank accounts; no page
    says what REST answers for another type. The simulator refuses any account whose SuiteQL `accttype` is not
    'Bank' as an invalid value of `account` (docs/contract-tests.md)."""
    customer = new_customer(netsuite_target, netsuite, "deposit-income")
    with pytest.raises(NetSuiteError) as refused:
        netsuite.upsert(
            "customerPayment",
            netsuite_target.external_id("payment"),
            payment_body(customer, 10, [], account={"id": INCOME_ACCOUNT}),
        )
    assert refused.value.http_status == 400
    assert refused.value.path == "account"

"""Invoices written off or reversed after they synced (issue 13): each creates a posted credit memo applied to the
invoice, which the connector syncs to NetSuite like any credit memo."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from tests.contract.zuora.books_data import posted_invoice
from tests.contract.zuora.conftest import ZuoraTarget
from tests.contract.zuora.settlement_data import rest, settlement_records
from zuora_netsuite.adapters.zuora.client import ZuoraClient


def _invoice(zuora: ZuoraClient, invoice_id: str) -> dict[str, object]:
    (row,) = list(zuora.query(f"select Id, Amount, Balance, Status from Invoice where Id = '{invoice_id}'"))  # noqa: S608
    return row


def _consumable_invoice(target: ZuoraTarget, variable: str, *, discount: float = 0) -> str:
    """An invoice the test may write off or reverse for good: created in the simulator, named on a real tenant."""
    if target.simulator is not None:
        return posted_invoice(target, amount=120, discount=discount)
    invoice_id = os.environ.get(variable)
    if not invoice_id:
        pytest.skip(f"{variable} names no posted, unpaid invoice of the test account to consume")
    return invoice_id


def _parts_to(zuora: ZuoraClient, credit_memo_id: str) -> dict[str, Decimal]:
    parts = zuora.rest_get_pages(f"/v1/credit-memos/{credit_memo_id}/parts", "parts")
    return {
        str(part.get("invoiceId") or part.get("debitMemoId")): Decimal(str(part["amount"]))
        for part in parts
        if part.get("invoiceId") or part.get("debitMemoId")
    }


def test_given_a_posted_invoice_when_written_off_then_a_posted_credit_memo_is_applied_and_the_balance_is_zero(
    zuora_target: ZuoraTarget, zuora: ZuoraClient
) -> None:
    """PUT /v1/invoices/{invoiceKey}/write-off (https://developer.zuora.com/v1-api-reference/api/operation/PUT_WriteOffInvoice):
    "By writing off an invoice, a credit memo is created and applied to the invoice ... the balance of each invoice
    item and invoice taxation item must be zero"; write-off memos carry the reason code `Write-off`
    (https://docs.zuora.com/zuora-billing/bill-your-customer/invoice-management/write-off-invoices)."""
    invoice_id = _consumable_invoice(zuora_target, "ZUORA_CONTRACT_WRITE_OFF_INVOICE_ID")
    balance = Decimal(str(_invoice(zuora, invoice_id)["Balance"]))
    response = rest(zuora_target, "PUT", f"/v1/invoices/{invoice_id}/write-off", json={"comment": "contract test"})
    assert response.status_code == 200, response.text
    credit_memo_id = response.json()["creditMemo"]["id"]
    assert Decimal(str(_invoice(zuora, invoice_id)["Balance"])) == 0
    memo = zuora.rest_get(f"/v1/credit-memos/{credit_memo_id}")
    assert memo["status"] == "Posted"
    assert Decimal(str(memo["amount"])) == balance
    assert _parts_to(zuora, credit_memo_id) == {invoice_id: balance}
    if zuora_target.simulator is not None:
        assert memo["reasonCode"] == "Write-off"


def test_given_a_posted_unpaid_invoice_when_reversed_then_a_credit_memo_for_all_of_it_is_applied(
    zuora_target: ZuoraTarget, zuora: ZuoraClient
) -> None:
    """PUT /v1/invoices/{invoiceKey}/reverse (https://developer.zuora.com/api-references/api/operation/PUT_ReverseInvoice):
    reverses a posted invoice with a credit memo. No page says the memo is applied to the invoice; the simulator
    applies it in full (the connector must then apply it in NetSuite too), a real tenant run settles it."""
    invoice_id = _consumable_invoice(zuora_target, "ZUORA_CONTRACT_REVERSE_INVOICE_ID")
    amount = Decimal(str(_invoice(zuora, invoice_id)["Amount"]))
    response = rest(zuora_target, "PUT", f"/v1/invoices/{invoice_id}/reverse", json={})
    assert response.status_code == 200, response.text
    credit_memo_id = response.json()["creditMemo"]["id"]
    memo = zuora.rest_get(f"/v1/credit-memos/{credit_memo_id}")
    assert Decimal(str(memo["amount"])) == amount
    assert memo["referredInvoiceId"] == invoice_id
    if zuora_target.simulator is not None:
        assert _parts_to(zuora, credit_memo_id) == {invoice_id: amount}
        assert Decimal(str(_invoice(zuora, invoice_id)["Balance"])) == 0


def test_given_an_invoice_with_a_payment_applied_when_reversed_then_zuora_refuses_and_nothing_changes(
    zuora_target: ZuoraTarget, zuora: ZuoraClient
) -> None:
    """PUT /v1/invoices/{invoiceKey}/reverse (page above), Restrictions: "Payments and credit memos are applied to the
    invoice" - not reversed. The settlement records' invoice has a payment and a credit memo applied."""
    invoice_id = settlement_records(zuora_target, zuora).invoice_id
    before = _invoice(zuora, invoice_id)
    response = rest(zuora_target, "PUT", f"/v1/invoices/{invoice_id}/reverse", json={})
    assert response.json().get("success") is False
    assert _invoice(zuora, invoice_id) == before


def test_given_an_invoice_with_a_discount_charge_when_reversed_then_a_debit_memo_reverses_the_discount(
    zuora_target: ZuoraTarget, zuora: ZuoraClient
) -> None:
    """ "Use case: Reversing an invoice with discount charges"
    (https://docs.zuora.com/en/zuora-billing/bill-your-customer/invoice-management/invoice-reversal/invoice-reversal-use-cases/use-case-reversing-an-invoice-with-discount-charges):
    reversing "can generate both a credit memo for the invoice and a debit memo for the discount charge"."""
    invoice_id = _consumable_invoice(zuora_target, "ZUORA_CONTRACT_REVERSE_DISCOUNT_INVOICE_ID", discount=12)
    response = rest(zuora_target, "PUT", f"/v1/invoices/{invoice_id}/reverse", json={})
    assert response.status_code == 200, response.text
    body = response.json()
    debit_memo = zuora.rest_get(f"/v1/debit-memos/{body['debitMemo']['id']}")
    credit_memo = zuora.rest_get(f"/v1/credit-memos/{body['creditMemo']['id']}")
    # The credit memo reverses the charges, the debit memo the discount: together the invoice's amount
    amount = Decimal(str(_invoice(zuora, invoice_id)["Amount"]))
    assert Decimal(str(credit_memo["amount"])) - Decimal(str(debit_memo["amount"])) == amount

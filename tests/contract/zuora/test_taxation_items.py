"""Taxes per tax code (issue 13): the taxation items of invoice items (ZOQL `TaxationItem`) and of memo items (the memo
item's taxation-items resource), and the payment method behind a payment."""

from __future__ import annotations

from decimal import Decimal

from tests.contract.zuora.books_data import open_payment_and_invoice, taxed_credit_memo_item, taxed_invoice
from tests.contract.zuora.conftest import ZuoraTarget
from tests.contract.zuora.settlement_data import rest
from zuora_netsuite.adapters.zuora.client import ZuoraClient


def test_given_a_taxed_invoice_item_when_its_taxation_items_are_queried_then_each_has_code_amount_and_jurisdiction(
    zuora_target: ZuoraTarget, zuora: ZuoraClient
) -> None:
    """TaxationItem field descriptions (https://docs.zuora.com/en/zuora-platform/integration/apis/soap-api/soap-api-object-reference/taxationitem/field-descriptions)
    and the Data Loader dictionary (https://docs.zuora.com/en/zuora-platform/data-management/data-loader/data-dictionary-for-data-loader/import/taxation-item):
    one taxation item per tax on an invoice item (`InvoiceItemId`), with `TaxCode`, `TaxAmount`, `Jurisdiction`
    (at most 32 characters), `Name`, `TaxRate`, `TaxRateType` (Percentage / FlatFee), `TaxDate`; query() supported.
    Their amounts add up to the item's `TaxAmount`."""
    # Given an invoice item with tax
    taxed = taxed_invoice(zuora_target, zuora)
    # When its taxation items are queried by InvoiceItemId
    rows = list(
        zuora.query(
            "select Id, InvoiceItemId, TaxCode, TaxAmount, Jurisdiction, Name, TaxRate, TaxRateType, TaxDate "  # noqa: S608
            f"from TaxationItem where InvoiceItemId = '{taxed.item_id}'"
        )
    )
    # Then each names its code, amount and jurisdiction, and together they are the item's tax
    assert rows
    for row in rows:
        assert row["InvoiceItemId"] == taxed.item_id
        assert "TaxAmount" in row
        assert len(str(row.get("Jurisdiction") or "")) <= 32
        assert row.get("TaxRateType") in (None, "Percentage", "FlatFee")
    assert sum((Decimal(str(row["TaxAmount"])) for row in rows), Decimal(0)) == taxed.item_tax
    if zuora_target.simulator is not None:
        assert {row["TaxCode"] for row in rows} == {"VAT-DE", "CITY-B"}


def test_given_a_taxed_credit_memo_item_when_its_taxation_items_are_read_then_rest_lists_them_under_data(
    zuora_target: ZuoraTarget, zuora: ZuoraClient
) -> None:
    """List all taxation items of a credit memo item,
    GET /v1/credit-memos/{creditMemoId}/items/{cmitemid}/taxation-items
    (https://developer.zuora.com/v1-api-reference/api/credit-memos/get_taxationitemsofcreditmemoitem.md): `data`, one
    entry per taxation item with `taxCode`, `taxAmount`, `jurisdiction`, `name`, `taxRate`, `taxRateType`;
    `success: true`. (Memo taxation items are not ZOQL objects on an Invoice Settlement tenant.)"""
    taxed = taxed_credit_memo_item(zuora_target, zuora)
    response = rest(
        zuora_target, "GET", f"/v1/credit-memos/{taxed.credit_memo_id}/items/{taxed.item_id}/taxation-items"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["data"]
    for entry in body["data"]:
        assert {"id", "taxCode", "taxAmount", "jurisdiction", "name"} <= set(entry)
    assert sum((Decimal(str(entry["taxAmount"])) for entry in body["data"]), Decimal(0)) == taxed.item_tax


def test_given_a_payment_when_its_payment_method_is_queried_then_the_method_type_and_gateway_are_known(
    zuora_target: ZuoraTarget, zuora: ZuoraClient
) -> None:
    """Payment field descriptions (https://docs.zuora.com/en/zuora-platform/integration/apis/soap-api/soap-api-object-reference/payment/field-descriptions-of-payment):
    `PaymentMethodId`, `Gateway`; PaymentMethod (https://docs.zuora.com/zuora-platform/integration/apis/soap-api/soap-api-object-reference/paymentmethod):
    `Type` is one of ACH, Cash, Check, CreditCard, CreditCardReferenceTransaction, DebitCard, Other, PayPal,
    WireTransfer, BankTransfer, ... - what the connector's deposit rules match on."""
    pair = open_payment_and_invoice(zuora_target, zuora)
    (payment,) = list(zuora.query(f"select Id, PaymentMethodId, Gateway from Payment where Id = '{pair.payment_id}'"))  # noqa: S608
    assert payment.get("PaymentMethodId")
    (method,) = list(zuora.query(f"select Id, Type from PaymentMethod where Id = '{payment['PaymentMethodId']}'"))  # noqa: S608
    assert method["Type"] in {
        "ACH", "Cash", "Check", "CreditCard", "CreditCardReferenceTransaction", "DebitCard", "Other", "PayPal",
        "WireTransfer", "BankTransfer", "ApplePay", "GooglePay",
    }  # fmt: skip

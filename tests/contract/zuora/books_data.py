"""Records the books contract tests (issue 13) read or change on the designated test account.

In the simulator they are created through `zuora_target.simulator`, fresh for each test that changes them. On a real
tenant (Invoice Settlement) the tests find them with ZOQL / Object Query on the designated account, and skip with the
reason when the account has none (docs/contract-tests.md lists what the account needs). The tests that consume a
record (write-off, reversal) run on a real tenant only when its id is given (ZUORA_CONTRACT_WRITE_OFF_INVOICE_ID,
ZUORA_CONTRACT_REVERSE_INVOICE_ID): an invoice written off or reversed stays so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from tests.contract.zuora.conftest import ZuoraTarget
from zuora_netsuite.adapters.zuora.client import ZuoraClient

OLD = {"CreatedDate": "2026-11-02T09:00:00.000+00:00", "UpdatedDate": "2026-11-02T09:30:00.000+00:00"}


def first(rows: Any, what: str) -> dict[str, Any]:
    row = next(iter(rows), None)
    if row is None:
        pytest.skip(f"the test account has no {what} (docs/contract-tests.md, 'Books')")
    return dict(row)


@dataclass(frozen=True)
class TaxedInvoice:
    invoice_id: str
    item_id: str
    item_tax: Decimal


def taxed_invoice(target: ZuoraTarget, zuora: ZuoraClient) -> TaxedInvoice:
    """A posted invoice with an item taxed by two taxation items (two codes, two jurisdictions)."""
    sim = target.simulator
    if sim is None:
        account = target.test_account_id
        invoices = zuora.query(f"select Id from Invoice where AccountId = '{account}' and TaxAmount > 0")  # noqa: S608
        for invoice in invoices:
            zoql = f"select Id, TaxAmount from InvoiceItem where InvoiceId = '{invoice['Id']}' and TaxAmount > 0"  # noqa: S608
            item = next(iter(zuora.query(zoql)), None)
            if item is not None:
                return TaxedInvoice(str(invoice["Id"]), str(item["Id"]), Decimal(str(item["TaxAmount"])))
        pytest.skip("the test account has no taxed invoice (docs/contract-tests.md, 'Books')")
    invoice = sim.put(
        "Invoice",
        {"AccountId": target.test_account_id, "InvoiceNumber": f"INV-TAX-{sim.new_id()[:6]}", "Status": "Posted",
         "InvoiceDate": "2026-11-01", "Amount": 119.5, "AmountWithoutTax": 100, "TaxAmount": 19.5, "Balance": 119.5,
         **OLD},
    )  # fmt: skip
    item = sim.put(
        "InvoiceItem",
        {"InvoiceId": invoice, "ChargeName": "Seats", "Quantity": 1, "ChargeAmount": 100, "TaxAmount": 19.5,
         "ServiceStartDate": "2026-11-01", "ServiceEndDate": "2026-11-30", "ProcessingType": "Charge", **OLD},
    )  # fmt: skip
    for code, jurisdiction, rate, amount in (("VAT-DE", "DE", 0.19, 19), ("CITY-B", "Berlin", 0.005, 0.5)):
        sim.put(
            "TaxationItem",
            {"InvoiceItemId": item, "Name": f"{code} tax", "TaxCode": code, "Jurisdiction": jurisdiction,
             "TaxRate": rate, "TaxRateType": "Percentage", "TaxAmount": amount, "TaxDate": "2026-11-01", **OLD},
        )  # fmt: skip
    return TaxedInvoice(invoice, item, Decimal("19.5"))


@dataclass(frozen=True)
class TaxedMemoItem:
    credit_memo_id: str
    item_id: str
    item_tax: Decimal


def taxed_credit_memo_item(target: ZuoraTarget, zuora: ZuoraClient) -> TaxedMemoItem:
    sim = target.simulator
    if sim is None:
        memo = first(
            (
                m
                for m in zuora.object_query(
                    "credit-memos", filters=(f"accountid.EQ:{target.test_account_id}", "status.EQ:Posted")
                )
                if m.get("taxAmount")
            ),
            "credit memo with tax",
        )
        item = first(
            (i for i in zuora.rest_get_pages(f"/v1/credit-memos/{memo['id']}/items", "items") if i.get("taxAmount")),
            "credit memo item with tax",
        )
        return TaxedMemoItem(str(memo["id"]), str(item["id"]), Decimal(str(item["taxAmount"])))
    memo = sim.put(
        "CreditMemo",
        {"AccountId": target.test_account_id, "MemoNumber": f"CM-TAX-{sim.new_id()[:6]}", "Status": "Posted",
         "MemoDate": "2026-11-03", "TotalAmount": 23.8, "TaxAmount": 3.8, "Balance": 23.8, **OLD},
    )  # fmt: skip
    item = sim.put(
        "CreditMemoItem",
        {"CreditMemoId": memo, "ChargeName": "Seats", "Quantity": 1, "Amount": 20, "TaxAmount": 3.8, **OLD},
    )
    sim.put(
        "CreditTaxationItem",
        {"CreditMemoItemId": item, "CreditMemoId": memo, "Name": "VAT", "TaxCode": "VAT-DE", "Jurisdiction": "DE",
         "TaxRate": 0.19, "TaxRateType": "Percentage", "TaxAmount": 3.8, "TaxDate": "2026-11-03", **OLD},
    )  # fmt: skip
    return TaxedMemoItem(memo, item, Decimal("3.8"))


@dataclass(frozen=True)
class OpenPair:
    """An unapplied (part of a) payment and an open invoice of the same account."""

    payment_id: str
    invoice_id: str


def open_payment_and_invoice(target: ZuoraTarget, zuora: ZuoraClient) -> OpenPair:
    sim = target.simulator
    account = target.test_account_id
    if sim is None:
        payment = first(
            zuora.object_query(
                "payments",
                filters=(f"accountid.EQ:{account}", "status.EQ:Processed", "unappliedamount.GT:0"),
                page_size=1,
            ),
            "processed payment with an unapplied amount",
        )
        invoice = first(
            zuora.object_query(
                "invoices", filters=(f"accountid.EQ:{account}", "status.EQ:Posted", "balance.GT:0"), page_size=1
            ),
            "posted invoice with a balance",
        )
        return OpenPair(str(payment["id"]), str(invoice["id"]))
    method = sim.put("PaymentMethod", {"AccountId": account, "Type": "CreditCard", "CreditCardType": "Visa", **OLD})
    payment = sim.put(
        "Payment",
        {"AccountId": account, "PaymentNumber": f"P-OPEN-{sim.new_id()[:6]}", "EffectiveDate": "2026-11-04",
         "Status": "Processed", "Type": "Electronic", "Amount": 80, "AppliedAmount": 0, "UnappliedAmount": 80,
         "RefundAmount": 0, "PaymentMethodId": method, "Gateway": "Stripe", "GatewayId": "g" * 32, **OLD},
    )  # fmt: skip
    invoice = posted_invoice(target, amount=50)
    return OpenPair(payment, invoice)


def posted_invoice(target: ZuoraTarget, *, amount: float, discount: float = 0) -> str:
    """A posted, unpaid invoice in the simulator (a charge line, and a discount line when `discount`)."""
    sim = target.simulator
    assert sim is not None
    total = amount - discount
    invoice = sim.put(
        "Invoice",
        {"AccountId": target.test_account_id, "InvoiceNumber": f"INV-OPEN-{sim.new_id()[:6]}", "Status": "Posted",
         "InvoiceDate": "2026-11-01", "Amount": total, "AmountWithoutTax": total, "TaxAmount": 0, "Balance": total,
         "TransferredToAccounting": "Yes", **OLD},
    )  # fmt: skip
    sim.put(
        "InvoiceItem",
        {"InvoiceId": invoice, "ChargeName": "Seats", "Quantity": 1, "ChargeAmount": amount, "TaxAmount": 0,
         "ProcessingType": "Charge", **OLD},
    )  # fmt: skip
    if discount:
        sim.put(
            "InvoiceItem",
            {"InvoiceId": invoice, "ChargeName": "10% off", "Quantity": 1, "ChargeAmount": -discount, "TaxAmount": 0,
             "ProcessingType": "Discount", **OLD},
        )  # fmt: skip
    return invoice

"""The books cases of the data set (sandbox/dataset_books.py): deterministic and consistent, as the e2e test of
issue 13 will rely on."""

from __future__ import annotations

from decimal import Decimal

from sandbox.dataset import generate_dataset
from sandbox.dataset_books import UNMAPPED_TAX_CODE, add_books_cases
from sandbox.dataset_transactions import add_transactions


def _dataset():  # type: ignore[no-untyped-def]
    dataset = add_transactions(generate_dataset(seed=3, accounts=40, charges=20), invoices=20)
    return dataset, add_books_cases(dataset)


def test_given_the_same_seed_then_the_books_cases_are_the_same() -> None:
    (first, first_cases), (second, second_cases) = _dataset(), _dataset()
    assert first_cases == second_cases
    assert first.zuora_objects["TaxationItem"] == second.zuora_objects["TaxationItem"]


def test_given_the_books_cases_then_every_invoice_adds_up_and_taxes_match_their_taxation_items() -> None:
    dataset, cases = _dataset()
    objects = dataset.zuora_objects
    items_of: dict[str, list[dict[str, object]]] = {}
    for item in objects["InvoiceItem"]:
        items_of.setdefault(str(item["InvoiceId"]), []).append(item)
    taxes_of: dict[str, Decimal] = {}
    for tax in objects["TaxationItem"]:
        taxes_of[str(tax["InvoiceItemId"])] = taxes_of.get(str(tax["InvoiceItemId"]), Decimal(0)) + Decimal(
            str(tax["TaxAmount"])
        )
    for invoice_id in [*cases.taxed_invoices, *cases.discount_invoices]:
        invoice = next(i for i in objects["Invoice"] if i["Id"] == invoice_id)
        items = items_of[invoice_id]
        lines = sum((Decimal(str(i["ChargeAmount"])) + Decimal(str(i["TaxAmount"])) for i in items), Decimal(0))
        assert lines == Decimal(str(invoice["Amount"]))
        for item in items:
            assert item["ServiceStartDate"]
            assert item["ServiceEndDate"]
            if invoice_id in cases.taxed_invoices:
                assert taxes_of[str(item["Id"])] == Decimal(str(item["TaxAmount"]))
    assert any(reason == UNMAPPED_TAX_CODE for reason in dataset.expected_reasons.values())
    payments = {p["Id"]: p for p in objects["Payment"]}
    for payment_id in cases.unapplied_payments:
        assert payments[payment_id]["UnappliedAmount"] == payments[payment_id]["Amount"]

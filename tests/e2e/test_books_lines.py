"""The books cases of lines (issue 13: sandbox/dataset_books.py, add_tax_and_discount_cases) through one sandbox
cycle: invoices taxed under two Zuora tax codes get one tax line per code on the NetSuite tax item configured for
it, discount lines go to the discount item, every line carries its service period as revenue recognition dates,
the lines of the charge with a revenue recognition template carry it, and an invoice taxed under a code nobody
mapped stays in Zuora with a reason naming the code."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sandbox import zuora_mutations
from sandbox.dataset import ZUORA_ERROR_FIELD, generate_dataset
from sandbox.dataset_books import (
    BOOKS_TAX_CODES,
    REV_REC_TEMPLATE_ID,
    UNMAPPED_TAX_CODE,
    BooksCases,
    add_tax_and_discount_cases,
)
from sandbox.dataset_transactions import add_transactions
from sandbox.netsuite_ledger import netsuite_shapes, shape_differences, zuora_shapes
from sandbox.stack import Sandbox, SandboxOptions
from zuora_netsuite import wiring
from zuora_netsuite.models.record_types import RecordType, external_id

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def synced() -> Iterator[tuple[Sandbox, BooksCases]]:
    # Given a small data set with the books cases of lines (taxes under two codes, discounts, service dates)
    dataset = add_transactions(generate_dataset(seed=13, accounts=6, charges=4), invoices=6)
    cases = add_tax_and_discount_cases(dataset, invoices=6)
    with Sandbox(SandboxOptions(seed=13), dataset=dataset) as sandbox, sandbox.function_environment():
        # When one sync cycle runs
        sandbox.run_cycle()
        yield sandbox, cases


def netsuite_document(sandbox: Sandbox, invoice_id: str) -> dict[str, Any]:
    eid = external_id(RecordType.INVOICE, invoice_id)
    found = [r for t in ("invoice", "creditMemo") for r in sandbox.netsuite.records(t) if r.get("externalId") == eid]
    assert found, f"{eid} is not in NetSuite: {sandbox.zuora.get('Invoice', invoice_id)}"
    return found[0]


def lines(record: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (record.get("item") or {}).get("items") or []
    return items


def test_each_tax_code_is_one_line_on_its_tax_item(synced: tuple[Sandbox, BooksCases]) -> None:
    sandbox, cases = synced
    tax_items = {item_id: code for code, item_id in sandbox.tax_items_by_code.items()}
    assert set(tax_items.values()) == set(BOOKS_TAX_CODES)
    for invoice_id in cases.taxed_invoices:
        record = netsuite_document(sandbox, invoice_id)
        taxed = {tax_items[str(line["item"]["id"])]: Decimal(str(line["amount"])) for line in lines(record)
                 if str(line["item"].get("id")) in tax_items}  # fmt: skip
        # Then the invoice has one line per code, each the sum of that code's Zuora taxation items
        items = {str(i["Id"]) for i in sandbox.dataset.zuora_objects["InvoiceItem"] if i["InvoiceId"] == invoice_id}
        expected: dict[str, Decimal] = {}
        for taxation in sandbox.dataset.zuora_objects["TaxationItem"]:
            if taxation["InvoiceItemId"] in items:
                code = str(taxation["TaxCode"])
                expected[code] = expected.get(code, Decimal(0)) + Decimal(str(taxation["TaxAmount"]))
        assert taxed == expected


def test_discount_lines_are_on_the_discount_item(synced: tuple[Sandbox, BooksCases]) -> None:
    sandbox, cases = synced
    for invoice_id in cases.discount_invoices:
        discount_lines = [
            line for line in lines(netsuite_document(sandbox, invoice_id))
            if str(line["item"].get("id")) == sandbox.discount_item_id
        ]  # fmt: skip
        assert len(discount_lines) == 1
        assert Decimal(str(discount_lines[0]["amount"])) < 0


def test_every_synced_invoice_line_carries_its_service_period(synced: tuple[Sandbox, BooksCases]) -> None:
    sandbox, cases = synced
    periods = {
        str(i["InvoiceId"]): (i["ServiceStartDate"], i["ServiceEndDate"])
        for i in sandbox.dataset.zuora_objects["InvoiceItem"]
    }
    checked = 0
    for invoice_id in cases.taxed_invoices + cases.discount_invoices:
        start, end = periods[invoice_id]
        charge_lines = [line for line in lines(netsuite_document(sandbox, invoice_id)) if "revRecStartDate" in line]
        assert charge_lines
        for line in charge_lines:
            assert str(line["revRecStartDate"])[:10] == start
            assert str(line["revRecEndDate"])[:10] == end
            checked += 1
    assert checked >= len(cases.taxed_invoices)
    date.fromisoformat(start)  # the data set's dates are ISO dates


def test_lines_of_the_charge_with_a_template_carry_it(synced: tuple[Sandbox, BooksCases]) -> None:
    sandbox, cases = synced
    assert cases.rev_rec_template_invoices
    for invoice_id in cases.rev_rec_template_invoices:
        (line,) = lines(netsuite_document(sandbox, invoice_id))
        assert str(line["revRecSchedule"]["id"]) == REV_REC_TEMPLATE_ID
        assert line["revRecStartDate"]


def test_an_invoice_under_an_unmapped_tax_code_is_an_error_naming_the_code(synced: tuple[Sandbox, BooksCases]) -> None:
    sandbox, _ = synced
    unmapped = [i for i, reason in sandbox.dataset.expected_reasons.items() if reason == UNMAPPED_TAX_CODE]
    assert unmapped
    for invoice_id in unmapped:
        invoice = sandbox.zuora.get("Invoice", invoice_id) or {}
        assert f'Zuora tax code "{UNMAPPED_TAX_CODE}"' in str(invoice.get(ZUORA_ERROR_FIELD))
        assert "tax.items_by_code" in str(invoice.get(ZUORA_ERROR_FIELD))


def test_synced_invoices_and_memos_have_the_zuora_shape(synced: tuple[Sandbox, BooksCases]) -> None:
    sandbox, cases = synced
    found = netsuite_shapes(wiring.netsuite_client())
    expected = zuora_shapes(sandbox.dataset.zuora_objects)
    documents = [eid for eid in expected if eid in found]
    assert {external_id(RecordType.INVOICE, i) for i in cases.taxed_invoices} <= set(documents)
    assert shape_differences(expected, found, documents) == []


def test_a_reversed_taxed_invoice_credit_memo_gets_one_tax_line_per_code(synced: tuple[Sandbox, BooksCases]) -> None:
    sandbox, cases = synced
    # Given a synced invoice taxed under two codes, reversed in Zuora after it synced (a credit memo mirroring its
    # items and their taxation items, applied to it: sandbox/zuora_mutations.py)
    invoice_id = cases.taxed_invoices[0]
    status, answer = zuora_mutations.route(sandbox.zuora, "PUT", f"/v1/invoices/{invoice_id}/reverse", {}) or (0, {})
    assert status == 200, answer
    memo_id = str(answer["creditMemo"]["id"])
    # When the next cycle runs
    sandbox.run_cycle()
    # Then the credit memo's tax is one line per code on the code's tax item, from the memo items' taxation items
    memo = next(
        r for r in sandbox.netsuite.records("creditMemo")
        if r.get("externalId") == external_id(RecordType.CREDIT_MEMO, memo_id)
    )  # fmt: skip
    tax_items = {item_id: code for code, item_id in sandbox.tax_items_by_code.items()}
    codes = [tax_items[str(line["item"]["id"])] for line in lines(memo) if str(line["item"].get("id")) in tax_items]
    assert sorted(codes) == sorted(BOOKS_TAX_CODES)
    # And its charge lines carry the invoice items' service periods
    assert all("revRecStartDate" in line for line in lines(memo) if str(line["item"].get("id")) not in tax_items)

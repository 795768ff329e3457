"""Lines the books can use (issue 13): revenue recognition dates and templates, one tax line per Zuora tax code on
the mapped NetSuite tax item (a missing mapping names the code), discount charges on the discount item."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from sandbox.dataset import ZUORA_ERROR_FIELD
from tests.unit.logic.conftest import charge
from tests.unit.transactions.conftest import ACCOUNT_ID, CHARGE_ID, INVOICE_ID, STAMP, Ledger, sync_config
from tests.unit.transactions.conftest import sync_record as sync
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.settings import SyncConfig

DISCOUNT_CHARGE_ID = "d" * 32
MEMO_ID = "5" * 32


def configure(ledger: Ledger, **settings: Any) -> None:
    ledger.config = sync_config(**settings)


def lines_of(ledger: Ledger, record_type: str = "invoice") -> list[dict[str, Any]]:
    body = next(body for kind, _, body in reversed(ledger.netsuite.writes) if kind == record_type)
    items: list[dict[str, Any]] = body["item"]["items"]
    return items


def reason(ledger: Ledger, zuora_object: str = "Invoice", record_id: str = INVOICE_ID) -> str:
    return str(ledger.zuora.get(zuora_object, record_id)[ZUORA_ERROR_FIELD])


def item_ids(ledger: Ledger) -> list[str]:
    return sorted(row["Id"] for row in ledger.zuora.objects["InvoiceItem"].values())


def add_taxation(ledger: Ledger, item_id: str, *taxes: tuple[str, str, str]) -> None:
    """Taxation items of one invoice item: (tax code, jurisdiction, amount)."""
    for number, (code, jurisdiction, amount) in enumerate(taxes):
        ledger.zuora.put(
            "TaxationItem",
            {
                "Id": f"{item_id}-tx{number:02d}",
                "InvoiceItemId": item_id,
                "TaxCode": code,
                "Jurisdiction": jurisdiction,
                "TaxAmount": amount,
                **STAMP,
            },
        )


def taxed_invoice(ledger: Ledger) -> None:
    """An invoice of two items (100 + 50) taxed under VAT-DE (19%) and CITY-B (0.5%) in two jurisdictions."""
    ledger.add_invoice(amounts=(Decimal("100.00"), Decimal("50.00")), Amount=Decimal("179.25"), TaxAmount="29.25")
    first, second = item_ids(ledger)
    for item_id, amount in ((first, "100.00"), (second, "50.00")):
        ledger.zuora.objects["InvoiceItem"][item_id]["TaxAmount"] = Decimal(amount) * Decimal("0.195")
    add_taxation(ledger, first, ("VAT-DE", "DE", "19.00"), ("CITY-B", "Berlin", "0.50"))
    add_taxation(ledger, second, ("VAT-DE", "DE", "9.50"), ("CITY-B", "Berlin", "0.25"))


# --- revenue recognition ---------------------------------------------------------------------------------------


def test_every_line_carries_its_service_period_as_revenue_recognition_dates(ledger: Ledger) -> None:
    # Given an invoice whose item covers November
    ledger.add_invoice()
    (item_id,) = item_ids(ledger)
    ledger.zuora.objects["InvoiceItem"][item_id].update(ServiceStartDate="2026-11-01", ServiceEndDate="2026-11-30")
    # When it syncs with the default configuration
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    # Then its line is recognised over November, with no template
    (line,) = lines_of(ledger)
    assert (line["revRecStartDate"], line["revRecEndDate"]) == (date(2026, 11, 1), date(2026, 11, 30))
    assert "revRecSchedule" not in line


def test_revenue_mode_off_sends_no_revenue_recognition_field(ledger: Ledger) -> None:
    configure(ledger, revenue={"mode": "off"})
    ledger.add_invoice()
    (item_id,) = item_ids(ledger)
    ledger.zuora.objects["InvoiceItem"][item_id].update(ServiceStartDate="2026-11-01", ServiceEndDate="2026-11-30")
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    assert not [key for key in lines_of(ledger)[0] if key.startswith("revRec")]


def test_a_charge_with_a_template_puts_it_on_its_lines_and_a_line_without_dates_fails_naming_it(
    ledger: Ledger,
) -> None:
    # Given the charge mapped to revenue recognition template 3
    configure(ledger, revenue={"templates": {CHARGE_ID: "3"}})
    ledger.add_invoice()
    (item_id,) = item_ids(ledger)
    ledger.zuora.objects["InvoiceItem"][item_id].update(ServiceStartDate="2026-11-01", ServiceEndDate="2026-11-30")
    # When the invoice syncs, then its line carries the template and the dates
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    (line,) = lines_of(ledger)
    assert line["revRecSchedule"] == {"id": "3"}
    assert line["revRecStartDate"] == date(2026, 11, 1)
    # And a second invoice of that charge without a service period is a validation error naming the template
    other = "9" * 32
    ledger.add_invoice(other, InvoiceNumber="INV00099")
    assert sync(ledger, RecordType.INVOICE, other) is SyncOutcome.WARNING
    assert "no service period" in reason(ledger, record_id=other)
    assert "revenue.templates" in reason(ledger, record_id=other)


def test_a_service_period_ending_before_it_starts_is_a_validation_error(ledger: Ledger) -> None:
    ledger.add_invoice()
    (item_id,) = item_ids(ledger)
    ledger.zuora.objects["InvoiceItem"][item_id].update(ServiceStartDate="2026-11-30", ServiceEndDate="2026-11-01")
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.WARNING
    assert "service period ending 2026-11-01 before it starts 2026-11-30" in reason(ledger)


def test_templates_or_rules_with_revenue_mode_off_are_refused_at_configuration() -> None:
    for kind in ("templates", "rules"):
        with pytest.raises(ValidationError, match=r"revenue\.templates and revenue\.rules need revenue\.mode 'dates'"):
            SyncConfig.model_validate({"revenue": {"mode": "off", kind: {"c": "3"}}})


def test_an_arm_rule_goes_on_the_charges_item_and_its_lines_need_a_service_period(ledger: Ledger) -> None:
    # Given the charge mapped to the ARM revenue recognition rule 1, and an invoice of it without a service period
    configure(ledger, revenue={"rules": {CHARGE_ID: "1"}})
    ledger.add_invoice()
    # When the invoice syncs
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.WARNING
    # Then it is a validation error naming the rule
    assert "revenue recognition rule 1 (revenue.rules)" in reason(ledger)
    # And the item, synced on its own, carries the rule
    assert sync(ledger, RecordType.ITEM, CHARGE_ID) is SyncOutcome.SYNCED
    item = next(body for kind, _, body in ledger.netsuite.writes if kind == "serviceSaleItem")
    assert item["revenueRecognitionRule"] == {"id": "1"}


# --- tax per code ----------------------------------------------------------------------------------------------


def test_each_zuora_tax_code_becomes_one_tax_line_on_its_netsuite_tax_item(ledger: Ledger) -> None:
    # Given VAT-DE and CITY-B mapped to NetSuite tax items 901 and 902, and an invoice taxed under both
    configure(ledger, tax={"items_by_code": {"VAT-DE": "901", "CITY-B": "902"}})
    taxed_invoice(ledger)
    # When it syncs
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    # Then after the two charge lines come one line per code, on its item, with its total, adding up exactly
    lines = lines_of(ledger)
    tax = [(line["item"], line["description"], line["amount"]) for line in lines[2:]]
    assert tax == [
        ({"id": "902"}, "Tax CITY-B (Berlin)", Decimal("0.75")),
        ({"id": "901"}, "Tax VAT-DE (DE)", Decimal("28.50")),
    ]
    assert sum(line["amount"] for line in lines) == Decimal("179.25")
    # And the taxation items were read only for the invoice's items (one query)
    assert len([q for q in ledger.zuora.queries if "from TaxationItem" in q]) == 1


def test_a_tax_code_without_a_netsuite_tax_item_fails_validation_naming_the_code(ledger: Ledger) -> None:
    # Given only VAT-DE mapped (the older tax_item_id still set)
    configure(ledger, tax={"items_by_code": {"VAT-DE": "901"}})
    taxed_invoice(ledger)
    # When the invoice syncs, then nothing is written and the reason names the code and the setting
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.WARNING
    assert 'Zuora tax code "CITY-B", which has no NetSuite tax item (sync config tax.items_by_code)' in reason(ledger)
    assert "invoice" not in ledger.netsuite.records


def test_without_a_code_map_each_code_still_gets_its_own_line_on_the_default_tax_item(ledger: Ledger) -> None:
    configure(ledger, tax={"default_item_id": "950"})
    taxed_invoice(ledger)
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    tax = lines_of(ledger)[2:]
    assert [(line["item"], line["amount"]) for line in tax] == [
        ({"id": "950"}, Decimal("0.75")),
        ({"id": "950"}, Decimal("28.50")),
    ]


def test_taxation_items_that_do_not_add_up_to_the_tax_amount_fail_validation(ledger: Ledger) -> None:
    configure(ledger, tax={"items_by_code": {"VAT-DE": "901", "CITY-B": "902"}})
    taxed_invoice(ledger)
    ledger.zuora.get("Invoice", INVOICE_ID).update(TaxAmount="30.00", Amount="180.00")
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.WARNING
    assert "taxation items add up to 29.25 USD of tax but its TaxAmount is 30.00 USD" in reason(ledger)


def test_tax_lines_carry_the_netsuite_tax_code_of_their_zuora_code(ledger: Ledger) -> None:
    configure(
        ledger,
        tax={"items_by_code": {"VAT-DE": "901", "CITY-B": "902"}},
        tax_codes={"VAT-DE": "7", "CITY-B": "8"},
        default_tax_code_id="6",
    )
    taxed_invoice(ledger)
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    assert [line["taxCode"] for line in lines_of(ledger)[2:]] == [{"id": "8"}, {"id": "7"}]


def test_a_credit_memo_gets_one_tax_line_per_code_from_its_items_taxation_items(ledger: Ledger) -> None:
    # Given a credit memo whose item carries VAT-DE and CITY-B tax, served by the item's taxation-items resource
    configure(ledger, tax={"items_by_code": {"VAT-DE": "901", "CITY-B": "902"}})
    ledger.zuora.put(
        "CreditMemo",
        {
            "Id": MEMO_ID, "AccountId": ACCOUNT_ID, "MemoNumber": "CM00007", "MemoDate": "2026-11-10",
            "Status": "Posted", "TotalAmount": "119.50", "TaxAmount": "19.50", **STAMP,
        },
    )  # fmt: skip
    item_id = f"{MEMO_ID[:30]}i1"
    ledger.zuora.put(
        "CreditMemoItem",
        {
            "Id": item_id, "CreditMemoId": MEMO_ID, "ProductRatePlanChargeId": CHARGE_ID, "ChargeName": "Pro Monthly",
            "Amount": "100.00", "TaxAmount": "19.50", "ServiceStartDate": "2026-11-01",
            "ServiceEndDate": "2026-11-30", **STAMP,
        },
    )  # fmt: skip
    taxes = [{"id": "t1", "taxCode": "VAT-DE", "taxAmount": 19, "jurisdiction": "DE"}]
    taxes.append({"id": "t2", "taxCode": "CITY-B", "taxAmount": 0.5, "jurisdiction": "Berlin"})
    serve_memo_taxation(ledger, f"/v1/credit-memos/{MEMO_ID}/items/{item_id}/taxation-items", taxes)
    # When it syncs
    assert sync(ledger, RecordType.CREDIT_MEMO, MEMO_ID) is SyncOutcome.SYNCED
    # Then its charge line carries the service period and each code its own tax line
    lines = lines_of(ledger, "creditMemo")
    assert lines[0]["revRecEndDate"] == date(2026, 11, 30)
    assert [(line["item"], line["amount"]) for line in lines[1:]] == [
        ({"id": "902"}, Decimal("0.50")),
        ({"id": "901"}, Decimal("19.00")),
    ]


def serve_memo_taxation(ledger: Ledger, path: str, rows: Sequence[dict[str, Any]]) -> None:
    """The fake Zuora answers a memo item's taxation-items resource as Zuora documents it."""
    original = ledger.zuora.rest_get

    def rest_get(asked: str, params: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
        if asked == path:
            ledger.zuora.gets.append(asked)
            return {"data": list(rows), "success": True}
        return original(asked, params)

    ledger.zuora.rest_get = rest_get  # type: ignore[method-assign]


# --- discounts -------------------------------------------------------------------------------------------------


def discounted_invoice(ledger: Ledger) -> None:
    ledger.zuora.put("ProductRatePlanCharge", {**charge(DISCOUNT_CHARGE_ID), "ChargeModel": "Discount-Percentage"})
    ledger.add_invoice(amounts=(Decimal("100.00"),), Amount=Decimal("90.00"))
    ledger.zuora.put(
        "InvoiceItem",
        {
            "Id": f"{INVOICE_ID[:30]}99", "InvoiceId": INVOICE_ID, "ProductRatePlanChargeId": DISCOUNT_CHARGE_ID,
            "ChargeName": "Loyalty Discount", "Quantity": 1, "ChargeAmount": "-10.00", **STAMP,
        },
    )  # fmt: skip


def test_a_discount_charge_line_goes_to_the_configured_discount_item(ledger: Ledger) -> None:
    configure(ledger, discount_item_id="777")
    discounted_invoice(ledger)
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    lines = lines_of(ledger)
    assert [(line["item"], line["amount"]) for line in lines] == [
        ({"externalId": f"zuora-charge-{CHARGE_ID}"}, Decimal("100.00")),
        ({"id": "777"}, Decimal("-10.00")),
    ]


def test_without_a_discount_item_a_discount_line_stays_on_its_charge_item(ledger: Ledger) -> None:
    discounted_invoice(ledger)
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    assert lines_of(ledger)[1]["item"] == {"externalId": f"zuora-charge-{DISCOUNT_CHARGE_ID}"}

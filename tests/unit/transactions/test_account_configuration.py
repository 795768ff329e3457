"""What the NetSuite account's configuration asks of each write, from the sync configuration: items shared with
subsidiaries, tax codes on lines, custom forms and their mandatory fields, document numbers; and refusals caused
by that configuration explained with the setting to change."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from tests.unit.transactions.conftest import ACCOUNT_ID, CHARGE_ID, INVOICE_ID, Ledger, sync_config
from zuora_netsuite.failures import NetSuiteError
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.settings import SyncConfig


def configure(ledger: Ledger, **settings: Any) -> None:
    ledger.config = sync_config(**settings)


def sync(ledger: Ledger, record_type: RecordType, record_id: str) -> SyncOutcome:
    record_sync = ledger.record_sync()
    outcome = record_sync.sync(SyncRequest(record_type=record_type, record_id=record_id, run_id="run-1"), "m1")
    assert record_sync.write_backs.flush() == set()
    return outcome


def written(ledger: Ledger, record_type: str) -> dict[str, Any]:
    return next(body for kind, _, body in reversed(ledger.netsuite.writes) if kind == record_type)


# --- OneWorld: items shared with subsidiaries ------------------------------------------------------------------


def test_items_are_shared_with_the_configured_subsidiaries_and_their_children(ledger: Ledger) -> None:
    # Given items configured to be shared with the parent (by name) and subsidiary 2 (by id), children included
    configure(ledger, item_subsidiaries=["Parent Co", "2"], item_include_children=True)
    # When the charge syncs
    assert sync(ledger, RecordType.ITEM, CHARGE_ID) is SyncOutcome.SYNCED
    # Then the item lists both subsidiaries and shares them with their children
    body = written(ledger, "serviceSaleItem")
    assert body["subsidiary"] == {"items": [{"id": "1"}, {"id": "2"}]}
    assert body["includeChildren"] is True


def test_an_item_subsidiary_that_does_not_exist_fails_validation_naming_the_setting(ledger: Ledger) -> None:
    # Given item_subsidiaries naming a subsidiary NetSuite does not have
    configure(ledger, item_subsidiaries=["Parent Co : Atlantis"])
    # When the charge syncs
    assert sync(ledger, RecordType.ITEM, CHARGE_ID) is SyncOutcome.WARNING
    # Then nothing is written and the reason names the setting and the subsidiary
    assert ledger.netsuite.writes == []
    reason = ledger.zuora.get("ProductRatePlanCharge", CHARGE_ID)["IntegrationError__c"]
    assert 'item_subsidiaries: subsidiary "Parent Co : Atlantis" does not exist in NetSuite' in reason


def test_a_new_item_without_any_subsidiary_fails_validation_on_a_oneworld_account(ledger: Ledger) -> None:
    # Given no default subsidiary, no item_subsidiaries and a charge without Subsidiary__NS
    configure(ledger, classification_defaults={})
    # When the charge syncs
    assert sync(ledger, RecordType.ITEM, CHARGE_ID) is SyncOutcome.WARNING
    # Then the reason says how to give the item a subsidiary
    reason = ledger.zuora.get("ProductRatePlanCharge", CHARGE_ID)["IntegrationError__c"]
    assert "no subsidiary" in reason
    assert "item_subsidiaries" in reason


# --- tax codes on lines ------------------------------------------------------------------------------------------


def test_each_line_gets_the_netsuite_tax_code_of_its_zuora_tax_code_and_the_tax_line_the_default(
    ledger: Ledger,
) -> None:
    # Given tax codes mapped from Zuora, a default, and an invoice whose line has Zuora tax code "VAT-STD"
    configure(ledger, tax_codes={"VAT-STD": "7"}, default_tax_code_id="8")
    ledger.add_invoice(amounts=(Decimal("90.00"),), Amount=Decimal("108.00"), TaxAmount=Decimal("18.00"))
    line_id = next(iter(ledger.zuora.objects["InvoiceItem"]))
    ledger.zuora.objects["InvoiceItem"][line_id]["TaxCode"] = "VAT-STD"
    # When the invoice syncs
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    # Then the charge line carries tax code 7 and the tax line the default 8
    lines = written(ledger, "invoice")["item"]["items"]
    assert [line["taxCode"] for line in lines] == [{"id": "7"}, {"id": "8"}]


def test_a_zuora_tax_code_without_a_netsuite_tax_code_fails_validation_naming_it(ledger: Ledger) -> None:
    # Given tax codes mapped for "VAT-STD" only, no default, and a line with Zuora tax code "VAT-RED"
    configure(ledger, tax_codes={"VAT-STD": "7"})
    ledger.add_invoice(amounts=(Decimal("100"),))
    line_id = next(iter(ledger.zuora.objects["InvoiceItem"]))
    ledger.zuora.objects["InvoiceItem"][line_id]["TaxCode"] = "VAT-RED"
    # When the invoice syncs
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.WARNING
    # Then the reason names the Zuora tax code and the settings
    reason = ledger.zuora.get("Invoice", INVOICE_ID)["IntegrationError__c"]
    assert 'Zuora tax code "VAT-RED"' in reason
    assert "tax_codes" in reason


def test_without_tax_code_settings_no_line_carries_a_tax_code(ledger: Ledger) -> None:
    ledger.add_invoice(amounts=(Decimal("100"),))
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    assert all("taxCode" not in line for line in written(ledger, "invoice")["item"]["items"])


# --- custom forms and mandatory custom fields ----------------------------------------------------------------------


def test_the_configured_form_and_constant_custom_fields_go_on_the_body_and_every_line(ledger: Ledger) -> None:
    # Given a form and mandatory fields configured for invoices and customers
    configure(
        ledger,
        custom_forms={"invoice": "171", "customer": "-2"},
        constant_fields={
            "invoice": {"custbody_source": "Zuora", "custcol_channel": {"id": "3"}},
            "customer": {"custentity_region": "EMEA"},
        },
    )
    ledger.add_invoice(amounts=(Decimal("60"), Decimal("40")))
    # When the invoice syncs (its customer first)
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    # Then the invoice names its form, carries the body field, and every line the column field
    invoice = written(ledger, "invoice")
    assert (invoice["customForm"], invoice["custbody_source"]) == ({"id": "171"}, "Zuora")
    assert [line["custcol_channel"] for line in invoice["item"]["items"]] == [{"id": "3"}, {"id": "3"}]
    # And the customer its own form and field
    customer = written(ledger, "customer")
    assert (customer["customForm"], customer["custentity_region"]) == ({"id": "-2"}, "EMEA")


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"constant_fields": {"customer": {"custbody_x": "1"}}}, "constant_fields.customer.custbody_x"),
        ({"constant_fields": {"invoice": {"Region": "1"}}}, "constant_fields.invoice.Region"),
        ({"constant_fields": {"customerPayment": {"custcol_x": "1"}}}, "constant_fields.customerPayment.custcol_x"),
        ({"custom_forms": {"invoice": "Standard"}}, "custom_forms.invoice"),
        ({"custom_forms": {"salesOrder": "12"}}, "custom_forms.salesOrder"),
    ],
)
def test_a_wrong_form_or_custom_field_setting_is_refused_naming_it(settings: dict[str, Any], named: str) -> None:
    with pytest.raises(ValidationError) as refused:
        SyncConfig.model_validate(settings)
    assert named in str(refused.value).replace("\n  ", ".")


# --- document numbers ---------------------------------------------------------------------------------------------


def test_document_numbers_are_left_to_netsuite_for_the_types_configured_so(ledger: Ledger) -> None:
    # Given NetSuite numbering invoices itself, customers keeping the Zuora account number
    configure(ledger, send_document_numbers={"invoice": False})
    ledger.add_invoice(amounts=(Decimal("100"),))
    # When the invoice syncs
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    # Then the invoice has no tranId and the customer its entityId
    assert "tranId" not in written(ledger, "invoice")
    assert written(ledger, "customer")["entityId"] == "A00000001"


def test_a_refused_document_number_fails_with_the_setting_to_change(ledger: Ledger) -> None:
    # Given NetSuite refuses the customer's entityId (auto-generated, Allow Override off)
    ledger.netsuite.fail_next.append(
        NetSuiteError("You cannot enter your own number.", code="USER_ERROR", path="entityId", http_status=400)
    )
    # When the account syncs
    assert sync(ledger, RecordType.CUSTOMER, ACCOUNT_ID) is SyncOutcome.ERROR
    # Then the reason names the setting first, then NetSuite's words
    reason = ledger.zuora.get("Account", ACCOUNT_ID)["IntegrationError__c"]
    assert reason.startswith("NetSuite numbers customer records itself: set send_document_numbers.customer to false")
    assert "You cannot enter your own number." in reason


def test_an_item_unavailable_to_the_customers_subsidiary_fails_with_the_setting_to_change(ledger: Ledger) -> None:
    # Given customer and item in NetSuite, and NetSuite refusing the invoice's item for the customer's subsidiary
    ledger.add_invoice(amounts=(Decimal("100"),))
    sync(ledger, RecordType.CUSTOMER, ACCOUNT_ID)
    sync(ledger, RecordType.ITEM, CHARGE_ID)
    ledger.netsuite.fail_next.append(
        NetSuiteError(
            "Invalid item reference key 101 for subsidiary 2.",
            code="INVALID_KEY_OR_REF",
            path="item.items[0].item",
            http_status=400,
        )
    )
    # When the invoice syncs
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.ERROR
    # Then the reason points at item_subsidiaries
    reason = ledger.zuora.get("Invoice", INVOICE_ID)["IntegrationError__c"]
    assert "item_subsidiaries" in reason


def test_a_customer_id_netsuite_already_has_fails_pointing_at_link(ledger: Ledger) -> None:
    # Given NetSuite already has a customer with this Customer ID, made before the connector (issue 12)
    ledger.netsuite.fail_next.append(
        NetSuiteError(
            "A customer record with this ID already exists. You must enter a unique customer ID for each record you "
            "create.",
            code="USER_ERROR",
            path="entityId",
            http_status=400,
        )
    )
    # When the account syncs
    assert sync(ledger, RecordType.CUSTOMER, ACCOUNT_ID) is SyncOutcome.ERROR
    # Then the reason says to adopt it with `link`, not to change the numbering
    reason = ledger.zuora.get("Account", ACCOUNT_ID)["IntegrationError__c"]
    assert reason.startswith("a NetSuite customer made outside the connector already has this name")
    assert "connector_cli link" in reason

"""Invoices: lines, tax, negative invoices, parents first, and a reason naming the parent when it fails."""

from __future__ import annotations

from decimal import Decimal

from tests.unit.transactions.conftest import ACCOUNT_ID, CHARGE_ID, INVOICE_ID, Ledger
from zuora_netsuite.failures import FailureKind
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import SyncOutcome


def sync(ledger: Ledger, record_type: RecordType, record_id: str, run_id: str = "run-1") -> SyncOutcome:
    record_sync = ledger.record_sync()
    outcome = record_sync.sync(SyncRequest(record_type=record_type, record_id=record_id, run_id=run_id), "m1")
    assert record_sync.write_backs.flush() == set()
    return outcome


def test_an_invoice_arriving_before_its_customer_and_item_syncs_them_first(ledger: Ledger) -> None:
    # Given a posted invoice whose account and charge are not in NetSuite yet
    ledger.add_invoice(amounts=(Decimal("92.59"),), Amount=Decimal("100.00"), TaxAmount=Decimal("7.41"))
    # When the invoice syncs
    outcome = sync(ledger, RecordType.INVOICE, INVOICE_ID)
    # Then the customer and the item were written first, then the invoice
    assert outcome is SyncOutcome.SYNCED
    assert [w[0] for w in ledger.netsuite.writes] == ["customer", "serviceSaleItem", "invoice"]
    body = ledger.netsuite.writes[-1][2]
    assert body["entity"] == {"externalId": f"zuora-account-{ACCOUNT_ID}"}
    assert "subsidiary" not in body  # NetSuite takes the customer's
    # And the lines are the charge and the tax, adding up exactly to the Zuora amount
    lines = body["item"]["items"]
    assert lines[0]["item"] == {"externalId": f"zuora-charge-{CHARGE_ID}"}
    assert lines[1]["item"] == {"id": "900"}
    assert [line["amount"] for line in lines] == [Decimal("92.59"), Decimal("7.41")]
    # And Zuora knows all three are in NetSuite; the invoice is transferred to accounting
    zuora_invoice = ledger.zuora.get("Invoice", INVOICE_ID)
    assert zuora_invoice["TransferredToAccounting"] == "Yes"
    assert zuora_invoice["IntegrationStatus__NS"] == "Sync Complete"
    assert ledger.zuora.get("Account", ACCOUNT_ID)["IntegrationStatus__NS"] == "Sync Complete"


def test_a_negative_invoice_becomes_a_credit_memo_with_positive_lines(ledger: Ledger) -> None:
    ledger.add_invoice(amounts=(Decimal("-40.00"),), Amount=Decimal("-40.00"))
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    record_type, eid, body = ledger.netsuite.writes[-1]
    assert (record_type, eid) == ("creditMemo", f"zuora-invoice-{INVOICE_ID}")
    assert [line["amount"] for line in body["item"]["items"]] == [Decimal("40.00")]


def test_an_invoice_whose_item_fails_fails_permanently_naming_the_charge_and_the_reason(ledger: Ledger) -> None:
    # Given an invoice whose charge has no ItemType__NS
    ledger.zuora.get("ProductRatePlanCharge", CHARGE_ID).pop("ItemType__NS")
    ledger.add_invoice()
    # When the invoice syncs
    outcome = sync(ledger, RecordType.INVOICE, INVOICE_ID)
    # Then it is an error whose reason names the charge and why its item failed
    assert outcome is SyncOutcome.ERROR
    reason = ledger.zuora.get("Invoice", INVOICE_ID)["IntegrationError__c"]
    assert reason.startswith(f'Invoice INV00042: charge "Pro Monthly" ({CHARGE_ID}) has no NetSuite item: its item')
    assert "ItemType__NS is empty" in reason
    assert ledger.zuora.get("Invoice", INVOICE_ID)["TransferredToAccounting"] == "Error"
    state = ledger.state.get(RecordType.INVOICE, INVOICE_ID)
    assert state is not None
    assert state.error is not None
    assert state.error.kind is FailureKind.DEPENDENCY
    assert [letter.request.record_id for letter in ledger.queue.dead_letters] == [CHARGE_ID, INVOICE_ID]
    assert "invoice" not in ledger.netsuite.records


def test_the_invoice_syncs_on_its_own_once_the_parent_is_fixed(ledger: Ledger) -> None:
    # Given an invoice that failed because its charge was invalid
    ledger.zuora.get("ProductRatePlanCharge", CHARGE_ID).pop("ItemType__NS")
    ledger.add_invoice()
    sync(ledger, RecordType.INVOICE, INVOICE_ID, run_id="run-1")
    # When the charge is fixed in Zuora and the invoice is picked up again in the next run
    ledger.zuora.get("ProductRatePlanCharge", CHARGE_ID)["ItemType__NS"] = "Service"
    outcome = sync(ledger, RecordType.INVOICE, INVOICE_ID, run_id="run-2")
    # Then item and invoice are in NetSuite and the error is gone
    assert outcome is SyncOutcome.SYNCED
    assert len(ledger.netsuite.records["invoice"]) == 1
    assert ledger.zuora.get("Invoice", INVOICE_ID)["TransferredToAccounting"] == "Yes"
    assert "IntegrationError__c" not in ledger.zuora.get("Invoice", INVOICE_ID)


def test_items_that_do_not_add_up_to_the_invoice_amount_fail_validation(ledger: Ledger) -> None:
    ledger.add_invoice(amounts=(Decimal("90.00"),), Amount=Decimal("100.00"))
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.WARNING
    reason = ledger.zuora.get("Invoice", INVOICE_ID)["IntegrationError__c"]
    assert "the lines add up to 90.00 USD but the total is 100.00 USD" in reason
    assert ledger.netsuite.writes == []  # nothing written, not even the parents


def test_a_currency_netsuite_lacks_is_a_validation_error(ledger: Ledger) -> None:
    ledger.zuora.get("Account", ACCOUNT_ID)["Currency"] = "CHF"
    ledger.add_invoice()
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.WARNING
    assert 'currency "CHF" does not exist in NetSuite' in ledger.zuora.get("Invoice", INVOICE_ID)["IntegrationError__c"]

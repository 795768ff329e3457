"""Apply lines by NetSuite internal id (the parent's, from the connector's state), and transactions written so that
a re-send replaces their lines instead of adding to them (?replace=)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.unit.transactions.conftest import ACCOUNT_ID, INVOICE_ID, PAYMENT_ID, STAMP, Ledger, payment
from tests.unit.transactions.test_invoice_sync import sync
from zuora_netsuite.logic.recovery import RecordReset
from zuora_netsuite.mapping import MappingContext, mappings_for
from zuora_netsuite.mapping.base import ParentsNotInNetSuite
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import SyncOutcome

REFUND_ID = "5" * 32
TODAY = date(2026, 11, 20)


def test_an_invoice_synced_twice_is_written_with_replace_item_so_netsuite_keeps_one_set_of_lines(
    ledger: Ledger,
) -> None:
    # Given a synced invoice of two lines
    ledger.add_invoice(amounts=(Decimal("60"), Decimal("40")), Amount=Decimal("100"))
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    # When an operator resets it and it syncs again (the connector forgot what it sent: the body goes again)
    RecordReset(ledger.zuora, ledger.state, ledger.queue, ledger.config.zuora).reset(RecordType.INVOICE, INVOICE_ID)
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID, run_id="run-2") is SyncOutcome.SYNCED
    # Then both writes replaced the item sublist, and NetSuite holds the two lines once
    invoice_writes = [i for i, (t, _, _) in enumerate(ledger.netsuite.writes) if t == "invoice"]
    assert [ledger.netsuite.replaced[i] for i in invoice_writes] == [("item",), ("item",)]
    stored = ledger.netsuite.records["invoice"][f"zuora-invoice-{INVOICE_ID}"]
    assert [line["amount"] for line in stored["item"]["items"]] == [Decimal("60"), Decimal("40")]


def test_a_payment_whose_invoice_cannot_sync_fails_naming_the_invoice_and_is_not_written(ledger: Ledger) -> None:
    # Given a payment applied to an invoice whose lines do not add up to its amount (it cannot sync)
    ledger.add_invoice(amounts=(Decimal("10"),), Amount=Decimal("100"))
    ledger.zuora.put("Payment", payment())
    ledger.zuora.put("PaymentPart", {"Id": "pp1", "InvoiceId": INVOICE_ID, "PaymentId": PAYMENT_ID, "Amount": 100})
    # When the payment syncs
    outcome = sync(ledger, RecordType.PAYMENT, PAYMENT_ID)
    # Then it fails for good with a reason naming the invoice, and no payment reached NetSuite
    assert outcome is SyncOutcome.ERROR
    state = ledger.state.states[(RecordType.PAYMENT, PAYMENT_ID)]
    assert state.error is not None
    assert "invoice INV00042 has no NetSuite invoice" in state.error.message
    assert ledger.zuora.get("Payment", PAYMENT_ID)["IntegrationStatus__NS"] == "Error Creating Payment"
    assert "customerPayment" not in ledger.netsuite.records


def test_mapping_a_refund_whose_payment_has_no_netsuite_id_names_the_payment(ledger: Ledger) -> None:
    # Given a refund of a payment the connector has not synced
    ledger.zuora.put(
        "Refund",
        {"Id": REFUND_ID, "AccountId": ACCOUNT_ID, "RefundNumber": "R-00001", "RefundDate": "2026-11-08",
         "Status": "Processed", "Amount": 20, **STAMP},
    )  # fmt: skip
    ledger.zuora.put("RefundPart", {"Id": "rp1", "RefundId": REFUND_ID, "PaymentId": PAYMENT_ID, "Amount": 20})
    ledger.zuora.put("Payment", payment())
    mapping = mappings_for(ledger.config.zuora)[RecordType.REFUND]
    source = mapping.fetch(ledger.zuora, [REFUND_ID])[REFUND_ID]
    context = MappingContext(ledger.reference, ledger.config, TODAY)
    # When it is mapped without the payment's NetSuite id
    with pytest.raises(ParentsNotInNetSuite) as missing:
        mapping.map(source, context, is_update=False)
    # Then the mapping asks for that payment first, by its number
    assert [(p.record_type, p.record_id) for p in missing.value.parents] == [(RecordType.PAYMENT, PAYMENT_ID)]
    assert "payment P-00007 is not in NetSuite yet" in missing.value.reason
    # And with the id known, its apply line names the payment by internal id, and apply is replaced on re-send
    known = MappingContext(
        ledger.reference, ledger.config, TODAY, netsuite_id=lambda rt, rid: "321" if rid == PAYMENT_ID else None
    )
    mapped = mapping.map(source, known, is_update=False)
    assert mapped.body(is_update=False)["apply"]["items"] == [{"doc": {"id": "321"}, "apply": True, "amount": 20}]
    assert mapped.replace_sublists == ("apply",)

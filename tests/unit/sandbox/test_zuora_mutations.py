"""The simulator's hooks for changes made in the Zuora UI after a sync (sandbox/zuora_mutations.py), and the ledger
shape of documents taxed under several codes (sandbox/netsuite_ledger.py)."""

from __future__ import annotations

import uuid

import pytest

from sandbox.netsuite_ledger import zuora_shapes
from sandbox.zuora_mutations import cancel_invoice
from sandbox.zuora_simulator import ZuoraSimulator
from zuora_netsuite.models.record_types import RecordType, external_id

OLD = {"CreatedDate": "2026-11-02T09:00:00.000+00:00", "UpdatedDate": "2026-11-02T09:30:00.000+00:00"}


@pytest.fixture
def sim() -> ZuoraSimulator:
    return ZuoraSimulator(str(uuid.uuid4()), "secret")


def _invoice(sim: ZuoraSimulator, **fields: object) -> str:
    return sim.put(
        "Invoice",
        {"AccountId": "a" * 32, "InvoiceNumber": "INV-1", "Status": "Posted", "Amount": 100, "Balance": 100,
         "TransferredToAccounting": "Yes", "IntegrationId__NS": "901", **OLD, **fields},
    )  # fmt: skip


def test_given_a_synced_unpaid_invoice_when_cancelled_in_the_ui_then_it_is_canceled_with_no_balance_and_a_new_date(
    sim: ZuoraSimulator,
) -> None:
    """Zuora unposts then cancels: Status Canceled, Balance 0, UpdatedDate moves; TransferredToAccounting untouched
    (the connector must select it by status and date, docs/contract-tests.md)."""
    invoice = _invoice(sim)
    cancel_invoice(sim, invoice)
    record = sim.get("Invoice", invoice)
    assert record is not None
    assert record["Status"] == "Canceled"
    assert record["Balance"] == 0
    assert record["UpdatedDate"] > OLD["UpdatedDate"]
    assert record["TransferredToAccounting"] == "Yes"


def test_given_an_invoice_with_a_payment_applied_when_cancelled_then_zuora_refuses_to_unpost_it(
    sim: ZuoraSimulator,
) -> None:
    """ "Unpost Invoice": only an invoice with no payments, adjustments, memos from it or applied credit memos."""
    invoice = _invoice(sim, Balance=60)
    sim.put("PaymentPart", {"PaymentId": "p" * 32, "InvoiceId": invoice, "Amount": 40})
    with pytest.raises(ValueError, match="cannot unpost"):
        cancel_invoice(sim, invoice)
    record = sim.get("Invoice", invoice)
    assert record is not None
    assert record["Status"] == "Posted"


def test_given_an_invoice_taxed_under_two_codes_then_its_netsuite_shape_has_one_tax_line_per_code() -> None:
    objects = {
        "Invoice": [{"Id": "i1", "Amount": 119.5, "TaxAmount": 19.5}, {"Id": "i2", "Amount": 108, "TaxAmount": 8}],
        "InvoiceItem": [{"Id": "it1", "InvoiceId": "i1"}, {"Id": "it2", "InvoiceId": "i2"}],
        "TaxationItem": [
            {"Id": "t1", "InvoiceItemId": "it1", "TaxCode": "VAT-DE", "TaxAmount": 19},
            {"Id": "t2", "InvoiceItemId": "it1", "TaxCode": "CITY-B", "TaxAmount": 0.5},
        ],
    }
    shapes = zuora_shapes(objects)
    assert shapes[external_id(RecordType.INVOICE, "i1")].lines == 3  # one item, two tax codes
    assert shapes[external_id(RecordType.INVOICE, "i2")].lines == 2  # no taxation items: one tax line, as before

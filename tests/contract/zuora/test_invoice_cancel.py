"""An invoice cancelled after it synced (issue 13): what the connector relies on to credit it in NetSuite.

Zuora cancels a posted invoice by unposting it to Draft - "verify that the invoice has no payments or adjustments, no
non-cancelled memos created from it, and no applied credit memos"
(https://docs.zuora.com/zuora-platform/data-management/data-loader/data-dictionary-for-data-loader/update/invoices/unpost-invoice-update-fields)
- and then cancelling it: Status = Canceled. The connector lists such invoices with ZOQL by Status and by the
IntegrationId__NS it wrote when the invoice synced, and reads their items to mirror them on the credit memo. Where the
pages are silent (docs/contract-tests.md): the cancelled invoice keeps its custom fields (IntegrationId__NS) and its
items, and its Balance is 0.

In the simulator the invoice is created, marked synced and cancelled (the UI's unpost + cancel, the driver hook
sandbox/zuora_mutations.py cancel_invoice). On a real tenant a cancellation cannot be undone: the test reads the
invoice named by ZUORA_CONTRACT_CANCELED_INVOICE_ID (synced, then cancelled in the UI), and skips without it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from sandbox.zuora_mutations import cancel_invoice
from tests.contract.zuora.books_data import posted_invoice
from tests.contract.zuora.conftest import ZuoraTarget
from zuora_netsuite.adapters.zuora.client import ZuoraClient
from zuora_netsuite.mapping.cancellation import InvoiceCancellationMapping
from zuora_netsuite.settings import ZuoraTenant


def _cancelled_synced_invoice(target: ZuoraTarget) -> str:
    sim = target.simulator
    if sim is None:
        invoice_id = os.environ.get("ZUORA_CONTRACT_CANCELED_INVOICE_ID")
        if not invoice_id:
            pytest.skip("ZUORA_CONTRACT_CANCELED_INVOICE_ID names no invoice synced, then cancelled in the UI")
        return invoice_id
    invoice_id = posted_invoice(target, amount=80)
    sim.edit("Invoice", invoice_id, IntegrationId__NS="4242", IntegrationStatus__NS="Sync Complete")
    cancel_invoice(sim, invoice_id)
    return invoice_id


def test_given_a_synced_invoice_cancelled_in_zuora_then_zoql_lists_it_as_canceled_with_its_integration_id_and_items(
    zuora_target: ZuoraTarget, zuora: ZuoraClient
) -> None:
    invoice_id = _cancelled_synced_invoice(zuora_target)
    # When the connector lists the cancellations pending (its own ZOQL: Canceled, IntegrationId__NS set, Amount > 0)
    pending = InvoiceCancellationMapping(ZuoraTenant()).pending_query(datetime(1970, 1, 1, tzinfo=UTC))
    listed = {str(row["Id"]) for row in zuora.query(pending)}
    # Then the invoice is listed
    assert invoice_id in listed
    # and it is Canceled, with nothing open, and still names the NetSuite invoice it synced to
    zoql = f"select Id, Status, Balance, Amount, IntegrationId__NS from Invoice where Id = '{invoice_id}'"  # noqa: S608
    [row] = list(zuora.query(zoql))
    assert row["Status"] == "Canceled"
    assert Decimal(str(row["Balance"])) == 0
    assert Decimal(str(row["Amount"])) > 0
    assert row.get("IntegrationId__NS")
    # and its items are still read (the credit memo mirrors them)
    items = list(zuora.query(f"select Id, ChargeAmount from InvoiceItem where InvoiceId = '{invoice_id}'"))  # noqa: S608
    assert items

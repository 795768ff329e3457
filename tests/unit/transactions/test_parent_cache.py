"""The parents of a batch's records are read from the state table once per batch (one BatchGetItem), not once per
record and parent: a customer or item already in NetSuite costs no GetItem per invoice."""

from __future__ import annotations

from tests.unit.transactions.conftest import ACCOUNT_ID, CHARGE_ID, INVOICE_ID, Ledger
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import RecordState, SyncOutcome

INVOICES = [digit * 32 for digit in "34567"]  # distinct prefixes: the items take the first 30


class CountingGets:
    """Counts the state store's single-record reads."""

    def __init__(self, ledger: Ledger) -> None:
        self.keys: list[tuple[RecordType, str]] = []
        real_get = ledger.state.get

        def get(record_type: RecordType, record_id: str) -> RecordState | None:
            self.keys.append((record_type, record_id))
            return real_get(record_type, record_id)

        ledger.state.get = get  # type: ignore[method-assign]


def test_given_a_batch_of_invoices_of_one_customer_when_synced_then_the_parents_are_read_once(ledger: Ledger) -> None:
    # Given five invoices of one customer and one charge, the customer and the item already synced (with a first
    # invoice, which synced them first)
    for invoice_id in [INVOICE_ID, *INVOICES]:
        ledger.add_invoice(invoice_id)
    first = ledger.record_sync()
    assert first.sync(SyncRequest(record_type=RecordType.INVOICE, record_id=INVOICE_ID), "m0") is SyncOutcome.SYNCED
    batch_gets_before = ledger.state.batch_gets
    gets = CountingGets(ledger)
    # When the five invoices sync in one batch
    record_sync = ledger.record_sync()
    requests = [SyncRequest(record_type=RecordType.INVOICE, record_id=invoice_id) for invoice_id in INVOICES]
    record_sync.prefetch(requests)
    outcomes = [record_sync.sync(request, f"m{n}") for n, request in enumerate(requests)]
    # Then all synced, and no single-record read of the customer or the item was needed
    assert outcomes == [SyncOutcome.SYNCED] * 5
    assert (RecordType.CUSTOMER, ACCOUNT_ID) not in gets.keys
    assert (RecordType.ITEM, CHARGE_ID) not in gets.keys
    assert ledger.state.batch_gets - batch_gets_before <= 2  # the in-progress marks' read and the parents'

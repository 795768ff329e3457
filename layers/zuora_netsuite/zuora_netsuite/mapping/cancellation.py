"""An invoice cancelled in Zuora after it synced -> a NetSuite creditMemo that reverses it (issue 13, docs/mapping.md
"Changes after sync"; after_sync.canceled_invoice "credit_memo").

Zuora cancels a posted invoice by unposting it to Draft ("verify that the invoice has no payments or adjustments, no
non-cancelled memos created from it, and no applied credit memos",
https://docs.zuora.com/zuora-platform/data-management/data-loader/data-dictionary-for-data-loader/update/invoices/unpost-invoice-update-fields)
and then setting Status = Canceled: nothing is created that could sync, and NetSuite REST has no void
(docs/mapping.md). The connector credits the NetSuite invoice instead:

| Zuora Invoice (Status Canceled, IntegrationId__NS set) | NetSuite creditMemo                                  |
| Id                                      | externalId = zuora-invoicecancel-<Id> (never a second one)        |
| InvoiceNumber                           | memo "Cancellation of Zuora invoice <InvoiceNumber>"; no tranId:  |
|                                         | NetSuite numbers the credit memo (the invoice has the number)     |
| (the run date, UTC)                     | tranDate: the cancellation is booked in the open period           |
| AccountId, Account currency / classifications | entity, currency, department / class / location (as the invoice) |
| InvoiceItem / TaxationItem lines        | item.items[]: the invoice's own lines (mapping/transaction.py item_lines) |
| the NetSuite invoice (state, else IntegrationId__NS) | apply.items[0].doc, for what is open on it (at most Amount) |
| (always)                                | autoApply = false                                                 |

Its state lives only in the connector's state table (RecordTypeInfo.writes_back False): the invoice's own
IntegrationId__NS and IntegrationStatus__NS in Zuora are never touched. An invoice paid in NetSuite in the meantime
(Zuora refuses to cancel a paid one, so that is NetSuite-side cash) gets the credit memo applied to its open amount
only: the rest stays unapplied credit on the customer, which `reconcile` reports on the cancellation (refund it or
apply it in NetSuite).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from zuora_netsuite.adapters.zuora import zoql
from zuora_netsuite.failures import ValidationFailure
from zuora_netsuite.mapping.base import IGNORE, Mapped, MappingContext, Parent, SourceRecord, ZoqlPending
from zuora_netsuite.mapping.invoice import InvoiceMapping
from zuora_netsuite.mapping.transaction import (
    ZERO,
    TransactionSource,
    customer_parent,
    header,
    item_lines,
    item_parents,
    money,
)
from zuora_netsuite.models.netsuite import NetSuiteApplyLine, NetSuiteApplySublist, NetSuiteCreditMemo, RecordRef
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType, external_id
from zuora_netsuite.models.zuora import ZuoraInvoice
from zuora_netsuite.ports import NetSuiteApi, ZuoraApi

CANCELED = "Canceled"
CANCELLATION = RECORD_TYPES[RecordType.INVOICE_CANCELLATION]


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def open_to_credit(netsuite: NetSuiteApi, invoice_internal_id: str, memo_external_id: str) -> Decimal | None:
    """SuiteQL `transaction.foreignamountunpaid` of the invoice, plus `foreignpaymentamountused` of the
    cancellation's credit memo when it exists already (a retry after a crash: its own application counts as open,
    so the retry sends the same apply line, never a smaller one)."""
    if not invoice_internal_id.isdigit() or not all(c.isalnum() or c in "-_" for c in memo_external_id):
        return None
    invoice_rows = netsuite.suiteql(
        f"SELECT id, foreignamountunpaid FROM transaction WHERE id = {invoice_internal_id}"  # noqa: S608 - digits
    )
    unpaid = next(
        (_decimal(row.get("foreignamountunpaid")) for row in invoice_rows if str(row.get("id")) == invoice_internal_id),
        None,
    )
    if unpaid is None:
        return None
    memo_rows = netsuite.suiteql(
        "SELECT id, externalid, foreignpaymentamountused FROM transaction "  # noqa: S608 - checked characters
        f"WHERE externalid = '{memo_external_id}'"
    )
    used = next(
        (_decimal(r.get("foreignpaymentamountused")) for r in memo_rows if r.get("externalid") == memo_external_id),
        None,
    )
    return unpaid + (used or ZERO)


class InvoiceCancellationMapping(ZoqlPending):
    record_type = RecordType.INVOICE_CANCELLATION

    def pending_query(self, watermark: datetime, cutover: date | None = None) -> str:
        """Invoices cancelled after they synced (they keep their IntegrationId__NS), of a positive amount, not set
        to Ignore. The dispatcher leaves out those whose cancellation is Sync Complete in the state table."""
        where = zoql.all_of(
            zoql.eq("Status", CANCELED),
            zoql.not_null("IntegrationId__NS"),
            zoql.cond("Amount", ">", 0),
            zoql.is_null_or_not("IntegrationStatus__NS", IGNORE),
            zoql.ALL if cutover is None else zoql.cond("InvoiceDate", ">=", cutover),
        )
        return zoql.select("Invoice", ("Id", "UpdatedDate"), where)

    def fetch(self, zuora: ZuoraApi, ids: Sequence[str]) -> dict[str, SourceRecord]:
        """The invoice, its lines, taxation items and account: what its credit memo mirrors."""
        return InvoiceMapping(self.tenant).fetch(zuora, ids)

    def pending(self, zuora: ZuoraApi, watermark: datetime, cutover: date | None = None) -> Iterator[Mapping[str, Any]]:
        return zuora.query(self.pending_query(watermark, cutover))

    def describe(self, source: SourceRecord) -> str:
        invoice = cast(ZuoraInvoice, cast(TransactionSource, source).record)
        return f"Cancellation of invoice {invoice.number or invoice.id}"

    def parents(self, source: SourceRecord) -> list[Parent]:
        """The customer and the items (they synced with the invoice). The invoice itself is named by its NetSuite
        id from its state or its IntegrationId__NS: a cancelled invoice never syncs again."""
        transaction = cast(TransactionSource, source)
        return customer_parent(transaction) + item_parents(transaction)

    def map(self, source: SourceRecord, context: MappingContext, *, is_update: bool) -> Mapped:
        transaction = cast(TransactionSource, source)
        invoice = cast(ZuoraInvoice, transaction.record)
        problems: list[str] = []
        head = header(transaction, context, problems)
        total = money(invoice.amount, head.currency_code, "Amount", problems)
        if total <= ZERO and not problems:
            problems.append(
                f"its Amount is {total}: only an invoice of a positive amount is credited when cancelled; reverse it "
                "in NetSuite by hand"
            )
        lines = item_lines(transaction, head, context, total=total, tax=invoice.tax_amount, sign=1, problems=problems)
        invoice_netsuite_id = context.netsuite_id(RecordType.INVOICE, invoice.id) or invoice.integration_id
        if not invoice_netsuite_id:
            problems.append("the invoice is not in NetSuite (no IntegrationId__NS): there is nothing to credit")
        if problems or head.customer is None or not invoice_netsuite_id:
            raise ValidationFailure([f"{self.describe(source)}: {p}" for p in problems])
        memo_eid = external_id(RecordType.INVOICE_CANCELLATION, invoice.id)
        still_open = context.open_to_credit(invoice_netsuite_id, memo_eid)
        applied = total if still_open is None else max(ZERO, min(total, still_open))
        apply_lines = [NetSuiteApplyLine(doc=RecordRef(id=invoice_netsuite_id), amount=applied)] if applied else []
        memo = NetSuiteCreditMemo.model_validate(
            {
                "externalId": memo_eid,
                "tranDate": context.today,
                "memo": f"Cancellation of Zuora invoice {invoice.number or invoice.id}",
                **head.body_fields(),
                "item": lines,
                "apply": NetSuiteApplySublist(items=apply_lines) if apply_lines else None,
                "autoApply": False,
            }
        )
        return Mapped(CANCELLATION.netsuite_type, memo, replace_sublists=("item", "apply"))


__all__ = ["InvoiceCancellationMapping", "open_to_credit"]

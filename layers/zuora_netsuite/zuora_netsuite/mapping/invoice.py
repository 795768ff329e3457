"""Zuora Invoice (Posted) -> NetSuite invoice (amount >= 0) or creditMemo (amount < 0).

| Zuora Invoice / InvoiceItem             | NetSuite invoice (creditMemo when Amount < 0)                      |
| Id                                      | externalId = zuora-invoice-<Id>                                   |
| InvoiceNumber                           | tranId                                                            |
| InvoiceDate                             | tranDate                                                          |
| DueDate                                 | dueDate (invoices only)                                           |
| AccountId                               | entity = the customer with externalId zuora-account-<AccountId>   |
| Account.Currency                        | currency (base currency when multi-currency is off)               |
| Account Department__NS / Class__NS / Location__NS, else defaults | department / class / location      |
| InvoiceItem.ProductRatePlanChargeId     | item.items[].item = the item with externalId zuora-charge-<Id>    |
| InvoiceItem.ChargeName / Quantity       | item.items[].description / quantity                               |
| InvoiceItem.ChargeAmount                | item.items[].amount (sign flipped on a credit memo)               |
| InvoiceItem.ServiceStartDate / EndDate  | item.items[].revRecStartDate / revRecEndDate (revenue.mode dates) |
| charge in revenue.templates             | item.items[].revRecSchedule                                       |
| charge ChargeModel Discount-*           | item.items[].item = discount_item_id (when set)                   |
| TaxationItem by TaxCode                 | one line per code on tax.items_by_code[code] (mapping/books.py)   |
| TaxAmount without taxation items        | one "Tax" line on tax.default_item_id (else tax_item_id)          |
| Amount                                  | the lines add up to it exactly                                    |

Written with ?replace=item, so a re-sent invoice keeps exactly its lines (Oracle help, "Updating a Sublist":
item lines are not keyed and an update appends them,
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import cast

from zuora_netsuite.adapters.zuora import zoql
from zuora_netsuite.failures import ValidationFailure
from zuora_netsuite.mapping.base import (
    Mapped,
    MappingContext,
    Parent,
    SourceRecord,
    ZoqlPending,
    fetch_synced,
    on_or_after,
    transfer_pending_filter,
)
from zuora_netsuite.mapping.books import discount_charges, invoice_taxation
from zuora_netsuite.mapping.transaction import (
    ZERO,
    TransactionSource,
    accounts_by_id,
    customer_parent,
    header,
    item_lines,
    item_parents,
    money,
    query_where,
)
from zuora_netsuite.models.netsuite import NetSuiteCreditMemo, NetSuiteInvoice
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType, external_id
from zuora_netsuite.models.zuora import ZuoraInvoice, ZuoraInvoiceItem
from zuora_netsuite.ports import ZuoraApi

INVOICE = RECORD_TYPES[RecordType.INVOICE]


class InvoiceMapping(ZoqlPending):
    record_type = RecordType.INVOICE

    def pending_query(self, watermark: datetime, cutover: date | None = None) -> str:
        # Transactions are selected by TransferredToAccounting, not by a watermark: changes made after a
        # transaction synced are not synced (docs/architecture.md, pending selection).
        where = zoql.all_of(zoql.eq("Status", "Posted"), transfer_pending_filter(), on_or_after("InvoiceDate", cutover))
        return zoql.select("Invoice", ("Id", "UpdatedDate"), where)

    def fetch(self, zuora: ZuoraApi, ids: Sequence[str]) -> dict[str, SourceRecord]:
        rows = fetch_synced(zuora, self.tenant, "Invoice", ZuoraInvoice.ZOQL_FIELDS, ids)
        invoices = [ZuoraInvoice.model_validate(row) for row in rows]
        item_rows = query_where(
            zuora, "InvoiceItem", ZuoraInvoiceItem.ZOQL_FIELDS, "InvoiceId", [i.id for i in invoices]
        )
        items: dict[str, list[ZuoraInvoiceItem]] = defaultdict(list)
        for item in (ZuoraInvoiceItem.model_validate(row) for row in item_rows):
            items[item.invoice_id].append(item)
        accounts = accounts_by_id(zuora, invoices)
        every_item = [item for found in items.values() for item in found]
        taxation = invoice_taxation(zuora, every_item)
        # A discount charge's invoice line is negative: only those lines' charges are read for their ChargeModel.
        discounts = discount_charges(zuora, (i.charge_id or "" for i in every_item if i.amount and i.amount < ZERO))
        return {
            invoice.id: TransactionSource(
                invoice,
                accounts.get(invoice.account_id or ""),
                tuple(sorted(items[invoice.id], key=lambda line: line.id)),
                taxation=tuple(sorted(taxation.get(invoice.id, ()), key=lambda t: t.id)),
                discount_charges=discounts,
            )
            for invoice in invoices
        }

    def describe(self, source: SourceRecord) -> str:
        invoice = cast(ZuoraInvoice, cast(TransactionSource, source).record)
        return f"Invoice {invoice.number or invoice.id}"

    def parents(self, source: SourceRecord) -> list[Parent]:
        transaction = cast(TransactionSource, source)
        return customer_parent(transaction) + item_parents(transaction)

    def map(self, source: SourceRecord, context: MappingContext, *, is_update: bool) -> Mapped:
        transaction = cast(TransactionSource, source)
        invoice = cast(ZuoraInvoice, transaction.record)
        problems: list[str] = []
        head = header(transaction, context, problems)
        total = money(invoice.amount, head.currency_code, "Amount", problems)
        if invoice.invoice_date is None:
            problems.append("InvoiceDate is empty")
        sign = -1 if total < ZERO else 1
        lines = item_lines(
            transaction, head, context, total=total, tax=invoice.tax_amount, sign=sign, problems=problems
        )
        if problems or head.customer is None or invoice.invoice_date is None:
            raise ValidationFailure([f"{self.describe(source)}: {p}" for p in problems])
        common = {
            "externalId": external_id(RecordType.INVOICE, invoice.id),
            "tranId": invoice.number,
            "tranDate": invoice.invoice_date,
            **head.body_fields(),
            "item": lines,
        }
        # ?replace=item: a re-sent invoice keeps exactly these lines (NetSuite appends item lines otherwise). A
        # negative invoice's credit memo is left unapplied (autoApply false), as it is in Zuora.
        if sign < 0:
            memo = NetSuiteCreditMemo.model_validate({**common, "autoApply": False})
            return Mapped(INVOICE.netsuite_type_when_negative, memo, replace_sublists=("item",))
        invoice_body = NetSuiteInvoice.model_validate({**common, "dueDate": invoice.due_date})
        return Mapped(INVOICE.netsuite_type, invoice_body, replace_sublists=("item",))

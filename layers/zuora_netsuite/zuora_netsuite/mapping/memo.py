"""Zuora debit memo -> NetSuite invoice; Zuora credit memo -> NetSuite creditMemo applied to the original invoice.

| Zuora DebitMemo / CreditMemo (+ items)  | NetSuite invoice (debit) / creditMemo (credit)                     |
| Id                                      | externalId = zuora-debitmemo-<Id> / zuora-creditmemo-<Id>          |
| MemoNumber                              | tranId                                                            |
| MemoDate                                | tranDate                                                          |
| AccountId                               | entity = the customer with externalId zuora-account-<AccountId>   |
| Account.Currency                        | currency (base currency when multi-currency is off)               |
| Account Department__NS / Class__NS / Location__NS, else defaults | department / class / location      |
| item ProductRatePlanChargeId            | item.items[].item = the item with externalId zuora-charge-<Id>    |
| item ChargeName / Quantity / Amount     | item.items[].description / quantity / amount                      |
| TaxAmount                               | one more line on the configured tax item (tax_item_id)            |
| TotalAmount                             | the lines add up to it exactly                                    |
| ReferredInvoiceId (credit memo)         | apply.items[0].doc = the invoice with externalId zuora-invoice-<Id> |
| AppliedAmount (credit memo; else TotalAmount) | apply.items[0].amount                                       |
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import cast

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
from zuora_netsuite.models.netsuite import (
    NetSuiteApplyLine,
    NetSuiteApplySublist,
    NetSuiteCreditMemo,
    NetSuiteInvoice,
    RecordRef,
)
from zuora_netsuite.models.zuora import ZuoraMemo, ZuoraMemoItem
from zuora_netsuite.ports import ZuoraApi
from zuora_netsuite.record_types import RECORD_TYPES, RecordType, external_id
from zuora_netsuite.zuora import zoql


class _MemoMapping(ZoqlPending):
    record_type: RecordType
    memo_id_field: str  # the memo's id on its items: CreditMemoId / DebitMemoId

    @property
    def zuora_object(self) -> str:
        return RECORD_TYPES[self.record_type].zuora_object

    def pending_query(self, watermark: datetime, cutover: date | None = None) -> str:
        # Slice Z1 only: the ZOQL spelled without parentheses (zuora.zoql); slice Z2 moves memos to Object Query.
        where = zoql.all_of(zoql.eq("Status", "Posted"), transfer_pending_filter(), on_or_after("MemoDate", cutover))
        return zoql.select(self.zuora_object, ("Id", "UpdatedDate"), where)

    def fields(self) -> tuple[str, ...]:
        return ZuoraMemo.ZOQL_FIELDS

    def fetch(self, zuora: ZuoraApi, ids: Sequence[str]) -> dict[str, SourceRecord]:
        rows = fetch_synced(zuora, self.tenant, self.zuora_object, self.fields(), ids)
        memos = [ZuoraMemo.model_validate(row) for row in rows]
        item_fields = (*ZuoraMemoItem.ZOQL_FIELDS, self.memo_id_field)
        item_rows = query_where(
            zuora, f"{self.zuora_object}Item", item_fields, self.memo_id_field, [m.id for m in memos]
        )
        items: dict[str, list[ZuoraMemoItem]] = defaultdict(list)
        for item in (ZuoraMemoItem.model_validate(row) for row in item_rows):
            items[item.memo_id].append(item)
        accounts = accounts_by_id(zuora, memos)
        invoice_ids = [m.referred_invoice_id for m in memos if m.referred_invoice_id]
        invoice_rows = query_where(zuora, "Invoice", ("Id", "InvoiceNumber"), "Id", invoice_ids)
        numbers = {str(row["Id"]): str(row.get("InvoiceNumber") or row["Id"]) for row in invoice_rows}
        return {
            memo.id: TransactionSource(
                memo,
                accounts.get(memo.account_id or ""),
                tuple(sorted(items[memo.id], key=lambda line: line.id)),
                invoice_numbers=numbers,
            )
            for memo in memos
        }

    def describe(self, source: SourceRecord) -> str:
        memo = cast(ZuoraMemo, cast(TransactionSource, source).record)
        return f"{RECORD_TYPES[self.record_type].label} {memo.number or memo.id}"

    def parents(self, source: SourceRecord) -> list[Parent]:
        transaction = cast(TransactionSource, source)
        return customer_parent(transaction) + item_parents(transaction)

    def _common(
        self, source: SourceRecord, context: MappingContext, problems: list[str]
    ) -> tuple[dict[str, object], str, Decimal]:
        """The NetSuite body both memos share, the currency code and the memo total."""
        transaction = cast(TransactionSource, source)
        memo = cast(ZuoraMemo, transaction.record)
        head = header(transaction, context, problems)
        total = money(memo.total_amount, head.currency_code, "TotalAmount", problems)
        if total < ZERO:
            problems.append(f"TotalAmount {total} is negative; a memo's amount is positive in Zuora")
        if memo.memo_date is None:
            problems.append("MemoDate is empty")
        lines = item_lines(transaction, head, context, total=total, tax=memo.tax_amount, sign=1, problems=problems)
        body: dict[str, object] = {
            "externalId": external_id(self.record_type, memo.id),
            "tranId": memo.number,
            "tranDate": memo.memo_date,
            "entity": head.customer,
            "currency": head.currency,
            "department": head.department,
            "class": head.class_,
            "location": head.location,
            "item": lines,
        }
        return body, head.currency_code, total

    def _fail(self, source: SourceRecord, problems: list[str]) -> ValidationFailure:
        return ValidationFailure([f"{self.describe(source)}: {p}" for p in problems])


class DebitMemoMapping(_MemoMapping):
    record_type = RecordType.DEBIT_MEMO
    memo_id_field = "DebitMemoId"

    def map(self, source: SourceRecord, context: MappingContext, *, is_update: bool) -> Mapped:
        problems: list[str] = []
        body, _, _ = self._common(source, context, problems)
        if problems:
            raise self._fail(source, problems)
        return Mapped("invoice", NetSuiteInvoice.model_validate(body))


class CreditMemoMapping(_MemoMapping):
    record_type = RecordType.CREDIT_MEMO
    memo_id_field = "CreditMemoId"

    def fields(self) -> tuple[str, ...]:
        return ZuoraMemo.CREDIT_ZOQL_FIELDS

    def parents(self, source: SourceRecord) -> list[Parent]:
        transaction = cast(TransactionSource, source)
        memo = cast(ZuoraMemo, transaction.record)
        parents = super().parents(source)
        if memo.referred_invoice_id:
            number = transaction.invoice_numbers.get(memo.referred_invoice_id, memo.referred_invoice_id)
            parents.append(Parent(RecordType.INVOICE, memo.referred_invoice_id, f"invoice {number}"))
        return parents

    def map(self, source: SourceRecord, context: MappingContext, *, is_update: bool) -> Mapped:
        transaction = cast(TransactionSource, source)
        memo = cast(ZuoraMemo, transaction.record)
        problems: list[str] = []
        body, currency, total = self._common(source, context, problems)
        apply = None
        if memo.referred_invoice_id:
            applied = (
                money(memo.applied_amount, currency, "AppliedAmount", problems)
                if memo.applied_amount is not None
                else total
            )
            if applied > total:
                problems.append(f"AppliedAmount {applied} is more than TotalAmount {total}")
            if applied > ZERO:
                invoice_ref = RecordRef(externalId=external_id(RecordType.INVOICE, memo.referred_invoice_id))
                apply = NetSuiteApplySublist(items=[NetSuiteApplyLine(doc=invoice_ref, amount=applied)])
        if problems:
            raise self._fail(source, problems)
        return Mapped("creditMemo", NetSuiteCreditMemo.model_validate({**body, "apply": apply}))

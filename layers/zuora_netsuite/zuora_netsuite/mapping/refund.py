"""Zuora Refund (Processed) of payments and credit memos -> NetSuite customerRefund drawn from the synced
customerPayments and creditMemos.

| Zuora Refund                            | NetSuite customerRefund                                           |
| Id                                      | externalId = zuora-refund-<Id>                                    |
| RefundNumber                            | tranId                                                            |
| RefundDate                              | tranDate                                                          |
| AccountId                               | customer = the customer with externalId zuora-account-<AccountId> |
| Account.Currency                        | currency (base currency when multi-currency is off)               |
| Account Department__NS / Class__NS / Location__NS, else defaults | department / class / location      |
| PaymentId / part paymentId, creditMemoId (1) | apply.items[].doc = {"id": NetSuite internal id of that payment  |
|                                         | or credit memo}                                                   |
| Amount / part amount (1)                | apply.items[].amount; written with ?replace=apply                 |
| MethodType, currency                    | account, paymentMethod: the first matching rule of sync config    |
|                                         | payments.refund_account_rules (none configured: not sent)         |

(1) Invoice Settlement: the refund's applications (Object Query `refund-applications` by `refundid`, 50 refunds a
call), one apply line per payment or credit memo refunded, amounts of one source summed
(https://developer.zuora.com/v1-api-reference/api/operation/queryRefundApplications/); NetSuite refunds "credit
memos and unapplied payments" (Oracle help, Customer Refund, article_0830082954). A legacy tenant: the refund's
PaymentId.

Refunds of a credit balance (no payment, no credit memo) are not supported: they fail validation with that reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
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
    netsuite_ids_of,
    on_or_after,
    transfer_pending_filter,
)
from zuora_netsuite.mapping.deposit import refund_account
from zuora_netsuite.mapping.settlement import amount_of, chunks, iterate_on_settlement_tenant
from zuora_netsuite.mapping.transaction import (
    ZERO,
    TransactionSource,
    accounts_by_id,
    customer_parent,
    header,
    money,
    query_where,
)
from zuora_netsuite.models.netsuite import NetSuiteApplyLine, NetSuiteApplySublist, NetSuiteCustomerRefund, RecordRef
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType, external_id
from zuora_netsuite.models.zuora import ZuoraRefund
from zuora_netsuite.ports import ZuoraApi


class RefundMapping(ZoqlPending):
    record_type = RecordType.REFUND

    def pending_query(self, watermark: datetime, cutover: date | None = None) -> str:
        where = zoql.all_of(
            zoql.eq("Status", "Processed"), transfer_pending_filter(), on_or_after("RefundDate", cutover)
        )
        return zoql.select("Refund", ("Id", "UpdatedDate"), where)

    def fetch(self, zuora: ZuoraApi, ids: Sequence[str]) -> dict[str, SourceRecord]:
        rows = fetch_synced(zuora, self.tenant, "Refund", ZuoraRefund.ZOQL_FIELDS, ids)
        refunds = [ZuoraRefund.model_validate(row) for row in rows]
        if self.tenant.invoice_settlement:
            sources = self._sources(zuora, refunds)
        else:
            sources = {
                r.id: ((RecordType.PAYMENT, r.payment_id, r.amount),) for r in refunds if r.payment_id and r.amount
            }
        numbers: dict[str, str] = {}
        for kind, (zuora_object, number_field) in _SOURCE_OBJECTS.items():
            source_ids = sorted({i for found in sources.values() for k, i, _ in found if k is kind})
            if source_ids:
                numbers.update(self._numbers(zuora, zuora_object, number_field, source_ids))
        accounts = accounts_by_id(zuora, refunds)
        return {
            refund.id: TransactionSource(
                refund,
                accounts.get(refund.account_id or ""),
                invoice_numbers=numbers,
                refund_sources=sources.get(refund.id, ()),
            )
            for refund in refunds
        }

    @staticmethod
    def _numbers(zuora: ZuoraApi, zuora_object: str, number_field: str, ids: Sequence[str]) -> dict[str, str]:
        if zuora_object == "CreditMemo":  # not a ZOQL object with Invoice Settlement: Object Query, 50 a call
            found: dict[str, str] = {}
            for chunk in chunks(ids):
                listed = zuora.object_query(
                    "credit-memos", filters=[f"id.IN:[{','.join(chunk)}]"], fields=("id", "memoNumber")
                )
                for row in iterate_on_settlement_tenant("reading the numbers of refunded credit memos", listed):
                    found[str(row["id"])] = str(row.get("memoNumber") or row["id"])
            return found
        rows = query_where(zuora, zuora_object, ("Id", number_field), "Id", ids)
        return {str(row["Id"]): str(row.get(number_field) or row["Id"]) for row in rows}

    @staticmethod
    def _sources(
        zuora: ZuoraApi, refunds: Sequence[ZuoraRefund]
    ) -> dict[str, tuple[tuple[RecordType, str, Decimal], ...]]:
        """Invoice Settlement: what each refund draws from (payments and credit memos), from Object Query's refund
        applications of up to 50 refunds a call (instead of GET /v1/refunds/{key}/parts per refund).
        https://developer.zuora.com/v1-api-reference/api/operation/queryRefundApplications/"""
        found: dict[str, list[tuple[RecordType, str, Decimal]]] = {refund.id: [] for refund in refunds}
        fields = ("id", "refundId", "paymentId", "creditMemoId", "applyAmount")
        for chunk in chunks(list(found)):
            rows = zuora.object_query(
                "refund-applications", filters=[f"refundid.IN:[{','.join(chunk)}]"], fields=fields
            )
            for row in iterate_on_settlement_tenant("reading refund applications", rows):
                sources = found.get(str(row.get("refundId")))
                amount = amount_of(row.get("applyAmount"))
                if sources is None:
                    continue
                if row.get("paymentId"):
                    sources.append((RecordType.PAYMENT, str(row["paymentId"]), amount))
                elif row.get("creditMemoId"):
                    sources.append((RecordType.CREDIT_MEMO, str(row["creditMemoId"]), amount))
        return {refund_id: tuple(sources) for refund_id, sources in found.items()}

    def describe(self, source: SourceRecord) -> str:
        refund = cast(ZuoraRefund, cast(TransactionSource, source).record)
        return f"Refund {refund.number or refund.id}"

    def parents(self, source: SourceRecord) -> list[Parent]:
        transaction = cast(TransactionSource, source)
        return customer_parent(transaction) + [parent for parent, _ in _drawn_from(transaction)]

    def map(self, source: SourceRecord, context: MappingContext, *, is_update: bool) -> Mapped:
        transaction = cast(TransactionSource, source)
        refund = cast(ZuoraRefund, transaction.record)
        problems: list[str] = []
        head = header(transaction, context, problems)
        total = money(refund.amount, head.currency_code, "Amount", problems)
        if total <= ZERO and not problems:
            problems.append(f"Amount {total} is not positive")
        if refund.refund_date is None:
            problems.append("RefundDate is empty")
        drawn = _drawn_from(transaction)
        if not drawn:
            problems.append(
                "it refunds no payment and no credit memo (PaymentId is empty, no parts: a credit balance); "
                "only refunds of payments and credit memos sync"
            )
        drawn_total = sum((amount for _, amount in drawn), ZERO)
        if drawn and drawn_total != total:
            problems.append(f"its parts add up to {drawn_total} {head.currency_code} but its Amount is {total}")
        account = refund_account(context.config.payments, refund.method_type, head.currency_code, problems)
        if problems or head.customer is None or refund.refund_date is None:
            raise ValidationFailure([f"{self.describe(source)}: {p}" for p in problems])
        doc_ids = netsuite_ids_of(context, [parent for parent, _ in drawn], self.describe(source))
        lines = [
            NetSuiteApplyLine(doc=RecordRef(id=doc_id), amount=amount)
            for doc_id, (_, amount) in zip(doc_ids, drawn, strict=True)
        ]
        return Mapped(
            RECORD_TYPES[RecordType.REFUND].netsuite_type,
            NetSuiteCustomerRefund(
                externalId=external_id(RecordType.REFUND, refund.id),
                tranId=refund.number,
                tranDate=refund.refund_date,
                customer=head.customer,
                currency=head.currency,
                department=head.department,
                **{"class": head.class_},
                location=head.location,
                apply=NetSuiteApplySublist(items=lines),
                **account,
            ),
            replace_sublists=("apply",),
        )


# What a refund may draw from: record type -> (its Zuora object, its number field).
_SOURCE_OBJECTS: dict[RecordType, tuple[str, str]] = {
    RecordType.PAYMENT: ("Payment", "PaymentNumber"),
    RecordType.CREDIT_MEMO: ("CreditMemo", "MemoNumber"),
}


def _drawn_from(transaction: TransactionSource) -> list[tuple[Parent, Decimal]]:
    """(the payment or credit memo, the amount refunded from it), one per source, amounts of one source summed."""
    totals: dict[tuple[RecordType, str], Decimal] = {}
    for kind, zuora_id, amount in transaction.refund_sources:
        totals[(kind, zuora_id)] = totals.get((kind, zuora_id), ZERO) + amount
    drawn = []
    for (kind, zuora_id), amount in totals.items():
        label = "payment" if kind is RecordType.PAYMENT else "credit memo"
        number = transaction.invoice_numbers.get(zuora_id, zuora_id)
        drawn.append((Parent(kind, zuora_id, f"{label} {number}"), amount))
    return drawn

"""Zuora Refund (Processed) of a payment -> NetSuite customerRefund drawn from the synced customerPayment.

| Zuora Refund                            | NetSuite customerRefund                                           |
| Id                                      | externalId = zuora-refund-<Id>                                    |
| RefundNumber                            | tranId                                                            |
| RefundDate                              | tranDate                                                          |
| AccountId                               | customer = the customer with externalId zuora-account-<AccountId> |
| Account.Currency                        | currency (base currency when multi-currency is off)               |
| Account Department__NS / Class__NS / Location__NS, else defaults | department / class / location      |
| PaymentId (1)                           | apply.items[0].doc = {"id": NetSuite internal id of that payment} |
| Amount                                  | apply.items[0].amount; written with ?replace=apply                |

(1) Invoice Settlement: the paymentId of GET /v1/refunds/{key}/parts.

Refunds of a credit balance (no PaymentId) and, with Invoice Settlement, refunds of credit memos (a refund part
with a creditMemoId) are not supported: they fail validation with that reason.
"""

from __future__ import annotations

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
    netsuite_ids_of,
    on_or_after,
    transfer_pending_filter,
)
from zuora_netsuite.mapping.settlement import on_settlement_tenant
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
        credit_memos: dict[str, tuple[str, ...]] = {}
        if self.tenant.invoice_settlement:
            refunds, credit_memos = self._sources(zuora, refunds)
        payment_rows = query_where(
            zuora, "Payment", ("Id", "PaymentNumber"), "Id", [r.payment_id for r in refunds if r.payment_id]
        )
        numbers = {str(row["Id"]): str(row.get("PaymentNumber") or row["Id"]) for row in payment_rows}
        accounts = accounts_by_id(zuora, refunds)
        return {
            refund.id: TransactionSource(
                refund,
                accounts.get(refund.account_id or ""),
                invoice_numbers=numbers,
                refunded_credit_memos=credit_memos.get(refund.id, ()),
            )
            for refund in refunds
        }

    @staticmethod
    def _sources(
        zuora: ZuoraApi, refunds: Sequence[ZuoraRefund]
    ) -> tuple[list[ZuoraRefund], dict[str, tuple[str, ...]]]:
        """Invoice Settlement: what each refund draws from, GET /v1/refunds/{key}/parts (a payment or a credit memo).
        https://developer.zuora.com/v1-api-reference/api/operation/GET_RefundParts/"""
        found: list[ZuoraRefund] = []
        credit_memos: dict[str, tuple[str, ...]] = {}
        for refund in refunds:
            body = on_settlement_tenant(
                f"reading the sources of refund {refund.number or refund.id}",
                zuora.rest_get,
                f"/v1/refunds/{refund.id}/parts",
            )
            parts = [p for p in body.get("parts") or [] if isinstance(p, dict)]
            payment_ids = sorted({str(p["paymentId"]) for p in parts if p.get("paymentId")})
            credit_memos[refund.id] = tuple(sorted({str(p["creditMemoId"]) for p in parts if p.get("creditMemoId")}))
            payment_id = payment_ids[0] if len(payment_ids) == 1 else None
            found.append(refund.model_copy(update={"payment_id": payment_id or refund.payment_id if parts else None}))
        return found, credit_memos

    def describe(self, source: SourceRecord) -> str:
        refund = cast(ZuoraRefund, cast(TransactionSource, source).record)
        return f"Refund {refund.number or refund.id}"

    def parents(self, source: SourceRecord) -> list[Parent]:
        transaction = cast(TransactionSource, source)
        refund = cast(ZuoraRefund, transaction.record)
        parents = customer_parent(transaction)
        if refund.payment_id:
            number = transaction.invoice_numbers.get(refund.payment_id, refund.payment_id)
            parents.append(Parent(RecordType.PAYMENT, refund.payment_id, f"payment {number}"))
        return parents

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
        if transaction.refunded_credit_memos:
            memos = ", ".join(transaction.refunded_credit_memos)
            problems.append(
                f"it refunds credit memo {memos}; refunds of credit memos are not supported by this connector "
                "(only refunds of payments sync): record the refund in NetSuite by hand, then set this refund's "
                "IntegrationStatus__NS to Ignore"
            )
        elif not refund.payment_id:
            problems.append("it is not the refund of a payment (PaymentId is empty); only payment refunds sync")
        if problems or head.customer is None or refund.refund_date is None or not refund.payment_id:
            raise ValidationFailure([f"{self.describe(source)}: {p}" for p in problems])
        number = transaction.invoice_numbers.get(refund.payment_id, refund.payment_id)
        (payment_id,) = netsuite_ids_of(
            context, [Parent(RecordType.PAYMENT, refund.payment_id, f"payment {number}")], self.describe(source)
        )
        payment = RecordRef(id=payment_id)
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
                apply=NetSuiteApplySublist(items=[NetSuiteApplyLine(doc=payment, amount=total)]),
            ),
            replace_sublists=("apply",),
        )

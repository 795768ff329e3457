"""Zuora debit memo -> NetSuite invoice; Zuora credit memo -> NetSuite creditMemo applied to what it was applied to
in Zuora. Memos exist only with Invoice Settlement: listed and read 50 at a time with Object Query
(`GET /object-query/credit-memos`, Object Query field names in brackets), items from Object Query
`credit-memo-items`, applications expanded in the same query (`expand[]=creditmemoapplications`).

| Zuora DebitMemo / CreditMemo (+ items)  | NetSuite invoice (debit) / creditMemo (credit)                     |
| Id                                      | externalId = zuora-debitmemo-<Id> / zuora-creditmemo-<Id>          |
| MemoNumber [memoNumber]                 | tranId                                                            |
| MemoDate [memoDate]                     | tranDate                                                          |
| AccountId                               | entity = the customer with externalId zuora-account-<AccountId>   |
| Account.Currency                        | currency (base currency when multi-currency is off)               |
| Account Department__NS / Class__NS / Location__NS, else defaults | department / class / location      |
| item ProductRatePlanChargeId            | item.items[].item = the item with externalId zuora-charge-<Id>    |
| item ChargeName / Quantity / Amount     | item.items[].description / quantity / amount                      |
| item serviceStartDate / serviceEndDate  | item.items[].revRecStartDate / revRecEndDate (revenue.mode dates) |
| charge in revenue.templates             | item.items[].revRecSchedule                                       |
| charge ChargeModel Discount-*           | item.items[].item = discount_item_id (when set)                   |
| item taxation-items by taxCode          | one line per code on tax.items_by_code[code] (mapping/books.py)   |
| TaxAmount without taxation items        | one "Tax" line on tax.default_item_id (else tax_item_id)          |
| TotalAmount [totalAmount]               | the lines add up to it exactly                                    |
| application invoiceId / debitMemoId    | apply.items[].doc = {"id": the NetSuite invoice's internal id}     |
| application amount (summed per doc)     | apply.items[].amount (the unapplied part stays unapplied)         |
| (credit memo, always)                   | autoApply = false                                                 |

Both are written with ?replace= on the sublists the connector owns (item; and apply on a credit memo), so a
re-sent memo never adds lines (Oracle help, "Replacing a Sublist",
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545297048.html).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from zuora_netsuite.failures import ValidationFailure
from zuora_netsuite.mapping.after_sync import write_off_lines
from zuora_netsuite.mapping.base import (
    IGNORE,
    SYNC_COMPLETE,
    Mapped,
    MappingContext,
    Parent,
    SourceRecord,
    TenantMapping,
    netsuite_ids_of,
    with_error_reason,
)
from zuora_netsuite.mapping.books import discount_charges, memo_taxation
from zuora_netsuite.mapping.settlement import (
    EXPANDED_MAX,
    all_pages,
    chunks,
    iterate_on_settlement_tenant,
    legacy_tenant_has_no_memos,
    on_settlement_tenant,
    summed_applications,
)
from zuora_netsuite.mapping.transaction import (
    ZERO,
    TransactionSource,
    accounts_by_id,
    application_parents,
    application_target,
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
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType, external_id
from zuora_netsuite.models.zuora import (
    ZuoraApplication,
    ZuoraMemo,
    ZuoraMemoItem,
    memo_from_object_query,
    memo_item_from_object_query,
    rest_datetime,
)
from zuora_netsuite.ports import ZuoraApi

PENDING_TRANSFER = ("No", "Error", "Processing")  # TransferredToAccounting of a memo still to sync (null: No)


class _MemoMapping(TenantMapping):
    """Memos exist only on Invoice Settlement tenants, where Actions refuse them: listed with Object Query, read from
    their REST resources (mapping/settlement.py)."""

    record_type: RecordType
    memo_id_field: str  # the memo's id on its items: CreditMemoId / DebitMemoId
    resource: str  # v1 REST resource and Object Query resource: credit-memos / debit-memos
    expand: tuple[str, ...] = ()  # what the memos' Object Query expands (credit memos: their applications)

    @property
    def zuora_object(self) -> str:
        return RECORD_TYPES[self.record_type].zuora_object

    @property
    def netsuite_type(self) -> str:
        return RECORD_TYPES[self.record_type].netsuite_type

    def _require_settlement(self) -> None:
        if not self.tenant.invoice_settlement:
            raise legacy_tenant_has_no_memos(f"{RECORD_TYPES[self.record_type].label}s cannot sync")

    def pending(self, zuora: ZuoraApi, watermark: datetime, cutover: date | None = None) -> Iterator[Mapping[str, Any]]:
        """Posted memos not yet transferred to accounting and not set to Ignore. Object Query filters on status and
        memo date only (TransferredToAccounting is not filterable, custom fields only when indexed), so the
        integration and transfer statuses are read from the listed rows (no request per memo).
        https://developer.zuora.com/v1-api-reference/api/operation/queryCreditMemos/"""
        self._require_settlement()
        filters = ["status.EQ:Posted", *([f"memodate.GE:{cutover.isoformat()}"] if cutover else [])]
        what = f"listing {RECORD_TYPES[self.record_type].label.lower()}s"
        fields = ("id", "updatedDate", "IntegrationStatus__NS", "transferredToAccounting")
        rows = zuora.object_query(self.resource, filters=filters, fields=fields, sort="id.ASC")
        for row in iterate_on_settlement_tenant(what, rows):
            if row.get("IntegrationStatus__NS") in (SYNC_COMPLETE, IGNORE):
                continue
            if row.get("transferredToAccounting") not in (None, "", *PENDING_TRANSFER):
                continue
            yield {"Id": str(row["id"]), "UpdatedDate": rest_datetime(row.get("updatedDate"))}

    def _read(self, zuora: ZuoraApi, ids: Sequence[str], what: str) -> list[dict[str, Any]]:
        """The memos by id, 50 an Object Query (every field, custom fields included; credit memos with their
        applications expanded); ids Zuora does not have are left out."""
        rows: list[dict[str, Any]] = []
        for chunk in chunks(ids):
            found = zuora.object_query(
                self.resource, filters=[f"id.IN:[{','.join(chunk)}]"], expand=self.expand, page_size=EXPANDED_MAX
            )
            rows += iterate_on_settlement_tenant(what, found)
        return rows

    def fetch(self, zuora: ZuoraApi, ids: Sequence[str]) -> dict[str, SourceRecord]:
        self._require_settlement()
        what = f"reading {RECORD_TYPES[self.record_type].label.lower()}s"
        rows = self._read(zuora, ids, what)
        memos = [ZuoraMemo.model_validate(with_error_reason(memo_from_object_query(row), self.tenant)) for row in rows]
        items: dict[str, list[ZuoraMemoItem]] = defaultdict(list)
        item_fields = (
            "id",
            self.memo_id_field,
            "productRatePlanChargeId",
            "chargeName",
            "quantity",
            "amount",
            "taxAmount",
            "serviceStartDate",
            "serviceEndDate",
        )
        for chunk in chunks([m.id for m in memos]):
            item_rows = zuora.object_query(
                f"{self.resource[:-1]}-items",
                filters=[f"{self.memo_id_field.lower()}.IN:[{','.join(chunk)}]"],
                fields=item_fields,
            )
            for item_row in iterate_on_settlement_tenant(what, item_rows):
                item = ZuoraMemoItem.model_validate(memo_item_from_object_query(item_row))
                items[item.memo_id].append(item)
        applications = self._applications(zuora, rows, what)
        every_item = [item for found in items.values() for item in found]
        taxation = memo_taxation(zuora, self.resource, every_item, what)
        discounts = discount_charges(zuora, (item.charge_id or "" for item in every_item))
        accounts = accounts_by_id(zuora, memos)
        invoice_ids = [a.invoice_id for found in applications.values() for a in found if a.invoice_id]
        invoice_rows = query_where(zuora, "Invoice", ("Id", "InvoiceNumber"), "Id", invoice_ids)
        numbers = {str(row["Id"]): str(row.get("InvoiceNumber") or row["Id"]) for row in invoice_rows}
        return {
            memo.id: TransactionSource(
                memo,
                accounts.get(memo.account_id or ""),
                tuple(sorted(items[memo.id], key=lambda line: line.id)),
                applications=tuple(sorted(applications.get(memo.id, ()), key=lambda a: a.target_id)),
                invoice_numbers=numbers,
                taxation=tuple(sorted(taxation.get(memo.id, ()), key=lambda t: t.id)),
                discount_charges=discounts,
            )
            for memo in memos
        }

    def _applications(
        self, zuora: ZuoraApi, rows: Sequence[Mapping[str, Any]], what: str
    ) -> dict[str, list[ZuoraApplication]]:
        return {}

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
        if self.record_type is RecordType.CREDIT_MEMO:  # a write-off memo on the bad-debt item (mapping/after_sync.py)
            lines = write_off_lines(lines, memo.reason_code, context.config.after_sync, context.config.discount_item_id)
        body: dict[str, object] = {
            "externalId": external_id(self.record_type, memo.id),
            "tranId": memo.number,
            "tranDate": memo.memo_date,
            **head.body_fields(),
            "item": lines,
        }
        return body, head.currency_code, total

    def _fail(self, source: SourceRecord, problems: list[str]) -> ValidationFailure:
        return ValidationFailure([f"{self.describe(source)}: {p}" for p in problems])


class DebitMemoMapping(_MemoMapping):
    record_type = RecordType.DEBIT_MEMO
    memo_id_field = "DebitMemoId"
    resource = "debit-memos"

    def map(self, source: SourceRecord, context: MappingContext, *, is_update: bool) -> Mapped:
        problems: list[str] = []
        body, _, _ = self._common(source, context, problems)
        if problems:
            raise self._fail(source, problems)
        return Mapped(self.netsuite_type, NetSuiteInvoice.model_validate(body), replace_sublists=("item",))


class CreditMemoMapping(_MemoMapping):
    record_type = RecordType.CREDIT_MEMO
    memo_id_field = "CreditMemoId"
    resource = "credit-memos"
    expand = ("creditmemoapplications",)

    def _applications(
        self, zuora: ZuoraApi, rows: Sequence[Mapping[str, Any]], what: str
    ) -> dict[str, list[ZuoraApplication]]:
        """What each credit memo was applied to: its `creditMemoApplications`, expanded in the Object Query that read
        it, added up per invoice / debit memo. A memo with EXPANDED_MAX of them may have more (the list is truncated
        at the page size): its `GET /v1/credit-memos/{key}/parts` instead (the unapplied part left out).
        https://developer.zuora.com/v1-api-reference/api/operation/queryCreditMemos/ (expand[] creditmemoapplications),
        https://developer.zuora.com/v1-api-reference/api/operation/GET_CreditMemoParts/"""
        found: dict[str, list[ZuoraApplication]] = {}
        for row in rows:
            memo_id, listed = str(row["id"]), row.get("creditMemoApplications") or []
            if len(listed) < EXPANDED_MAX:
                found[memo_id] = summed_applications(listed, "amount")
                continue
            parts = on_settlement_tenant(what, all_pages, zuora, f"/v1/{self.resource}/{memo_id}/parts", "parts")
            found[memo_id] = [a for a in (ZuoraApplication.from_part(part) for part in parts) if a is not None]
        return found

    def parents(self, source: SourceRecord) -> list[Parent]:
        return super().parents(source) + application_parents(cast(TransactionSource, source))

    def map(self, source: SourceRecord, context: MappingContext, *, is_update: bool) -> Mapped:
        transaction = cast(TransactionSource, source)
        problems: list[str] = []
        body, currency, total = self._common(source, context, problems)
        applied_to: list[tuple[Parent, Decimal]] = []
        for application in transaction.applications:
            target_type, target_id, role = application_target(application, transaction.invoice_numbers)
            applied = money(application.amount, currency, f"the amount applied to {role}", problems)
            if applied > ZERO:
                applied_to.append((Parent(target_type, target_id, role), applied))
        applied_total = sum((amount for _, amount in applied_to), ZERO)
        if applied_total > total:
            problems.append(f"it applies {applied_total} {currency} but its TotalAmount is {total} {currency}")
        if problems:
            raise self._fail(source, problems)
        doc_ids = netsuite_ids_of(context, [parent for parent, _ in applied_to], self.describe(source))
        lines = [
            NetSuiteApplyLine(doc=RecordRef(id=doc_id), amount=amount)
            for doc_id, (_, amount) in zip(doc_ids, applied_to, strict=True)
        ]
        apply = NetSuiteApplySublist(items=lines) if lines else None
        return Mapped(
            self.netsuite_type,
            NetSuiteCreditMemo.model_validate({**body, "apply": apply, "autoApply": False}),
            replace_sublists=("item", "apply"),
        )

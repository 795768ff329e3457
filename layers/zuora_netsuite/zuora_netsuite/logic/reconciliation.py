"""Reconciliation: per record type and currency, count and total in Zuora (the transactions the connector is
responsible for) versus NetSuite (the records with the connector's external ids), and every difference by record.

    result = reconcile(zuora_client, netsuite_client, sync_config)
    for line in result.lines: ...          # type, currency, Zuora count/total, NetSuite count/total
    for difference in result.differences: ...  # which record, both amounts, why
    for balance in result.balances: ...    # customer, currency: open AR and unapplied on both sides

A Zuora transaction is in scope when its status makes it syncable (Posted; Processed payments with an applied
amount, Processed refunds), it is dated on or after the type's cutover, it is not set to Ignore, and it is either
still pending (TransferredToAccounting No / Error / Processing / empty) or was transferred by this connector
(TransferredToAccounting Yes with an Integration ID). Records transferred by other means are out of scope.

Open balances (logic/balances.py): per customer and currency, what is still owed (open AR) and the cash and credit
not applied yet, Zuora versus NetSuite. A transaction NetSuite still has after it was cancelled or unposted in Zuora
is a difference that says so, unless after_sync.canceled_invoice is "credit_memo": a cancelled invoice then counts as
an invoice on both sides and its cancellation (record type invoice_cancellation) is compared with the NetSuite credit
memo that credits it (docs/mapping.md, "Changes after sync").

Amounts are compared exactly (Decimal) in the transaction's currency. Totals are signed as in Zuora: a negative
invoice (a NetSuite credit memo) counts negative on both sides.

NetSuite side: only the connector's own transactions are read (``externalid LIKE 'zuora-%'`` and the four types
it writes), keyset-paged by internal id (:func:`zuora_netsuite.adapters.netsuite.suiteql.keyset_rows`): a SuiteQL query
stops at 100,000 results and offset paging is stable only in a unique order (Oracle NetSuite help, "Executing
SuiteQL Queries Through REST Web Services", section_157909186990), so an account with more transactions than
that is still read whole, each record once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from zuora_netsuite.adapters.netsuite.suiteql import keyset_rows
from zuora_netsuite.adapters.zuora import zoql
from zuora_netsuite.logic.balances import BalanceLine, BalanceTally, ZuoraAccount
from zuora_netsuite.mapping.base import on_or_after, query_where
from zuora_netsuite.models.record_types import (
    DEPENDENCY_ORDER,
    DERIVED_TYPES,
    RECORD_TYPES,
    TRANSACTION_TYPES,
    RecordType,
    external_id,
    netsuite_type_of,
)
from zuora_netsuite.ports import NetSuiteApi, ZuoraApi
from zuora_netsuite.settings import SyncConfig

ZERO = Decimal(0)
# The transactions compared, and an invoice's cancellation (its NetSuite credit memo): every type with a NetSuite
# transaction under the connector's external id.
_COMPARED_TYPES = TRANSACTION_TYPES | DERIVED_TYPES


@dataclass(frozen=True)
class _Scope:
    status: str
    date_field: str
    amount_field: str
    number_field: str
    extra: zoql.Filter = zoql.ALL
    balance_field: str | None = None  # the open amount (logic/balances.py); memos' rows carry it as "Balance"


_SCOPES: dict[RecordType, _Scope] = {
    RecordType.INVOICE: _Scope("Posted", "InvoiceDate", "Amount", "InvoiceNumber", balance_field="Balance"),
    RecordType.DEBIT_MEMO: _Scope("Posted", "MemoDate", "TotalAmount", "MemoNumber", balance_field="Balance"),
    # unapplied payments sync too; UnappliedAmount is Invoice Settlement only: not read on a legacy tenant
    RecordType.PAYMENT: _Scope(
        "Processed", "EffectiveDate", "Amount", "PaymentNumber", balance_field="UnappliedAmount"
    ),
    RecordType.CREDIT_MEMO: _Scope("Posted", "MemoDate", "TotalAmount", "MemoNumber", balance_field="Balance"),
    RecordType.REFUND: _Scope("Processed", "RefundDate", "Amount", "RefundNumber"),
    # after_sync.canceled_invoice "credit_memo": an invoice cancelled after it synced, credited by a NetSuite credit
    # memo (mapping/cancellation.py); the invoice itself still counts as an invoice the connector synced
    RecordType.INVOICE_CANCELLATION: _Scope(
        "Canceled",
        "InvoiceDate",
        "Amount",
        "InvoiceNumber",
        extra=zoql.all_of(zoql.not_null("IntegrationId__NS"), zoql.cond("Amount", ">", 0)),
        balance_field="Balance",
    ),
}
# NetSuite's transaction.type values (SuiteQL) -> REST record types.
_NETSUITE_TYPES = {
    "CustInvc": "invoice",
    "CustCred": "creditMemo",
    "CustPymt": "customerPayment",
    "CustRfnd": "customerRefund",
}


@dataclass(frozen=True)
class Difference:
    record_type: RecordType
    zuora_id: str
    number: str  # the document number a finance person searches for
    currency: str
    zuora_amount: Decimal | None
    netsuite_amount: Decimal | None
    reason: str


@dataclass
class ReconciliationLine:
    record_type: RecordType
    currency: str
    zuora_count: int = 0
    zuora_total: Decimal = ZERO
    netsuite_count: int = 0
    netsuite_total: Decimal = ZERO

    @property
    def matches(self) -> bool:
        return self.zuora_count == self.netsuite_count and self.zuora_total == self.netsuite_total


@dataclass
class Reconciliation:
    lines: list[ReconciliationLine] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    # open AR and unapplied cash/credit per customer and currency (logic/balances.py)
    balances: list[BalanceLine] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return (
            not self.differences
            and all(line.matches for line in self.lines)
            and all(line.matches for line in self.balances)
        )


@dataclass(frozen=True)
class _NetSuiteRecord:
    internal_id: str
    record_type: str
    total: Decimal
    currency: str | None
    entity: str | None = None  # the NetSuite customer's internal id
    open_ar: Decimal = ZERO  # foreignamountunpaid (invoices)
    unapplied: Decimal = ZERO  # foreignpaymentamountunused (payments, credit memos)


@dataclass
class _Tally:
    """The reconciliation being built: lines per (type, currency), differences, and the external ids Zuora has."""

    lines: dict[tuple[RecordType, str], ReconciliationLine] = field(default_factory=dict)
    differences: list[Difference] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    balances: BalanceTally = field(default_factory=BalanceTally)

    def line(self, record_type: RecordType, currency: str) -> ReconciliationLine:
        return self.lines.setdefault((record_type, currency), ReconciliationLine(record_type, currency))

    def result(self) -> Reconciliation:
        order = {t: i for i, t in enumerate(DEPENDENCY_ORDER)}
        lines = sorted(self.lines.values(), key=lambda line: (order[line.record_type], line.currency))
        differences = sorted(self.differences, key=lambda d: (order[d.record_type], d.currency, d.number))
        return Reconciliation(lines=lines, differences=differences, balances=self.balances.result())


def reconcile(zuora: ZuoraApi, netsuite: NetSuiteApi, config: SyncConfig) -> Reconciliation:
    """Compare the enabled transaction types of Zuora and NetSuite, record by record."""
    currencies = {
        str(row["id"]): str(row["symbol"]).upper()
        for row in netsuite.suiteql("SELECT id, symbol FROM currency ORDER BY id")
    }
    in_netsuite = _netsuite_transactions(netsuite, currencies)
    tally = _Tally(balances=BalanceTally(compare_unapplied=config.zuora.invoice_settlement))
    for record_type in DEPENDENCY_ORDER:
        if record_type in _COMPARED_TYPES and record_type in config.enabled_types:
            _compare_type(zuora, record_type, config, in_netsuite, tally)
    _add_netsuite_only(zuora, in_netsuite, config, tally)
    for eid, found in in_netsuite.items():
        kind = _type_of_external_id(eid)
        if kind is not None and kind in config.enabled_types:
            tally.balances.add_netsuite(found.entity, found.currency or "?", found.open_ar, found.unapplied)
    return tally.result()


def _compare_type(
    zuora: ZuoraApi,
    record_type: RecordType,
    config: SyncConfig,
    in_netsuite: dict[str, _NetSuiteRecord],
    tally: _Tally,
) -> None:
    """Every Zuora transaction of one type in scope, against what NetSuite holds under its external id."""
    scope = _SCOPES[record_type]
    rows = _zuora_rows(zuora, record_type, scope, config)
    if record_type is RecordType.INVOICE and RecordType.INVOICE_CANCELLATION in config.enabled_types:
        # credited on cancellation: NetSuite keeps the invoice (closed by the credit memo), so it counts on both sides
        cancelled = RecordType.INVOICE_CANCELLATION
        rows += _zuora_rows(zuora, cancelled, _SCOPES[cancelled], config)
    accounts = _accounts(zuora, {str(r["AccountId"]) for r in rows if r.get("AccountId")})
    for account in accounts.values():
        tally.balances.know(account)
    for row in rows:
        zuora_id = str(row["Id"])
        eid = external_id(record_type, zuora_id)
        tally.seen.add(eid)
        account_id = str(row.get("AccountId"))
        account = accounts.get(account_id) or ZuoraAccount(account_id, "?", None)
        currency = account.currency
        amount = _decimal(row.get(scope.amount_field))
        if scope.balance_field:
            tally.balances.add_zuora(record_type, account, _decimal(row.get(scope.balance_field)))
        line = tally.line(record_type, currency)
        line.zuora_count += 1
        line.zuora_total += amount or ZERO
        found = in_netsuite.get(eid)
        number = str(row.get(scope.number_field) or zuora_id)
        if found is None:
            error_field = config.zuora.error_field
            why = (str(row.get(error_field) or "") if error_field else "") or "not synced yet"
            tally.differences.append(
                Difference(record_type, zuora_id, number, currency, amount, None, f"not in NetSuite: {why}")
            )
            continue
        expected_type = netsuite_type_of(record_type, negative=amount is not None and amount < ZERO)
        signed = -found.total if expected_type == "creditMemo" and amount is not None and amount < ZERO else found.total
        line.netsuite_count += 1
        line.netsuite_total += signed
        problems = _problems(record_type, found, expected_type, currency, amount, signed, config)
        if problems:
            tally.differences.append(
                Difference(record_type, zuora_id, number, currency, amount, signed, "; ".join(problems))
            )


def _problems(
    record_type: RecordType,
    found: _NetSuiteRecord,
    expected_type: str,
    currency: str,
    amount: Decimal | None,
    signed: Decimal,
    config: SyncConfig,
) -> list[str]:
    """How the NetSuite transaction differs from the Zuora one (none when they match)."""
    problems = []
    if found.record_type != expected_type:
        problems.append(f"NetSuite has a {found.record_type}, expected a {expected_type}")
    if amount is None or signed != amount:
        problems.append(f"amounts differ: Zuora {amount}, NetSuite {signed}")
    if config.multi_currency and found.currency not in (None, currency):
        problems.append(f"currencies differ: Zuora {currency}, NetSuite {found.currency}")
    if record_type is RecordType.INVOICE_CANCELLATION and found.unapplied:
        problems.append(
            f"its credit memo (creditMemo {found.internal_id}) left {found.unapplied} unapplied: the invoice had been "
            "paid in NetSuite; refund that credit or apply it in NetSuite"
        )
    return problems


def _add_netsuite_only(
    zuora: ZuoraApi, in_netsuite: dict[str, _NetSuiteRecord], config: SyncConfig, tally: _Tally
) -> None:
    """The connector's NetSuite transactions that match no Zuora transaction in scope."""
    only: list[tuple[RecordType, str, _NetSuiteRecord]] = []
    for eid, found in in_netsuite.items():
        record_type = _type_of_external_id(eid)
        if record_type is None or eid in tally.seen or record_type not in config.enabled_types:
            continue
        only.append((record_type, eid.removeprefix(RECORD_TYPES[record_type].external_id_prefix), found))
    statuses = _zuora_statuses(zuora, [(t, zuora_id) for t, zuora_id, _ in only])
    for record_type, zuora_id, found in only:
        currency = found.currency or "?"
        line = tally.line(record_type, currency)
        line.netsuite_count += 1
        line.netsuite_total += found.total
        number, status = statuses.get(zuora_id, (zuora_id, None))
        tally.differences.append(
            Difference(
                record_type, zuora_id, number, currency, None, found.total, _why_netsuite_only(found, status),
            )
        )  # fmt: skip


# Changes after sync the connector reports and does not carry (docs/mapping.md, "Changes after sync").
_CHANGED_AFTER_SYNC = {
    "Canceled": (
        "canceled in Zuora after it synced and not credited by the connector (after_sync.canceled_invoice is "
        '"report", or the invoice is not of a positive amount; NetSuite REST has no void): credit it in NetSuite with '
        "a credit memo applied to it, dated in the open period"
    ),
    "Draft": (
        "unposted to Draft in Zuora after it synced; post it again in Zuora, or credit it in NetSuite if it will "
        "not be posted again"
    ),
}


def _why_netsuite_only(found: _NetSuiteRecord, zuora_status: str | None) -> str:
    where = f"in NetSuite ({found.record_type} {found.internal_id})"
    if zuora_status in _CHANGED_AFTER_SYNC:
        return f"{where}, {_CHANGED_AFTER_SYNC[zuora_status]}"
    return f"{where} but not a syncable Zuora transaction"


def _zuora_statuses(zuora: ZuoraApi, records: Sequence[tuple[RecordType, str]]) -> dict[str, tuple[str, str | None]]:
    """Zuora id -> (document number, Status) of the invoices NetSuite has and Zuora no longer counts."""
    ids = {zuora_id for record_type, zuora_id in records if record_type is RecordType.INVOICE}
    return {
        str(row["Id"]): (str(row.get("InvoiceNumber") or row["Id"]), str(row.get("Status") or "") or None)
        for row in query_where(zuora, "Invoice", ("Id", "InvoiceNumber", "Status"), "Id", ids)
    }


_MEMO_RESOURCES = {RecordType.DEBIT_MEMO: "debit-memos", RecordType.CREDIT_MEMO: "credit-memos"}
_MEMO_TYPES = {resource: record_type for record_type, resource in _MEMO_RESOURCES.items()}
_TRANSFER_PENDING = (None, "", "No", "Error", "Processing")


def _zuora_rows(zuora: ZuoraApi, record_type: RecordType, scope: _Scope, config: SyncConfig) -> list[dict[str, Any]]:
    if record_type in _MEMO_RESOURCES:
        return _memo_rows(zuora, _MEMO_RESOURCES[record_type], config)
    fields = ["Id", "AccountId", scope.amount_field, scope.number_field]
    if scope.balance_field and (record_type is not RecordType.PAYMENT or config.zuora.invoice_settlement):
        fields.append(scope.balance_field)
    if config.zuora.error_field:
        fields.append(config.zuora.error_field)
    # Syncable and not Ignore; not transferred yet, or transferred by this connector (it has an Integration ID).
    where = zoql.all_of(
        zoql.eq("Status", scope.status),
        scope.extra,
        on_or_after(scope.date_field, config.cutover_dates.get(record_type)),
        zoql.is_null_or_not("IntegrationStatus__NS", "Ignore"),
        zoql.any_of(
            zoql.is_null("TransferredToAccounting"),
            zoql.one_of("TransferredToAccounting", ("No", "Error", "Processing")),
            zoql.all_of(zoql.eq("TransferredToAccounting", "Yes"), zoql.not_null("IntegrationId__NS")),
        ),
    )
    return list(zuora.query(zoql.select(RECORD_TYPES[record_type].zuora_object, fields, where)))


def _memo_rows(zuora: ZuoraApi, resource: str, config: SyncConfig) -> list[dict[str, Any]]:
    """Memos (Invoice Settlement: Actions refuse them) with Object Query; the transfer status, which Object Query
    does not return, is read from the memo's REST resource for memos the connector has not synced."""
    cutover = config.cutover_dates.get(_MEMO_TYPES[resource])
    error_field = config.zuora.error_field
    filters = ["status.EQ:Posted", *([f"memodate.GE:{cutover.isoformat()}"] if cutover else [])]
    fields = ("id", "accountId", "totalAmount", "balance", "memoNumber", "IntegrationId__NS", "IntegrationStatus__NS",
              *([error_field] if error_field else []))  # fmt: skip
    rows: list[dict[str, Any]] = []
    for row in zuora.object_query(resource, filters=filters, fields=fields):
        if row.get("IntegrationStatus__NS") == "Ignore":
            continue
        if not row.get("IntegrationId__NS"):
            transfer = zuora.rest_get(f"/v1/{resource}/{row['id']}").get("transferredToAccounting")
            if transfer not in _TRANSFER_PENDING:
                continue  # transferred by other means: out of scope
        rows.append(
            {
                "Id": row["id"],
                "AccountId": row.get("accountId"),
                "TotalAmount": row.get("totalAmount"),
                "Balance": row.get("balance"),
                "MemoNumber": row.get("memoNumber"),
                **({error_field: row.get(error_field)} if error_field else {}),
            }
        )
    return rows


def _accounts(zuora: ZuoraApi, account_ids: Iterable[str]) -> dict[str, ZuoraAccount]:
    fields = ("Id", "AccountNumber", "Currency", "IntegrationId__NS")
    return {
        str(row["Id"]): ZuoraAccount(
            number=str(row.get("AccountNumber") or row["Id"]),
            currency=str(row.get("Currency") or "?").upper(),
            netsuite_id=str(row["IntegrationId__NS"]) if row.get("IntegrationId__NS") else None,
        )
        for row in query_where(zuora, "Account", fields, "Id", account_ids)
    }


_NETSUITE_COLUMNS = ("id", "externalid", "type", "foreigntotal", "currency", "entity", "foreignamountunpaid",
                     "foreignpaymentamountunused")  # fmt: skip


def _netsuite_transactions(netsuite: NetSuiteApi, currencies: dict[str, str]) -> dict[str, _NetSuiteRecord]:
    rows = keyset_rows(
        netsuite,
        columns=_NETSUITE_COLUMNS,
        table="transaction",
        where=(
            f"externalid LIKE '{_EXTERNAL_ID_COMMON_PREFIX}%'",
            "type IN (" + ", ".join(f"'{t}'" for t in sorted(_NETSUITE_TYPES)) + ")",
        ),
    )
    found: dict[str, _NetSuiteRecord] = {}
    for row in rows:
        eid = row.get("externalid")
        if not isinstance(eid, str) or _type_of_external_id(eid) is None:
            continue
        found[eid] = _NetSuiteRecord(
            internal_id=str(row["id"]),
            record_type=_NETSUITE_TYPES.get(str(row.get("type")), str(row.get("type"))),
            total=abs(_decimal(row.get("foreigntotal")) or ZERO),
            currency=currencies.get(str(row.get("currency"))) if row.get("currency") is not None else None,
            entity=str(row["entity"]) if row.get("entity") is not None else None,
            open_ar=_decimal(row.get("foreignamountunpaid")) or ZERO,
            unapplied=_decimal(row.get("foreignpaymentamountunused")) or ZERO,
        )
    return found


# The start every transaction external id of the connector shares ("zuora-"): the SuiteQL LIKE filter.
def _common_prefix(texts: Iterable[str]) -> str:
    values = list(texts)
    prefix = min(values, key=len) if values else ""
    while prefix and not all(text.startswith(prefix) for text in values):
        prefix = prefix[:-1]
    return prefix.replace("'", "''")


_EXTERNAL_ID_COMMON_PREFIX = _common_prefix(RECORD_TYPES[t].external_id_prefix for t in _COMPARED_TYPES)


def _type_of_external_id(eid: str) -> RecordType | None:
    for record_type in _COMPARED_TYPES:
        if eid.startswith(RECORD_TYPES[record_type].external_id_prefix):
            return record_type
    return None


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


__all__: Sequence[str] = ["BalanceLine", "Difference", "Reconciliation", "ReconciliationLine", "reconcile"]

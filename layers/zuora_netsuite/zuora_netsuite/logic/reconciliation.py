"""Reconciliation: per record type and currency, count and total in Zuora (the transactions the connector is
responsible for) versus NetSuite (the records with the connector's external ids), and every difference by record.

    result = reconcile(zuora_client, netsuite_client, sync_config)
    for line in result.lines: ...          # type, currency, Zuora count/total, NetSuite count/total
    for difference in result.differences: ...  # which record, both amounts, why

A Zuora transaction is in scope when its status makes it syncable (Posted; Processed payments with an applied
amount, Processed refunds), it is dated on or after the type's cutover, it is not set to Ignore, and it is either
still pending (TransferredToAccounting No / Error / Processing / empty) or was transferred by this connector
(TransferredToAccounting Yes with an Integration ID). Records transferred by other means are out of scope.

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
from zuora_netsuite.mapping.base import on_or_after, query_where
from zuora_netsuite.models.record_types import (
    DEPENDENCY_ORDER,
    RECORD_TYPES,
    TRANSACTION_TYPES,
    RecordType,
    external_id,
    netsuite_type_of,
)
from zuora_netsuite.ports import NetSuiteApi, ZuoraApi
from zuora_netsuite.settings import SyncConfig

ZERO = Decimal(0)


@dataclass(frozen=True)
class _Scope:
    status: str
    date_field: str
    amount_field: str
    number_field: str
    extra: zoql.Filter = zoql.ALL


_SCOPES: dict[RecordType, _Scope] = {
    RecordType.INVOICE: _Scope("Posted", "InvoiceDate", "Amount", "InvoiceNumber"),
    RecordType.DEBIT_MEMO: _Scope("Posted", "MemoDate", "TotalAmount", "MemoNumber"),
    RecordType.PAYMENT: _Scope(
        "Processed",
        "EffectiveDate",
        "Amount",
        "PaymentNumber",
        zoql.cond("AppliedAmount", ">", 0),
    ),
    RecordType.CREDIT_MEMO: _Scope("Posted", "MemoDate", "TotalAmount", "MemoNumber"),
    RecordType.REFUND: _Scope("Processed", "RefundDate", "Amount", "RefundNumber"),
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

    @property
    def balanced(self) -> bool:
        return not self.differences and all(line.matches for line in self.lines)


@dataclass(frozen=True)
class _NetSuiteRecord:
    internal_id: str
    record_type: str
    total: Decimal
    currency: str | None


@dataclass
class _Tally:
    """The reconciliation being built: lines per (type, currency), differences, and the external ids Zuora has."""

    lines: dict[tuple[RecordType, str], ReconciliationLine] = field(default_factory=dict)
    differences: list[Difference] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def line(self, record_type: RecordType, currency: str) -> ReconciliationLine:
        return self.lines.setdefault((record_type, currency), ReconciliationLine(record_type, currency))

    def result(self) -> Reconciliation:
        order = {t: i for i, t in enumerate(DEPENDENCY_ORDER)}
        lines = sorted(self.lines.values(), key=lambda line: (order[line.record_type], line.currency))
        differences = sorted(self.differences, key=lambda d: (order[d.record_type], d.currency, d.number))
        return Reconciliation(lines=lines, differences=differences)


def reconcile(zuora: ZuoraApi, netsuite: NetSuiteApi, config: SyncConfig) -> Reconciliation:
    """Compare the enabled transaction types of Zuora and NetSuite, record by record."""
    currencies = {
        str(row["id"]): str(row["symbol"]).upper()
        for row in netsuite.suiteql("SELECT id, symbol FROM currency ORDER BY id")
    }
    in_netsuite = _netsuite_transactions(netsuite, currencies)
    tally = _Tally()
    for record_type in DEPENDENCY_ORDER:
        if record_type in TRANSACTION_TYPES and record_type in config.enabled_types:
            _compare_type(zuora, record_type, config, in_netsuite, tally)
    _add_netsuite_only(in_netsuite, config, tally)
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
    account_currency = _account_currencies(zuora, {str(r["AccountId"]) for r in rows if r.get("AccountId")})
    for row in rows:
        zuora_id = str(row["Id"])
        eid = external_id(record_type, zuora_id)
        tally.seen.add(eid)
        currency = account_currency.get(str(row.get("AccountId")), "?")
        amount = _decimal(row.get(scope.amount_field))
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
        problems = _problems(found, expected_type, currency, amount, signed, config)
        if problems:
            tally.differences.append(
                Difference(record_type, zuora_id, number, currency, amount, signed, "; ".join(problems))
            )


def _problems(
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
    return problems


def _add_netsuite_only(in_netsuite: dict[str, _NetSuiteRecord], config: SyncConfig, tally: _Tally) -> None:
    """The connector's NetSuite transactions that match no Zuora transaction in scope."""
    for eid, found in in_netsuite.items():
        record_type = _type_of_external_id(eid)
        if record_type is None or eid in tally.seen or record_type not in config.enabled_types:
            continue
        currency = found.currency or "?"
        line = tally.line(record_type, currency)
        line.netsuite_count += 1
        line.netsuite_total += found.total
        zuora_id = eid.removeprefix(RECORD_TYPES[record_type].external_id_prefix)
        tally.differences.append(
            Difference(
                record_type, zuora_id, zuora_id, currency, None, found.total,
                f"in NetSuite ({found.record_type} {found.internal_id}) but not a syncable Zuora transaction",
            )
        )  # fmt: skip


_MEMO_RESOURCES = {RecordType.DEBIT_MEMO: "debit-memos", RecordType.CREDIT_MEMO: "credit-memos"}
_MEMO_TYPES = {resource: record_type for record_type, resource in _MEMO_RESOURCES.items()}
_TRANSFER_PENDING = (None, "", "No", "Error", "Processing")


def _zuora_rows(zuora: ZuoraApi, record_type: RecordType, scope: _Scope, config: SyncConfig) -> list[dict[str, Any]]:
    if record_type in _MEMO_RESOURCES:
        return _memo_rows(zuora, _MEMO_RESOURCES[record_type], config)
    fields = ["Id", "AccountId", scope.amount_field, scope.number_field]
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
    fields = ("id", "accountId", "totalAmount", "memoNumber", "IntegrationId__NS", "IntegrationStatus__NS",
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
                "MemoNumber": row.get("memoNumber"),
                **({error_field: row.get(error_field)} if error_field else {}),
            }
        )
    return rows


def _account_currencies(zuora: ZuoraApi, account_ids: Iterable[str]) -> dict[str, str]:
    return {
        str(row["Id"]): str(row.get("Currency") or "?").upper()
        for row in query_where(zuora, "Account", ("Id", "Currency"), "Id", account_ids)
    }


def _netsuite_transactions(netsuite: NetSuiteApi, currencies: dict[str, str]) -> dict[str, _NetSuiteRecord]:
    rows = keyset_rows(
        netsuite,
        columns=("id", "externalid", "type", "foreigntotal", "currency"),
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
        )
    return found


# The start every transaction external id of the connector shares ("zuora-"): the SuiteQL LIKE filter.
def _common_prefix(texts: Iterable[str]) -> str:
    values = list(texts)
    prefix = min(values, key=len) if values else ""
    while prefix and not all(text.startswith(prefix) for text in values):
        prefix = prefix[:-1]
    return prefix.replace("'", "''")


_EXTERNAL_ID_COMMON_PREFIX = _common_prefix(RECORD_TYPES[t].external_id_prefix for t in TRANSACTION_TYPES)


def _type_of_external_id(eid: str) -> RecordType | None:
    for record_type in TRANSACTION_TYPES:
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


__all__: Sequence[str] = ["Difference", "Reconciliation", "ReconciliationLine", "reconcile"]

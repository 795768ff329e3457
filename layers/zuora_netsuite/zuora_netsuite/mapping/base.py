"""What every record type's mapping provides, and the helpers they share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from zuora_netsuite.adapters.zuora import zoql as zoql  # re-exported: the query builder of pending selections
from zuora_netsuite.failures import FailureKind, SyncFailure, ZuoraError
from zuora_netsuite.mapping.classifications import NetSuiteReferenceData
from zuora_netsuite.mapping.field_mapping import ResolvedFields, resolved_fields
from zuora_netsuite.models.netsuite import NetSuiteRecord
from zuora_netsuite.models.netsuite_account import AccountFields
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.ports import ZuoraApi
from zuora_netsuite.settings import SyncConfig, ZuoraTenant

SYNC_COMPLETE = "Sync Complete"
IGNORE = "Ignore"


class SourceRecord(Protocol):
    """What the sync logic needs from any Zuora record."""

    @property
    def id(self) -> str: ...

    @property
    def integration_id(self) -> str | None: ...

    @property
    def integration_status(self) -> str | None: ...

    @property
    def integration_error(self) -> str | None: ...

    @property
    def updated_date(self) -> datetime: ...


@dataclass(frozen=True)
class Mapped:
    netsuite_type: str  # NetSuite REST record type, e.g. "customer", "serviceSaleItem"
    record: NetSuiteRecord
    create_only: frozenset[str] = frozenset()  # NetSuite fields sent on create, never on update
    # Sublists the connector owns on this record: sent with ?replace= so that an update (a retry, a replay, a
    # re-sync) leaves exactly the lines of the body. Without it NetSuite appends non-keyed lines (a transaction's
    # item lines) to the stored ones and the amount doubles (Oracle help, "Updating a Sublist",
    # https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html).
    replace_sublists: tuple[str, ...] = ()
    # What the NetSuite account asks of the type: its form, mandatory custom fields, numbering (for_account).
    account: AccountFields = field(default_factory=AccountFields)

    def body(self, *, is_update: bool) -> dict[str, Any]:
        body = self.record.body()
        if is_update:
            for name in self.create_only:
                body.pop(name, None)
        return self.account.apply(self.netsuite_type, body)

    def for_account(
        self, config: SyncConfig, record_type: RecordType | None = None, source: Any = None, described: str = ""
    ) -> Mapped:
        """With what the sync configuration says of the record type: the NetSuite account's form, mandatory
        custom fields and numbering, and the record's configured field mappings (resolved from `source`; raises
        ValidationFailure naming a value without a mapping)."""
        resolved = (
            resolved_fields(config, record_type, source, described)
            if record_type is not None
            else ResolvedFields({}, {})
        )
        fields = AccountFields(
            custom_form=config.custom_form_for(self.netsuite_type),
            constants=config.constants_for(self.netsuite_type),
            send_number=config.sends_document_number(self.netsuite_type),
            fields=resolved.body,
            line_fields=resolved.lines,
        )
        return replace(self, account=fields)


# The NetSuite internal id of a record the connector synced (from its integration state), or None.
NetSuiteIdOf = Callable[[RecordType, str], str | None]


def no_netsuite_ids(record_type: RecordType, record_id: str) -> str | None:
    return None


# What is still open on a NetSuite invoice for the credit memo of its cancellation (mapping/cancellation.py):
# (invoice internal id, the memo's external id) -> an amount, or None when unknown (the memo then applies its total).
OpenToCredit = Callable[[str, str], Decimal | None]


def unknown_open_amount(invoice_internal_id: str, memo_external_id: str) -> Decimal | None:
    return None


@dataclass(frozen=True)
class MappingContext:
    reference: NetSuiteReferenceData
    config: SyncConfig
    today: date
    # Apply lines name their document by NetSuite internal id (Oracle's examples: "doc": {"id": "104"}); the
    # sync logic answers from the integration state once the parent synced.
    netsuite_id: NetSuiteIdOf = no_netsuite_ids
    open_to_credit: OpenToCredit = unknown_open_amount


class RecordMapping(Protocol):
    record_type: RecordType
    tenant: ZuoraTenant

    def pending(self, zuora: ZuoraApi, watermark: datetime, cutover: date | None = None) -> Iterator[Mapping[str, Any]]:
        """The records pending sync (docs/architecture.md, pending selection): rows with their `Id` and `UpdatedDate`.
        Transactions dated before `cutover` are left out; master data ignores it."""
        ...

    def fetch(self, zuora: ZuoraApi, ids: Sequence[str]) -> dict[str, SourceRecord]:
        """The current Zuora records with these ids (missing ids are left out)."""
        ...

    def describe(self, source: SourceRecord) -> str:
        """How a finance person recognises the record, e.g. 'Account A00000042'."""
        ...

    def map(self, source: SourceRecord, context: MappingContext, *, is_update: bool) -> Mapped:
        """Validate and map; raises ValidationFailure with every reason found."""
        ...


class TenantMapping:
    """A mapping built for one Zuora tenant's shape (settings.ZuoraTenant)."""

    def __init__(self, tenant: ZuoraTenant) -> None:
        self.tenant = tenant


class ZoqlPending(TenantMapping):
    """For the record types listed with a ZOQL query: `pending` runs `pending_query` through action/query."""

    def pending_query(self, watermark: datetime, cutover: date | None = None) -> str:
        """The ZOQL of the pending records (built with zuora_netsuite.adapters.zuora.zoql: no parentheses)."""
        raise NotImplementedError

    def pending(self, zuora: ZuoraApi, watermark: datetime, cutover: date | None = None) -> Iterator[Mapping[str, Any]]:
        return zuora.query(self.pending_query(watermark, cutover))


@dataclass(frozen=True)
class Parent:
    """A record that must be in NetSuite before its child can sync (docs/mapping.md)."""

    record_type: RecordType
    record_id: str
    role: str  # how a finance person recognises it from the child, e.g. 'charge "Pro Monthly" (8a8f...)'


class ParentsNotInNetSuite(SyncFailure):
    """A mapping needs the NetSuite internal id of parents that are not (known to be) in NetSuite yet.
    The sync logic syncs them first and maps again; if one still has no id, the child fails naming it."""

    kind = FailureKind.DEPENDENCY

    def __init__(self, child: str, parents: Sequence[Parent]) -> None:
        roles = ", ".join(parent.role for parent in parents)
        super().__init__(
            f"{child}: {roles} is not in NetSuite yet",
            code="PARENT_NOT_IN_NETSUITE",
            parent=f"{parents[0].record_type.value}:{parents[0].record_id}" if parents else None,
        )
        self.parents = tuple(parents)


def netsuite_ids_of(context: MappingContext, parents: Sequence[Parent], child: str) -> list[str]:
    """The NetSuite internal ids of `parents`, in order; raises ParentsNotInNetSuite naming the missing ones."""
    found = [context.netsuite_id(parent.record_type, parent.record_id) for parent in parents]
    missing = [parent for parent, netsuite_id in zip(parents, found, strict=True) if netsuite_id is None]
    if missing:
        raise ParentsNotInNetSuite(child, missing)
    return [netsuite_id for netsuite_id in found if netsuite_id is not None]


def parents_of(mapping: RecordMapping, source: SourceRecord) -> Sequence[Parent]:
    """The parents a record needs in NetSuite (a customer: its parent account; items have none)."""
    parents = getattr(mapping, "parents", None)
    return tuple(parents(source)) if parents is not None else ()


def transfer_pending_filter() -> zoql.Filter:
    """Transactions not yet transferred to accounting (null means No), never those set to Ignore."""
    return zoql.all_of(
        zoql.any_of(
            zoql.is_null("TransferredToAccounting"),
            zoql.one_of("TransferredToAccounting", ("No", "Error", "Processing")),
        ),
        zoql.is_null_or_not("IntegrationStatus__NS", IGNORE),
    )


def pending_status_filter(watermark: datetime) -> zoql.Filter:
    """Never attempted, in progress or in error; or synced but changed in Zuora since the watermark.
    `Ignore` is never picked up."""
    return zoql.any_of(
        zoql.is_null("IntegrationStatus__NS"),
        zoql.all_of(zoql.ne("IntegrationStatus__NS", SYNC_COMPLETE), zoql.ne("IntegrationStatus__NS", IGNORE)),
        zoql.all_of(zoql.eq("IntegrationStatus__NS", SYNC_COMPLETE), zoql.cond("UpdatedDate", ">", watermark)),
    )


def on_or_after(field: str, cutover: date | None) -> zoql.Filter:
    """`field >= cutover`, or no condition without a cutover date."""
    return zoql.ALL if cutover is None else zoql.cond(field, ">=", cutover)


def synced_fields(fields: Sequence[str], tenant: ZuoraTenant) -> tuple[str, ...]:
    """The fields to select from a synced object: the error-reason field too, when the tenant has one."""
    return (*fields, tenant.error_field) if tenant.error_field else tuple(fields)


def with_error_reason(row: Mapping[str, Any], tenant: ZuoraTenant) -> dict[str, Any]:
    """A row with the tenant's error-reason field under the models' stable key `integration_error`."""
    out = dict(row)
    if tenant.error_field:
        out["integration_error"] = out.pop(tenant.error_field, None)
    return out


def query_where(
    zuora: ZuoraApi, zuora_object: str, fields: Sequence[str], field_name: str, values: Iterable[str]
) -> list[dict[str, object]]:
    """The rows whose `field_name` is one of `values`, in as many queries as ZOQL's limits need."""
    rows: list[dict[str, object]] = []
    for query in zoql.in_chunks(zuora_object, fields, field_name, sorted(set(values))):
        rows.extend(zuora.query(query))
    return rows


def fetch_synced(
    zuora: ZuoraApi, tenant: ZuoraTenant, zuora_object: str, fields: Sequence[str], ids: Iterable[str]
) -> list[dict[str, Any]]:
    """Synced objects by Id, with the error reason (when configured) under `integration_error`, and the fields
    the configured field mappings read from the object (settings.ZuoraTenant.source_fields)."""
    wanted = synced_fields(fields, tenant)
    configured = tuple(name for name in tenant.source_fields_of(zuora_object) if name not in wanted)
    try:
        rows = query_where(zuora, zuora_object, (*wanted, *configured), "Id", ids)
    except ZuoraError as error:
        if not configured or error.code != "INVALID_FIELD":
            raise
        names = ", ".join(f"{zuora_object}.{name}" for name in configured)
        raise ZuoraError(
            f"field_mappings: Zuora refuses a field they read ({names}); check them with `connector_cli mapping "
            f"check`. {error.reason}",
            code=error.code,
            kind=FailureKind.PERMANENT,
            http_status=error.http_status,
        ) from error
    return [with_error_reason(row, tenant) for row in rows]


def fetch_by_ids(
    zuora: ZuoraApi, zuora_object: str, fields: Sequence[str], ids: Sequence[str]
) -> list[dict[str, object]]:
    return query_where(zuora, zuora_object, fields, "Id", ids)

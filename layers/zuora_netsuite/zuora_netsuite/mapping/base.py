"""What every record type's mapping provides, and the helpers they share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol

from zuora_netsuite.classifications import NetSuiteReferenceData
from zuora_netsuite.failures import FailureKind, SyncFailure
from zuora_netsuite.models.netsuite import NetSuiteRecord
from zuora_netsuite.netsuite_account import AccountFields
from zuora_netsuite.ports import ZuoraApi
from zuora_netsuite.record_types import RecordType
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

    def for_account(self, config: SyncConfig) -> Mapped:
        """With what the sync configuration says this NetSuite account asks of the record type."""
        fields = AccountFields(
            custom_form=config.custom_form_for(self.netsuite_type),
            constants=config.constants_for(self.netsuite_type),
            send_number=config.sends_document_number(self.netsuite_type),
        )
        return replace(self, account=fields)


# The NetSuite internal id of a record the connector synced (from its integration state), or None.
NetSuiteIdOf = Callable[[RecordType, str], str | None]


def no_netsuite_ids(record_type: RecordType, record_id: str) -> str | None:
    return None


@dataclass(frozen=True)
class MappingContext:
    reference: NetSuiteReferenceData
    config: SyncConfig
    today: date
    # Apply lines name their document by NetSuite internal id (Oracle's examples: "doc": {"id": "104"}); the
    # sync logic answers from the integration state once the parent synced.
    netsuite_id: NetSuiteIdOf = no_netsuite_ids


class RecordMapping(Protocol):
    record_type: RecordType
    tenant: ZuoraTenant

    def pending(self, zuora: ZuoraApi, watermark: datetime, cutover: date | None = None) -> Iterator[Mapping[str, Any]]:
        """The records pending sync (domain.md section 4): rows with their `Id` and `UpdatedDate`.
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


class ZoqlPending:
    """For the record types listed with a ZOQL query: `pending` runs `pending_query` through action/query."""

    def __init__(self, tenant: ZuoraTenant) -> None:
        self.tenant = tenant

    def pending_query(self, watermark: datetime, cutover: date | None = None) -> str:
        raise NotImplementedError

    def pending(self, zuora: ZuoraApi, watermark: datetime, cutover: date | None = None) -> Iterator[Mapping[str, Any]]:
        return zuora.query(self.pending_query(watermark, cutover))


@dataclass(frozen=True)
class Parent:
    """A record that must be in NetSuite before its child can sync (domain.md section 1)."""

    record_type: RecordType
    record_id: str
    role: str  # how a finance person recognises it from the child, e.g. 'charge "Pro Monthly" (8a8f...)'


class ParentsNotInNetSuite(SyncFailure):
    """A mapping needs the NetSuite internal id of parents that are not (known to be) in NetSuite yet.
    The sync logic syncs them first and maps again; if one still has no id, the child fails naming it."""

    kind = FailureKind.DEPENDENCY

    def __init__(self, child: str, parents: Sequence[Parent]) -> None:
        roles = ", ".join(parent.role for parent in parents)
        super().__init__(f"{child}: {roles} is not in NetSuite yet", code="PARENT_NOT_IN_NETSUITE")
        self.parents = tuple(parents)


def netsuite_ids_of(context: MappingContext, parents: Sequence[Parent], child: str) -> list[str]:
    """The NetSuite internal ids of `parents`, in order; raises ParentsNotInNetSuite naming the missing ones."""
    found = [context.netsuite_id(parent.record_type, parent.record_id) for parent in parents]
    missing = [parent for parent, netsuite_id in zip(parents, found, strict=True) if netsuite_id is None]
    if missing:
        raise ParentsNotInNetSuite(child, missing)
    return [netsuite_id for netsuite_id in found if netsuite_id is not None]


def parents_of(mapping: RecordMapping, source: SourceRecord) -> Sequence[Parent]:
    """The parents a record needs in NetSuite; master data (customers, items) has none."""
    parents = getattr(mapping, "parents", None)
    return tuple(parents(source)) if parents is not None else ()


def transfer_pending_filter() -> str:
    """Transactions not yet transferred to accounting (null means No), never those set to Ignore."""
    return (
        "(TransferredToAccounting is null or TransferredToAccounting = 'No'"
        " or TransferredToAccounting = 'Error' or TransferredToAccounting = 'Processing')"
        f" and (IntegrationStatus__NS is null or IntegrationStatus__NS != '{IGNORE}')"
    )


def zoql_datetime(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def id_filter(ids: Iterable[str]) -> str:
    """`Id = 'a' or Id = 'b'`; ids are validated (letters, digits, _ and -) before they get here."""
    return " or ".join(f"Id = '{record_id}'" for record_id in ids)


def pending_status_filter(watermark: datetime) -> str:
    """Never attempted, in progress or in error; or synced but changed in Zuora since the watermark.
    `Ignore` is never picked up."""
    return (
        "(IntegrationStatus__NS is null"
        f" or (IntegrationStatus__NS != '{SYNC_COMPLETE}' and IntegrationStatus__NS != '{IGNORE}')"
        f" or (IntegrationStatus__NS = '{SYNC_COMPLETE}' and UpdatedDate > '{zoql_datetime(watermark)}'))"
    )


def fetch_by_ids(
    zuora: ZuoraApi, zuora_object: str, fields: Sequence[str], ids: Sequence[str]
) -> list[dict[str, object]]:
    if not ids:
        return []
    query = f"select {', '.join(fields)} from {zuora_object} where {id_filter(ids)}"  # noqa: S608
    return list(zuora.query(query))

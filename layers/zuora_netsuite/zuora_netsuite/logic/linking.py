"""Go-live linking: find, for each Zuora account and charge the connector has not linked yet, the NetSuite customer
or item that already exists, and adopt the unambiguous ones instead of creating a second record.

Matching (``LinkingSettings``): the match keys are tried in order; the first key that finds any NetSuite candidate
decides: one candidate -> ``matched``; more -> ``ambiguous``. A candidate that already carries the connector's
external id -> ``linked`` (nothing to do). ``conflict`` (reported, never adopted): the one candidate carries another
system's external id (NetSuite keeps one external id per record, and "only a single integrated application can set
and update external ID values for each record type": SuiteTalk Platform Guide), or is an item of another type than
the charge's ``ItemType__NS``. A NetSuite record that two Zuora records match is ambiguous for both.

Adopting a match (``Linker.adopt``): take the record's sync lease, PATCH the connector's external id onto the
NetSuite record (``NetSuiteApi.set_external_id``), save the integration state (NetSuite id and type, no payload
hash, so the next cycle sends the full body as an update), then write ``IntegrationId__NS`` back to Zuora (the
status is left alone: the record is still pending and syncs with the next run). A crash between the steps is safe:
the next upsert by external id finds the adopted record.

NetSuite candidates come from SuiteQL (``customer``: id, entityid, email, externalid and the custom entity fields
of custom-field match keys; ``item``: id, itemid, displayname, itemtype, subtype, externalid), read once with keyset
paging; values are compared in Python (emails case-insensitively, names and custom fields exactly), never with SQL
functions.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, cast

from zuora_netsuite.failures import FailureKind, SyncFailure
from zuora_netsuite.logic.writeback import update_zuora_objects
from zuora_netsuite.mapping import mappings_for
from zuora_netsuite.mapping.base import SourceRecord
from zuora_netsuite.mapping.item import ChargeWithPlan, item_id
from zuora_netsuite.models.netsuite import ITEM_TYPE_BY_ZUORA_VALUE
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType, external_id
from zuora_netsuite.models.state import RecordState
from zuora_netsuite.models.zuora import ZuoraAccount
from zuora_netsuite.ports import IntegrationStateStore, NetSuiteApi, StaleStateError, ZuoraApi
from zuora_netsuite.settings import CustomFieldMatch, LinkingSettings, ZuoraTenant

logger = logging.getLogger(__name__)

LinkStatus = Literal["matched", "ambiguous", "conflict", "unmatched", "linked"]
LINKABLE_TYPES = (RecordType.CUSTOMER, RecordType.ITEM)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FETCH_BATCH = 200
CHUNK_ROWS = 50_000  # SuiteQL rows per keyset query: half the 100,000-result cap
LEASE_SECONDS = 120

# SuiteQL item.itemtype -> the REST record type (sale items; inventory items have no subtype)
RECORD_TYPE_BY_ITEMTYPE = {
    "Service": "serviceSaleItem",
    "NonInvtPart": "nonInventorySaleItem",
    "InvtPart": "inventoryItem",
}
_COLUMNS = {
    RecordType.CUSTOMER: ("id", "entityid", "email", "externalid"),
    RecordType.ITEM: ("id", "itemid", "displayname", "itemtype", "subtype", "externalid"),
}
_KEY_COLUMN = {"entityId": "entityid", "email": "email", "itemId": "itemid", "displayName": "displayname"}


@dataclass(frozen=True)
class Candidate:
    """A NetSuite record a Zuora record may be."""

    internal_id: str
    record_type: str  # REST record type: customer, serviceSaleItem, ...
    name: str | None  # entityid / itemid
    external_id: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.internal_id, "type": self.record_type, "name": self.name, "externalId": self.external_id}


@dataclass(frozen=True)
class Match:
    record_type: RecordType
    zuora_id: str
    label: str  # what a person recognises: the account number, the charge name
    status: LinkStatus
    key: str | None = None  # the match key that decided
    value: str | None = None
    candidates: tuple[Candidate, ...] = ()
    reason: str = ""

    @property
    def external_id(self) -> str:
        return external_id(self.record_type, self.zuora_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.record_type.value,
            "zuora_id": self.zuora_id,
            "label": self.label,
            "status": self.status,
            "key": self.key,
            "value": self.value,
            "candidates": [c.as_dict() for c in self.candidates],
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Adopted:
    match: Match
    ok: bool
    reason: str = ""


@dataclass
class CandidateIndex:
    """NetSuite records by match column value (emails case-folded)."""

    record_type: RecordType
    by_key: dict[str, dict[str, list[Candidate]]] = field(default_factory=dict)

    @classmethod
    def load(
        cls, netsuite: NetSuiteApi, record_type: RecordType, custom: Sequence[CustomFieldMatch] = ()
    ) -> CandidateIndex:
        return cls.from_rows(record_type, _every_row(netsuite, record_type, custom), custom)

    @classmethod
    def from_rows(
        cls, record_type: RecordType, rows: Iterable[Mapping[str, Any]], custom: Sequence[CustomFieldMatch] = ()
    ) -> CandidateIndex:
        """``custom``: the custom-field match keys (customers), indexed under their NetSuite column."""
        index = cls(record_type)
        own = ("entityId", "email") if record_type is RecordType.CUSTOMER else ("itemId", "displayName")
        keys = (*own, *(key.key for key in custom))
        for row in rows:
            candidate = Candidate(
                internal_id=str(row["id"]),
                record_type=_netsuite_type(record_type, row),
                name=_text(row.get("entityid" if record_type is RecordType.CUSTOMER else "itemid")),
                external_id=_text(row.get("externalid")),
            )
            for key in keys:
                value = _normalise(key, row.get(_KEY_COLUMN.get(key, key)))
                if value is not None:
                    index.by_key.setdefault(key, {}).setdefault(value, []).append(candidate)
        return index

    def find(self, key: str, value: str | None) -> list[Candidate]:
        normalised = _normalise(key, value)
        return list(self.by_key.get(key, {}).get(normalised, [])) if normalised is not None else []


def match_one(
    index: CandidateIndex,
    record_type: RecordType,
    zuora_id: str,
    label: str,
    values: Mapping[str, str | None],
    keys: Sequence[str],
    expected_type: str | None = None,
) -> Match:
    """The match of one Zuora record (``values``: match key -> the record's value)."""
    ours = external_id(record_type, zuora_id)
    for key in keys:
        found = index.find(key, values.get(key))
        if not found:
            continue
        base = Match(record_type, zuora_id, label, "ambiguous", key, values.get(key), tuple(found))
        if any(candidate.external_id == ours for candidate in found):
            return Match(record_type, zuora_id, label, "linked", key, values.get(key), tuple(found), "already linked")
        if len(found) > 1:
            return _with(base, "ambiguous", f"{len(found)} NetSuite records have {key} {values.get(key)!r}")
        [candidate] = found
        if candidate.external_id:
            foreign = f"NetSuite record {candidate.internal_id} has external id {candidate.external_id!r}"
            return _with(base, "conflict", f"{foreign} of another system")
        if expected_type is not None and candidate.record_type != expected_type:
            other = f"NetSuite item {candidate.internal_id} is a {candidate.record_type}"
            return _with(base, "conflict", f"{other}; the charge's ItemType__NS makes a {expected_type}")
        return _with(base, "matched", f"{key} {values.get(key)!r}")
    return Match(record_type, zuora_id, label, "unmatched", reason="no NetSuite record matches")


def match_values(
    record_type: RecordType, source: SourceRecord, custom: Sequence[CustomFieldMatch] = ()
) -> tuple[str, dict[str, str | None], str | None]:
    """(label, match key -> the Zuora record's value, the NetSuite record type it must be) of one record.
    ``custom``: the custom-field match keys, whose Zuora Account field the fetch selected (an extra)."""
    if record_type is RecordType.CUSTOMER:
        account = cast(ZuoraAccount, source)
        bill_to: Any = getattr(account, "bill_to", None)  # the bill-to contact, when the account model has one
        values = {"entityId": account.account_number, "email": getattr(bill_to, "work_email", None)}
        extras = account.model_extra or {}
        values |= {key.key: _text(extras.get(key.zuora_field)) for key in custom}
        return account.account_number or account.id, values, "customer"
    charge = cast(ChargeWithPlan, source)
    item_type = ITEM_TYPE_BY_ZUORA_VALUE.get((charge.charge.item_type or "").strip().casefold())
    values = {"itemId": item_id(charge.charge, charge.plan), "displayName": (charge.charge.name or "").strip()}
    return charge.charge.name or charge.id, values, item_type.value if item_type else None


def match_source(
    index: CandidateIndex, record_type: RecordType, source: SourceRecord, settings: LinkingSettings
) -> Match:
    label, values, expected_type = match_values(record_type, source, settings.custom_fields)
    keys = settings.customer_keys if record_type is RecordType.CUSTOMER else settings.item_match
    item_type = expected_type if record_type is RecordType.ITEM else None
    return match_one(index, record_type, source.id, label, values, keys, expected_type=item_type)


def adopt_before_create(
    netsuite: NetSuiteApi, settings: LinkingSettings, record_type: RecordType, source: SourceRecord
) -> Candidate | None:
    """The sync path's matcher (``linking.match_before_create``): before the connector creates a customer or item,
    look for the NetSuite record that already exists (one SuiteQL query per match key); adopt a single match (its
    external id set) and return it, None when there is none. Ambiguous or conflicting: a permanent failure that
    names the candidates and `connector_cli link`. String comparison in SuiteQL is exact (no page documents its
    case rules), so an email that differs only in case is not found here (`link` compares case-insensitively)."""
    custom = settings.custom_fields if record_type is RecordType.CUSTOMER else ()
    _, values, _ = match_values(record_type, source, custom)
    keys = settings.customer_keys if record_type is RecordType.CUSTOMER else settings.item_match
    columns = ", ".join(_columns(record_type, custom))
    rows: list[dict[str, Any]] = []
    for key in keys:
        value = (values.get(key) or "").strip()
        if value:
            literal = value.replace("'", "''")
            column = _KEY_COLUMN.get(key, key)  # a custom field's key is its column
            query = f"SELECT {columns} FROM {_table(record_type)} WHERE {column} = '{literal}'"  # noqa: S608 - quoted
            rows += netsuite.suiteql(query)
    match = match_source(CandidateIndex.from_rows(record_type, rows, custom), record_type, source, settings)
    if match.status == "unmatched":
        return None
    if match.status == "linked":
        return next(c for c in match.candidates if c.external_id == match.external_id)
    if match.status != "matched":
        shown = ", ".join(f"{c.record_type} {c.internal_id}" for c in match.candidates)
        raise SyncFailure(
            f"{match.label}: not created, NetSuite may already have it ({match.status}: {match.reason}; {shown}): "
            "link the right one with `connector_cli link` or make the NetSuite side unique",
            code="AMBIGUOUS_MATCH",
            kind=FailureKind.PERMANENT,
        )
    candidate = match.candidates[0]
    netsuite.set_external_id(candidate.record_type, candidate.internal_id, match.external_id)
    return candidate


def claimed_twice(matches: Sequence[Match]) -> list[Match]:
    """A NetSuite record matched by two or more Zuora records is ambiguous for each of them."""
    claims: dict[str, int] = defaultdict(int)
    for match in matches:
        if match.status == "matched":
            claims[match.candidates[0].internal_id] += 1
    return [
        _with(
            match,
            "ambiguous",
            f"NetSuite record {match.candidates[0].internal_id} matches "
            f"{claims[match.candidates[0].internal_id]} Zuora records",
        )
        if match.status == "matched" and claims[match.candidates[0].internal_id] > 1
        else match
        for match in matches
    ]


class Linker:
    """Plans and adopts go-live links for customers and items."""

    def __init__(
        self,
        zuora: ZuoraApi,
        netsuite: NetSuiteApi,
        state: IntegrationStateStore,
        settings: LinkingSettings,
        tenant: ZuoraTenant,
        *,
        owner: str = "link",
    ) -> None:
        self.zuora = zuora
        self.netsuite = netsuite
        self.state = state
        self.settings = settings
        self.tenant = tenant
        self.owner = owner
        self.mappings = mappings_for(tenant)

    def plan(self, record_type: RecordType) -> list[Match]:
        """Every Zuora record of the type that is pending and not linked, with its match."""
        if record_type not in LINKABLE_TYPES:
            raise ValueError(f"only customers and items are linked, not {record_type.value}")
        custom = self.settings.custom_fields if record_type is RecordType.CUSTOMER else ()
        index = CandidateIndex.load(self.netsuite, record_type, custom)
        matches = [self.match(index, record_type, source) for source in self.unlinked(record_type)]
        return claimed_twice(matches)

    def match(self, index: CandidateIndex, record_type: RecordType, source: SourceRecord) -> Match:
        return match_source(index, record_type, source, self.settings)

    def unlinked(self, record_type: RecordType) -> Iterator[SourceRecord]:
        """Pending records without an Integration ID in Zuora and without a NetSuite id in the state."""
        mapping = self.mappings[record_type]
        ids = sorted({str(row["Id"]) for row in mapping.pending(self.zuora, EPOCH)})
        for start in range(0, len(ids), FETCH_BATCH):
            batch = ids[start : start + FETCH_BATCH]
            states = self.state.get_many([(record_type, record_id) for record_id in batch])
            sources = mapping.fetch(self.zuora, batch)
            for record_id in batch:
                source = sources.get(record_id)
                state = states.get((record_type, record_id))
                if source is not None and not source.integration_id and not (state and state.netsuite_id):
                    yield source

    def adopt(self, match: Match) -> Adopted:
        """Link one matched record (module docstring); any other status is refused."""
        if match.status != "matched":
            return Adopted(match, ok=False, reason=f"not adopted: {match.status}")
        candidate = match.candidates[0]
        acquired, state = self.state.lease_record(match.record_type, match.zuora_id, self.owner, LEASE_SECONDS)
        if not acquired:
            return Adopted(match, ok=False, reason="the record is being synced right now; run link again")
        try:
            self.netsuite.set_external_id(candidate.record_type, candidate.internal_id, match.external_id)
            linked = RecordState(
                record_type=match.record_type,
                record_id=match.zuora_id,
                external_id=match.external_id,
                netsuite_id=candidate.internal_id,
                netsuite_type=candidate.record_type,
                status=state.status if state else None,
                version=state.version if state else 0,
            )
            self.state.save(linked, release_lease_of=self.owner)
        except (SyncFailure, StaleStateError) as failure:
            self.state.release_record_lease(match.record_type, match.zuora_id, self.owner)
            return Adopted(match, ok=False, reason=str(failure))
        zuora_object = RECORD_TYPES[match.record_type].zuora_object
        try:
            [result] = update_zuora_objects(
                self.zuora, zuora_object, [{"Id": match.zuora_id, "IntegrationId__NS": candidate.internal_id}]
            )
        except SyncFailure as failure:
            return Adopted(match, ok=True, reason=f"linked; Zuora's Integration ID not written ({failure})")
        if not result.success:
            return Adopted(match, ok=True, reason=f"linked; Zuora's Integration ID not written ({result.errors})")
        return Adopted(match, ok=True, reason=f"linked to NetSuite {candidate.record_type} {candidate.internal_id}")


def _with(match: Match, status: LinkStatus, reason: str) -> Match:
    return Match(
        match.record_type, match.zuora_id, match.label, status, match.key, match.value, match.candidates, reason
    )


def _every_row(
    netsuite: NetSuiteApi, record_type: RecordType, custom: Sequence[CustomFieldMatch] = ()
) -> Iterator[dict[str, Any]]:
    """Every row of the customer / item table, once, in id order: keyset chunks (``WHERE id > <last> ORDER BY
    id``) of at most CHUNK_ROWS, so no query nears SuiteQL's 100,000-result cap (as adapters' keyset_rows does;
    the logic reaches NetSuite only through the port)."""
    columns, table = ", ".join(_columns(record_type, custom)), _table(record_type)
    last_id = 0
    while True:
        query = f"SELECT {columns} FROM {table} WHERE id > {last_id} ORDER BY id"  # noqa: S608 - no literal
        taken = 0
        for row in netsuite.suiteql(query):
            yield row
            last_id, taken = int(row["id"]), taken + 1
            if taken >= CHUNK_ROWS:
                break
        if taken < CHUNK_ROWS:
            return


def _columns(record_type: RecordType, custom: Sequence[CustomFieldMatch]) -> tuple[str, ...]:
    """The SuiteQL columns read: the type's own and the custom-field match keys' (validated lower-case ids)."""
    return (*_COLUMNS[record_type], *dict.fromkeys(key.netsuite for key in custom))


def _table(record_type: RecordType) -> str:
    return "customer" if record_type is RecordType.CUSTOMER else "item"


def _netsuite_type(record_type: RecordType, row: Mapping[str, Any]) -> str:
    """The REST record type of a SuiteQL row: service / non-inventory items for resale or purchase are other
    record types (serviceResaleItem, nonInventoryPurchaseItem ...) than the sale items the connector makes."""
    if record_type is RecordType.CUSTOMER:
        return "customer"
    item_type, subtype = str(row.get("itemtype") or ""), str(row.get("subtype") or "Sale")
    prefix = {"Service": "service", "NonInvtPart": "nonInventory"}.get(item_type)
    if prefix is not None and subtype != "Sale":
        return f"{prefix}{subtype}Item"
    return RECORD_TYPE_BY_ITEMTYPE.get(item_type, item_type or "item")


def _text(value: Any) -> str | None:
    return None if value is None or str(value) == "" else str(value)


def _normalise(key: str, value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    text = text.strip()
    return (text.casefold() if key == "email" else text) or None

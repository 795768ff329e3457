"""Checks of a field mapping before it is deployed (connector_cli `mapping check` / `mapping diff`).

`probe_sources` asks the Zuora tenant whether every configured source field exists, with the query the sync itself
runs (Actions, the pinned WSDL version): `select Id, <field> from <Object> where Id = '<no such id>'` answers no
rows, or the INVALID_FIELD fault naming a field the tenant does not have (docs/contract-tests.md, ZOQL grammar).

`mapping_diff` maps the synced customers or items with the deployed and a new configuration and reports, without
writing anything, those whose payload under the new configuration differs from the one stored in the connector's
state: exactly the records the next cycle writes after the change (docs/mapping.md, "Mapping as configuration").
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from zuora_netsuite.failures import SyncFailure
from zuora_netsuite.logic.sync import payload_hash
from zuora_netsuite.mapping import mappings_for
from zuora_netsuite.mapping.base import Mapped, MappingContext, SourceRecord
from zuora_netsuite.mapping.classifications import NetSuiteReferenceData
from zuora_netsuite.mapping.field_mapping import probe_query, synced_query
from zuora_netsuite.models.field_mapping import SOURCE_OBJECTS, effective_fields
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.ports import IntegrationStateStore, ZuoraApi
from zuora_netsuite.settings import SyncConfig

# Zuora objects read through Actions (ZOQL); memos are read from REST resources, which return every field.
ZOQL_OBJECTS = frozenset({"Account", "Contact", "ProductRatePlanCharge", "Invoice", "Payment", "Refund"})
DIFF_CHUNK = 200


@dataclass(frozen=True)
class SourceProblem:
    setting: str  # field_mappings.<type>.fields.<target> (or payment_terms)
    source: str  # e.g. Account.Region__c
    reason: str


def configured_sources(config: SyncConfig) -> Iterator[tuple[str, str, str]]:
    """(setting path, source "<Object>.<Field>", Zuora object queried) of every configured source field."""
    for record_type, objects in SOURCE_OBJECTS.items():
        fields, line_fields = effective_fields(record_type, config.field_mappings, config.payment_terms)
        for group, targets in (("fields", fields), ("line_fields", line_fields)):
            for target, source in targets.items():
                if source.source is None or source.source_object not in objects:
                    continue
                configured = target in getattr(config.field_mappings.get(record_type), group, {})
                setting = f"field_mappings.{record_type.value}.{group}.{target}" if configured else "payment_terms"
                yield setting, source.source, objects[source.source_object]


def probe_sources(zuora: ZuoraApi, config: SyncConfig) -> list[SourceProblem]:
    """Every configured source field the Zuora tenant does not have (one probe query per field)."""
    problems: list[SourceProblem] = []
    for setting, source, zuora_object in configured_sources(config):
        if zuora_object not in ZOQL_OBJECTS:
            continue
        query = probe_query(zuora_object, source.partition(".")[2])
        try:
            list(zuora.query(query))
        except SyncFailure as failure:
            problems.append(SourceProblem(setting, source, f"Zuora has no field {source}: {failure.reason}"))
    return problems


@dataclass
class RecordDiff:
    record_id: str
    description: str
    fields: list[str]  # top-level NetSuite fields whose value differs, deployed vs new configuration
    failure: str | None = None  # the record fails validation with the new configuration


@dataclass
class MappingDiff:
    record_type: RecordType
    examined: int = 0
    writes: int = 0  # records the next cycle writes with the new configuration
    records: list[RecordDiff] = field(default_factory=list)


def _body(mapping: Any, source: SourceRecord, context: MappingContext, record_type: RecordType) -> Mapped:
    mapped: Mapped = mapping.map(source, context, is_update=True)
    return mapped.for_account(context.config, record_type, source, mapping.describe(source))


def _changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))


def _synced_ids(zuora: ZuoraApi, record_type: RecordType) -> list[str]:
    rows = zuora.query(synced_query(record_type))
    return sorted(str(row["Id"]) for row in rows)


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), DIFF_CHUNK):
        yield ids[start : start + DIFF_CHUNK]


def mapping_diff(
    zuora: ZuoraApi,
    state: IntegrationStateStore,
    reference: NetSuiteReferenceData,
    deployed: SyncConfig,
    new: SyncConfig,
    record_type: RecordType,
    today: date,
) -> MappingDiff:
    """The synced records of a master data type the new configuration changes (nothing is written)."""
    if record_type not in (RecordType.CUSTOMER, RecordType.ITEM):
        raise ValueError("mapping diff compares customers and items: transactions already synced are not re-sent")
    tenant = new.zuora.model_copy(update={"source_fields": deployed.zuora.source_fields | new.zuora.source_fields})
    mapping = mappings_for(tenant)[record_type]

    def netsuite_id(rt: RecordType, rid: str) -> str | None:
        current = state.get(rt, rid)
        return current.netsuite_id if current is not None else None

    contexts = [MappingContext(reference, config, today, netsuite_id=netsuite_id) for config in (deployed, new)]
    result = MappingDiff(record_type)
    for chunk in _chunks(_synced_ids(zuora, record_type)):
        for record_id, source in sorted(mapping.fetch(zuora, chunk).items()):
            result.examined += 1
            diff = _record_diff(mapping, source, contexts, record_type, state.get(record_type, record_id))
            if diff is not None:
                result.writes += diff.failure is None
                result.records.append(diff)
    return result


def _record_diff(
    mapping: Any, source: SourceRecord, contexts: list[MappingContext], record_type: RecordType, current: Any
) -> RecordDiff | None:
    described = mapping.describe(source)
    try:
        new = _body(mapping, source, contexts[1], record_type)
    except SyncFailure as failure:
        return RecordDiff(source.id, described, [], failure=failure.reason)
    stored = getattr(current, "payload_hash", None)
    if stored is not None and stored == payload_hash(new):
        return None
    try:
        old_body = _body(mapping, source, contexts[0], record_type).body(is_update=False)
    except SyncFailure:
        old_body = {}
    return RecordDiff(source.id, described, _changed_fields(old_body, new.body(is_update=False)))

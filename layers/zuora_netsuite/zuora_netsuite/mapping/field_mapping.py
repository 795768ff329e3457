"""Field mapping as configuration, at sync time (docs/mapping.md, "Mapping as configuration").

`resolved_fields` turns a record type's effective field mappings (built-in defaults overridden by
`field_mappings`; models/field_mapping.py) into NetSuite values for one Zuora record; `Mapped.for_account` adds
them to the body. `mapping_digest` fingerprints everything the configuration adds to a record type's payloads
(form, constants, field mappings, numbering): when it changes, the record type's synced records are looked at
again (logic/dispatch.py) and those whose payload changed are written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from zuora_netsuite.adapters.zuora import zoql
from zuora_netsuite.failures import ValidationFailure
from zuora_netsuite.models.field_mapping import SOURCE_OBJECTS, FieldSource, effective_fields
from zuora_netsuite.models.netsuite_account import ConstantRef
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType
from zuora_netsuite.settings import SyncConfig

# Related objects a source record carries as attributes (the account's bill-to / sold-to contacts).
_RELATED = {"BillTo": "bill_to", "SoldTo": "sold_to"}


def _fields_of(model: Any) -> dict[str, Any]:
    if model is None:
        return {}
    if isinstance(model, BaseModel):
        return {**model.model_dump(by_alias=True), **(model.model_extra or {})}
    if isinstance(model, Mapping):
        return dict(model)
    return {}


def source_values(record_type: RecordType, source: Any) -> dict[str, dict[str, Any]]:
    """The values a mapping can read, by source object name: the record's own fields (Zuora names, `__c` custom
    fields included) and its related objects'."""
    own = getattr(source, "record", source)  # a transaction comes with its account and lines (TransactionSource)
    values: dict[str, dict[str, Any]] = {}
    for name in SOURCE_OBJECTS[record_type]:
        related = _RELATED.get(name)
        values[name] = _fields_of(getattr(own, related, None) if related else own)
    return values


def _json(value: Any) -> Any:
    if isinstance(value, ConstantRef):
        return {"id": value.id}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Missing:
    """No value: the field is left out of the body."""


MISSING = Missing()


def resolve(target: str, field: FieldSource, values: Mapping[str, Mapping[str, Any]]) -> Any:
    """The NetSuite value of one field, or MISSING. Raises ValueError (the reason) when a value has no mapping."""
    if field.constant is not None:
        return _json(field.constant)
    value = values.get(field.source_object, {}).get(field.source_field)
    if _blank(value):
        return MISSING if field.default is None else _json(field.default)
    if field.value_map:
        by_key = {key.strip().casefold(): mapped for key, mapped in field.value_map.items()}
        key = str(value).strip().casefold()
        if key in by_key:
            value = by_key[key]
        elif field.default is not None:
            return _json(field.default)
        else:
            raise ValueError(f'{field.source} "{value}" has no NetSuite value in the value_map of {target}')
    value = _json(value)
    if field.reference and not isinstance(value, dict):
        return {"id": str(value)}
    return value


@dataclass(frozen=True)
class ResolvedFields:
    body: dict[str, Any]
    lines: dict[str, Any]


def resolved_fields(config: SyncConfig, record_type: RecordType, source: Any, described: str) -> ResolvedFields:
    """The configured fields' values for one record; ValidationFailure naming every field without one."""
    fields, line_fields = effective_fields(record_type, config.field_mappings, config.payment_terms)
    if not fields and not line_fields:
        return ResolvedFields({}, {})
    values = source_values(record_type, source)
    problems: list[str] = []
    out: list[dict[str, Any]] = [{}, {}]
    for kind, (group, targets) in enumerate((("fields", fields), ("line_fields", line_fields))):
        for target, field in targets.items():
            try:
                value = resolve(target, field, values)
            except ValueError as error:
                setting = _setting_of(config, record_type, group, target)
                problems.append(f"{described}: {error}: add it to {setting} or give a default")
                continue
            if not isinstance(value, Missing):
                out[kind][target] = value
    if problems:
        raise ValidationFailure(problems)
    return ResolvedFields(out[0], out[1])


def _setting_of(config: SyncConfig, record_type: RecordType, group: str, target: str) -> str:
    configured = config.field_mappings.get(record_type)
    built_in = configured is None or target not in getattr(configured, group)
    if built_in and record_type == RecordType.CUSTOMER and target == "terms":
        return "payment_terms"
    return f"field_mappings.{record_type.value}.{group}.{target}.value_map"


def probe_query(zuora_object: str, field_name: str) -> str:
    """A query that answers no row, or Zuora's INVALID_FIELD fault when the tenant has no such field."""
    return zoql.select(zuora_object, ("Id", field_name), zoql.eq("Id", "0" * 32))


def synced_query(record_type: RecordType) -> str:
    """The ids of the records of a type in `Sync Complete`."""
    zuora_object = RECORD_TYPES[record_type].zuora_object
    return zoql.select(zuora_object, ("Id",), zoql.eq("IntegrationStatus__NS", "Sync Complete"))


def mapping_digest(config: SyncConfig, record_type: RecordType) -> str:
    """A fingerprint of what the configuration adds to the record type's NetSuite payloads."""
    fields, line_fields = effective_fields(record_type, config.field_mappings, config.payment_terms)
    netsuite_types = RECORD_TYPES[record_type].netsuite_types
    effective = {
        "fields": {target: field.digest_value() for target, field in sorted(fields.items())},
        "line_fields": {target: field.digest_value() for target, field in sorted(line_fields.items())},
        "forms": [config.custom_form_for(t) for t in netsuite_types],
        "constants": [{k: _json(v) for k, v in sorted(config.constants_for(t).items())} for t in netsuite_types],
        "numbers": [config.sends_document_number(t) for t in netsuite_types],
    }
    canonical = json.dumps(effective, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()

"""A Zuora record as the dispatcher read it, carried in the sync message (models.messages.Snapshot) so that the
sync does not read Zuora again: `dump` a fetched SourceRecord to JSON-ready data, `load` it back to the same
SourceRecord (the same NetSuite payload). Models by field name, Decimal as its exact text, times as ISO 8601 with
their offset. Only the classes listed here are ever built from a message."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from zuora_netsuite.mapping.base import SourceRecord
from zuora_netsuite.mapping.item import ChargeWithPlan
from zuora_netsuite.mapping.transaction import TransactionSource
from zuora_netsuite.models.messages import Snapshot
from zuora_netsuite.models.zuora import (
    ZuoraAccount,
    ZuoraApplication,
    ZuoraInvoice,
    ZuoraInvoiceItem,
    ZuoraMemo,
    ZuoraMemoItem,
    ZuoraPayment,
    ZuoraProductRatePlan,
    ZuoraProductRatePlanCharge,
    ZuoraRefund,
    ZuoraTransaction,
)

VERSION = 1
_MODELS: dict[str, type[BaseModel]] = {
    model.__name__: model
    for model in (
        ZuoraAccount,
        ZuoraApplication,
        ZuoraInvoice,
        ZuoraInvoiceItem,
        ZuoraMemo,
        ZuoraMemoItem,
        ZuoraPayment,
        ZuoraProductRatePlan,
        ZuoraProductRatePlanCharge,
        ZuoraRefund,
    )
}


class SnapshotError(ValueError):
    """The snapshot cannot be read back (another version, a class not listed): the sync reads Zuora instead."""


def _dump_model(model: BaseModel | None) -> dict[str, Any] | None:
    if model is None:
        return None
    if type(model).__name__ not in _MODELS:
        raise SnapshotError(f"{type(model).__name__} is not carried in snapshots")
    return {"t": type(model).__name__, "d": model.model_dump(mode="json", exclude_none=True)}


def _load_model(data: Any) -> BaseModel | None:
    if data is None:
        return None
    model = _MODELS.get(str(data.get("t"))) if isinstance(data, dict) else None
    if model is None:
        raise SnapshotError(f"unknown model in snapshot: {data!r:.80}")
    return model.model_validate(data["d"])


def _load_as(data: Any, cls: type[Any] | tuple[type[Any], ...]) -> Any:
    model = _load_model(data)
    if not isinstance(model, cls):
        raise SnapshotError(f"snapshot holds {type(model).__name__} where {cls!r} is expected")
    return model


def dump(source: SourceRecord) -> dict[str, Any] | None:
    """The record's data for a snapshot, or None for a kind of record snapshots do not carry."""
    if isinstance(source, ZuoraAccount):
        return {"k": "account", "record": _dump_model(source)}
    if isinstance(source, ChargeWithPlan):
        return {"k": "charge", "charge": _dump_model(source.charge), "plan": _dump_model(source.plan)}
    if isinstance(source, TransactionSource):
        return {
            "k": "transaction",
            "record": _dump_model(source.record),
            "account": _dump_model(source.account),
            "lines": [_dump_model(line) for line in source.lines],
            "applications": [_dump_model(application) for application in source.applications],
            "invoice_numbers": dict(source.invoice_numbers),
            "refunded_credit_memos": list(source.refunded_credit_memos),
        }
    return None


def load(data: dict[str, Any]) -> SourceRecord:
    """The SourceRecord `dump` was given; raises SnapshotError (or pydantic's ValidationError) when it cannot."""
    kind = data.get("k")
    if kind == "account":
        account: ZuoraAccount = _load_as(data["record"], ZuoraAccount)
        return account
    if kind == "charge":
        plan = _load_as(data["plan"], ZuoraProductRatePlan) if data.get("plan") is not None else None
        return ChargeWithPlan(_load_as(data["charge"], ZuoraProductRatePlanCharge), plan)
    if kind == "transaction":
        account_data = data.get("account")
        return TransactionSource(
            _load_as(data["record"], ZuoraTransaction),
            _load_as(account_data, ZuoraAccount) if account_data is not None else None,
            tuple(_load_as(line, (ZuoraInvoiceItem, ZuoraMemoItem)) for line in data.get("lines", [])),
            applications=tuple(_load_as(a, ZuoraApplication) for a in data.get("applications", [])),
            invoice_numbers={str(k): str(v) for k, v in data.get("invoice_numbers", {}).items()},
            refunded_credit_memos=tuple(str(i) for i in data.get("refunded_credit_memos", [])),
        )
    raise SnapshotError(f"unknown snapshot kind {kind!r}")


def take(source: SourceRecord, taken_at: datetime, max_bytes: int) -> Snapshot | None:
    """The snapshot of a fetched record, or None when it does not fit in `max_bytes` of JSON (so that ten
    messages stay within one SendMessageBatch's 256 KiB) or is of a kind snapshots do not carry."""
    try:
        data = dump(source)
    except SnapshotError:
        data = None
    if data is None:
        return None
    snapshot = Snapshot(v=VERSION, updated_date=source.updated_date, taken_at=taken_at, data=data)
    if len(json.dumps(data, separators=(",", ":"))) + 200 > max_bytes:
        return None
    return snapshot


def restore(snapshot: Snapshot) -> SourceRecord:
    if snapshot.v != VERSION:
        raise SnapshotError(f"snapshot version {snapshot.v}, this code reads {VERSION}")
    return load(snapshot.data)

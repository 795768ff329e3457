"""A Zuora record as the dispatcher read it, carried in the sync message (models.messages.Snapshot) so that the
sync does not read Zuora again: `dump` a fetched SourceRecord to JSON-ready data, `load` it back to the same
SourceRecord (the same NetSuite payload). Models by field name, Decimal as its exact text, times as ISO 8601 with
their offset. Only the classes listed here are ever built from a message."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from zuora_netsuite.mapping.base import SourceRecord
from zuora_netsuite.mapping.item import ChargeWithPlan
from zuora_netsuite.mapping.transaction import TransactionSource
from zuora_netsuite.models.messages import Snapshot
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.zuora import (
    ZuoraAccount,
    ZuoraApplication,
    ZuoraContact,
    ZuoraInvoice,
    ZuoraInvoiceItem,
    ZuoraMemo,
    ZuoraMemoItem,
    ZuoraPayment,
    ZuoraProductRatePlan,
    ZuoraProductRatePlanCharge,
    ZuoraRefund,
    ZuoraTaxationItem,
    ZuoraTransaction,
)

VERSION = 2  # 2: contacts, taxation items, payment method type, refund sources (issues 12, 13)
_MODELS: dict[str, type[BaseModel]] = {
    model.__name__: model
    for model in (
        ZuoraAccount,
        ZuoraApplication,
        ZuoraContact,
        ZuoraInvoice,
        ZuoraInvoiceItem,
        ZuoraMemo,
        ZuoraMemoItem,
        ZuoraPayment,
        ZuoraProductRatePlan,
        ZuoraProductRatePlanCharge,
        ZuoraRefund,
        ZuoraTaxationItem,
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


def _dump_account(account: ZuoraAccount | None) -> dict[str, Any] | None:
    """An account with its bill-to and sold-to contacts (which its model_dump leaves out)."""
    if account is None:
        return None
    return {"a": _dump_model(account), "bill_to": _dump_model(account.bill_to), "sold_to": _dump_model(account.sold_to)}


def _load_account(data: Any) -> ZuoraAccount | None:
    if data is None:
        return None
    account: ZuoraAccount = _load_as(data["a"], ZuoraAccount)
    contacts = {k: _load_as(data[k], ZuoraContact) if data.get(k) is not None else None for k in ("bill_to", "sold_to")}
    return account.model_copy(update=contacts)


def _dump_transaction(source: TransactionSource) -> dict[str, Any]:
    """Every field of TransactionSource (a test fails when one is added and not carried here)."""
    return {
        "k": "transaction",
        "record": _dump_model(source.record),
        "account": _dump_account(source.account),
        "lines": [_dump_model(line) for line in source.lines],
        "applications": [_dump_model(application) for application in source.applications],
        "invoice_numbers": dict(source.invoice_numbers),
        "refunded_credit_memos": list(source.refunded_credit_memos),
        "taxation": [_dump_model(item) for item in source.taxation],
        "discount_charges": sorted(source.discount_charges),
        "payment_method_type": source.payment_method_type,
        "refund_sources": [[kind.value, zuora_id, str(amount)] for kind, zuora_id, amount in source.refund_sources],
        "resent_when_changed": source.resent_when_changed,
    }


def _load_transaction(data: dict[str, Any]) -> TransactionSource:
    method_type = data.get("payment_method_type")
    return TransactionSource(
        _load_as(data["record"], ZuoraTransaction),
        _load_account(data.get("account")),
        tuple(_load_as(line, (ZuoraInvoiceItem, ZuoraMemoItem)) for line in data.get("lines", [])),
        applications=tuple(_load_as(a, ZuoraApplication) for a in data.get("applications", [])),
        invoice_numbers={str(k): str(v) for k, v in data.get("invoice_numbers", {}).items()},
        refunded_credit_memos=tuple(str(i) for i in data.get("refunded_credit_memos", [])),
        taxation=tuple(_load_as(item, ZuoraTaxationItem) for item in data.get("taxation", [])),
        discount_charges=frozenset(str(c) for c in data.get("discount_charges", [])),
        payment_method_type=str(method_type) if method_type is not None else None,
        refund_sources=tuple(
            (RecordType(kind), str(zuora_id), Decimal(str(amount)))
            for kind, zuora_id, amount in data.get("refund_sources", [])
        ),
        resent_when_changed=bool(data.get("resent_when_changed", False)),
    )


def dump(source: SourceRecord) -> dict[str, Any] | None:
    """The record's data for a snapshot, or None for a kind of record snapshots do not carry."""
    if isinstance(source, ZuoraAccount):
        return {"k": "account", "record": _dump_account(source)}
    if isinstance(source, ChargeWithPlan):
        return {"k": "charge", "charge": _dump_model(source.charge), "plan": _dump_model(source.plan)}
    if isinstance(source, TransactionSource):
        return _dump_transaction(source)
    return None


def load(data: dict[str, Any]) -> SourceRecord:
    """The SourceRecord `dump` was given; raises SnapshotError (or pydantic's ValidationError) when it cannot."""
    kind = data.get("k")
    if kind == "account":
        account = _load_account(data["record"])
        if account is None:
            raise SnapshotError("an account snapshot without its account")
        return account
    if kind == "charge":
        plan = _load_as(data["plan"], ZuoraProductRatePlan) if data.get("plan") is not None else None
        return ChargeWithPlan(_load_as(data["charge"], ZuoraProductRatePlanCharge), plan)
    if kind == "transaction":
        return _load_transaction(data)
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

"""Parents first: a record whose customer, item, invoice or payment is not in NetSuite yet syncs that parent
first, in the same invocation and through the same sync path (lease, validation, upsert, state, write-back).

The dispatcher enqueues types in dependency order, but nothing here relies on it: messages may arrive in any
order (webhooks, retries, replays, parallel batches).

- A parent is in NetSuite when the connector's state says so (it holds the NetSuite internal id). Zuora's
  IntegrationId__NS alone is not proof: the record may have been deleted in NetSuite by hand.
- A parent that fails permanently makes the child fail permanently, with a reason naming the parent, e.g.
  `Invoice INV00042: charge "Pro Monthly" (8a8f...) has no NetSuite item: its item sync failed: <reason>`.
  The child stays pending in Zuora (TransferredToAccounting = Error); its error names the parent's key, and the
  dispatcher enqueues it again as soon as that parent is in NetSuite (or enqueued in the same run), so it syncs on
  its own once the parent is fixed.
- A parent being synced by another worker right now is waited for briefly; then the child is retried (transient).
- A parent that already failed in this same run is not tried again: its reason is reused (one DLQ message and
  one write-back per failure, however many children it has).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from zuora_netsuite.failures import FailureKind, SyncFailure
from zuora_netsuite.mapping.base import Parent, RecordMapping, SourceRecord, parents_of
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import RecordState, SyncOutcome
from zuora_netsuite.observability import logger
from zuora_netsuite.ports import IntegrationStateStore

# What the parent is called in NetSuite, for reasons: "has no NetSuite item".
NETSUITE_NOUN: dict[RecordType, str] = {
    RecordType.CUSTOMER: "customer",
    RecordType.ITEM: "item",
    RecordType.INVOICE: "invoice",
    RecordType.DEBIT_MEMO: "invoice",
    RecordType.PAYMENT: "customer payment",
    RecordType.CREDIT_MEMO: "credit memo",
    RecordType.REFUND: "customer refund",
}
BUSY_WAITS_SECONDS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4)  # another worker is usually done within these
DEPENDENCY_CODE = "PARENT_NOT_IN_NETSUITE"
BUSY_CODE = "RECORD_BUSY"


class ParentSyncer(Protocol):
    """The sync path parents go through: RecordSync."""

    @property
    def state(self) -> IntegrationStateStore: ...

    def sync(self, request: SyncRequest, message_id: str) -> SyncOutcome: ...

    def known_state(self, record_type: RecordType, record_id: str) -> RecordState | None:
        """The parent's state, from the batch's cache once known to be in NetSuite."""
        ...


def ensure_parents(
    syncer: ParentSyncer,
    mapping: RecordMapping,
    source: SourceRecord,
    request: SyncRequest,
    message_id: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Return once every parent of `source` is in NetSuite; else raise a SyncFailure naming the parent
    (FailureKind.DEPENDENCY when the parent failed, TRANSIENT when it may still succeed)."""
    child = mapping.describe(source)
    for parent in parents_of(mapping, source):
        _ensure_parent(syncer, parent, child, request, message_id, sleep)


def _in_netsuite(state: RecordState | None) -> bool:
    return state is not None and state.netsuite_id is not None


def _failed_in_this_run(state: RecordState | None, run_id: str | None) -> bool:
    return (
        run_id is not None
        and state is not None
        and state.error is not None
        and state.error.kind is not FailureKind.TRANSIENT
        and state.run_id == run_id
    )


def _ensure_parent(
    syncer: ParentSyncer,
    parent: Parent,
    child: str,
    request: SyncRequest,
    message_id: str,
    sleep: Callable[[float], None],
) -> None:
    state = syncer.known_state(parent.record_type, parent.record_id)
    if _in_netsuite(state):
        return
    if not _failed_in_this_run(state, request.run_id):
        logger.info(
            "Parent not in NetSuite yet; syncing it first",
            extra={"parent": f"{parent.record_type.value}:{parent.record_id}", "child": request.key},
        )
        parent_request = SyncRequest(
            record_type=parent.record_type, record_id=parent.record_id, source=request.source, run_id=request.run_id
        )
        try:
            syncer.sync(parent_request, message_id)
        except SyncFailure as failure:
            if failure.code == BUSY_CODE:
                state = _wait_for(syncer, parent, request.run_id, sleep)
                if _in_netsuite(state):
                    return
                if not _failed_in_this_run(state, request.run_id):
                    raise _pending(parent, child, "another worker is syncing it") from None
            else:
                raise _pending(parent, child, failure.reason) from None
        else:
            state = syncer.state.get(parent.record_type, parent.record_id)
    if _in_netsuite(state):
        return
    noun = NETSUITE_NOUN[parent.record_type]
    if state is not None and state.error is not None:
        why = f"its {parent.record_type.value.replace('_', ' ')} sync failed: {state.error.message}"
    else:
        why = "it is not eligible to sync (e.g. SynctoNetSuite__NS is No, a draft, or set to Ignore)"
    raise SyncFailure(
        f"{child}: {parent.role} has no NetSuite {noun}: {why}",
        code=DEPENDENCY_CODE,
        kind=FailureKind.DEPENDENCY,
        parent=f"{parent.record_type.value}:{parent.record_id}",
    )


def _wait_for(
    syncer: ParentSyncer, parent: Parent, run_id: str | None, sleep: Callable[[float], None]
) -> RecordState | None:
    """The parent's state once the other worker is done with it (or after the last wait)."""
    state = syncer.state.get(parent.record_type, parent.record_id)
    for seconds in BUSY_WAITS_SECONDS:
        if _in_netsuite(state) or _failed_in_this_run(state, run_id):
            break
        sleep(seconds)
        state = syncer.state.get(parent.record_type, parent.record_id)
    return state


def _pending(parent: Parent, child: str, why: str) -> SyncFailure:
    return SyncFailure(
        f"{child}: waiting for {parent.role} to reach NetSuite ({why}); retried",
        code=BUSY_CODE,
        kind=FailureKind.TRANSIENT,
    )

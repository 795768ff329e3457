"""The small interfaces the logic talks to. Real adapters: zuora.client, netsuite.client, state, queue, http.
Unit tests pass in-memory fakes (tests/fakes.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

# Annotations only (the Protocols are never inspected at run time): importing the ports loads no model, so a
# function loads only the models its own code uses (the sync handler: not the replay's, issue 14).
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from datetime import datetime

    from zuora_netsuite.models.messages import DeadLetter, DispatchCheckpoint, RunSummary, SyncRequest
    from zuora_netsuite.models.record_types import RecordType
    from zuora_netsuite.models.replay import DeadLetterMessage
    from zuora_netsuite.models.state import RecordState
    from zuora_netsuite.models.writeback import WriteBackMessage
    from zuora_netsuite.models.zuora import ZuoraUpdateResult

MIN_CALL_SECONDS = 1.0  # a vendor call (or a wait before one) is not started with less time than this left


class InvocationBudget(Protocol):
    """The time an invocation may still spend on vendor calls (adapters.http.TimeBudget): the sync batch starts no
    record with too little left, and releases the reserve kept for its end."""

    def remaining(self) -> float | None:
        """Seconds left for calls (the reserve excluded), or None when no budget runs."""
        ...

    def release_reserve(self) -> None: ...


class StaleStateError(Exception):
    """The record state changed since it was read: another worker wrote it first (IntegrationStateStore.save)."""


class ZuoraApi(Protocol):
    def query(self, zoql: str) -> Iterator[dict[str, Any]]:
        """Run a ZOQL query, paging through queryMore; yields records (null fields left out).
        Raises ZuoraError."""
        ...

    def update(self, object_type: str, objects: Sequence[Mapping[str, Any]]) -> list[ZuoraUpdateResult]:
        """POST /v1/action/update in chunks of at most 50; one result per object, in order.
        An object is {"Id", field: value, ..., "fieldsToNull": [names to clear]}; Zuora ignores fields the object
        does not have. Raises ZuoraError for a whole-call failure."""
        ...

    def update_memo(self, resource: str, memo_id: str, fields: Mapping[str, Any]) -> None:
        """PUT /v1/{credit-memos|debit-memos}/{memo_id}: the Invoice Settlement objects action/update does not
        cover. Raises ZuoraError."""
        ...

    def update_memos(self, resource: str, memos: Sequence[Mapping[str, Any]]) -> list[ZuoraUpdateResult]:
        """PUT /v1/{credit-memos|debit-memos}/bulk, 50 memos a request: each memo {"id", field: value...} (null
        clears a field); one result per memo, in order (a memo's own failure is its result). Raises ZuoraError for
        a whole-request failure."""
        ...

    def rest_get(self, path: str, params: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
        """GET a v1 REST resource (Invoice Settlement: /v1/credit-memos/{key}, ...). Raises ZuoraError."""
        ...

    def rest_get_pages(self, path: str, key: str, page_size: int = 40) -> Iterator[dict[str, Any]]:
        """Every row of a paged v1 list ('items', 'parts'), following nextPage. Raises ZuoraError."""
        ...

    def object_query(
        self,
        resource: str,
        *,
        filters: Sequence[str] = (),
        fields: Sequence[str] = (),
        expand: Sequence[str] = (),
        sort: str | None = None,
        page_size: int = 99,
    ) -> Iterator[dict[str, Any]]:
        """GET /object-query/{resource}: filters ANDed ('field.OP:value'), cursor paging. Raises ZuoraError."""
        ...


class NetSuiteApi(Protocol):
    def upsert(
        self, record_type: str, external_id: str, body: Mapping[str, Any], *, replace: Sequence[str] = ()
    ) -> str:
        """PUT /record/v1/{record_type}/eid:{external_id}[?replace=<sublists>]; returns the internal id.
        `replace` names the sublists whose lines the body replaces (else NetSuite appends non-keyed lines).
        Raises NetSuiteError."""
        ...

    def get_by_external_id(self, record_type: str, external_id: str) -> dict[str, Any] | None:
        """GET /record/v1/{record_type}/eid:{external_id}; None when it does not exist."""
        ...

    def suiteql(self, query: str) -> Iterator[dict[str, Any]]:
        """POST /query/v1/suiteql with limit/offset paging; yields rows."""
        ...

    def set_external_id(self, record_type: str, internal_id: str, external_id: str) -> None:
        """PATCH /record/v1/{record_type}/{internal_id} {"externalId": ...}: adopt a record made without it.
        Raises NetSuiteError (permanent when another record has that external id)."""
        ...


class IntegrationStateStore(Protocol):
    def get(self, record_type: RecordType, record_id: str) -> RecordState | None: ...

    def save(self, state: RecordState, *, release_lease_of: str | None = None) -> RecordState:
        """Write state.version + 1 if the stored version is still state.version (else StaleStateError);
        with `release_lease_of`, release that owner's lease in the same write."""
        ...

    def lease_record(
        self, record_type: RecordType, record_id: str, owner: str, seconds: int
    ) -> tuple[bool, RecordState | None]:
        """Take the record's sync lease and read its state in one request: (acquired, state)."""
        ...

    def get_many(self, keys: Sequence[tuple[RecordType, str]]) -> dict[tuple[RecordType, str], RecordState]:
        """The states of many records at once (missing ones are left out)."""
        ...

    def acquire_record_lease(self, record_type: RecordType, record_id: str, owner: str, seconds: int) -> bool:
        """True when this owner now holds the record's sync lease."""
        ...

    def release_record_lease(self, record_type: RecordType, record_id: str, owner: str) -> None: ...

    def acquire_run_lease(self, owner: str, seconds: int) -> bool: ...

    def release_run_lease(self, owner: str) -> None: ...

    def get_watermark(self, record_type: RecordType) -> datetime | None: ...

    def advance_watermark(self, record_type: RecordType, to: datetime, mapping_digest: str | None = None) -> None:
        """Move the type's watermark forward (never back), with the digest of the mapping it was reached under."""
        ...

    def get_mapping_digest(self, record_type: RecordType) -> str | None:
        """The digest stored with the type's watermark (mapping/field_mapping.py mapping_digest), or None."""
        ...

    def save_run_summary(self, summary: RunSummary) -> None: ...

    def get_checkpoint(self, record_type: RecordType) -> DispatchCheckpoint | None:
        """The type's dispatch checkpoint, if a run stopped in it at its time budget."""
        ...

    def add_to_checkpoint(self, checkpoint: DispatchCheckpoint, record_ids: Sequence[str]) -> DispatchCheckpoint:
        """Store the ids of one more chunk sent (a chunk item first, then the checkpoint counting it)."""
        ...

    def checkpoint_ids(self, checkpoint: DispatchCheckpoint) -> set[str]:
        """Every id the checkpoint's chunks hold (the records already sent)."""
        ...

    def clear_checkpoint(self, record_type: RecordType) -> None:
        """Forget the type's checkpoint (its chunk items expire)."""
        ...

    def remember_notification(self, notification_id: str, expires_at: datetime) -> bool:
        """Record a Zuora callout's Zuora-Notification-Id until expires_at (a conditional write with TTL).
        True the first time; False when it was already seen and has not expired (a retry or a replay)."""
        ...

    def errors(self, record_type: RecordType) -> Iterator[RecordState]:
        """Current errors of one type, newest first, from an index (never a table scan)."""
        ...

    def delete(self, record_type: RecordType, record_id: str, owner: str) -> bool:
        """Forget a record's state (operator reset) while `owner` holds its lease; False if someone else does."""
        ...


class DeadLetterQueue(Protocol):
    """SyncDLQ as replay sees it: receive, send back to SyncQueue, delete, release."""

    def receive(self, max_messages: int, visibility_timeout: int) -> list[DeadLetterMessage]:
        """Up to max_messages (<= 10), hidden from other receivers for visibility_timeout seconds."""
        ...

    def requeue(self, messages: Sequence[DeadLetterMessage]) -> set[str]:
        """Send the bodies unchanged to SyncQueue; returns the message ids that were sent."""
        ...

    def delete(self, messages: Sequence[DeadLetterMessage]) -> set[str]:
        """Delete from the DLQ; returns the message ids that were deleted."""
        ...

    def release(self, messages: Sequence[DeadLetterMessage]) -> None:
        """Make the messages visible on the DLQ again at once."""
        ...


class SyncQueue(Protocol):
    def send(self, requests: Sequence[SyncRequest]) -> int:
        """Send in batches of 10, retrying partial failures; returns how many were sent or raises."""
        ...

    def send_dead_letter(self, letter: DeadLetter) -> None:
        """Put a permanently failed request on the DLQ with its reason."""
        ...


class WriteBackQueue(Protocol):
    def send(self, messages: Sequence[WriteBackMessage]) -> None:
        """Send at most 10 final statuses in one request; raises a transient SyncFailure unless all were sent."""
        ...

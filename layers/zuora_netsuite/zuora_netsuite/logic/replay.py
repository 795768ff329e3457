"""Replay: move messages from SyncDLQ back to SyncQueue, filtered, with a dry run.

Per message: receive (hidden from other receivers meanwhile) -> clear the record's error state (so it is
synced again even when its payload is unchanged) -> send the body, unchanged, to SyncQueue -> delete it from
the DLQ. A message is deleted only once it was sent; one that could not be sent stays on the DLQ and its
record's error state is put back. Messages not moved (filtered out, dry run, over the maximum) are made
visible again at the end. (SQS' StartMessageMoveTask cannot filter, and moto lacks it.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError

from zuora_netsuite.failures import FailureKind
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.replay import DeadLetterMessage, ReplayFilter, ReplayItem, ReplayReport, ReplayRequest
from zuora_netsuite.models.state import RecordError, RecordState
from zuora_netsuite.observability import logger
from zuora_netsuite.ports import DeadLetterQueue, IntegrationStateStore, StaleStateError

RETRIES_EXHAUSTED = "RETRIES_EXHAUSTED"  # moved by SQS after maxReceiveCount: no failure attributes
ProgressCallback = Callable[[str, ReplayItem], None]  # ("moved" | "skipped" | "failed", item)


@dataclass
class DeadLetterReplay:
    dlq: DeadLetterQueue
    state: IntegrationStateStore
    visibility_timeout: int = 300  # long enough for one replay run; released at the end anyway
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def run(self, request: ReplayRequest, on_progress: ProgressCallback | None = None) -> ReplayReport:
        report = ReplayReport(dry_run=request.dry_run)
        seen: set[str] = set()
        held: list[DeadLetterMessage] = []  # received but staying on the DLQ: released at the end

        def note(outcome: str, item: ReplayItem) -> None:
            getattr(report, outcome).append(item)
            if on_progress:
                on_progress(outcome, item)

        try:
            while request.max_messages is None or len(report.moved) < request.max_messages:
                messages = [m for m in self.dlq.receive(10, self.visibility_timeout) if m.message_id not in seen]
                if not messages:
                    break
                seen.update(message.message_id for message in messages)
                to_move = self._select(messages, request, report, held, note)
                if to_move:
                    held += self._move(to_move, note)
        finally:
            self.dlq.release(held)
        logger.info(
            "DLQ replay finished",
            extra={
                "dry_run": request.dry_run,
                "moved": len(report.moved),
                "skipped": len(report.skipped),
                "failed": len(report.failed),
            },
        )
        return report

    def _select(
        self,
        messages: list[DeadLetterMessage],
        request: ReplayRequest,
        report: ReplayReport,
        held: list[DeadLetterMessage],
        note: Callable[[str, ReplayItem], None],
    ) -> list[tuple[DeadLetterMessage, SyncRequest, ReplayItem]]:
        """The messages to move; the others (a dry run's noted as moved) are added to `held`, staying on the DLQ."""
        to_move: list[tuple[DeadLetterMessage, SyncRequest, ReplayItem]] = []
        for message in messages:
            sync_request, item = self._describe(message)
            room = request.max_messages is None or len(report.moved) + len(to_move) < request.max_messages
            kept = self._kept(request, sync_request, item, room=room)
            if sync_request is not None and kept is None:
                to_move.append((_without_snapshot(message, sync_request), sync_request, item))
            elif kept is not None:
                held.append(message)
                note(*kept)
        return to_move

    def _kept(
        self, request: ReplayRequest, sync_request: SyncRequest | None, item: ReplayItem, *, room: bool
    ) -> tuple[str, ReplayItem] | None:
        """Why a message stays on the DLQ, as its (outcome, item); None when it is moved."""
        if sync_request is None:
            return "skipped", item.model_copy(update={"note": "not a sync request; left on the DLQ"})
        if not matches(request, item, self.clock()):
            return "skipped", item
        if not room:
            return "skipped", item.model_copy(update={"note": "over the maximum count"})
        if request.dry_run:
            return "moved", item.model_copy(update={"note": "dry run: would move"})
        return None

    def _move(
        self,
        batch: list[tuple[DeadLetterMessage, SyncRequest, ReplayItem]],
        note: Callable[[str, ReplayItem], None],
    ) -> list[DeadLetterMessage]:
        """Returns the messages that stay on the DLQ."""
        staying: list[DeadLetterMessage] = []
        cleared: list[tuple[DeadLetterMessage, SyncRequest, ReplayItem, RecordError | None]] = []
        for message, sync_request, item in batch:
            try:
                previous = self._clear_error(sync_request)
            except StaleStateError:
                staying.append(message)
                note("failed", item.model_copy(update={"note": "the record is being synced right now; try again"}))
                continue
            cleared.append((message, sync_request, item, previous))
        sent = self.dlq.requeue([message for message, *_ in cleared])
        deleted = self.dlq.delete([message for message, *_ in cleared if message.message_id in sent])
        for message, sync_request, item, previous in cleared:
            if message.message_id not in sent:
                self._restore_error(sync_request, previous)
                staying.append(message)
                note("failed", item.model_copy(update={"note": "SyncQueue did not take it; left on the DLQ"}))
            elif message.message_id not in deleted:
                # On both queues now: the sync is idempotent, and a later replay just sends it once more.
                note("moved", item.model_copy(update={"note": "sent, but still on the DLQ (delete failed)"}))
            else:
                note("moved", item)
        return staying

    def _describe(self, message: DeadLetterMessage) -> tuple[SyncRequest | None, ReplayItem]:
        """The request and its failure: from the message attributes the sync function set (permanent
        failures), else from the record's error state (transient failures past maxReceiveCount)."""
        try:
            # A message SQS redrove after maxReceiveCount still carries its snapshot: the replay reads Zuora afresh.
            sync_request = SyncRequest.model_validate_json(message.body).without_snapshot()
        except ValidationError:
            item = ReplayItem(
                message_id=message.message_id,
                failure_kind="unknown",
                failure_code="INVALID_MESSAGE",
                reason="the body is not a sync request",
                failed_at=message.sent_at,
            )
            return None, item
        attributes = message.attributes
        error = None
        if "failure_code" not in attributes:
            state = self.state.get(sync_request.record_type, sync_request.record_id)
            error = state.error if state else None
        failed_at = attributes.get("failed_at")
        item = ReplayItem(
            message_id=message.message_id,
            record_type=sync_request.record_type,
            record_id=sync_request.record_id,
            failure_kind=attributes.get("failure_kind") or (error.kind.value if error else FailureKind.TRANSIENT.value),
            failure_code=attributes.get("failure_code") or (error.code if error else RETRIES_EXHAUSTED),
            reason=attributes.get("failure_reason")
            or (error.message if error else f"not synced after {message.receive_count or 'several'} deliveries"),
            failed_at=datetime.fromisoformat(failed_at)
            if failed_at
            else (error.last_failed_at if error else message.sent_at),
        )
        return sync_request, item

    def _clear_error(self, request: SyncRequest) -> RecordError | None:
        """Forget the record's error and last accepted payload: the replayed message is sent to NetSuite
        again even when nothing changed in Zuora. Returns the error, to put it back if the send fails."""
        state = self.state.get(request.record_type, request.record_id)
        if state is None or (state.error is None and state.payload_hash is None):
            return None
        self.state.save(state.model_copy(update={"error": None, "payload_hash": None}))
        return state.error

    def _restore_error(self, request: SyncRequest, previous: RecordError | None) -> None:
        if previous is None:
            return
        state = self.state.get(request.record_type, request.record_id)
        if state is not None and state.error is None:
            self.state.save(state.model_copy(update={"error": previous}))


def matches(criteria: ReplayFilter, item: ReplayItem, now: datetime) -> bool:
    if criteria.record_types and item.record_type not in criteria.record_types:
        return False
    if criteria.record_ids and item.record_id not in criteria.record_ids:
        return False
    if criteria.failure_kinds and item.failure_kind.casefold() not in {k.casefold() for k in criteria.failure_kinds}:
        return False
    if criteria.failure_codes and item.failure_code.casefold() not in {c.casefold() for c in criteria.failure_codes}:
        return False
    if criteria.older_than is not None or criteria.newer_than is not None:
        if item.failed_at is None:
            return False
        age = now - item.failed_at
        if criteria.older_than is not None and age < criteria.older_than:
            return False
        if criteria.newer_than is not None and age > criteria.newer_than:
            return False
    return True


def current_errors(state: IntegrationStateStore, record_types: list[RecordType]) -> list[RecordState]:
    """Every record currently in error, per type newest first (one index query per type)."""
    return [error for record_type in record_types for error in state.errors(record_type)]


def _without_snapshot(message: DeadLetterMessage, request: SyncRequest) -> DeadLetterMessage:
    """The message to send back: a body SQS redrove with the dispatcher's snapshot loses it (the replayed
    sync reads Zuora afresh and marks the record in progress itself); any other body goes back unchanged."""
    if '"snapshot":{' not in message.body:
        return message
    return message.model_copy(update={"body": request.without_snapshot().model_dump_json()})

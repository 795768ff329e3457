"""The dispatcher: per record type, in dependency order, list the Zuora records pending sync and
enqueue one message per record. One run at a time; a type's watermark advances only once all its
pending records are on the queue. A type that cannot be listed (Zuora refuses its query, say) does not stop
the others: they are dispatched, then the run ends failed naming the type and the reason.

A run stops before its Lambda deadline (the invocation's time budget, ports.InvocationBudget): it starts no chunk
it could not finish, and the type it stopped in keeps a checkpoint in the state table (the listing's bound, and the
ids sent, stored chunk by chunk as they are sent). The next run lists that type again from the same bound, skips
the records already sent, and moves the watermark to the stopped run's start once the type is done: no record is
sent twice by the two runs, none is lost, and the types after it wait for that run (docs/runbook.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from zuora_netsuite.failures import FailureKind, SyncFailure
from zuora_netsuite.logic.marks import mark_in_progress, not_complete_in_state
from zuora_netsuite.mapping import SourceRecord, mappings_for
from zuora_netsuite.mapping.field_mapping import mapping_digest
from zuora_netsuite.mapping.snapshot import take as take_snapshot
from zuora_netsuite.models.messages import DispatchCheckpoint, RequestSource, RunSummary, SyncRequest, TypeDispatch
from zuora_netsuite.models.record_types import ALWAYS_ENABLED as MASTER_DATA
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType
from zuora_netsuite.models.state import RecordState
from zuora_netsuite.observability import add_count, logger
from zuora_netsuite.ports import MIN_CALL_SECONDS, IntegrationStateStore, InvocationBudget, SyncQueue, ZuoraApi
from zuora_netsuite.settings import SyncConfig

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Records updated shortly before the previous run started are looked at again: clocks of Zuora and
# AWS differ a little, and a record seen twice costs one "unchanged" check, never a NetSuite write.
WATERMARK_OVERLAP = timedelta(minutes=5)
SEND_CHUNK = 400  # records handed to the queue at once without snapshots: 40 batches, sent concurrently
# Kept from the invocation's time for the end of a run (the checkpoint, the run summary, the lease's release).
END_OF_RUN_RESERVE_SECONDS = 20.0
STOPPED_AT_BUDGET = "stopped at the time budget: the next run resumes from the checkpoint"
NOT_REACHED = "not reached: the run stopped at its time budget"


class OutOfTime(Exception):
    """Not enough of the invocation's time left for another chunk (the type keeps its checkpoint)."""


class DispatchFailed(RuntimeError):
    """Some record types could not be dispatched; the message names each with its reason."""

    def __init__(self, failures: list[str]) -> None:
        super().__init__("record types not dispatched (the others were): " + "; ".join(failures))
        self.failures = failures


@dataclass
class Dispatcher:
    zuora: ZuoraApi
    state: IntegrationStateStore
    queue: SyncQueue
    config: SyncConfig
    lease_seconds: int = 900
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    # The invocation's time (its reserve: END_OF_RUN_RESERVE_SECONDS); None: unbounded (the operator CLI).
    budget: InvocationBudget | None = None
    _enqueued: set[str] = field(init=False, default_factory=set)  # record keys enqueued in this run
    _longest_chunk: float = field(init=False, default=0.0)  # seconds the slowest chunk of this run took

    def run(self, run_id: str, only: frozenset[RecordType] | None = None) -> RunSummary:
        summary = RunSummary(run_id=run_id, started_at=self.clock())
        if not self.state.acquire_run_lease(run_id, self.lease_seconds):
            logger.warning("Another dispatcher run is still in progress; this run is skipped", extra={"run_id": run_id})
            summary.status = "skipped"
            summary.finished_at = self.clock()
            return summary
        failures: list[str] = []
        self._enqueued = set()
        self._longest_chunk = 0.0
        try:
            stopped = False
            for record_type in self.config.enabled_in_order():
                if only is None or record_type in only:
                    if stopped:  # its parents' type is not all on the queue yet: it waits for the next run
                        summary.types.append(TypeDispatch(record_type=record_type, skipped_reason=NOT_REACHED))
                        continue
                    summary.types.append(self._dispatch_type_or_report(record_type, run_id, failures))
                    stopped = summary.types[-1].skipped_reason == STOPPED_AT_BUDGET
            summary.status = "failed" if failures else "stopped" if stopped else "completed"
        except Exception:
            summary.status = "failed"
            logger.exception("Dispatcher run failed; types not reached keep their watermark", extra={"run_id": run_id})
            raise
        finally:
            summary.finished_at = self.clock()
            self.state.save_run_summary(summary)
            self.state.release_run_lease(run_id)
            logger.info("Dispatcher run summary", extra={"summary": summary.model_dump(mode="json")})
        if failures:
            raise DispatchFailed(failures)
        return summary

    def _dispatch_type_or_report(self, record_type: RecordType, run_id: str, failures: list[str]) -> TypeDispatch:
        """Dispatch one type; a failure is logged with its traceback, kept for the end of the run, and the
        type keeps its watermark (its records are looked at again next run)."""
        try:
            return self._dispatch_type(record_type, run_id)
        except SyncFailure as failure:  # e.g. TenantMismatch: the reason names the setting to change
            reason = failure.reason
        except Exception as exc:  # a bug: reported like a vendor failure, and the run still ends failed
            reason = f"{type(exc).__name__}: {exc}"
        logger.exception(
            "Record type not dispatched; the other types go on",
            extra={"run_id": run_id, "record_type": record_type.value, "reason": reason},
        )
        add_count("dispatch_failed", 1, record_type=record_type.value)
        failures.append(f"{record_type.value}: {reason}")
        return TypeDispatch(record_type=record_type, skipped_reason=f"failed: {reason}")

    def _dispatch_type(self, record_type: RecordType, run_id: str) -> TypeDispatch:
        checkpoint, sent_before, watermark = self._checkpoint(record_type, run_id)
        pending = self._pending(record_type, checkpoint.since)
        result = TypeDispatch(record_type=record_type, watermark=watermark)
        batch: list[SyncRequest] = []
        in_error = self._permanent_errors(record_type)
        parents_synced = self._synced_parents(in_error.values())
        held_back = 0
        try:
            for row in pending:
                if str(row["Id"]) in sent_before:
                    self._enqueued.add(f"{record_type.value}:{row['Id']}")  # sent by the run that stopped
                    continue
                if self._hold_back(row, in_error, parents_synced):
                    held_back += 1  # not retried until it changes in Zuora, its parent syncs, or an operator replays it
                    continue
                result.found += 1
                batch.append(
                    SyncRequest(
                        record_type=record_type, record_id=str(row["Id"]), source=RequestSource.SCHEDULE, run_id=run_id
                    )
                )
                self._enqueued.add(batch[-1].key)  # a child later in this chunk need not wait for this parent
                if len(batch) >= self._chunk_size:
                    checkpoint = self._send_chunk(checkpoint, batch, result)
                    batch = []
            if batch:
                checkpoint = self._send_chunk(checkpoint, batch, result)
        except OutOfTime:
            return self._stopped(result, checkpoint)
        add_count("enqueued", result.enqueued, record_type=record_type.value)
        if result.found == 0:
            result.skipped_reason = "nothing pending"
            logger.info("No records pending; moving to the next type", extra={"record_type": record_type.value})
        else:
            logger.info("Records enqueued", extra={"record_type": record_type.value, "enqueued": result.enqueued})
        if held_back:
            logger.info(
                "Records in permanent error and unchanged in Zuora since were not enqueued",
                extra={"record_type": record_type.value, "held_back": held_back},
            )
            add_count("held_back", held_back, record_type=record_type.value)
        self.state.advance_watermark(record_type, checkpoint.started_at, mapping_digest=checkpoint.mapping_digest)
        if checkpoint.chunks or sent_before:
            self.state.clear_checkpoint(record_type)
        result.watermark = checkpoint.started_at
        return result

    def _pending(self, record_type: RecordType, since: datetime) -> Iterator[Mapping[str, Any]]:
        """The type's records pending in Zuora since `since` (streamed). A type whose state only the state table
        holds (an invoice's cancellation) leaves out what the table says is synced."""
        pending = mappings_for(self.config.zuora)[record_type].pending(
            self.zuora, since, self.config.cutover_dates.get(record_type)
        )
        if not RECORD_TYPES[record_type].writes_back:
            pending = not_complete_in_state(self.state, record_type, pending)
        return pending

    def _checkpoint(self, record_type: RecordType, run_id: str) -> tuple[DispatchCheckpoint, set[str], datetime]:
        """Where the type's listing starts, the ids a run that stopped in it has sent already, and its watermark."""
        stored = self.state.get_checkpoint(record_type)
        if stored is not None:
            sent = self.state.checkpoint_ids(stored)
            logger.info(
                "Resuming the type where a run stopped at its time budget",
                extra={"record_type": record_type.value, "stopped_run": stored.run_id, "already_sent": len(sent)},
            )
            return stored, sent, self.state.get_watermark(record_type) or EPOCH
        started = self.clock()
        watermark, digest = self._watermark(record_type)
        since = max(watermark - WATERMARK_OVERLAP, EPOCH)
        fresh = DispatchCheckpoint(
            record_type=record_type, run_id=run_id, since=since, started_at=started, mapping_digest=digest
        )
        return fresh, set(), watermark

    def _send_chunk(
        self, checkpoint: DispatchCheckpoint, chunk: list[SyncRequest], result: TypeDispatch
    ) -> DispatchCheckpoint:
        """Send one chunk if the invocation has time for it (else OutOfTime), then add its ids to the
        checkpoint when a budget runs (a Lambda invocation): sent first, so a crash between the two can only
        send a record twice, never lose one."""
        left = self.budget.remaining() if self.budget is not None else None
        if left is not None and left < max(2 * self._longest_chunk, MIN_CALL_SECONDS):
            raise OutOfTime
        result.enqueued += self._send(checkpoint.record_type, chunk)
        if left is None:
            return checkpoint
        after = self.budget.remaining() if self.budget is not None else None
        self._longest_chunk = max(self._longest_chunk, left - (after or 0.0))
        return self.state.add_to_checkpoint(checkpoint, [request.record_id for request in chunk])

    def _stopped(self, result: TypeDispatch, checkpoint: DispatchCheckpoint) -> TypeDispatch:
        """The run's time is up in this type: its checkpoint, stored chunk by chunk, counts the records sent
        (none sent: there is none, and the next run starts the type afresh); its watermark stays."""
        logger.warning(
            "The run stopped at its time budget; the next run resumes this type from its checkpoint",
            extra={"record_type": checkpoint.record_type.value, "enqueued": result.enqueued},
        )
        add_count("enqueued", result.enqueued, record_type=checkpoint.record_type.value)
        result.skipped_reason = STOPPED_AT_BUDGET
        return result

    def _watermark(self, record_type: RecordType) -> tuple[datetime, str | None]:
        """Where the type's pending selection starts, and the digest of its configured mapping (master data).
        When the mapping changed since the watermark was stored, every synced record is looked at again: those
        whose payload changed are written, the others end unchanged (docs/mapping.md, "Mapping as configuration").
        A watermark stored without a digest (before the connector kept one) just gets one."""
        watermark = self.state.get_watermark(record_type) or EPOCH
        if record_type not in MASTER_DATA:
            return watermark, None
        digest = mapping_digest(self.config, record_type)
        stored = self.state.get_mapping_digest(record_type)
        if stored is not None and stored != digest:
            logger.info(
                "The mapping changed: every synced record of the type is looked at again",
                extra={"record_type": record_type.value},
            )
            return EPOCH, digest
        return watermark, digest

    @property
    def _chunk_size(self) -> int:
        return self.config.snapshots.fetch_chunk if self.config.snapshots.max_age_seconds else SEND_CHUNK

    def _send(self, record_type: RecordType, requests: list[SyncRequest]) -> int:
        if self.config.snapshots.max_age_seconds:
            requests = self._with_snapshots(record_type, requests)
        return self.queue.send(requests)

    def _with_snapshots(self, record_type: RecordType, requests: list[SyncRequest]) -> list[SyncRequest]:
        """The chunk's records read from Zuora in bulk and carried in their messages, so that the sync makes no
        Zuora call while it holds a NetSuite slot; those records are marked in progress here, before they are
        sent (a fast sync's final status is never overwritten by a late mark). A record Zuora did not return, or
        whose snapshot is too large, goes without one: the sync reads and marks it itself, as today."""
        try:
            sources = mappings_for(self.config.zuora)[record_type].fetch(self.zuora, [r.record_id for r in requests])
        except SyncFailure as failure:
            logger.warning(
                "Could not read the records from Zuora; they are enqueued without snapshots and read by the sync",
                extra={"record_type": record_type.value, "records": len(requests), "reason": failure.reason},
            )
            return requests
        taken_at, max_bytes = self.clock(), self.config.snapshots.max_bytes
        out: list[SyncRequest] = []
        carried: dict[tuple[RecordType, str], SourceRecord] = {}
        for request in requests:
            source = sources.get(request.record_id)
            snapshot = take_snapshot(source, taken_at, max_bytes) if source is not None else None
            if source is not None and snapshot is not None:
                request = request.model_copy(update={"snapshot": snapshot})
                carried[(record_type, request.record_id)] = source
            out.append(request)
        if carried:
            marked = [r for r in out if r.snapshot is not None]
            mark_in_progress(self.zuora, marked, carried, self.state.get_many(list(carried)))
        return out

    def _permanent_errors(self, record_type: RecordType) -> dict[str, RecordState]:
        """Record id -> state of the type's records in permanent (or dependency) error: one query of the
        errors-by-type index per type and run, never a scan. Transient errors are retried as usual."""
        return {
            state.record_id: state
            for state in self.state.errors(record_type)
            if state.error is not None and state.error.kind is not FailureKind.TRANSIENT
        }

    def _synced_parents(self, states: Iterable[RecordState]) -> set[str]:
        """The parents named by dependency errors that are in NetSuite now (one BatchGetItem per 100)."""
        keys: list[tuple[RecordType, str]] = []
        for state in states:
            if state.error is not None and state.error.parent:
                parent_type, _, parent_id = state.error.parent.partition(":")
                keys.append((RecordType(parent_type), parent_id))
        if not keys:
            return set()
        found = self.state.get_many(keys)
        return {f"{t.value}:{i}" for (t, i), state in found.items() if state.netsuite_id and state.error is None}

    def _hold_back(self, row: Mapping[str, object], in_error: dict[str, RecordState], parents_synced: set[str]) -> bool:
        """True for a record in permanent or dependency error that Zuora has not changed since the version that
        failed (Zuora's UpdatedDate compared with the one the sync stored when it failed: the connector's own
        error write-back moves UpdatedDate once, the next sync of that version records it, so no time window
        is needed), unless it is a dependency error whose parent is in NetSuite now or enqueued in this run."""
        state = in_error.get(str(row["Id"]))
        if state is None or state.error is None:
            return False
        parent = state.error.parent
        if (
            state.error.kind is FailureKind.DEPENDENCY
            and parent
            and (parent in parents_synced or parent in self._enqueued)
        ):
            return False
        updated = row.get("UpdatedDate")
        if state.zuora_updated_at is None or not isinstance(updated, str):
            return False  # a version never recorded: looked at once more, which records it
        return datetime.fromisoformat(updated) <= state.zuora_updated_at

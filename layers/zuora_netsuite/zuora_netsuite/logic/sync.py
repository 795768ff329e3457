"""Sync one Zuora record into NetSuite: lease, fetch, validate, map, skip if unchanged, upsert by
external id, record state, buffer the write-back to Zuora. Every outcome is one of SyncOutcome, or a
transient SyncFailure raised so that SQS retries the message."""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from zuora_netsuite.failures import FailureKind, SyncFailure
from zuora_netsuite.logic.parents import ensure_parents
from zuora_netsuite.logic.writeback import ZUORA_TEXT_MAX, WriteBack, WriteBackBuffer, update_zuora_objects
from zuora_netsuite.mapping import Mapped, MappingContext, SourceRecord, mappings_for
from zuora_netsuite.mapping.base import IGNORE, SYNC_COMPLETE, ParentsNotInNetSuite
from zuora_netsuite.mapping.classifications import NetSuiteReferenceData
from zuora_netsuite.mapping.eligibility import exclusion_reason
from zuora_netsuite.models.messages import DeadLetter, SyncRequest
from zuora_netsuite.models.netsuite_account import explain as explain_account_refusal
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType, external_id
from zuora_netsuite.models.state import RecordError, RecordState, SyncOutcome
from zuora_netsuite.observability import add_netsuite_call, add_outcome, logger
from zuora_netsuite.ports import IntegrationStateStore, NetSuiteApi, SyncQueue, ZuoraApi
from zuora_netsuite.settings import SyncConfig


def payload_hash(mapped: Mapped) -> str:
    body = mapped.body(is_update=False)  # amounts are Decimal and dates are dates: hashed by their exact text
    canonical = json.dumps([mapped.netsuite_type, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _linked(current: RecordState, source: SourceRecord) -> bool:
    """Whether the record is known to be in NetSuite already (for "Error Updating" vs "Error Creating")."""
    return bool(current.netsuite_id or source.integration_id)


def _older(source: SourceRecord, current: RecordState) -> bool:
    """Whether Zuora's version is older than the one the connector last synced or failed (never written over it)."""
    return current.zuora_updated_at is not None and source.updated_date < current.zuora_updated_at


def error_status(record_type: RecordType, *, is_update: bool) -> str:
    return f"Error {'Updating' if is_update else 'Creating'} {RECORD_TYPES[record_type].label}"


def in_progress_status(record_type: RecordType, *, is_update: bool) -> str:
    return f"{'Updating' if is_update else 'Creating'} {RECORD_TYPES[record_type].label}"


def is_in_progress(status: str | None) -> bool:
    """`Creating <Type>` / `Updating <Type>`: being synced, or the last attempt crashed mid-record."""
    return bool(status) and str(status).startswith(("Creating ", "Updating "))


@dataclass
class RecordSync:
    """The sync logic for one SQS batch. Adapters are passed in; nothing here touches boto3 or requests."""

    zuora: ZuoraApi
    netsuite: NetSuiteApi
    state: IntegrationStateStore
    queue: SyncQueue
    reference: NetSuiteReferenceData
    config: SyncConfig
    worker_id: str
    lease_seconds: int = 300
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    write_backs: WriteBackBuffer = field(init=False)
    _prefetched: dict[RecordType, dict[str, SourceRecord]] = field(init=False, default_factory=dict)
    _held: set[tuple[RecordType, str]] = field(init=False, default_factory=set)  # leases this worker holds

    def __post_init__(self) -> None:
        self.write_backs = WriteBackBuffer(self.zuora, error_field=self.config.zuora.error_field)
        self._mappings = mappings_for(self.config.zuora)

    def prefetch(self, requests: Sequence[SyncRequest]) -> None:
        """Fetch a batch's records with one Zuora query per type instead of one per record.
        A failure here is logged and each record then fetches (and fails or retries) on its own."""
        ids: dict[RecordType, list[str]] = defaultdict(list)
        for request in requests:
            ids[request.record_type].append(request.record_id)
        for record_type, record_ids in ids.items():
            try:
                self._prefetched[record_type] = self._mappings[record_type].fetch(self.zuora, record_ids)
            except SyncFailure as failure:
                logger.warning(
                    "Batch prefetch from Zuora failed; fetching records one by one",
                    extra={"record_type": record_type.value, "reason": failure.reason},
                )
        self._mark_in_progress(requests)

    def _fetch(self, request: SyncRequest, *, fresh: bool = False) -> SourceRecord | None:
        cached = self._prefetched.get(request.record_type)
        # A parent synced first may not be in the batch; `fresh` reads Zuora again under the lease.
        if not fresh and cached is not None and request.record_id in cached:
            return cached[request.record_id]
        return self._mappings[request.record_type].fetch(self.zuora, [request.record_id]).get(request.record_id)

    def sync(self, request: SyncRequest, message_id: str) -> SyncOutcome:
        """Sync one record. Returns the outcome; raises a transient SyncFailure to have SQS retry."""
        rt, rid = request.record_type, request.record_id
        logger.set_correlation_id(request.key)
        acquired, stored = self.state.lease_record(rt, rid, self.worker_id, self.lease_seconds)
        if not acquired:
            raise SyncFailure(
                f"{rt.value} {rid} is being synced by another worker",
                code="RECORD_BUSY",
                kind=FailureKind.TRANSIENT,
            )
        self._held.add((rt, rid))
        try:
            outcome = self._sync_leased(request, message_id, stored)
        finally:
            if (rt, rid) in self._held:  # not released by the record's final state write
                self._held.discard((rt, rid))
                self.state.release_record_lease(rt, rid, self.worker_id)
        add_outcome(outcome.value)
        return outcome

    def _save(self, state: RecordState) -> RecordState:
        """Write a record's state; the first write while this worker holds the record's lease also releases
        it (one DynamoDB request instead of two)."""
        key = (state.record_type, state.record_id)
        if key in self._held:
            saved = self.state.save(state, release_lease_of=self.worker_id)
            self._held.discard(key)
            return saved
        return self.state.save(state)

    def _sync_leased(self, request: SyncRequest, message_id: str, stored: RecordState | None) -> SyncOutcome:
        mapping = self._mappings[request.record_type]
        current = stored or RecordState(
            record_type=request.record_type,
            record_id=request.record_id,
            external_id=external_id(request.record_type, request.record_id),
        )
        try:
            source = self._fetch(request)
            if source is not None and _older(source, current):
                # Prefetched before the lease: another worker synced a newer version since. Read it again.
                source = self._fetch(request, fresh=True)
        except SyncFailure as failure:
            return self._fail(request, message_id, current, None, failure, is_update=bool(current.netsuite_id))
        if source is not None and _older(source, current):
            logger.warning(
                "Zuora answered an older version than the one already synced; nothing written over the newer one",
                extra={
                    "record": request.key,
                    "zuora_updated_at": source.updated_date.isoformat(),
                    "stored_updated_at": str(current.zuora_updated_at),
                },
            )
            return SyncOutcome.UNCHANGED
        if source is None:
            missing = SyncFailure(
                f"{RECORD_TYPES[request.record_type].zuora_object} {request.record_id} no longer exists in Zuora",
                code="NOT_FOUND_IN_ZUORA",
            )
            return self._fail(request, message_id, current, None, missing, is_update=bool(current.netsuite_id))
        excluded = exclusion_reason(
            request.record_type, source, in_netsuite=bool(current.netsuite_id or source.integration_id)
        )
        if excluded:
            logger.info("Record is not eligible to sync; skipped", extra={"record": request.key, "reason": excluded})
            return SyncOutcome.EXCLUDED

        # Create-only fields (a customer's subsidiary) are left out only when this connector itself wrote
        # the record. Zuora's Integration ID alone is not proof: the NetSuite record may have been deleted
        # by hand, or come from another connector; NetSuite accepts the same value again on an update.
        is_update = bool(current.netsuite_id)
        context = MappingContext(self.reference, self.config, self.clock().date(), netsuite_id=self._netsuite_id_of)
        try:
            mapped = mapping.map(source, context, is_update=is_update).for_account(self.config)
        except ParentsNotInNetSuite:
            # Apply lines name their documents by NetSuite internal id: parents first, then map again.
            try:
                ensure_parents(self, mapping, source, request, message_id)
                mapped = mapping.map(source, context, is_update=is_update).for_account(self.config)
            except SyncFailure as failure:
                return self._fail(request, message_id, current, source, failure, is_update=_linked(current, source))
        except SyncFailure as failure:
            return self._fail(request, message_id, current, source, failure, is_update=_linked(current, source))
        digest = payload_hash(mapped)
        if not current.netsuite_id and is_in_progress(source.integration_status):
            recovered = self._recover_in_progress(request, message_id, current, source, mapped)
            if recovered is not None:
                return recovered

        if current.netsuite_id and current.error is None and current.payload_hash == digest:
            return self._unchanged(request, message_id, current, source)
        try:  # parents (customer, items, invoices, payment) first, through this same path
            ensure_parents(self, mapping, source, request, message_id)
        except SyncFailure as failure:
            return self._fail(request, message_id, current, source, failure, is_update=_linked(current, source))
        if current.error and current.error.kind is not FailureKind.TRANSIENT and current.error.payload_hash == digest:
            # The same payload was already rejected: not sent again until the record changes in Zuora.
            return self._repeat_failure(current, request, source, message_id)

        started = time.perf_counter()
        try:
            netsuite_id = self.netsuite.upsert(
                mapped.netsuite_type,
                current.external_id,
                mapped.body(is_update=is_update),
                replace=mapped.replace_sublists,
            )
        except SyncFailure as failure:
            failure = explain_account_refusal(failure, mapped.netsuite_type)
            return self._fail(request, message_id, current, source, failure, is_update=is_update, digest=digest)
        finally:
            add_netsuite_call((time.perf_counter() - started) * 1000)

        self._record_synced(request, message_id, current, source, mapped.netsuite_type, netsuite_id, digest)
        logger.info(
            "Synced to NetSuite",
            extra={"record": request.key, "netsuite_type": mapped.netsuite_type, "netsuite_id": netsuite_id},
        )
        return SyncOutcome.SYNCED

    def _record_synced(
        self,
        request: SyncRequest,
        message_id: str,
        current: RecordState,
        source: SourceRecord,
        netsuite_type: str,
        netsuite_id: str,
        digest: str | None,
    ) -> None:
        """The record is in NetSuite: remember the link and the payload, and tell Zuora (batched)."""
        now = self.clock()
        self._save(
            current.model_copy(
                update={
                    "netsuite_id": netsuite_id,
                    "netsuite_type": netsuite_type,
                    "status": SYNC_COMPLETE,
                    "payload_hash": digest,
                    "synced_at": now,
                    "zuora_updated_at": source.updated_date,
                    "outcome": SyncOutcome.SYNCED,
                    "run_id": request.run_id,
                    "error": None,
                }
            )
        )
        self._write_back(request, message_id, SYNC_COMPLETE, now, netsuite_id)

    def _netsuite_id_of(self, record_type: RecordType, record_id: str) -> str | None:
        """A synced record's NetSuite internal id, from its integration state (for apply lines)."""
        state = self.state.get(record_type, record_id)
        return state.netsuite_id if state is not None else None

    def _mark_in_progress(self, requests: Sequence[SyncRequest]) -> None:
        """`Creating <Type>` / `Updating <Type>` on the batch's Zuora records before anything is written to
        NetSuite, with one action/update call per Zuora object for the whole batch (not one per record).
        Records already `Sync Complete` keep their status while an update is sent (no flip, no circular
        updates), `Ignore` is never touched, and records in permanent error keep their error status until
        they sync or fail anew. Visibility only: no duplicate can follow from a failed mark, every NetSuite
        write is an upsert by external id; a record a crash left in progress is recovered on its next sync."""
        marks: dict[str, list[dict[str, str]]] = defaultdict(list)
        states = self.state.get_many([(r.record_type, r.record_id) for r in requests]) if requests else {}
        for request in requests:
            source = self._prefetched.get(request.record_type, {}).get(request.record_id)
            if source is None or source.integration_status in (SYNC_COMPLETE, IGNORE):
                continue
            current = states.get((request.record_type, request.record_id))
            if current is not None and current.error is not None and current.error.kind is not FailureKind.TRANSIENT:
                continue
            linked = bool(source.integration_id or (current and current.netsuite_id))
            if exclusion_reason(request.record_type, source, in_netsuite=linked):
                continue  # skipped by the sync itself: nothing is written to Zuora for it
            status = in_progress_status(request.record_type, is_update=linked)
            if source.integration_status != status:
                zuora_object = RECORD_TYPES[request.record_type].zuora_object
                marks[zuora_object].append({"Id": request.record_id, "IntegrationStatus__NS": status})
        for zuora_object, objects in marks.items():
            try:
                results = update_zuora_objects(self.zuora, zuora_object, objects)
            except SyncFailure as failure:
                logger.warning(
                    "Could not mark records in progress in Zuora; they sync anyway and get their final status",
                    extra={"zuora_object": zuora_object, "records": len(objects), "reason": failure.reason},
                )
                continue
            rejected = [result.id for result in results if not result.success]
            if rejected:
                logger.warning(
                    "Zuora rejected some in-progress marks; those records sync anyway and get their final status",
                    extra={"zuora_object": zuora_object, "record_ids": rejected},
                )

    def _recover_in_progress(
        self, request: SyncRequest, message_id: str, current: RecordState, source: SourceRecord, mapped: Mapped
    ) -> SyncOutcome | None:
        """A record left in `Creating…`/`Updating…` with no NetSuite id in state: the last attempt may have
        written it to NetSuite and crashed before recording it. Found by its external id -> linked and `Sync
        Complete`, without a second write; not found -> None, and it syncs normally. Never a duplicate."""
        try:
            found = self.netsuite.get_by_external_id(mapped.netsuite_type, current.external_id)
        except SyncFailure as failure:
            return self._fail(request, message_id, current, source, failure, is_update=False)
        if found is None or not found.get("id"):
            return None
        netsuite_id = str(found["id"])
        # The payload NetSuite holds is unknown: no hash, so the next change is sent in full.
        self._record_synced(request, message_id, current, source, mapped.netsuite_type, netsuite_id, None)
        logger.info(
            "Recovered a record left in progress: found in NetSuite by its external id and linked",
            extra={"record": request.key, "status_was": source.integration_status, "netsuite_id": netsuite_id},
        )
        return SyncOutcome.SYNCED

    def _unchanged(
        self, request: SyncRequest, message_id: str, current: RecordState, source: SourceRecord
    ) -> SyncOutcome:
        if (
            source.integration_id != current.netsuite_id
            or source.integration_status != SYNC_COMPLETE
            or source.integration_error
        ):
            self._write_back(request, message_id, SYNC_COMPLETE, self.clock(), current.netsuite_id)
        self._save(current.model_copy(update={"outcome": SyncOutcome.UNCHANGED, "run_id": request.run_id}))
        return SyncOutcome.UNCHANGED

    def _repeat_failure(
        self, current: RecordState, request: SyncRequest, source: SourceRecord, message_id: str
    ) -> SyncOutcome:
        assert current.error is not None
        outcome = SyncOutcome.WARNING if current.error.code == "VALIDATION" else SyncOutcome.ERROR
        attempts = current.error.attempts + 1
        self._save(
            current.model_copy(
                update={
                    "error": current.error.model_copy(update={"attempts": attempts, "last_failed_at": self.clock()}),
                    "outcome": outcome,
                    "run_id": request.run_id,
                    # This version (e.g. the one Zuora stamped on the connector's own error write-back) is
                    # known to fail: the dispatcher holds the record back until Zuora has a newer one.
                    "zuora_updated_at": source.updated_date,
                }
            )
        )
        status = current.status or error_status(request.record_type, is_update=_linked(current, source))
        self._write_back_error(request, message_id, source, status, current.error.message, self.clock())
        return outcome

    def _fail(
        self,
        request: SyncRequest,
        message_id: str,
        current: RecordState,
        source: SourceRecord | None,
        failure: SyncFailure,
        *,
        is_update: bool,
        digest: str | None = None,
    ) -> SyncOutcome:
        now = self.clock()
        previous = current.error
        same_failure = previous is not None and previous.code == failure.code and previous.message == failure.reason
        error = RecordError(
            kind=failure.kind,
            code=failure.code,
            message=failure.reason,
            path=failure.path,
            attempts=(previous.attempts + 1) if previous and same_failure else 1,
            first_failed_at=previous.first_failed_at if previous and same_failure else now,
            last_failed_at=now,
            payload_hash=digest,
            parent=failure.parent if failure.kind is FailureKind.DEPENDENCY else None,
        )
        seen = {"zuora_updated_at": source.updated_date} if source is not None else {}
        status = error_status(request.record_type, is_update=is_update)
        outcome = SyncOutcome.WARNING if failure.code == "VALIDATION" else SyncOutcome.ERROR
        if failure.is_transient:
            # Remembered for operators; logged and retried by the batch handler.
            self._save(current.model_copy(update={"error": error, "run_id": request.run_id}))
            raise failure
        # The dead letter goes first: the error state is saved only once it is sent, so a failure in between
        # (the DLQ send, the state write) leaves the previous state, and the redelivery reports it again.
        # A stored error of the same failure therefore means "already in the DLQ".
        reported = same_failure and previous is not None and previous.kind is not FailureKind.TRANSIENT
        if not reported:
            self.queue.send_dead_letter(
                DeadLetter(
                    request=request,
                    failure_kind=failure.kind.value,
                    failure_code=failure.code,
                    reason=failure.reason,
                    failed_at=now,
                )
            )
        self._save(
            current.model_copy(
                update={"error": error, "status": status, "outcome": outcome, "run_id": request.run_id} | seen
            )
        )
        logger.warning(
            "Record not synced; fix it in Zuora (or NetSuite) and it syncs on its next change or replay",
            extra={
                "record": request.key,
                "code": failure.code,
                "reason": failure.reason,
                "path": failure.path,
            },
        )
        if source is not None:
            self._write_back_error(request, message_id, source, status, failure.reason, now)
        return outcome

    def _write_back_error(
        self, request: SyncRequest, message_id: str, source: SourceRecord, status: str, reason: str, at: datetime
    ) -> None:
        """Write the error status (and reason) back unless Zuora already shows it: also on a redelivery whose
        earlier write-back did not land (the batch reported that message failed), so Zuora is never left at
        `Creating <Type>`."""
        error_field = self.config.zuora.error_field
        if source.integration_status == status and (
            error_field is None or source.integration_error == reason[:ZUORA_TEXT_MAX]
        ):
            return
        self._write_back(request, message_id, status, at, None, error=reason)

    def _write_back(
        self,
        request: SyncRequest,
        message_id: str,
        status: str,
        at: datetime,
        netsuite_id: str | None,
        *,
        error: str | None = None,
    ) -> None:
        self.write_backs.add(
            message_id,
            WriteBack(
                zuora_object=RECORD_TYPES[request.record_type].zuora_object,
                record_id=request.record_id,
                integration_status=status,
                sync_date=at,
                integration_id=netsuite_id,
                integration_error=error,
            ),
        )

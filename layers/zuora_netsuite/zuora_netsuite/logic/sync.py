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
from functools import partial

from pydantic import ValidationError

from zuora_netsuite.failures import FailureKind, SyncFailure
from zuora_netsuite.logic.linking import LINKABLE_TYPES as LINKABLE
from zuora_netsuite.logic.linking import adopt_before_create
from zuora_netsuite.logic.marks import known_in_netsuite, mark_in_progress
from zuora_netsuite.logic.parents import ensure_parents
from zuora_netsuite.logic.writeback import ZUORA_TEXT_MAX, QueuedWriteBacks, WriteBack, WriteBackBuffer
from zuora_netsuite.mapping import Mapped, MappingContext, SourceRecord, mappings_for
from zuora_netsuite.mapping.base import SYNC_COMPLETE, ParentsNotInNetSuite, RecordMapping, parents_of
from zuora_netsuite.mapping.cancellation import open_to_credit
from zuora_netsuite.mapping.classifications import NetSuiteReferenceData
from zuora_netsuite.mapping.eligibility import exclusion_reason
from zuora_netsuite.mapping.snapshot import SnapshotError
from zuora_netsuite.mapping.snapshot import restore as restore_snapshot
from zuora_netsuite.models.messages import DeadLetter, SyncRequest
from zuora_netsuite.models.netsuite_account import explain as explain_account_refusal
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType, external_id
from zuora_netsuite.models.state import RecordError, RecordState, SyncOutcome
from zuora_netsuite.observability import add_netsuite_call, add_outcome, logger
from zuora_netsuite.ports import IntegrationStateStore, NetSuiteApi, SyncQueue, WriteBackQueue, ZuoraApi
from zuora_netsuite.settings import SyncConfig


def payload_hash(mapped: Mapped) -> str:
    body = mapped.body(is_update=False)  # amounts are Decimal and dates are dates: hashed by their exact text
    canonical = json.dumps([mapped.netsuite_type, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _older(source: SourceRecord, current: RecordState) -> bool:
    """Whether Zuora's version is older than the one the connector last synced or failed (never written over it)."""
    return current.zuora_updated_at is not None and source.updated_date < current.zuora_updated_at


def _snapshot_predates_outcome(request: SyncRequest, current: RecordState) -> bool:
    """Whether the request's snapshot was taken before the connector's last outcome for the record: a copy of a
    dispatcher message delivered late (SQS delivers at least once). Zuora has changed since at least by that
    outcome's write-back (TransferredToAccounting, the status), so the snapshot is not trusted even when its
    UpdatedDate is not older than the stored one (a record linked after a crash stores none of its payload)."""
    snapshot = request.snapshot
    if snapshot is None:
        return False
    outcomes = (current.synced_at, current.error.last_failed_at if current.error else None)
    return any(at is not None and at > snapshot.taken_at for at in outcomes)


def error_status(record_type: RecordType, *, is_update: bool) -> str:
    return f"Error {'Updating' if is_update else 'Creating'} {RECORD_TYPES[record_type].label}"


def is_in_progress(status: str | None) -> bool:
    """`Creating <Type>` / `Updating <Type>`: being synced, or the last attempt crashed mid-record."""
    return bool(status) and str(status).startswith(("Creating ", "Updating "))


@dataclass
class RecordInSync:
    """One record while it syncs, what every step of RecordSync reads and adds to: the request and the SQS message
    it came in, its mapping, its integration state as read with its lease, and, once known, Zuora's record and the
    NetSuite payload mapped from it."""

    request: SyncRequest
    message_id: str
    mapping: RecordMapping
    current: RecordState  # as leased; a new state for a record the connector has never seen
    holds_lease: bool = True  # until the record's final state write releases it
    source: SourceRecord | None = None  # Zuora's record, once fetched
    mapped: Mapped | None = None
    digest: str | None = None  # payload_hash(mapped)

    @property
    def is_update(self) -> bool:
        """Whether Zuora shows it as `Updating`/`Error Updating` (see known_in_netsuite)."""
        return known_in_netsuite(self.current, self.source)

    @property
    def written_by_connector(self) -> bool:
        """The connector's state holds the NetSuite id: the NetSuite write leaves create-only fields (a customer's
        subsidiary) out, and an unchanged payload is not sent again. Zuora's Integration ID alone is not proof:
        the NetSuite record may have been deleted by hand, or come from another connector; NetSuite accepts the
        same value again on an update."""
        return bool(self.current.netsuite_id)

    @property
    def zuora_object(self) -> str:
        return RECORD_TYPES[self.request.record_type].zuora_object

    def fetched(self) -> SourceRecord:
        if self.source is None:
            raise RuntimeError(f"{self.request.key}: used before it was fetched from Zuora")
        return self.source

    def payload(self) -> Mapped:
        if self.mapped is None:
            raise RuntimeError(f"{self.request.key}: used before it was mapped")
        return self.mapped


SyncStep = Callable[[RecordInSync], SyncOutcome | None]  # an outcome ends the record's sync; None goes on


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
    # Final statuses go on this queue (written to Zuora by the write-back function); None: written at batch end
    writeback_queue: WriteBackQueue | None = None
    write_backs: WriteBackBuffer = field(init=False)
    _prefetched: dict[RecordType, dict[str, SourceRecord]] = field(init=False, default_factory=dict)
    # States of parents known to be in NetSuite, read for the whole batch at once (None: not read yet)
    _parents_in_netsuite: dict[tuple[RecordType, str], RecordState] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.write_backs = (
            QueuedWriteBacks(self.writeback_queue)
            if self.writeback_queue is not None
            else WriteBackBuffer(self.zuora, error_field=self.config.zuora.error_field)
        )
        self._mappings = mappings_for(self.config.zuora)

    def prefetch(self, requests: Sequence[SyncRequest]) -> None:
        """The batch's Zuora records: from the snapshots the dispatcher carried (no Zuora call; the dispatcher
        also marked them in progress), the others with one Zuora query per type, then marked in progress here.
        A failure here is logged and each record then fetches (and fails or retries) on its own."""
        to_read = [request for request in requests if not self._from_snapshot(request)]
        ids: dict[RecordType, list[str]] = defaultdict(list)
        for request in to_read:
            ids[request.record_type].append(request.record_id)
        for record_type, record_ids in ids.items():
            try:
                fetched = self._mappings[record_type].fetch(self.zuora, record_ids)
            except SyncFailure as failure:
                logger.warning(
                    "Batch prefetch from Zuora failed; fetching records one by one",
                    extra={"record_type": record_type.value, "reason": failure.reason},
                )
                continue
            self._prefetched.setdefault(record_type, {}).update(fetched)
        self._mark_in_progress(to_read)

    def _from_snapshot(self, request: SyncRequest) -> bool:
        """Whether the record's source is the dispatcher's snapshot: younger than `snapshots.max_age_seconds`
        and readable. The stale guard (`_older`) still applies to it in `_read_source`."""
        snapshot, max_age = request.snapshot, self.config.snapshots.max_age_seconds
        if snapshot is None or max_age == 0 or (self.clock() - snapshot.taken_at).total_seconds() > max_age:
            return False
        try:
            source = restore_snapshot(snapshot)
        except (SnapshotError, ValidationError) as error:
            logger.warning(
                "The message's snapshot cannot be read; the record is read from Zuora",
                extra={"record": request.key, "reason": str(error)[:300]},
            )
            return False
        if source.id != request.record_id:
            return False
        self._prefetched.setdefault(request.record_type, {})[request.record_id] = source
        return True

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
        record = RecordInSync(
            request,
            message_id,
            self._mappings[rt],
            stored or RecordState(record_type=rt, record_id=rid, external_id=external_id(rt, rid)),
        )
        try:
            outcome = self._sync_leased(record)
        finally:
            if record.holds_lease:  # not released by the record's final state write
                record.holds_lease = False
                self.state.release_record_lease(rt, rid, self.worker_id)
        add_outcome(outcome.value)
        return outcome

    def _save(self, record: RecordInSync, **changes: object) -> None:
        """Write the record's state with `changes` and the request's run id; the first write while this worker
        holds the record's lease also releases it (one DynamoDB request instead of two)."""
        state = record.current.model_copy(update={**changes, "run_id": record.request.run_id})
        if record.holds_lease:
            saved = self.state.save(state, release_lease_of=self.worker_id)
            record.holds_lease = False
        else:
            saved = self.state.save(state)
        if self._parents_in_netsuite is not None:  # a parent synced in this batch is seen by its children
            key = (saved.record_type, saved.record_id)
            if saved.netsuite_id is not None:
                self._parents_in_netsuite[key] = saved
            else:
                self._parents_in_netsuite.pop(key, None)

    def known_state(self, record_type: RecordType, record_id: str) -> RecordState | None:
        """A parent's state: from the batch's cache when it is known to be in NetSuite, else read. The first call
        reads the parents of every record of the batch with one BatchGetItem (instead of one GetItem each)."""
        if self._parents_in_netsuite is None:
            keys = {
                (parent.record_type, parent.record_id)
                for record_type, sources in self._prefetched.items()
                for source in sources.values()
                for parent in parents_of(self._mappings[record_type], source)
            }
            found = self.state.get_many(sorted(keys)) if keys else {}
            self._parents_in_netsuite = {key: st for key, st in found.items() if st.netsuite_id is not None}
        cached = self._parents_in_netsuite.get((record_type, record_id))
        if cached is not None:
            return cached
        state = self.state.get(record_type, record_id)
        if state is not None and state.netsuite_id is not None:
            self._parents_in_netsuite[(record_type, record_id)] = state
        return state

    def _sync_leased(self, record: RecordInSync) -> SyncOutcome:
        steps: tuple[SyncStep, ...] = (
            self._read_source,
            self._skip_if_not_eligible,
            self._map,
            self._recover_in_progress,
            self._adopt_existing,
            self._skip_if_unchanged,
            self._sync_parents,
            self._hold_repeated_failure,
            self._write_to_netsuite,
        )
        for step in steps:
            outcome = step(record)
            if outcome is not None:
                return outcome
        raise AssertionError("the last step always returns an outcome")  # pragma: no cover

    def _read_source(self, record: RecordInSync) -> SyncOutcome | None:
        """Zuora's record, never an older version than the one already synced."""
        request, current = record.request, record.current
        try:
            source = self._fetch(request)
            if source is not None and (_older(source, current) or _snapshot_predates_outcome(request, current)):
                # Prefetched before the lease, or a late copy's snapshot: another worker synced (or failed) the
                # record since. Read it again.
                source = self._fetch(request, fresh=True)
        except SyncFailure as failure:
            return self._fail(record, failure)
        if source is None:
            missing = SyncFailure(
                f"{record.zuora_object} {request.record_id} no longer exists in Zuora", code="NOT_FOUND_IN_ZUORA"
            )
            return self._fail(record, missing)
        if _older(source, current):
            logger.warning(
                "Zuora answered an older version than the one already synced; nothing written over the newer one",
                extra={
                    "record": request.key,
                    "zuora_updated_at": source.updated_date.isoformat(),
                    "stored_updated_at": str(current.zuora_updated_at),
                },
            )
            return SyncOutcome.UNCHANGED
        record.source = source
        return None

    def _skip_if_not_eligible(self, record: RecordInSync) -> SyncOutcome | None:
        excluded = exclusion_reason(record.request.record_type, record.fetched(), in_netsuite=record.is_update)
        if not excluded:
            return None
        logger.info("Record is not eligible to sync; skipped", extra={"record": record.request.key, "reason": excluded})
        return SyncOutcome.EXCLUDED

    def _map(self, record: RecordInSync) -> SyncOutcome | None:
        """The NetSuite payload. Apply lines name their documents by NetSuite internal id: when a parent has none
        yet, parents are synced first and the record is mapped again."""
        source = record.fetched()
        context = MappingContext(
            self.reference,
            self.config,
            self.clock().date(),
            netsuite_id=self._netsuite_id_of,
            open_to_credit=partial(open_to_credit, self.netsuite),
        )

        def mapped() -> Mapped:
            mapped = record.mapping.map(source, context, is_update=record.written_by_connector)
            return mapped.for_account(self.config, record.request.record_type, source, record.mapping.describe(source))

        try:
            try:
                record.mapped = mapped()
            except ParentsNotInNetSuite:
                ensure_parents(self, record.mapping, source, record.request, record.message_id)
                record.mapped = mapped()
        except SyncFailure as failure:
            return self._fail(record, failure)
        record.digest = payload_hash(record.mapped)
        return None

    def _skip_if_unchanged(self, record: RecordInSync) -> SyncOutcome | None:
        current, source = record.current, record.fetched()
        if not (record.written_by_connector and current.error is None and current.payload_hash == record.digest):
            return None
        if (
            source.integration_id != current.netsuite_id
            or source.integration_status != SYNC_COMPLETE
            or source.integration_error
        ):
            self._write_back(record, SYNC_COMPLETE, self.clock(), current.netsuite_id)
        self._save(record, outcome=SyncOutcome.UNCHANGED)
        return SyncOutcome.UNCHANGED

    def _sync_parents(self, record: RecordInSync) -> SyncOutcome | None:
        """Parents (customer, items, invoices, payment) first, through this same path."""
        try:
            ensure_parents(self, record.mapping, record.fetched(), record.request, record.message_id)
        except SyncFailure as failure:
            return self._fail(record, failure)
        return None

    def _write_to_netsuite(self, record: RecordInSync) -> SyncOutcome:
        mapped = record.payload()
        started = time.perf_counter()
        try:
            netsuite_id = self.netsuite.upsert(
                mapped.netsuite_type,
                record.current.external_id,
                mapped.body(is_update=record.written_by_connector),
                replace=mapped.replace_sublists,
            )
        except SyncFailure as failure:
            failure = explain_account_refusal(failure, mapped.netsuite_type)
            return self._fail(record, failure, rejected_payload=record.digest)
        finally:
            add_netsuite_call((time.perf_counter() - started) * 1000)

        self._record_synced(record, netsuite_id, record.digest)
        logger.info(
            "Synced to NetSuite",
            extra={"record": record.request.key, "netsuite_type": mapped.netsuite_type, "netsuite_id": netsuite_id},
        )
        return SyncOutcome.SYNCED

    def _record_synced(self, record: RecordInSync, netsuite_id: str, digest: str | None) -> None:
        """The record is in NetSuite: remember the link and the payload, and tell Zuora (batched)."""
        now = self.clock()
        self._save(
            record,
            netsuite_id=netsuite_id,
            netsuite_type=record.payload().netsuite_type,
            status=SYNC_COMPLETE,
            payload_hash=digest,
            synced_at=now,
            zuora_updated_at=record.fetched().updated_date,
            outcome=SyncOutcome.SYNCED,
            error=None,
        )
        self._write_back(record, SYNC_COMPLETE, now, netsuite_id)

    def _netsuite_id_of(self, record_type: RecordType, record_id: str) -> str | None:
        """A synced record's NetSuite internal id, from its integration state (for apply lines)."""
        state = self.known_state(record_type, record_id)
        return state.netsuite_id if state is not None else None

    def _mark_in_progress(self, requests: Sequence[SyncRequest]) -> None:
        """`Creating <Type>` / `Updating <Type>` on the batch's records read here (logic/marks.py), before anything
        is written to NetSuite."""
        if not requests:
            return
        states = self.state.get_many([(r.record_type, r.record_id) for r in requests])
        sources = {
            (r.record_type, r.record_id): source
            for r in requests
            if (source := self._prefetched.get(r.record_type, {}).get(r.record_id)) is not None
        }
        mark_in_progress(self.zuora, requests, sources, states)

    def _recover_in_progress(self, record: RecordInSync) -> SyncOutcome | None:
        """A record left in `Creating…`/`Updating…` with no NetSuite id in state: the last attempt may have
        written it to NetSuite and crashed before recording it. Found by its external id -> linked and `Sync
        Complete`, without a second write; not found -> None, and it syncs normally. Never a duplicate."""
        source = record.fetched()
        if record.written_by_connector or not is_in_progress(source.integration_status):
            return None
        try:
            found = self.netsuite.get_by_external_id(record.payload().netsuite_type, record.current.external_id)
        except SyncFailure as failure:
            return self._fail(record, failure)
        if found is None or not found.get("id"):
            return None
        netsuite_id = str(found["id"])
        # The payload NetSuite holds is unknown: no hash, so the next change is sent in full.
        self._record_synced(record, netsuite_id, None)
        logger.info(
            "Recovered a record left in progress: found in NetSuite by its external id and linked",
            extra={"record": record.request.key, "status_was": source.integration_status, "netsuite_id": netsuite_id},
        )
        return SyncOutcome.SYNCED

    def _adopt_existing(self, record: RecordInSync) -> SyncOutcome | None:
        """``linking.match_before_create``: a customer or item NetSuite already has (made before the connector) is
        adopted and updated instead of created a second time; an ambiguous one fails naming `connector_cli link`
        (logic/linking.py)."""
        record_type = record.request.record_type
        if not self.config.linking.match_before_create or record.written_by_connector or record_type not in LINKABLE:
            return None
        try:
            found = adopt_before_create(self.netsuite, self.config.linking, record_type, record.fetched())
        except SyncFailure as failure:
            return self._fail(record, failure)
        if found is not None:
            record.current = record.current.model_copy(
                update={"netsuite_id": found.internal_id, "netsuite_type": found.record_type}
            )
        return None

    def _hold_repeated_failure(self, record: RecordInSync) -> SyncOutcome | None:
        """The same payload was already rejected: not sent again until the record changes in Zuora."""
        current, source = record.current, record.fetched()
        error = current.error
        if error is None or error.kind is FailureKind.TRANSIENT or error.payload_hash != record.digest:
            return None
        outcome = SyncOutcome.WARNING if error.code == "VALIDATION" else SyncOutcome.ERROR
        self._save(
            record,
            error=error.model_copy(update={"attempts": error.attempts + 1, "last_failed_at": self.clock()}),
            outcome=outcome,
            # This version (e.g. the one Zuora stamped on the connector's own error write-back) is known to
            # fail: the dispatcher holds the record back until Zuora has a newer one.
            zuora_updated_at=source.updated_date,
        )
        status = current.status or error_status(record.request.record_type, is_update=record.is_update)
        self._write_back_error(record, status, error.message, self.clock())
        return outcome

    def _fail(self, record: RecordInSync, failure: SyncFailure, *, rejected_payload: str | None = None) -> SyncOutcome:
        """Remember the failure. Transient: saved and raised for SQS to retry. Otherwise: a dead letter, the error
        state, and the error status written back to Zuora. `rejected_payload`: the digest NetSuite refused."""
        now = self.clock()
        error = _record_error(record.current.error, failure, now, rejected_payload)
        if failure.is_transient:
            # Remembered for operators; logged and retried by the batch handler.
            self._save(record, error=error)
            raise failure
        status = error_status(record.request.record_type, is_update=record.is_update)
        self._report_failure(record, failure, error, status, now)
        logger.warning(
            "Record not synced; fix it in Zuora (or NetSuite) and it syncs on its next change or replay",
            extra={"record": record.request.key, "code": failure.code, "reason": failure.reason, "path": failure.path},
        )
        if record.source is not None:
            self._write_back_error(record, status, failure.reason, now)
        return SyncOutcome.WARNING if failure.code == "VALIDATION" else SyncOutcome.ERROR

    def _report_failure(
        self, record: RecordInSync, failure: SyncFailure, error: RecordError, status: str, now: datetime
    ) -> None:
        """The dead letter goes first: the error state is saved only once it is sent, so a failure in between
        (the DLQ send, the state write) leaves the previous state, and the redelivery reports it again.
        A stored error of the same failure therefore means "already in the DLQ"."""
        previous = record.current.error
        if previous is None or previous.kind is FailureKind.TRANSIENT or not _same_failure(previous, failure):
            self.queue.send_dead_letter(
                DeadLetter(
                    request=record.request.without_snapshot(),
                    failure_kind=failure.kind.value,
                    failure_code=failure.code,
                    reason=failure.reason,
                    failed_at=now,
                )
            )
        seen = {"zuora_updated_at": record.source.updated_date} if record.source is not None else {}
        outcome = SyncOutcome.WARNING if failure.code == "VALIDATION" else SyncOutcome.ERROR
        self._save(record, error=error, status=status, outcome=outcome, **seen)

    def _write_back_error(self, record: RecordInSync, status: str, reason: str, at: datetime) -> None:
        """Write the error status (and reason) back unless Zuora already shows it: also on a redelivery whose
        earlier write-back did not land (the batch reported that message failed), so Zuora is never left at
        `Creating <Type>`."""
        source = record.fetched()
        error_field = self.config.zuora.error_field
        if source.integration_status == status and (
            error_field is None or source.integration_error == reason[:ZUORA_TEXT_MAX]
        ):
            return
        self._write_back(record, status, at, None, error=reason)

    def _write_back(
        self, record: RecordInSync, status: str, at: datetime, netsuite_id: str | None, *, error: str | None = None
    ) -> None:
        if not RECORD_TYPES[record.request.record_type].writes_back:
            return  # its state lives in the state table only (an invoice's cancellation: the invoice keeps its own)
        self.write_backs.add(
            record.message_id,
            WriteBack(
                zuora_object=record.zuora_object,
                record_id=record.request.record_id,
                integration_status=status,
                sync_date=at,
                integration_id=netsuite_id,
                integration_error=error,
                record_type=record.request.record_type,
            ),
        )


def _same_failure(previous: RecordError, failure: SyncFailure) -> bool:
    return previous.code == failure.code and previous.message == failure.reason


def _record_error(
    previous: RecordError | None, failure: SyncFailure, now: datetime, rejected_payload: str | None
) -> RecordError:
    """The error state of a failure; attempts and the first failure time carry on while it is the same failure."""
    repeated = previous if previous is not None and _same_failure(previous, failure) else None
    return RecordError(
        kind=failure.kind,
        code=failure.code,
        message=failure.reason,
        path=failure.path,
        attempts=repeated.attempts + 1 if repeated else 1,
        first_failed_at=repeated.first_failed_at if repeated else now,
        last_failed_at=now,
        payload_hash=rejected_payload,
        parent=failure.parent if failure.kind is FailureKind.DEPENDENCY else None,
    )

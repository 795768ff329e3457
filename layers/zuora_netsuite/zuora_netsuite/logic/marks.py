"""`Creating <Type>` / `Updating <Type>` on Zuora records before anything is written to NetSuite: by the dispatcher
for the records it carries a snapshot of (logic/dispatch.py), by the sync for the others (webhook, replay,
no snapshot). One action/update per Zuora object and 50 records (memos: their bulk PUT), never one call per
record; a dispatcher chunk's calls (four of 50 for 200 records) go out together, at most MARK_CONCURRENCY at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any

from zuora_netsuite.failures import FailureKind, SyncFailure
from zuora_netsuite.logic.writeback import update_zuora_objects
from zuora_netsuite.mapping.base import IGNORE, SYNC_COMPLETE, SourceRecord
from zuora_netsuite.mapping.eligibility import exclusion_reason
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType
from zuora_netsuite.models.state import RecordState
from zuora_netsuite.observability import logger
from zuora_netsuite.ports import IntegrationStateStore, ZuoraApi

RecordKey = tuple[RecordType, str]

# Mark requests in flight at once: a dispatcher chunk of 200 records is four requests of 50, which one after the
# other cost four Zuora round trips (~0.3 s each) per chunk. Zuora limits requests per minute and concurrent
# requests per tenant (https://developer.zuora.com/rest-api/general-concepts/rate-concurrency-limits/); four is
# far below both.
MARK_CONCURRENCY = 4
MARK_CHUNK = 50  # Zuora's action/update and the memos' bulk PUT take at most 50 objects a request


def known_in_netsuite(current: RecordState | None, source: SourceRecord | None) -> bool:
    """Is this an update? The one place it is decided: the record is known to be in NetSuite when the
    connector's state holds its NetSuite id or Zuora holds an Integration ID. Zuora then shows it as `Updating
    <Type>` / `Error Updating <Type>` (else `Creating` / `Error Creating`), and eligibility treats it as synced."""
    return bool((current is not None and current.netsuite_id) or (source is not None and source.integration_id))


def in_progress_status(record_type: RecordType, *, is_update: bool) -> str:
    return f"{'Updating' if is_update else 'Creating'} {RECORD_TYPES[record_type].label}"


def in_progress_mark(request: SyncRequest, source: SourceRecord | None, current: RecordState | None) -> str | None:
    """The in-progress status a fetched record is marked with, or None when it keeps its status."""
    if not RECORD_TYPES[request.record_type].writes_back:
        return None  # its state lives in the state table only: the Zuora object is another type's (the invoice's)
    if source is None or source.integration_status in (SYNC_COMPLETE, IGNORE):
        return None
    if current is not None and current.error is not None and current.error.kind is not FailureKind.TRANSIENT:
        return None
    linked = known_in_netsuite(current, source)
    if exclusion_reason(request.record_type, source, in_netsuite=linked):
        return None  # skipped by the sync itself: nothing is written to Zuora for it
    return in_progress_status(request.record_type, is_update=linked)


def mark_in_progress(
    zuora: ZuoraApi,
    requests: Sequence[SyncRequest],
    sources: Mapping[RecordKey, SourceRecord],
    states: Mapping[RecordKey, RecordState],
) -> None:
    """Records already `Sync Complete` keep their status while an update is sent (no flip, no circular
    updates), `Ignore` is never touched, and records in permanent error keep their error status until
    they sync or fail anew. Visibility only: no duplicate can follow from a failed mark, every NetSuite
    write is an upsert by external id; a record a crash left in progress is recovered on its next sync."""
    marks: dict[str, list[dict[str, str]]] = defaultdict(list)
    for request in requests:
        key = (request.record_type, request.record_id)
        source = sources.get(key)
        status = in_progress_mark(request, source, states.get(key))
        if source is not None and status is not None and source.integration_status != status:
            marks[RECORD_TYPES[request.record_type].zuora_object].append(
                {"Id": request.record_id, "IntegrationStatus__NS": status}
            )
    calls = [
        (zuora_object, objects[start : start + MARK_CHUNK])
        for zuora_object, objects in marks.items()
        for start in range(0, len(objects), MARK_CHUNK)
    ]
    if len(calls) <= 1:
        for zuora_object, objects in calls:
            _send(zuora, zuora_object, objects)
        return
    with ThreadPoolExecutor(max_workers=min(MARK_CONCURRENCY, len(calls)), thread_name_prefix="mark") as pool:
        # _send logs and never raises a SyncFailure; list() re-raises anything else here
        list(pool.map(lambda call: _send(zuora, *call), calls))


def _send(zuora: ZuoraApi, zuora_object: str, objects: list[dict[str, str]]) -> None:
    try:
        results = update_zuora_objects(zuora, zuora_object, objects)
    except SyncFailure as failure:
        logger.warning(
            "Could not mark records in progress in Zuora; they sync anyway and get their final status",
            extra={"zuora_object": zuora_object, "records": len(objects), "reason": failure.reason},
        )
        return
    rejected = [result.id for result in results if not result.success]
    if rejected:
        logger.warning(
            "Zuora rejected some in-progress marks; those records sync anyway and get their final status",
            extra={"zuora_object": zuora_object, "record_ids": rejected},
        )


def not_complete_in_state(
    state: IntegrationStateStore, record_type: RecordType, rows: Iterable[Mapping[str, Any]], chunk: int = 100
) -> Iterator[Mapping[str, Any]]:
    """The pending rows of a type whose status lives in the state table only (RecordTypeInfo.writes_back False: an
    invoice's cancellation), less those already Sync Complete there: one BatchGetItem per `chunk` rows."""
    remaining = iter(rows)
    while rows_chunk := list(islice(remaining, chunk)):
        states = state.get_many([(record_type, str(row["Id"])) for row in rows_chunk])
        for row in rows_chunk:
            found = states.get((record_type, str(row["Id"])))
            if found is None or found.status != SYNC_COMPLETE or found.netsuite_id is None:
                yield row

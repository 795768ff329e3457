"""In-memory fakes of the ports, for unit tests: no network, no moto, same contracts as the adapters."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sandbox import zuora_settlement
from sandbox.dataset import ZUORA_ERROR_FIELD
from sandbox.zoql import ZoqlError, compile_query
from sandbox.zuora_simulator import SYNCED_OBJECTS, schema_with_custom_fields
from zuora_netsuite.failures import FailureKind, NetSuiteError, ZuoraError
from zuora_netsuite.models.messages import DeadLetter, DispatchCheckpoint, RunSummary, SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.replay import DeadLetterMessage
from zuora_netsuite.models.state import RecordState
from zuora_netsuite.models.zuora import ZuoraUpdateResult
from zuora_netsuite.ports import StaleStateError

# The tenant of the unit tests, like the sandbox's: an administrator-created error-reason field on synced objects.
ZUORA_SCHEMA = schema_with_custom_fields({object_type: [ZUORA_ERROR_FIELD] for object_type in SYNCED_OBJECTS})


class FakeZuora:
    """Zuora objects in a dict, queried with the sandbox's ZOQL engine."""

    def __init__(
        self, objects: Mapping[str, Sequence[Mapping[str, Any]]] | None = None, *, invoice_settlement: bool = True
    ) -> None:
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}
        self.invoice_settlement = invoice_settlement  # the tenant profile, as in the simulator
        self.gets: list[str] = []  # REST GET / Object Query paths, in order
        self.queries: list[str] = []
        self.updates: list[tuple[str, list[dict[str, Any]]]] = []
        self.fail_queries: int = 0
        self.fail_updates: int = 0
        for object_type, rows in (objects or {}).items():
            for row in rows:
                self.put(object_type, dict(row))

    def put(self, object_type: str, row: dict[str, Any]) -> None:
        self.objects.setdefault(object_type, {})[row["Id"]] = row

    def get(self, object_type: str, record_id: str) -> dict[str, Any]:
        return self.objects[object_type][record_id]

    def query(self, zoql: str) -> Iterator[dict[str, Any]]:
        self.queries.append(zoql)
        if self.fail_queries:
            self.fail_queries -= 1
            raise ZuoraError("Zuora answered 503", code="503", kind=FailureKind.TRANSIENT, http_status=503)
        try:
            compiled = compile_query(zoql, ZUORA_SCHEMA)
        except ZoqlError as error:  # Zuora's fault, as the client reports it
            raise ZuoraError(f"Zuora ZOQL query failed (HTTP 400, {error.code}): {error}", code=error.code) from error
        refusal = zuora_settlement.actions_refusal(compiled.object_name, self.invoice_settlement)
        if refusal:
            raise ZuoraError(f"Zuora ZOQL query failed (HTTP 400, INVALID_TYPE): {refusal}", code="INVALID_TYPE")
        rows = [r for r in self.objects.get(compiled.object_name, {}).values() if compiled.matches(r)]
        return iter([compiled.project(r) for r in rows])

    def update(self, object_type: str, objects: Sequence[Mapping[str, Any]]) -> list[ZuoraUpdateResult]:
        self.updates.append((object_type, [dict(o) for o in objects]))
        refusal = zuora_settlement.actions_refusal(object_type, self.invoice_settlement)
        if refusal:
            raise ZuoraError(f"Zuora update failed (HTTP 400, INVALID_TYPE): {refusal}", code="INVALID_TYPE")
        if self.fail_updates:
            self.fail_updates -= 1
            raise ZuoraError("Zuora answered 503", code="503", kind=FailureKind.TRANSIENT, http_status=503)
        results = []
        for fields in objects:
            row = self.objects.get(object_type, {}).get(str(fields["Id"]))
            if row is None:
                results.append(ZuoraUpdateResult(Id=str(fields["Id"]), Success=False, Errors=[{"Message": "no"}]))
                continue
            # As Zuora's action/update: fieldsToNull clears; "" is stored as given.
            row.update({k: v for k, v in fields.items() if k != "fieldsToNull"})
            for k in fields.get("fieldsToNull", ()):
                row.pop(k, None)
            results.append(ZuoraUpdateResult(Id=row["Id"], Success=True))
        return results

    def rest_get(self, path: str, params: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
        """The same answers as the simulator (sandbox/zuora_settlement.py); errors raise ZuoraError."""
        self.gets.append(path)
        answered = zuora_settlement.answer(
            self.objects, ZUORA_SCHEMA, "GET", path, list(params), invoice_settlement=self.invoice_settlement
        )
        if answered is None:
            raise ZuoraError(f"Zuora GET {path} failed (HTTP 404)", code="HTTP_404", http_status=404)
        status, body = answered
        if status != 200 or body.get("success") is False:
            reason = body.get("reasons", [{}])[0]
            code = str(reason.get("code"))
            raise ZuoraError(
                f"Zuora GET {path} failed (HTTP {status}, {code}): {reason.get('message')}",
                code=code,
                http_status=status,
            )
        return body

    def rest_get_pages(self, path: str, key: str, page_size: int = 40) -> Iterator[dict[str, Any]]:
        page = self.rest_get(path, [("pageSize", str(page_size))])
        rows = list(page.get(key) or [])
        while page.get("nextPage"):
            next_path, _, query = str(page["nextPage"]).partition("?")
            page = self.rest_get(next_path, [tuple(p.split("=", 1)) for p in query.split("&")])  # type: ignore[misc]
            rows += page.get(key) or []
        return iter(rows)

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
        params = [("pageSize", str(page_size)), *(("filter[]", f) for f in filters)]
        params += [("fields[]", ",".join(fields))] if fields else []
        params += [("expand[]", e) for e in expand] + ([("sort[]", sort)] if sort else [])
        cursor: list[tuple[str, str]] = []
        while True:  # lazily, page by page, as the client does
            page = self.rest_get(f"/object-query/{resource}", [*params, *cursor])
            yield from page["data"]
            if not page.get("nextPage"):
                return
            cursor = [("cursor", str(page["nextPage"]))]

    def update_memo(self, resource: str, memo_id: str, fields: Mapping[str, Any]) -> None:
        """PUT /v1/credit-memos/{id} or /v1/debit-memos/{id}: recorded in `updates` under the memo's object name."""
        object_type = {"credit-memos": "CreditMemo", "debit-memos": "DebitMemo"}[resource]
        self.updates.append((object_type, [{"Id": memo_id, **fields}]))
        if self.fail_updates:
            self.fail_updates -= 1
            raise ZuoraError("Zuora answered 503", code="503", kind=FailureKind.TRANSIENT, http_status=503)
        row = self.objects.get(object_type, {}).get(memo_id)
        if row is None:
            raise ZuoraError(f"no {object_type} {memo_id}", code="50000040", http_status=404)
        renamed = {"TransferredToAccounting" if k == "transferredToAccounting" else k: v for k, v in fields.items()}
        row.update({k: v for k, v in renamed.items() if v is not None})
        for k in [k for k, v in renamed.items() if v is None]:  # REST: a field sent as null is cleared
            row.pop(k, None)

    def update_memos(self, resource: str, memos: Sequence[Mapping[str, Any]]) -> list[ZuoraUpdateResult]:
        """PUT /v1/{resource}/bulk: recorded in `updates` as one entry per request of up to 50 memos; a memo that is
        not there fails on its own, as in Zuora's answer; `fail_updates` fails the whole request."""
        object_type = {"credit-memos": "CreditMemo", "debit-memos": "DebitMemo"}[resource]
        results: list[ZuoraUpdateResult] = []
        for start in range(0, len(memos), 50):
            chunk = [dict(memo) for memo in memos[start : start + 50]]
            self.updates.append(
                (object_type, [{"Id": m["id"], **{k: v for k, v in m.items() if k != "id"}} for m in chunk])
            )
            if self.fail_updates:
                self.fail_updates -= 1
                raise ZuoraError("Zuora answered 503", code="503", kind=FailureKind.TRANSIENT, http_status=503)
            for memo in chunk:
                row = self.objects.get(object_type, {}).get(str(memo["id"]))
                if row is None:
                    error: dict[str, str | int | None] = {"Code": "50000040", "Message": "Cannot find entity"}
                    results.append(ZuoraUpdateResult(Id=str(memo["id"]), Success=False, Errors=[error]))
                    continue
                fields = {
                    "TransferredToAccounting" if k == "transferredToAccounting" else k: v for k, v in memo.items()
                }
                fields.pop("id")
                row.update({k: v for k, v in fields.items() if v is not None})
                for k in [k for k, v in fields.items() if v is None]:  # REST: a field sent as null is cleared
                    row.pop(k, None)
                results.append(ZuoraUpdateResult(Id=str(memo["id"]), Success=True))
        return results


class FakeNetSuite:
    """NetSuite records by type and external id; reference tables answer SuiteQL `SELECT id, <col> FROM t`."""

    def __init__(self, reference: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> None:
        self.reference = {k: [dict(r) for r in v] for k, v in (reference or {}).items()}
        self.records: dict[str, dict[str, dict[str, Any]]] = {}
        self.writes: list[tuple[str, str, dict[str, Any]]] = []
        self.replaced: list[tuple[str, ...]] = []  # the sublists each write replaced (?replace=)
        self.suiteql_calls = 0
        self.fail_next: list[NetSuiteError] = []
        self._ids = itertools.count(100)
        self.unlinked: dict[str, dict[str, dict[str, Any]]] = {}  # records without an external id (go-live)
        self.adopted: list[tuple[str, str, str]] = []  # set_external_id calls

    def upsert(
        self, record_type: str, external_id: str, body: Mapping[str, Any], *, replace: Sequence[str] = ()
    ) -> str:
        self.writes.append((record_type, external_id, dict(body)))
        self.replaced.append(tuple(replace))
        if self.fail_next:
            raise self.fail_next.pop(0)
        existing = self.records.setdefault(record_type, {}).get(external_id)
        internal_id = existing["id"] if existing else str(next(self._ids))
        stored = {**(existing or {}), **body, "id": internal_id}
        # As NetSuite merges sublists on update unless ?replace= names them: item lines (non-keyed) are appended,
        # apply lines (keyed by doc) update the line of the same doc or are added.
        for sublist in ("item", "addressBook"):  # not keyed: appended
            if existing and sublist in existing and sublist in body and sublist not in replace:
                stored[sublist] = {"items": [*existing[sublist]["items"], *body[sublist]["items"]]}
        if existing and "apply" in existing and "apply" in body and "apply" not in replace:
            sent = {json.dumps(line["doc"], sort_keys=True): line for line in body["apply"]["items"]}
            kept = [line for line in existing["apply"]["items"] if json.dumps(line["doc"], sort_keys=True) not in sent]
            stored["apply"] = {"items": [*kept, *sent.values()]}
        self.records[record_type][external_id] = stored
        return internal_id

    def get_by_external_id(self, record_type: str, external_id: str) -> dict[str, Any] | None:
        return self.records.get(record_type, {}).get(external_id)

    def set_external_id(self, record_type: str, internal_id: str, external_id: str) -> None:
        """Adopt a record of `unlinked` (record type -> internal id -> fields): it is then found by external id."""
        self.adopted.append((record_type, internal_id, external_id))
        if self.fail_next:
            raise self.fail_next.pop(0)
        if external_id in self.records.get(record_type, {}):
            raise NetSuiteError(
                f"A record with the same external ID ({external_id}) already exists.",
                code="DUP_RCRD",
                kind=FailureKind.PERMANENT,
            )
        fields = self.unlinked.get(record_type, {}).pop(internal_id, {})
        self.records.setdefault(record_type, {})[external_id] = {**fields, "id": internal_id}

    def suiteql(self, query: str) -> Iterator[dict[str, Any]]:
        self.suiteql_calls += 1
        words = query.replace(",", " ").split()
        table = words[words.index("FROM") + 1]
        return iter(self.reference.get(table, []))


class FakeStateStore:
    def __init__(self) -> None:
        self.states: dict[tuple[RecordType, str], RecordState] = {}
        self.leases: dict[tuple[RecordType, str], str] = {}
        self.run_lease: str | None = None
        self.watermarks: dict[RecordType, datetime] = {}
        self.mapping_digests: dict[RecordType, str] = {}
        self.summaries: list[RunSummary] = []
        self.notifications: dict[str, datetime] = {}
        self.checkpoints: dict[RecordType, DispatchCheckpoint] = {}
        self.checkpoint_chunks: dict[tuple[RecordType, str, int], list[str]] = {}
        self.error_queries: list[RecordType] = []
        self.batch_gets = 0

    def get(self, record_type: RecordType, record_id: str) -> RecordState | None:
        return self.states.get((record_type, record_id))

    def lease_record(
        self, record_type: RecordType, record_id: str, owner: str, seconds: int
    ) -> tuple[bool, RecordState | None]:
        if not self.acquire_record_lease(record_type, record_id, owner, seconds):
            return False, None
        return True, self.get(record_type, record_id)

    def get_many(self, keys: Sequence[tuple[RecordType, str]]) -> dict[tuple[RecordType, str], RecordState]:
        self.batch_gets += 1
        return {key: self.states[key] for key in keys if key in self.states}

    def save(self, state: RecordState, *, release_lease_of: str | None = None) -> RecordState:
        key = (state.record_type, state.record_id)
        if release_lease_of is not None and self.leases.get(key) != release_lease_of:
            raise StaleStateError(f"{key}: the lease is not {release_lease_of}'s")
        stored = self.states.get(key)
        if (stored.version if stored else 0) != state.version:
            raise StaleStateError(f"{key} changed")
        saved = state.model_copy(update={"version": state.version + 1})
        self.states[key] = saved
        if release_lease_of is not None:
            del self.leases[key]
        return saved

    def acquire_record_lease(self, record_type: RecordType, record_id: str, owner: str, seconds: int) -> bool:
        holder = self.leases.get((record_type, record_id))
        if holder not in (None, owner):
            return False
        self.leases[(record_type, record_id)] = owner
        return True

    def release_record_lease(self, record_type: RecordType, record_id: str, owner: str) -> None:
        if self.leases.get((record_type, record_id)) == owner:
            del self.leases[(record_type, record_id)]

    def acquire_run_lease(self, owner: str, seconds: int) -> bool:
        if self.run_lease not in (None, owner):
            return False
        self.run_lease = owner
        return True

    def release_run_lease(self, owner: str) -> None:
        if self.run_lease == owner:
            self.run_lease = None

    def get_watermark(self, record_type: RecordType) -> datetime | None:
        return self.watermarks.get(record_type)

    def advance_watermark(self, record_type: RecordType, to: datetime, mapping_digest: str | None = None) -> None:
        current = self.watermarks.get(record_type)
        if current is None or current <= to:
            self.watermarks[record_type] = to
            if mapping_digest is not None:
                self.mapping_digests[record_type] = mapping_digest

    def get_mapping_digest(self, record_type: RecordType) -> str | None:
        return self.mapping_digests.get(record_type)

    def save_run_summary(self, summary: RunSummary) -> None:
        self.summaries.append(summary.model_copy(deep=True))

    def get_checkpoint(self, record_type: RecordType) -> DispatchCheckpoint | None:
        return self.checkpoints.get(record_type)

    def add_to_checkpoint(self, checkpoint: DispatchCheckpoint, record_ids: Sequence[str]) -> DispatchCheckpoint:
        self.checkpoint_chunks[(checkpoint.record_type, checkpoint.run_id, checkpoint.chunks)] = list(record_ids)
        counted = checkpoint.model_copy(update={"chunks": checkpoint.chunks + 1})
        self.checkpoints[checkpoint.record_type] = counted
        return counted

    def checkpoint_ids(self, checkpoint: DispatchCheckpoint) -> set[str]:
        chunks = (
            self.checkpoint_chunks[(checkpoint.record_type, checkpoint.run_id, n)] for n in range(checkpoint.chunks)
        )
        return {record_id for chunk in chunks for record_id in chunk}

    def clear_checkpoint(self, record_type: RecordType) -> None:
        self.checkpoints.pop(record_type, None)

    def remember_notification(self, notification_id: str, expires_at: datetime) -> bool:
        seen = self.notifications.get(notification_id)
        if seen is not None and seen >= datetime.now(UTC):
            return False
        self.notifications[notification_id] = expires_at
        return True

    def errors(self, record_type: RecordType) -> Iterator[RecordState]:
        self.error_queries.append(record_type)
        in_error = [s for s in self.states.values() if s.record_type is record_type and s.error is not None]
        return iter(sorted(in_error, key=lambda s: s.error.last_failed_at if s.error else 0, reverse=True))

    def delete(self, record_type: RecordType, record_id: str, owner: str) -> bool:
        if self.leases.get((record_type, record_id)) not in (None, owner):
            return False
        self.states.pop((record_type, record_id), None)
        self.leases.pop((record_type, record_id), None)
        return True


class FakeQueue:
    def __init__(self) -> None:
        self.sent: list[SyncRequest] = []
        self.dead_letters: list[DeadLetter] = []
        self.fail_dead_letters = 0  # the next N dead-letter sends fail, as an SQS outage would

    def send(self, requests: Sequence[SyncRequest]) -> int:
        self.sent.extend(requests)
        return len(requests)

    def send_dead_letter(self, letter: DeadLetter) -> None:
        if self.fail_dead_letters:
            self.fail_dead_letters -= 1
            raise ConnectionError("SQS SendMessage to the DLQ failed")
        self.dead_letters.append(letter)


class FakeDeadLetterQueue:
    """SyncDLQ and SyncQueue in memory: received messages are hidden until deleted or released."""

    def __init__(self) -> None:
        self.messages: dict[str, DeadLetterMessage] = {}
        self.hidden: set[str] = set()
        self.requeued: list[DeadLetterMessage] = []
        self.refuse_sends: set[str] = set()  # message ids SyncQueue will not take
        self.refuse_deletes: set[str] = set()
        self._ids = itertools.count(1)

    def put(self, body: str, **attributes: str) -> str:
        message_id = f"m{next(self._ids)}"
        self.messages[message_id] = DeadLetterMessage(
            message_id=message_id, receipt_handle=f"r-{message_id}", body=body, attributes=attributes,
            sent_at=datetime(2026, 11, 23, 11, 0, tzinfo=UTC), receive_count=5,
        )  # fmt: skip
        return message_id

    def receive(self, max_messages: int, visibility_timeout: int) -> list[DeadLetterMessage]:
        visible = [m for mid, m in self.messages.items() if mid not in self.hidden][:max_messages]
        self.hidden |= {m.message_id for m in visible}
        return visible

    def requeue(self, messages: Sequence[DeadLetterMessage]) -> set[str]:
        sent = [m for m in messages if m.message_id not in self.refuse_sends]
        self.requeued += sent
        return {m.message_id for m in sent}

    def delete(self, messages: Sequence[DeadLetterMessage]) -> set[str]:
        deleted = {m.message_id for m in messages if m.message_id not in self.refuse_deletes}
        for message_id in deleted:
            self.messages.pop(message_id, None)
            self.hidden.discard(message_id)
        return deleted

    def release(self, messages: Sequence[DeadLetterMessage]) -> None:
        self.hidden -= {m.message_id for m in messages}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]

"""Integration ID / Status / Sync Date (and the error reason, when the tenant has a field for it) written back to
Zuora, batched per object type at the end of a batch.

A field is cleared by listing it in ``fieldsToNull`` (action/update's zObject: "Used to set a list of fields to
null", https://developer.zuora.com/v1-api-reference/api/operation/Action_POSTupdate/), never by sending "" (which
Zuora may store as an empty string). Credit and debit memos are updated through their REST resources, where a
field is cleared by sending it as JSON null.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from zuora_netsuite.failures import SyncFailure
from zuora_netsuite.models.record_types import RECORD_TYPES, TRANSACTION_TYPES, RecordType
from zuora_netsuite.models.writeback import WriteBackMessage
from zuora_netsuite.models.zuora import ZuoraUpdateResult
from zuora_netsuite.observability import logger
from zuora_netsuite.ports import WriteBackQueue, ZuoraApi

ZUORA_TEXT_MAX = 255
QUEUE_BATCH = 10  # SQS SendMessageBatch: at most 10 entries
FIELDS_TO_NULL = "fieldsToNull"

# Transactions also carry Zuora's standard TransferredToAccounting, set from the integration status.
TRANSACTION_OBJECTS = frozenset(RECORD_TYPES[t].zuora_object for t in TRANSACTION_TYPES)
# Invoice Settlement objects are not covered by action/update: each has its own REST resource.
MEMO_RESOURCES = {
    "CreditMemo": "credit-memos",
    "DebitMemo": "debit-memos",
}  # PUT /v1/credit-memos/bulk, https://developer.zuora.com/v1-api-reference/api/operation/PUT_UpdateCreditMemos/


def transferred_to_accounting(integration_status: str) -> str | None:
    """Processing while syncing, Yes once synced, Error on failure; None leaves it as it is."""
    if integration_status == "Sync Complete":
        return "Yes"
    if integration_status.startswith("Error "):
        return "Error"
    if integration_status.startswith(("Creating ", "Updating ")):
        return "Processing"
    return None


def update_zuora_objects(
    zuora: ZuoraApi, zuora_object: str, objects: Sequence[Mapping[str, Any]]
) -> list[ZuoraUpdateResult]:
    """Write fields back to Zuora objects of one type: action/update, or the memos' bulk PUT, 50 objects a request.
    Transactions get TransferredToAccounting alongside IntegrationStatus__NS. One result per object, in order; a
    memo Zuora refused is a failed result (its write-back is retried), as an object action/update refused."""
    prepared = [_with_transfer_status(zuora_object, fields) for fields in objects]
    resource = MEMO_RESOURCES.get(zuora_object)
    if resource is None:
        return zuora.update(zuora_object, prepared)
    memos: list[dict[str, Any]] = []
    for fields in prepared:
        memo: dict[str, Any] = {"id": str(fields["Id"])}
        memo.update(
            (("transferredToAccounting" if name == "TransferredToAccounting" else name), value)
            for name, value in fields.items()
            if name not in ("Id", FIELDS_TO_NULL)
        )
        memo.update(dict.fromkeys(fields.get(FIELDS_TO_NULL, ())))  # REST: a field sent as null is cleared
        memos.append(memo)
    return zuora.update_memos(resource, memos)


def _with_transfer_status(zuora_object: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    status = fields.get("IntegrationStatus__NS")
    if zuora_object in TRANSACTION_OBJECTS and isinstance(status, str):
        transfer = transferred_to_accounting(status)
        if transfer is not None:
            out["TransferredToAccounting"] = transfer
    return out


@dataclass(frozen=True)
class WriteBack:
    zuora_object: str
    record_id: str
    integration_status: str
    sync_date: datetime
    integration_id: str | None = None
    integration_error: str | None = None  # None clears it
    record_type: RecordType | None = None  # needed to go through the write-back queue

    def message(self) -> WriteBackMessage:
        if self.record_type is None:
            raise ValueError(f"{self.zuora_object} {self.record_id}: a queued write-back needs its record type")
        return WriteBackMessage(
            record_type=self.record_type,
            record_id=self.record_id,
            zuora_object=self.zuora_object,
            integration_status=self.integration_status,
            sync_date=self.sync_date,
            integration_id=self.integration_id,
            integration_error=self.integration_error,
        )

    @classmethod
    def of(cls, message: WriteBackMessage) -> WriteBack:
        return cls(
            zuora_object=message.zuora_object,
            record_id=message.record_id,
            integration_status=message.integration_status,
            sync_date=message.sync_date,
            integration_id=message.integration_id,
            integration_error=message.integration_error,
            record_type=message.record_type,
        )

    def fields(self, error_field: str | None = None) -> dict[str, Any]:
        """The zObject to send. `error_field` is the tenant's __c field for the reason (None: not written)."""
        fields: dict[str, Any] = {
            "Id": self.record_id,
            "IntegrationStatus__NS": self.integration_status,
            "SyncDate__NS": self.sync_date.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if self.integration_id:
            fields["IntegrationId__NS"] = self.integration_id
        if error_field:
            if self.integration_error:
                fields[error_field] = self.integration_error[:ZUORA_TEXT_MAX]
            else:
                fields[FIELDS_TO_NULL] = [error_field]
        return fields


class WriteBackBuffer:
    """Collects write-backs keyed by the SQS message that caused them; `flush` sends them in as few
    `action/update` calls as possible and answers which messages' write-back did not land."""

    def __init__(self, zuora: ZuoraApi, error_field: str | None = None) -> None:
        self._zuora = zuora
        self._error_field = error_field
        self._pending: dict[str, list[tuple[str, WriteBack]]] = defaultdict(list)

    def add(self, message_id: str, write_back: WriteBack) -> None:
        self._pending[write_back.zuora_object].append((message_id, write_back))

    def __len__(self) -> int:
        return sum(len(items) for items in self._pending.values())

    def flush(self) -> set[str]:
        failed: set[str] = set()
        pending, self._pending = self._pending, defaultdict(list)
        for zuora_object, items in pending.items():
            try:
                results = update_zuora_objects(
                    self._zuora, zuora_object, [wb.fields(self._error_field) for _, wb in items]
                )
            except SyncFailure as failure:
                logger.warning(
                    "Zuora write-back failed; the records will be retried",
                    extra={"zuora_object": zuora_object, "records": len(items), "reason": failure.reason},
                )
                failed.update(message_id for message_id, _ in items)
                continue
            for (message_id, wb), result in zip(items, results, strict=True):
                if not result.success:
                    logger.warning(
                        "Zuora rejected a write-back; the record will be retried",
                        extra={
                            "zuora_object": zuora_object,
                            "record_id": wb.record_id,
                            "errors": result.errors,
                        },
                    )
                    failed.add(message_id)
        return failed


class QueuedWriteBacks(WriteBackBuffer):
    """The sync function's write-backs when the stack has a write-back queue: `flush` puts them on it, 10 a
    request, and a small function writes them to Zuora in batches of 50 (logic/writeback_drain.py), so no NetSuite
    slot waits on Zuora. Answers which sync messages' write-backs were not enqueued (those messages are retried)."""

    def __init__(self, queue: WriteBackQueue) -> None:
        super().__init__(zuora=None)  # type: ignore[arg-type]  # never writes to Zuora itself
        self._queue = queue

    def flush(self) -> set[str]:
        pending, self._pending = self._pending, defaultdict(list)
        items = [item for group in pending.values() for item in group]
        failed: set[str] = set()
        for start in range(0, len(items), QUEUE_BATCH):
            chunk = items[start : start + QUEUE_BATCH]
            try:
                self._queue.send([wb.message() for _, wb in chunk])
            except SyncFailure as failure:
                logger.warning(
                    "Could not enqueue write-backs; the records will be retried",
                    extra={"records": len(chunk), "reason": failure.reason},
                )
                failed.update(message_id for message_id, _ in chunk)
        return failed

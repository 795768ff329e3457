"""The write-back function's logic: a batch of final statuses from the write-back queue (up to 50) written to
Zuora with one request per object type (action/update takes 50 objects; memos go through their REST resources).

A message is written only while its status is still the record's status in the state table: a later sync's
outcome (its own message carries it) supersedes it, so duplicates and out-of-order deliveries are harmless. Of
several messages for one record in a batch, the latest is written."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from zuora_netsuite.failures import SyncFailure
from zuora_netsuite.logic.writeback import WriteBack, update_zuora_objects
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import RecordState
from zuora_netsuite.models.writeback import WriteBackMessage
from zuora_netsuite.observability import logger
from zuora_netsuite.ports import IntegrationStateStore, ZuoraApi

Delivered = tuple[str, WriteBackMessage]  # (SQS message id, body)


def _superseded(message: WriteBackMessage, state: RecordState | None) -> bool:
    return state is not None and state.status is not None and state.status != message.integration_status


@dataclass
class WriteBackDrain:
    zuora: ZuoraApi
    state: IntegrationStateStore
    error_field: str | None = None

    def write(self, delivered: Sequence[Delivered]) -> set[str]:
        """Writes the batch; returns the SQS message ids to deliver again (their Zuora update failed)."""
        latest: dict[tuple[RecordType, str], Delivered] = {}
        for message_id, message in delivered:
            key = (message.record_type, message.record_id)
            if key not in latest or latest[key][1].sync_date <= message.sync_date:
                latest[key] = (message_id, message)
        states = self.state.get_many(list(latest)) if latest else {}
        by_object: dict[str, list[Delivered]] = defaultdict(list)
        for key, (message_id, message) in latest.items():
            if _superseded(message, states.get(key)):
                logger.debug("Write-back superseded by a later outcome", extra={"record": message.key})
                continue
            by_object[message.zuora_object].append((message_id, message))
        failed: set[str] = set()
        for zuora_object, items in by_object.items():
            failed |= self._write_object(zuora_object, items)
        return failed

    def _write_object(self, zuora_object: str, items: list[Delivered]) -> set[str]:
        fields = [WriteBack.of(message).fields(self.error_field) for _, message in items]
        try:
            results = update_zuora_objects(self.zuora, zuora_object, fields)
        except SyncFailure as failure:
            logger.warning(
                "Zuora write-back failed; the queue delivers it again",
                extra={"zuora_object": zuora_object, "records": len(items), "reason": failure.reason},
            )
            return {message_id for message_id, _ in items}
        failed = set()
        for (message_id, message), result in zip(items, results, strict=True):
            if not result.success:
                logger.warning(
                    "Zuora rejected a write-back; the queue delivers it again",
                    extra={"record": message.key, "errors": result.errors},
                )
                failed.add(message_id)
        return failed

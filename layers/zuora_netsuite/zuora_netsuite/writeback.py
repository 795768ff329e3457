"""Integration ID / Status / Sync Date written back to Zuora, batched per object type at the end of a batch."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from zuora_netsuite.failures import SyncFailure
from zuora_netsuite.observability import logger
from zuora_netsuite.ports import ZuoraApi

ZUORA_TEXT_MAX = 255


@dataclass(frozen=True)
class WriteBack:
    zuora_object: str
    record_id: str
    integration_status: str
    sync_date: datetime
    integration_id: str | None = None
    integration_error: str | None = None  # None clears it

    def fields(self) -> dict[str, str]:
        fields = {
            "Id": self.record_id,
            "IntegrationStatus__NS": self.integration_status,
            "SyncDate__NS": self.sync_date.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "IntegrationError__NS": (self.integration_error or "")[:ZUORA_TEXT_MAX],
        }
        if self.integration_id:
            fields["IntegrationId__NS"] = self.integration_id
        return fields


class WriteBackBuffer:
    """Collects write-backs keyed by the SQS message that caused them; `flush` sends them in as few
    `action/update` calls as possible and answers which messages' write-back did not land."""

    def __init__(self, zuora: ZuoraApi) -> None:
        self._zuora = zuora
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
                results = self._zuora.update(zuora_object, [wb.fields() for _, wb in items])
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

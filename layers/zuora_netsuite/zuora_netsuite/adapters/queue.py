"""The sync queue on SQS: one message per record, sent in batches of 10, partial failures retried."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3

from zuora_netsuite.models.messages import DeadLetter, SyncRequest

SQS_BATCH = 10


class QueueSendError(Exception):
    """Messages could not be sent after retries; nothing that failed is reported as sent."""


def message_attributes(request: SyncRequest) -> dict[str, dict[str, str]]:
    return {
        "record_type": {"DataType": "String", "StringValue": request.record_type.value},
        "source": {"DataType": "String", "StringValue": request.source.value},
    }


class SqsSyncQueue:
    """The SyncQueue port. Dead letters carry the original request as their body (so replay moves them
    back unchanged) and the failure in message attributes."""

    def __init__(
        self,
        queue_url: str,
        dlq_url: str,
        *,
        sqs: Any | None = None,
        max_attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        max_concurrent_batches: int = 8,
    ) -> None:
        self._sqs = sqs or boto3.client("sqs")
        self._queue_url = queue_url
        self._dlq_url = dlq_url
        self._max_attempts = max_attempts
        self._sleep = sleep
        self._max_concurrent_batches = max_concurrent_batches
        self._sender: ThreadPoolExecutor | None = None
        self._counter = threading.Lock()
        self.requests_sent = 0  # SQS API calls, for benchmarks

    def send(self, requests: Sequence[SyncRequest]) -> int:
        """Batches of 10, up to `max_concurrent_batches` in flight at once (each is I/O: one SendMessageBatch);
        raises if any batch could not be sent after its retries."""
        batches = [list(requests[start : start + SQS_BATCH]) for start in range(0, len(requests), SQS_BATCH)]
        if len(batches) <= 1 or self._max_concurrent_batches <= 1:
            for batch in batches:
                self._send_batch(batch)
            return len(requests)
        if self._sender is None:
            self._sender = ThreadPoolExecutor(self._max_concurrent_batches, thread_name_prefix="sqs-send")
        # Each batch runs in the caller's context (contextvars: the invocation's log and tracing context).
        sends = [self._sender.submit(contextvars.copy_context().run, self._send_batch, batch) for batch in batches]
        for future in sends:
            future.result()
        return len(requests)

    def _send_batch(self, batch: list[SyncRequest]) -> None:
        pending = {str(i): request for i, request in enumerate(batch)}
        last_errors: list[str] = []
        for attempt in range(self._max_attempts):
            if attempt:
                self._sleep(min(0.2 * 2**attempt, 5.0))
            with self._counter:
                self.requests_sent += 1
            answer = self._sqs.send_message_batch(
                QueueUrl=self._queue_url,
                Entries=[
                    {
                        "Id": entry_id,
                        "MessageBody": r.model_dump_json(),
                        "MessageAttributes": message_attributes(r),
                    }
                    for entry_id, r in pending.items()
                ],
            )
            failed = answer.get("Failed", [])
            permanent = [f for f in failed if f.get("SenderFault")]
            if permanent:
                details = "; ".join(f"{pending[f['Id']].key}: {f.get('Message', f.get('Code'))}" for f in permanent)
                raise QueueSendError(f"SQS rejected {len(permanent)} message(s): {details}")
            pending = {f["Id"]: pending[f["Id"]] for f in failed}
            if not pending:
                return
            last_errors = [str(f.get("Code")) for f in failed]
        raise QueueSendError(
            f"{len(pending)} message(s) not sent after {self._max_attempts} attempts "
            f"({', '.join(sorted(set(last_errors)))}): {', '.join(r.key for r in pending.values())}"
        )

    def send_dead_letter(self, letter: DeadLetter) -> None:
        attributes = message_attributes(letter.request) | {
            "failure_kind": {"DataType": "String", "StringValue": letter.failure_kind},
            "failure_code": {"DataType": "String", "StringValue": letter.failure_code},
            "failure_reason": {"DataType": "String", "StringValue": letter.reason[:4000] or "-"},
            "failed_at": {"DataType": "String", "StringValue": letter.failed_at.isoformat()},
        }
        self.requests_sent += 1
        self._sqs.send_message(
            QueueUrl=self._dlq_url,
            MessageBody=letter.request.without_snapshot().model_dump_json(),
            MessageAttributes=attributes,
        )

"""The write-back queue on SQS: the sync function's final statuses for Zuora, sent 10 a SendMessageBatch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from zuora_netsuite.adapters.queue import SQS_BATCH
from zuora_netsuite.failures import FailureKind, SyncFailure
from zuora_netsuite.models.writeback import WriteBackMessage


def _not_sent(reason: str) -> SyncFailure:
    return SyncFailure(f"write-back queue: {reason}", code="WRITEBACK_QUEUE", kind=FailureKind.TRANSIENT)


class SqsWriteBackQueue:
    """The WriteBackQueue port: `send` sends at most 10 messages in one SendMessageBatch (one retry of the entries
    SQS failed for its own reasons) and raises a transient SyncFailure unless all of them were accepted."""

    def __init__(self, queue_url: str, *, sqs: Any | None = None) -> None:
        self._sqs = sqs or boto3.client("sqs")
        self._queue_url = queue_url
        self.requests_sent = 0

    def send(self, messages: Sequence[WriteBackMessage]) -> None:
        if len(messages) > SQS_BATCH:
            raise ValueError(f"at most {SQS_BATCH} messages per SendMessageBatch, got {len(messages)}")
        pending = {str(i): message for i, message in enumerate(messages)}
        for _ in range(2):
            if not pending:
                return
            self.requests_sent += 1
            try:
                answer = self._sqs.send_message_batch(
                    QueueUrl=self._queue_url,
                    Entries=[{"Id": entry, "MessageBody": m.model_dump_json()} for entry, m in pending.items()],
                )
            except (BotoCoreError, ClientError) as error:
                raise _not_sent(str(error)) from error
            failed = answer.get("Failed", [])
            if any(f.get("SenderFault") for f in failed):
                raise _not_sent(f"SQS rejected messages: {failed}")
            pending = {f["Id"]: pending[f["Id"]] for f in failed}
        if pending:
            raise _not_sent(f"{len(pending)} message(s) not sent: {', '.join(m.key for m in pending.values())}")

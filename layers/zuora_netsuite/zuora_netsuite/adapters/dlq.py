"""SyncDLQ on SQS for replay: the DeadLetterQueue port. Bodies go back to SyncQueue unchanged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import boto3

from zuora_netsuite.models.replay import DeadLetterMessage
from zuora_netsuite.observability import logger

SQS_BATCH = 10
# Attributes the sync function put on a dead letter; they describe the failure, not the request.
FAILURE_ATTRIBUTES = frozenset({"failure_kind", "failure_code", "failure_reason", "failed_at"})


class SqsDeadLetterQueue:
    def __init__(self, dlq_url: str, queue_url: str, *, sqs: Any | None = None, wait_seconds: int = 1) -> None:
        self._sqs = sqs or boto3.client("sqs")
        self._dlq_url = dlq_url
        self._queue_url = queue_url
        self._wait_seconds = wait_seconds  # long polling: a short poll may miss messages on a small queue

    def receive(self, max_messages: int, visibility_timeout: int) -> list[DeadLetterMessage]:
        answer = self._sqs.receive_message(
            QueueUrl=self._dlq_url,
            MaxNumberOfMessages=min(max_messages, SQS_BATCH),
            VisibilityTimeout=visibility_timeout,
            WaitTimeSeconds=self._wait_seconds,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["SentTimestamp", "ApproximateReceiveCount"],
        )
        return [_message(raw) for raw in answer.get("Messages", [])]

    def requeue(self, messages: Sequence[DeadLetterMessage]) -> set[str]:
        sent: set[str] = set()
        replayed_at = datetime.now(UTC).isoformat()
        for chunk in _chunks(messages):
            answer = self._sqs.send_message_batch(
                QueueUrl=self._queue_url,
                Entries=[
                    {
                        "Id": str(index),
                        "MessageBody": message.body,
                        "MessageAttributes": {
                            name: {"DataType": "String", "StringValue": value}
                            for name, value in message.attributes.items()
                            if name not in FAILURE_ATTRIBUTES
                        }
                        | {"replayed_at": {"DataType": "String", "StringValue": replayed_at}},
                    }
                    for index, message in enumerate(chunk)
                ],
            )
            sent |= {chunk[int(entry["Id"])].message_id for entry in answer.get("Successful", [])}
            for failure in answer.get("Failed", []):
                logger.warning(
                    "SQS did not take a replayed message; it stays on the DLQ",
                    extra={"message_id": chunk[int(failure["Id"])].message_id, "code": failure.get("Code")},
                )
        return sent

    def delete(self, messages: Sequence[DeadLetterMessage]) -> set[str]:
        deleted: set[str] = set()
        for chunk in _chunks(messages):
            answer = self._sqs.delete_message_batch(
                QueueUrl=self._dlq_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m.receipt_handle} for i, m in enumerate(chunk)],
            )
            deleted |= {chunk[int(entry["Id"])].message_id for entry in answer.get("Successful", [])}
        return deleted

    def release(self, messages: Sequence[DeadLetterMessage]) -> None:
        for chunk in _chunks(messages):
            answer = self._sqs.change_message_visibility_batch(
                QueueUrl=self._dlq_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m.receipt_handle, "VisibilityTimeout": 0}
                    for i, m in enumerate(chunk)
                ],
            )
            if answer.get("Failed"):
                # Nothing is lost: the message becomes visible again when its visibility timeout ends.
                logger.warning(
                    "Some DLQ messages stay hidden until their visibility timeout ends",
                    extra={"failed": len(answer["Failed"])},
                )


def _chunks(messages: Sequence[DeadLetterMessage]) -> list[list[DeadLetterMessage]]:
    return [list(messages[start : start + SQS_BATCH]) for start in range(0, len(messages), SQS_BATCH)]


def _message(raw: dict[str, Any]) -> DeadLetterMessage:
    system = raw.get("Attributes", {})
    sent = system.get("SentTimestamp")
    return DeadLetterMessage(
        message_id=raw["MessageId"],
        receipt_handle=raw["ReceiptHandle"],
        body=raw["Body"],
        attributes={
            name: str(value["StringValue"])
            for name, value in raw.get("MessageAttributes", {}).items()
            if "StringValue" in value
        },
        sent_at=datetime.fromtimestamp(int(sent) / 1000, UTC) if sent else None,
        receive_count=int(system.get("ApproximateReceiveCount", 0)),
    )

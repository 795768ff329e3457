"""One SQS batch through the sync logic, with partial batch failures: one record's failure never fails the
others, and only the failed records are delivered again (Lambda's `ReportBatchItemFailures`,
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).

Powertools' BatchProcessor did this before; it imports the parser models of every event source it supports
(Kinesis, DynamoDB streams, Kafka...), about a fifth of the sync function's cold start, and validated each
message a second time. Here each message is validated once, as a SyncMessage."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, Json, ValidationError

from zuora_netsuite.failures import FailureKind, SyncFailure
from zuora_netsuite.logic.sync import RecordSync
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.observability import add_record_outcome, add_retried, logger
from zuora_netsuite.ports import MIN_CALL_SECONDS, InvocationBudget


class SqsAttributes(BaseModel):
    """The system attributes of an SQS record that the sync reads."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    ApproximateReceiveCount: str | None = None


class SyncMessage(BaseModel):
    """An SQS record of Lambda's event (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html) whose body is
    a SyncRequest; the fields the sync does not read are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    messageId: str = Field(min_length=1)
    body: Json[SyncRequest]
    attributes: SqsAttributes = Field(default_factory=SqsAttributes)


def first_delivery(message: SyncMessage) -> bool:
    """Whether SQS delivers the message for the first time. A redelivered message's snapshot is not used: the
    attempt before may have written to NetSuite and crashed, and only Zuora's current record shows the mark
    (`Creating…`) that sends the sync to look for that write by external id instead of writing again."""
    return int(message.attributes.ApproximateReceiveCount or "1") <= 1


# A record is not started with less time than this left: a NetSuite write (with its parents) needs a few calls.
MIN_RECORD_SECONDS = 3 * MIN_CALL_SECONDS


def process_sync_batch(
    event: dict[str, Any], record_sync: RecordSync, *, budget: InvocationBudget | None = None
) -> dict[str, list[dict[str, str]]]:
    """Returns {"batchItemFailures": [...]}: the messages SQS must deliver again.

    With a running `budget` (the Lambda's remaining time less a reserve), records are not started once too little
    time is left: they are returned as batch item failures, and the write-backs of the records already synced are
    flushed with the reserve, so a batch never times out with its finished work unreported."""
    failed: list[str] = []
    messages: list[tuple[str, SyncRequest]] = []
    for raw in event.get("Records", []):
        try:
            message = SyncMessage.model_validate(raw)
        except ValidationError as error:
            failed.append(str(raw.get("messageId", "")))
            logger.warning(
                "Not a sync request; SQS will deliver it again, then move it to the DLQ",
                extra={"message_id": raw.get("messageId"), "reason": _problems(error)},
            )
            continue
        messages.append(
            (message.messageId, message.body if first_delivery(message) else message.body.without_snapshot())
        )
    record_sync.prefetch([request for _, request in messages])
    for message_id, request in messages:
        if not _sync_one(record_sync, request, message_id, budget):
            failed.append(message_id)
    if budget is not None:
        budget.release_reserve()  # the reserve is for this: the write-backs of the records already synced
    failed += sorted(record_sync.write_backs.flush() - set(failed))
    if failed:
        add_retried(len(failed))
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def _sync_one(record_sync: RecordSync, request: SyncRequest, message_id: str, budget: InvocationBudget | None) -> bool:
    """Sync one record; False when SQS must deliver its message again (the reason is logged)."""
    logger.append_keys(record=request.key, source=request.source.value)
    try:
        left = budget.remaining() if budget is not None else None
        if left is not None and left < MIN_RECORD_SECONDS:
            raise SyncFailure(
                f"not started: {left:.1f}s left in this invocation; retried by the queue",
                code="TIME_BUDGET",
                kind=FailureKind.TRANSIENT,
            )
        outcome = record_sync.sync(request, message_id)
    except SyncFailure as failure:
        logger.warning(
            "Record will be retried by SQS",
            extra={"code": failure.code, "reason": failure.reason, "kind": failure.kind.value},
        )
        return False
    except Exception:
        logger.exception("Unexpected error syncing the record; SQS will retry it, then move it to the DLQ")
        return False
    finally:
        logger.remove_keys(["record", "source"])
    add_record_outcome(request.record_type.value, outcome.value)
    return True


def _problems(error: ValidationError) -> str:
    """What is wrong with a message, without its content (a body may carry a customer's data)."""
    return "; ".join(
        f"{'.'.join(str(part) for part in p['loc']) or 'message'}: {p['msg']}"
        for p in error.errors(include_input=False, include_url=False, include_context=False)
    )


__all__ = ["SyncMessage", "SyncOutcome", "process_sync_batch"]

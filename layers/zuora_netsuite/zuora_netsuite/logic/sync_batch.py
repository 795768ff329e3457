"""One SQS batch through the sync logic with Powertools' BatchProcessor: partial batch failures, so
one record's failure never fails the others."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json, ValidationError

from zuora_netsuite.failures import FailureKind, SyncFailure
from zuora_netsuite.logic.sync import RecordSync
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.observability import add_record_outcome, add_retried, logger
from zuora_netsuite.ports import MIN_CALL_SECONDS, InvocationBudget


class SyncMessage(SqsRecordModel):
    """An SQS record whose body is a SyncRequest."""

    body: Json[SyncRequest]


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
    processor = BatchProcessor(event_type=EventType.SQS, model=SyncMessage, raise_on_entire_batch_failure=False)
    requests: list[SyncRequest] = []
    for raw in event.get("Records", []):
        try:
            message = SyncMessage.model_validate(raw)
        except ValidationError:
            continue  # the processor reports it as a failed item with the validation error
        requests.append(message.body if first_delivery(message) else message.body.without_snapshot())
    record_sync.prefetch(requests)

    def record_handler(record: SyncMessage) -> str:  # Powertools passes it as `record`
        request = record.body
        logger.append_keys(record=request.key, source=request.source.value)
        try:
            left = budget.remaining() if budget is not None else None
            if left is not None and left < MIN_RECORD_SECONDS:
                raise SyncFailure(
                    f"not started: {left:.1f}s left in this invocation; retried by the queue",
                    code="TIME_BUDGET",
                    kind=FailureKind.TRANSIENT,
                )
            outcome = record_sync.sync(request, record.messageId)
        except SyncFailure as failure:
            logger.warning(
                "Record will be retried by SQS",
                extra={"code": failure.code, "reason": failure.reason, "kind": failure.kind.value},
            )
            raise
        except Exception:
            logger.exception("Unexpected error syncing the record; SQS will retry it, then move it to the DLQ")
            raise
        finally:
            logger.remove_keys(["record", "source"])
        add_record_outcome(request.record_type.value, outcome.value)
        return outcome.value

    with processor(records=event.get("Records", []), handler=record_handler):
        processor.process()
    response: dict[str, list[dict[str, str]]] = dict(processor.response())  # type: ignore[arg-type]
    if budget is not None:
        budget.release_reserve()  # the reserve is for this: the write-backs of the records already synced
    failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
    for message_id in sorted(record_sync.write_backs.flush() - failed):
        response["batchItemFailures"].append({"itemIdentifier": message_id})
    if response["batchItemFailures"]:
        add_retried(len(response["batchItemFailures"]))
    return response


__all__ = ["SyncMessage", "SyncOutcome", "process_sync_batch"]

"""One SQS batch through the sync logic with Powertools' BatchProcessor: partial batch failures, so
one record's failure never fails the others."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json, ValidationError

from zuora_netsuite.failures import SyncFailure
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.observability import logger, metrics
from zuora_netsuite.sync import RecordSync


class SyncMessage(SqsRecordModel):
    """An SQS record whose body is a SyncRequest."""

    body: Json[SyncRequest]


def process_sync_batch(event: dict[str, Any], record_sync: RecordSync) -> dict[str, list[dict[str, str]]]:
    """Returns {"batchItemFailures": [...]}: the messages SQS must deliver again."""
    processor = BatchProcessor(event_type=EventType.SQS, model=SyncMessage, raise_on_entire_batch_failure=False)
    requests: list[SyncRequest] = []
    for raw in event.get("Records", []):
        try:
            requests.append(SyncMessage.model_validate(raw).body)
        except ValidationError:
            continue  # the processor reports it as a failed item with the validation error
    record_sync.prefetch(requests)

    def record_handler(record: SyncMessage) -> str:  # Powertools passes it as `record`
        request = record.body
        logger.append_keys(record=request.key, source=request.source.value)
        try:
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
        metrics.add_metric(name=f"{request.record_type.value}.{outcome.value}", unit=MetricUnit.Count, value=1)
        return outcome.value

    with processor(records=event.get("Records", []), handler=record_handler):
        processor.process()
    response: dict[str, list[dict[str, str]]] = dict(processor.response())  # type: ignore[arg-type]
    failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
    for message_id in sorted(record_sync.write_backs.flush() - failed):
        response["batchItemFailures"].append({"itemIdentifier": message_id})
    if response["batchItemFailures"]:
        metrics.add_metric(name="retried", unit=MetricUnit.Count, value=len(response["batchItemFailures"]))
    return response


__all__ = ["SyncMessage", "SyncOutcome", "process_sync_batch"]

"""Write-back Lambda: consumes WriteBackQueue batches (up to 50) and writes the final statuses to Zuora, one request
per object type; reports partial batch failures, so only the statuses Zuora did not take are delivered again."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from zuora_netsuite import wiring
from zuora_netsuite.models.writeback import WriteBackMessage
from zuora_netsuite.observability import logger, tracer


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    delivered: list[tuple[str, WriteBackMessage]] = []
    failed: set[str] = set()
    for record in event.get("Records", []):
        try:
            delivered.append((record["messageId"], WriteBackMessage.model_validate_json(record["body"])))
        except ValidationError:
            logger.exception("Not a write-back message; it goes to WriteBackDLQ after its retries")
            failed.add(record["messageId"])
    failed |= wiring.writeback_drain().write(delivered)
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in sorted(failed)]}

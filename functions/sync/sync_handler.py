"""Sync Lambda: consumes SyncQueue batches; reports partial batch failures so only failed records retry."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from zuora_netsuite import wiring
from zuora_netsuite.logic.sync_batch import process_sync_batch
from zuora_netsuite.observability import logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with wiring.sync_invocation(context.get_remaining_time_in_millis() / 1000) as budget:
        return process_sync_batch(event, wiring.record_sync(worker_id=context.aws_request_id), budget=budget)

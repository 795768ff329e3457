"""Replay Lambda: moves messages from SyncDLQ back to SyncQueue, filtered, with a dry run; returns the report.
Invoked by an operator (the CLI's `replay`, or the console with events/replay_*.json)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from zuora_netsuite import wiring
from zuora_netsuite.models.replay import ReplayRequest
from zuora_netsuite.observability import add_count, logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ReplayRequest.model_validate(event or {})
    report = wiring.dead_letter_replay().run(request)
    if not request.dry_run:
        add_count("replayed", len(report.moved))
    return report.model_dump(mode="json")

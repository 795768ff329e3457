"""Replay Lambda: moves messages from SyncDLQ back to SyncQueue, filtered, with a dry run; returns the report.
Invoked by an operator (the CLI's `replay`, or the console with events/replay_*.json)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from zuora_netsuite import wiring
from zuora_netsuite.adapters.dlq import SqsDeadLetterQueue
from zuora_netsuite.logic.replay import DeadLetterReplay
from zuora_netsuite.models.replay import ReplayRequest
from zuora_netsuite.observability import add_count, logger, metrics, tracer
from zuora_netsuite.settings import load_settings


@lru_cache(maxsize=1)
def dead_letter_replay() -> DeadLetterReplay:
    settings = load_settings()
    return DeadLetterReplay(
        dlq=SqsDeadLetterQueue(settings.sync_dlq_url, settings.sync_queue_url), state=wiring.state_store()
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ReplayRequest.model_validate(event or {})
    report = dead_letter_replay().run(request)
    if not request.dry_run:
        add_count("replayed", len(report.moved))
    return report.model_dump(mode="json")

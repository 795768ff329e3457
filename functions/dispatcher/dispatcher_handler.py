"""Dispatcher Lambda: scheduled by EventBridge Scheduler; enqueues the Zuora records pending sync."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from zuora_netsuite import wiring
from zuora_netsuite.models.events import ScheduledRun
from zuora_netsuite.observability import add_dispatcher_run_completed, logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    run = ScheduledRun.model_validate(event or {})
    only = frozenset(run.record_types) if run.record_types else None
    with wiring.dispatch_invocation(context.get_remaining_time_in_millis() / 1000):
        summary = wiring.dispatcher().run(run_id=context.aws_request_id, only=only)
    if summary.status in ("completed", "stopped"):  # stopped at its time budget: progress, resumed next run
        add_dispatcher_run_completed()  # the heartbeat the DispatcherNoSuccessfulRunAlarm watches
    return summary.model_dump(mode="json")

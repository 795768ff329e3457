"""Logger, Tracer and Metrics: created once per container, shared by every module.

Metrics (namespace ZuoraNetSuiteConnector, dimension service, EMF through Powertools):

| metric                         | meaning                                                               |
| `<type>.<outcome>`             | records of a type synced / unchanged / warning / error (sync_batch)    |
| `<type>.held_back`             | records in permanent error the dispatcher did not enqueue again        |
| RecordsProcessed, RecordsFailed | every record outcome, and those that ended in warning or error: the  |
|                                | failure-rate alarm divides the two                                    |
| retried                        | messages SQS delivers again (transient failures)                      |
| RecordsReplayed                | messages moved from SyncDLQ back to SyncQueue                         |
| NetSuiteThrottled              | NetSuite 429 answers (each retried by the client)                     |
| NetSuiteLatency                | milliseconds per NetSuite write                                       |
| DispatcherRunsCompleted        | 1 per dispatcher run that completed or stopped at its time budget (the |
|                                | heartbeat: an alarm fires when there is none for 3 schedule periods,   |
|                                | docs/runbook.md)                                                      |
| WebhookEnqueued, ...Duplicates, | callouts enqueued, enqueued again (a retry or replay), acknowledged   |
| ...Ignored, ...Unauthorized,    | and ignored, refused for authentication; 500 answers (WebhookErrors); |
| WebhookErrors, ManualSyncEnqueued | operator requests enqueued by POST /sync/{type}/{id}                |

Every metric goes through `add_metric` below, mostly by the named helpers after it; nothing else calls
`metrics.add_metric` (tests/unit/logic/test_metrics.py checks it).

With POWERTOOLS_METRICS_DISABLED (the sandbox) the helpers below add nothing: Powertools would keep every value
and print them all to stdout once a metric holds 100. Per-type names rather than a record_type dimension: Metrics
flushes one dimension set per invocation, and a batch mixes types. The correlation id of every log line written
while a record syncs is its key (`customer:<id>`).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

SERVICE = "zuora-netsuite-connector"
NAMESPACE = "ZuoraNetSuiteConnector"
FAILED_OUTCOMES = frozenset({"warning", "error"})

logger = Logger(service=SERVICE)


class _NoSegment(BaseSegment):
    """The subsegment of a Tracer that traces nothing."""

    def close(self, end_time: int | None = None) -> None:
        pass

    def add_subsegment(self, subsegment: Any) -> None:
        pass

    def remove_subsegment(self, subsegment: Any) -> None:
        pass

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None:
        pass


class _NoTracing(BaseProvider):
    """Tracer's provider where tracing is off: Powertools' Tracer imports the X-Ray SDK for its default provider
    even when it is disabled (about a sixth of a function's import time); with this one it does not."""

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Generator[BaseSegment, None, None]:
        yield _NoSegment()

    def in_subsegment_async(self, name: str | None = None, **kwargs: Any) -> Any:
        raise NotImplementedError("no async handlers here")

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def patch(self, modules: Sequence[str]) -> None:
        pass

    def patch_all(self) -> None:
        pass


def _tracer() -> Tracer:
    """X-Ray's Tracer (boto3 and requests patched: issue 4's traces) where tracing is on, that is in Lambda without
    POWERTOOLS_TRACE_DISABLED (template.yaml: `Tracing: Active`); elsewhere (tests, sandbox, `sam local`) one that
    traces nothing and never imports the X-Ray SDK. On or off is Powertools' own decision (its
    `_is_tracer_disabled`), so this cannot disagree with the Tracer it replaces."""
    if Tracer._is_tracer_disabled():  # Powertools decides it there
        return Tracer(service=SERVICE, disabled=True, auto_patch=False, provider=_NoTracing())
    return Tracer(service=SERVICE)


tracer = _tracer()
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def add_metric(name: str, value: float = 1, unit: MetricUnit = MetricUnit.Count) -> None:
    """The one way a metric is added (nothing while metrics are disabled)."""
    if is_metrics_disabled():
        return
    metrics.add_metric(name=name, unit=unit, value=value)


def add_count(event: str, value: int = 1, *, record_type: str | None = None) -> None:
    """`add_count("held_back", 3, record_type="customer")` -> metric `customer.held_back`;
    without a type, `add_count("replayed")` -> `RecordsReplayed`."""
    if value < 0:
        return
    add_metric(
        f"{record_type}.{event}" if record_type else "Records" + event.replace("_", " ").title().replace(" ", ""), value
    )


def add_record_outcome(record_type: str, outcome: str) -> None:
    """`customer.synced`, `invoice.error`, ...: one per record of a batch that did not raise."""
    add_metric(f"{record_type}.{outcome}")


def add_outcome(outcome: str) -> None:
    """Totals across types for the failure-rate alarm (CloudWatch alarms cannot sum metrics found by SEARCH)."""
    add_metric("RecordsProcessed")
    if outcome in FAILED_OUTCOMES:
        add_metric("RecordsFailed")


def add_retried(messages: int) -> None:
    """Messages of a batch that SQS delivers again."""
    add_metric("retried", messages)


def add_netsuite_call(milliseconds: float) -> None:
    add_metric("NetSuiteLatency", milliseconds, MetricUnit.Milliseconds)


def add_netsuite_throttled(count: int) -> None:
    if count > 0:
        add_metric("NetSuiteThrottled", count)


DISPATCHER_RUN_COMPLETED = "DispatcherRunsCompleted"


def add_dispatcher_run_completed() -> None:
    """The heartbeat of the pipeline: one per dispatcher run that completed, or stopped at its time budget having
    made progress (not skipped, not failed)."""
    add_metric(DISPATCHER_RUN_COMPLETED)


class WebhookMetric(StrEnum):
    """What the webhook function counts, one per request."""

    ENQUEUED = "WebhookEnqueued"
    DUPLICATE = "WebhookDuplicates"
    IGNORED = "WebhookIgnored"
    UNAUTHORIZED = "WebhookUnauthorized"
    ERROR = "WebhookErrors"
    MANUAL_SYNC_ENQUEUED = "ManualSyncEnqueued"


def add_webhook_request(metric: WebhookMetric) -> None:
    add_metric(metric.value)

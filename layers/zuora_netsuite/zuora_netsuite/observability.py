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
| DispatcherRunsCompleted        | 1 per dispatcher run that completed (the heartbeat: an alarm fires    |
|                                | when there is none for 3 schedule periods, docs/runbook.md)            |

With POWERTOOLS_METRICS_DISABLED (the sandbox) the helpers below add nothing: Powertools would keep every value
and print them all to stdout once a metric holds 100. Per-type names rather than a record_type dimension: Metrics
flushes one dimension set per invocation, and a batch mixes types. The correlation id of every log line written
while a record syncs is its key (`customer:<id>`).
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

SERVICE = "zuora-netsuite-connector"
NAMESPACE = "ZuoraNetSuiteConnector"
FAILED_OUTCOMES = frozenset({"warning", "error"})

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def add_count(event: str, value: int = 1, *, record_type: str | None = None) -> None:
    """`add_count("held_back", 3, record_type="customer")` -> metric `customer.held_back`;
    without a type, `add_count("replayed")` -> `RecordsReplayed`."""
    if value < 0 or is_metrics_disabled():
        return
    name = f"{record_type}.{event}" if record_type else "Records" + event.replace("_", " ").title().replace(" ", "")
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def add_outcome(outcome: str) -> None:
    """Totals across types for the failure-rate alarm (CloudWatch alarms cannot sum metrics found by SEARCH)."""
    if is_metrics_disabled():
        return
    metrics.add_metric(name="RecordsProcessed", unit=MetricUnit.Count, value=1)
    if outcome in FAILED_OUTCOMES:
        metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count, value=1)


def add_netsuite_call(milliseconds: float) -> None:
    if is_metrics_disabled():
        return
    metrics.add_metric(name="NetSuiteLatency", unit=MetricUnit.Milliseconds, value=milliseconds)


def add_netsuite_throttled(count: int) -> None:
    if count > 0 and not is_metrics_disabled():
        metrics.add_metric(name="NetSuiteThrottled", unit=MetricUnit.Count, value=count)


DISPATCHER_RUN_COMPLETED = "DispatcherRunsCompleted"


def add_dispatcher_run_completed() -> None:
    """The heartbeat of the pipeline: one per dispatcher run that completed (not skipped, not failed)."""
    if is_metrics_disabled():
        return
    metrics.add_metric(name=DISPATCHER_RUN_COMPLETED, unit=MetricUnit.Count, value=1)

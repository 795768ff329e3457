"""The dispatcher's heartbeat: one DispatcherRunsCompleted per completed run (or one stopped at its time budget,
which made progress and is resumed by the next), none for a skipped or failed run,
so the alarm on its absence (template.yaml DispatcherNoSuccessfulRunAlarm) sees a pipeline that stopped."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

import dispatcher_handler
from sandbox.driver import LambdaContext
from zuora_netsuite.logic.dispatch import DispatchFailed
from zuora_netsuite.models.messages import RunSummary
from zuora_netsuite.observability import DISPATCHER_RUN_COMPLETED, NAMESPACE


@dataclass
class ScriptedDispatcher:
    status: str

    def run(self, run_id: str, only: Any = None) -> RunSummary:
        if self.status == "failed":
            raise DispatchFailed(["customer: Zuora refused the query"])
        return RunSummary(run_id=run_id, started_at=datetime.now(UTC), status=self.status)


def emitted_metrics(output: str) -> set[str]:
    """The metric names of the EMF lines Powertools printed (what CloudWatch would ingest)."""
    names: set[str] = set()
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            for directive in document["_aws"]["CloudWatchMetrics"]:
                assert directive["Namespace"] == NAMESPACE
                names |= {m["Name"] for m in directive["Metrics"]}
    return names


@pytest.fixture(autouse=True)
def metrics_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")


def run_handler(monkeypatch: pytest.MonkeyPatch, status: str) -> None:
    monkeypatch.setattr(dispatcher_handler.wiring, "dispatcher", lambda: ScriptedDispatcher(status))
    dispatcher_handler.handler({"source": "schedule"}, LambdaContext("DispatcherFunction", timeout_seconds=900))


@pytest.mark.parametrize("status", ["completed", "stopped"])
def test_a_completed_run_emits_the_heartbeat(
    status: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    # When a scheduled run completes, or stops at its time budget having enqueued part of a large backlog
    run_handler(monkeypatch, status)

    # Then one DispatcherRunsCompleted is published
    assert DISPATCHER_RUN_COMPLETED in emitted_metrics(capsys.readouterr().out)


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
@pytest.mark.parametrize("status", ["skipped", "failed"])
def test_a_skipped_or_failed_run_emits_no_heartbeat(
    status: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    # When a run is skipped (another holds the lease) or fails
    if status == "failed":
        with pytest.raises(DispatchFailed):
            run_handler(monkeypatch, status)
    else:
        run_handler(monkeypatch, status)

    # Then no heartbeat is published: three schedule periods of this and the alarm fires
    assert DISPATCHER_RUN_COMPLETED not in emitted_metrics(capsys.readouterr().out)

"""Metrics: every one goes through observability's helpers, under the names the template's alarms and dashboard
read; none is added while metrics are disabled (the sandbox)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.logic.conftest import World, account
from tests.unit.logic.test_sync_batch import body, sqs_event
from tests.unit.webhook.conftest import KEY, Webhook, notification, signed_data
from zuora_netsuite import observability
from zuora_netsuite.failures import FailureKind, NetSuiteError
from zuora_netsuite.logic.sync_batch import process_sync_batch
from zuora_netsuite.logic.webhook.auth import sign
from zuora_netsuite.logic.webhook.intake import ManualSyncTrigger
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.observability import NAMESPACE, metrics

ROOT = Path(__file__).resolve().parents[3]
PRODUCT_CODE = ("layers", "functions", "connector_cli")


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[dict[str, float]]:
    """The metrics published when the test's work is flushed (as the handlers' log_metrics does): name -> sum."""
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    metrics.clear_metrics()
    capsys.readouterr()
    found: dict[str, float] = {}
    yield found
    metrics.clear_metrics()


def flush(capsys: pytest.CaptureFixture[str], found: dict[str, float]) -> dict[str, float]:
    metrics.flush_metrics()
    for line in capsys.readouterr().out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            for directive in document["_aws"]["CloudWatchMetrics"]:
                assert directive["Namespace"] == NAMESPACE
                for metric in directive["Metrics"]:
                    values = document[metric["Name"]]
                    found[metric["Name"]] = sum(values) if isinstance(values, list) else values
    return found


def test_no_product_code_adds_a_metric_but_through_observability() -> None:
    callers = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in PRODUCT_CODE
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "observability.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\.add_metric\(", line)
    ]
    assert callers == []


def test_a_sync_batch_publishes_per_type_outcomes_totals_latency_and_retries(
    world: World, published: dict[str, float], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two accounts, and NetSuite busy (503) for the first write
    world.zuora.put("Account", account("1" * 32, AccountNumber="A1"))
    world.zuora.put("Account", account("2" * 32, AccountNumber="A2"))
    world.netsuite.fail_next.append(NetSuiteError("busy", code="X", kind=FailureKind.TRANSIENT, http_status=503))
    # When they arrive as one batch
    process_sync_batch(sqs_event([body("1" * 32), body("2" * 32)]), world.record_sync())
    # Then the names are the ones the alarms and the dashboard read
    found = flush(capsys, published)
    assert found["customer.synced"] == 1
    assert found["RecordsProcessed"] == 1
    assert "RecordsFailed" not in found
    assert found["retried"] == 1
    assert "NetSuiteLatency" in found


def test_webhook_requests_are_counted_by_what_became_of_them(
    published: dict[str, float], capsys: pytest.CaptureFixture[str]
) -> None:
    given = Webhook()
    intake = given.intake()

    def callout(raw: bytes, notification_id: str, key: str = KEY) -> None:
        headers = {
            "content-type": "application/json",
            "zuora-notification-id": notification_id,
            "x-zuora-signature": sign(signed_data(raw), key, given.encoding),
        }
        intake.receive(headers, raw)

    enqueued = json.dumps(notification()).encode()
    callout(enqueued, "2c92c0f97e8a1b2c017e9a3d4f5a6b7c")  # enqueued
    callout(enqueued, "2c92c0f97e8a1b2c017e9a3d4f5a6b7c")  # the same notification again
    callout(json.dumps(notification(eventType="AccountDeleted")).encode(), "2c92c0f97e8a1b2c017e9a3d4f5a6b7d")
    callout(enqueued, "2c92c0f97e8a1b2c017e9a3d4f5a6b7e", key="not-the-key-0123456789abcdef")
    ManualSyncTrigger(given.queue).trigger(RecordType.CUSTOMER, "a" * 32, "ops")

    assert flush(capsys, published) == {
        "WebhookEnqueued": 1,
        "WebhookDuplicates": 1,
        "WebhookIgnored": 1,
        "WebhookUnauthorized": 1,
        "ManualSyncEnqueued": 1,
    }


def test_nothing_is_added_while_metrics_are_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    metrics.clear_metrics()
    observability.add_record_outcome("customer", "synced")
    observability.add_retried(3)
    observability.add_webhook_request(observability.WebhookMetric.ENQUEUED)
    observability.add_count("held_back", 2, record_type="invoice")
    assert metrics.metric_set == {}

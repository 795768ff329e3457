"""Given: the webhook handler in-process, its adapters replaced by in-memory fakes (tests/fakes.py)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import webhook_handler
from sandbox.api_gateway import proxy_event
from sandbox.driver import LambdaContext
from tests.captured_logs import CapturedLog, captured_connector_logs
from tests.fakes import FakeQueue, FakeStateStore
from zuora_netsuite import wiring
from zuora_netsuite.logic.webhook.auth import CalloutAuthenticator, HmacScheme, sign
from zuora_netsuite.logic.webhook.intake import CalloutIntake, ManualSyncTrigger
from zuora_netsuite.models.webhook import AuthScheme, SignatureEncoding, WebhookSecret

EVENTS = Path(__file__).resolve().parents[3] / "events"
SAMPLE_HMAC_KEY = "sample-webhook-hmac-key-not-a-secret"  # signs events/webhook_zuora_callout.json
KEY = "k3y-for-unit-tests-0123456789abcdef"
ACCOUNT_ID = "8a8aa0a87e4c4e2a017e5a0e9c2b1d01"
MAX_BODY = 4096


SIGNED_FIELDS = ("timestamp", "eventType", "objectType", "objectId")  # the default WEBHOOK_HMAC_DATA_FIELDS


def zuora_timestamp(at: datetime | None = None) -> str:
    """{{Event.Timestamp}} as Zuora formats datetimes."""
    return (at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def notification(**fields: Any) -> dict[str, Any]:
    body = {
        "eventType": "AccountUpdated",
        "objectType": "Account",
        "objectId": ACCOUNT_ID,
        "accountId": ACCOUNT_ID,
        "timestamp": zuora_timestamp(),
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def signed_data(raw: bytes, fields: tuple[str, ...] = SIGNED_FIELDS) -> bytes:
    """The Data Zuora signs for the recommended template: each signed merge field's value and a line feed
    (built here independently of the webhook's own code)."""
    try:
        body = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(body, dict):
        return raw
    return "".join(f"{body.get(name, '')}\n" for name in fields).encode()


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Webhook:
    """The handler with fake state and queue; `secret` and `scheme` can be changed before a call."""

    state: FakeStateStore = field(default_factory=FakeStateStore)
    queue: FakeQueue = field(default_factory=FakeQueue)
    secret: WebhookSecret = field(default_factory=lambda: WebhookSecret(hmac_key=KEY))
    scheme: AuthScheme = AuthScheme.HMAC
    encoding: SignatureEncoding = SignatureEncoding.BASE64
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    value: str = "{{ Data.HMAC.Signed }}"  # the template's HMAC Value

    def intake(self) -> CalloutIntake:
        scheme = HmacScheme(encoding=self.encoding, value=self.value, max_age=timedelta(hours=24))
        return CalloutIntake(
            authenticator=CalloutAuthenticator(self.scheme, self.secret, scheme, clock=lambda: self.now),
            state=self.state,
            queue=self.queue,
            max_body_bytes=MAX_BODY,
            dedupe_window=timedelta(days=7),
            clock=lambda: self.now,
        )

    def invoke(self, event: Mapping[str, Any]) -> Answer:
        result = webhook_handler.handler(dict(event), LambdaContext("WebhookFunction"))
        assert isinstance(result["body"], str)
        headers = dict(result.get("headers") or {})
        headers.update({name: values[-1] for name, values in (result.get("multiValueHeaders") or {}).items()})
        return Answer(result["statusCode"], json.loads(result["body"]), headers)

    def callout(
        self,
        body: Mapping[str, Any] | bytes,
        *,
        key: str | None = KEY,
        notification_id: str | None = "2c92c0f97e8a1b2c017e9a3d4f5a6b7c",
        content_type: str | None = "application/json",
        **headers: str,
    ) -> Answer:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        all_headers = {"Zuora-Request-Id": "r-1"}
        if content_type is not None:
            all_headers["Content-Type"] = content_type
        if notification_id is not None:
            all_headers["Zuora-Notification-Id"] = notification_id
        if key is not None:
            signature = sign(signed_data(raw), key, self.encoding)
            all_headers["X-Zuora-Signature"] = self.value.replace("{{ Data.HMAC.Signed }}", signature)
        all_headers.update(headers)
        return self.invoke(proxy_event("POST", "/webhooks/zuora", headers=all_headers, body=raw))

    def manual(self, record_type: str, record_id: str) -> Answer:
        return self.invoke(
            proxy_event(
                "POST",
                f"/sync/{record_type}/{record_id}",
                resource="/sync/{type}/{id}",
                path_parameters={"type": record_type, "id": record_id},
                user_arn="arn:aws:iam::123456789012:user/ops",
            )
        )


@pytest.fixture(autouse=True)
def _metrics_disabled_without_warnings() -> Iterator[None]:
    """Metrics are disabled here (as in the sandbox), so the handler has none to flush: Powertools says so."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
        yield


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Webhook:
    given = Webhook()
    monkeypatch.setattr(wiring, "callout_intake", given.intake)
    monkeypatch.setattr(wiring, "manual_sync_trigger", lambda: ManualSyncTrigger(given.queue))
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    return given


@pytest.fixture
def logs() -> Iterator[CapturedLog]:
    with captured_connector_logs("INFO") as captured:
        yield captured


def sample_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event

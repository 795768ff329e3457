"""The webhook as Zuora and operators see it: what is enqueued, what is refused and how, what is logged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from tests.unit.webhook.conftest import (
    ACCOUNT_ID,
    KEY,
    MAX_BODY,
    SAMPLE_HMAC_KEY,
    CapturedLog,
    Webhook,
    notification,
    sample_event,
    signed_data,
)
from zuora_netsuite.models.messages import RequestSource
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.webhook import AuthScheme, SignatureEncoding, WebhookSecret

OTHER_KEY = "an0ther-key-0123456789abcdefghij"


def test_a_signed_callout_enqueues_the_changed_record_once(webhook: Webhook):
    # Given a callout about an edited account, signed with the webhook key
    # When Zuora delivers it
    answer = webhook.callout(notification())

    # Then it is acknowledged with 200 and success true (what Zuora's "confirm success by parsing response
    # content" reads), and exactly one webhook sync request for the account is on the queue
    assert answer.status == 200
    assert answer.body == {
        "success": True,
        "status": "enqueued",
        "record": f"customer:{ACCOUNT_ID}",
        "notificationId": "2c92c0f97e8a1b2c017e9a3d4f5a6b7c",
    }
    assert [(r.record_type, r.record_id, r.source) for r in webhook.queue.sent] == [
        (RecordType.CUSTOMER, ACCOUNT_ID, RequestSource.WEBHOOK)
    ]


def test_a_retried_or_replayed_notification_is_acknowledged_as_a_duplicate(webhook: Webhook):
    # Given a notification that was already enqueued
    first = webhook.callout(notification())

    # When Zuora retries it (same Zuora-Notification-Id, new Zuora-Request-Id), or someone replays it
    retry = webhook.callout(notification(), **{"Zuora-Request-Id": "r-2"})

    # Then Zuora gets 200 with success true (so it stops retrying), marked as a duplicate; the request went to
    # the queue again (harmless: the sync finds nothing changed), as the dedupe record is written after the send
    assert (first.body["status"], retry.status, retry.body["success"]) == ("enqueued", 200, True)
    assert retry.body["status"] == "duplicate"
    assert len(webhook.queue.sent) == 2


def test_a_notification_whose_enqueue_failed_is_enqueued_when_zuora_retries_it(
    webhook: Webhook, monkeypatch: pytest.MonkeyPatch
):
    # Given a first delivery whose enqueue failed (answered 500: Zuora retries it)
    send = webhook.queue.send

    def unavailable(requests):
        raise ConnectionError("SQS unreachable")

    monkeypatch.setattr(webhook.queue, "send", unavailable)
    assert webhook.callout(notification()).status == 500

    # When Zuora retries the same notification and the queue is back
    monkeypatch.setattr(webhook.queue, "send", send)
    retry = webhook.callout(notification(), **{"Zuora-Request-Id": "r-2"})

    # Then the retry is enqueued (not taken for a duplicate of the failed try)
    assert retry.status == 200
    assert retry.body["status"] == "enqueued"
    assert [r.record_id for r in webhook.queue.sent] == [ACCOUNT_ID]


def test_a_different_notification_about_the_same_record_is_enqueued_again(webhook: Webhook):
    webhook.callout(notification(), notification_id="n-1")
    webhook.callout(notification(), notification_id="n-2")
    assert len(webhook.queue.sent) == 2


@pytest.mark.parametrize(
    ("case", "headers"),
    [
        ("signed with another key", {"key": OTHER_KEY}),
        ("no signature", {"key": None}),
        ("garbage signature", {"key": None, "X-Zuora-Signature": "not base64 !!"}),
        (
            "signature of another body",
            {"key": None, "X-Zuora-Signature": "CZiKJhl4QJvw6IedlLdV6CK2DKIMtJmofObX4dkLqSs="},
        ),
    ],
)
def test_a_callout_that_fails_authentication_gets_401_and_is_never_enqueued(webhook: Webhook, case: str, headers):
    # When a callout arrives that is not signed with the webhook key
    answer = webhook.callout(notification(), **headers)

    # Then it is refused with a JSON 401, and neither enqueued nor remembered as seen
    assert answer.status == 401, case
    assert answer.body["error"] == "unauthorized"
    assert webhook.queue.sent == []
    assert webhook.state.notifications == {}


def test_a_tampered_body_fails_authentication(webhook: Webhook):
    # Given a signature computed over the original callout's Data
    original = json.dumps(notification()).encode()
    from zuora_netsuite.logic.webhook.auth import sign

    signature = sign(signed_data(original), KEY)
    tampered = original.replace(ACCOUNT_ID.encode(), b"0" * 32)

    # When the body is changed on the way
    answer = webhook.callout(tampered, key=None, **{"X-Zuora-Signature": signature})

    # Then nothing is enqueued
    assert answer.status == 401
    assert webhook.queue.sent == []


def test_hex_signatures_are_accepted_when_configured(webhook: Webhook):
    webhook.encoding = SignatureEncoding.HEX
    assert webhook.callout(notification()).status == 200
    assert len(webhook.queue.sent) == 1


def test_the_previous_key_is_accepted_during_the_rotation_window_only(webhook: Webhook):
    # Given a rotation: a new key, the old one valid for another hour
    webhook.secret = WebhookSecret(
        hmac_key=SecretStr(OTHER_KEY),
        previous_hmac_key=SecretStr(KEY),
        previous_valid_until=webhook.now + timedelta(hours=1),
    )

    # When Zuora still signs with the old key inside the window, then the new key
    inside = webhook.callout(notification(), key=KEY, notification_id="n-1")
    new_key = webhook.callout(notification(), key=OTHER_KEY, notification_id="n-2")
    # And with the old key once the window is over
    webhook.now += timedelta(hours=2)
    after = webhook.callout(notification(), key=KEY, notification_id="n-3")

    # Then both keys work inside the window and only the new one after it
    assert (inside.status, new_key.status, after.status) == (200, 200, 401)
    assert len(webhook.queue.sent) == 2


def test_basic_authentication_challenges_then_accepts_the_right_credentials(webhook: Webhook):
    # Given Basic authentication (Zuora sends the credentials after a 401 challenge unless pre-emptive)
    webhook.scheme = AuthScheme.BASIC
    webhook.secret = WebhookSecret(username="zuora", password=SecretStr("correct horse battery"))
    import base64

    def basic(user: str, password: str) -> str:
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    # When Zuora first calls without credentials, then with wrong ones, then with the right ones
    challenge = webhook.callout(notification(), key=None, notification_id="n-1")
    wrong = webhook.callout(notification(), key=None, notification_id="n-1", Authorization=basic("zuora", "nope"))
    right = webhook.callout(
        notification(), key=None, notification_id="n-1", Authorization=basic("zuora", "correct horse battery")
    )

    # Then the first two get 401 with a Basic challenge, the last one is enqueued
    assert challenge.status == wrong.status == 401
    assert challenge.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert right.status == 200
    assert len(webhook.queue.sent) == 1


def test_an_oversized_body_gets_413(webhook: Webhook):
    answer = webhook.callout(notification(eventType="x" * MAX_BODY))
    assert answer.status == 413
    assert answer.body["error"] == "body_too_large"
    assert webhook.queue.sent == []


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", None, "multipart/form-data"]
)
def test_a_body_that_is_not_json_gets_415(webhook: Webhook, content_type: str | None):
    answer = webhook.callout(notification(), content_type=content_type)
    assert answer.status == 415
    assert answer.body["field"] == "Content-Type"
    assert webhook.queue.sent == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (notification(objectId="has spaces"), "objectId"),
        (notification(eventType=""), "eventType"),
        (notification(objectType="x" * 65), "objectType"),
        (notification(updatedDate="yesterday"), "updatedDate"),
        (notification(accountId=12), "accountId"),
    ],
)
def test_a_malformed_notification_gets_400_naming_the_field(webhook: Webhook, body, field: str):
    # When an authenticated callout carries a malformed body
    answer = webhook.callout(body)

    # Then the 400 names the field, and nothing is enqueued
    assert answer.status == 400
    assert answer.body["error"] == "invalid_notification"
    assert answer.body["field"] == field
    assert field in answer.body["message"]
    assert webhook.queue.sent == []


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"a string"', b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_gets_400(webhook: Webhook, raw: bytes):
    answer = webhook.callout(raw)
    assert answer.status == 400
    assert answer.body["field"] == "body"
    assert webhook.queue.sent == []


@pytest.mark.parametrize("notification_id", [None, "", "has spaces", "x" * 200])
def test_a_missing_or_malformed_notification_id_gets_400(webhook: Webhook, notification_id: str | None):
    answer = webhook.callout(notification(), notification_id=notification_id)
    assert answer.status == 400
    assert answer.body["field"] == "Zuora-Notification-Id"
    assert webhook.queue.sent == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (notification(objectType="Subscription"), "does not sync Subscription"),
        (notification(eventType="AccountDeleted"), "never deletes"),
    ],
)
def test_an_object_or_event_the_connector_does_not_sync_gets_200_success_and_a_log_line(
    webhook: Webhook, body, reason: str, logs: CapturedLog
):
    # When an authenticated callout is about something the connector deliberately ignores
    answer = webhook.callout(body)

    # Then Zuora gets 200 with success true (any other answer is a failure it would retry), nothing is enqueued
    assert answer.status == 200
    assert answer.body["success"] is True
    assert answer.body["status"] == "ignored"
    assert reason in answer.body["reason"]
    assert webhook.queue.sent == []
    assert any(e["message"] == "Callout acknowledged and ignored" and reason in e["reason"] for e in logs.entries())


@pytest.mark.parametrize(
    ("object_type", "record_type"),
    [("Account", "customer"), ("ProductRatePlanCharge", "item"), ("account", "customer"), ("Invoice", "invoice")],
)
def test_each_synced_zuora_object_maps_to_its_record_type(webhook: Webhook, object_type: str, record_type: str):
    answer = webhook.callout(notification(objectType=object_type))
    assert answer.status == 200
    assert [r.record_type.value for r in webhook.queue.sent] == [record_type]


def test_nothing_secret_or_the_payload_is_logged(webhook: Webhook, logs: CapturedLog):
    # Given callouts that succeed, fail authentication and are malformed
    from zuora_netsuite.logic.webhook.auth import sign

    body = notification(accountId="ACCOUNT0000000000000000000PRIVATE")
    webhook.callout(body, notification_id="n-1")
    webhook.callout(body, key=OTHER_KEY, notification_id="n-2")
    webhook.callout(notification(objectId="bad id"), notification_id="n-3")

    # Then the logs hold neither key, nor a signature, nor the account id of the payload
    out = logs.text
    data = signed_data(json.dumps(body).encode())
    for secret in (KEY, OTHER_KEY, sign(data, KEY), sign(data, OTHER_KEY), "PRIVATE"):
        assert secret not in out
    assert "Callout enqueued" in out
    assert "Callout refused" in out


def test_a_queue_failure_is_a_500_that_zuora_retries_and_is_logged(
    webhook: Webhook, monkeypatch: pytest.MonkeyPatch, logs: CapturedLog
):
    # Given a queue that cannot be reached
    def unavailable(requests):
        raise ConnectionError("SQS unreachable")

    monkeypatch.setattr(webhook.queue, "send", unavailable)

    # When a valid callout arrives
    answer = webhook.callout(notification())

    # Then the answer is a JSON 500 (not the caller's fault) and the failure is in the log with its traceback
    assert answer.status == 500
    assert answer.body["error"] == "internal_error"
    assert answer.body["success"] is False
    assert "SQS unreachable" in logs.text


def test_an_operator_can_trigger_the_sync_of_one_record(webhook: Webhook):
    answer = webhook.manual("item", "c" * 32)

    assert answer.status == 202
    assert answer.body == {"success": True, "status": "enqueued", "record": f"item:{'c' * 32}"}
    assert [(r.record_type, r.source) for r in webhook.queue.sent] == [(RecordType.ITEM, RequestSource.OPERATOR)]


@pytest.mark.parametrize(
    ("record_type", "record_id", "field"), [("widget", "a" * 32, "type"), ("customer", "a%20b", "id")]
)
def test_a_manual_trigger_for_an_unknown_type_or_bad_id_gets_400_naming_it(
    webhook: Webhook, record_type: str, record_id: str, field: str
):
    answer = webhook.manual(record_type, record_id)
    assert answer.status == 400
    assert answer.body["field"] == field
    assert webhook.queue.sent == []


def test_an_unknown_route_gets_a_json_404(webhook: Webhook):
    from sandbox.api_gateway import proxy_event

    answer = webhook.invoke(proxy_event("GET", "/webhooks/zuora"))
    assert answer.status == 404
    assert answer.body["error"] == "not_found"


def test_the_sample_events_run_through_the_handler(webhook: Webhook):
    # Given the sample events in events/ (the callout is signed with the sample key, at 12:00 UTC on 30 Nov 2026)
    webhook.secret = WebhookSecret(hmac_key=SecretStr(SAMPLE_HMAC_KEY))
    webhook.now = datetime(2026, 11, 30, 12, 1, tzinfo=UTC)

    # When each is handled
    callout = webhook.invoke(sample_event("webhook_zuora_callout.json"))
    manual = webhook.invoke(sample_event("webhook_manual_sync.json"))

    # Then both records are enqueued, by the webhook and by the operator
    assert (callout.status, manual.status) == (200, 202)
    assert [r.source for r in webhook.queue.sent] == [RequestSource.WEBHOOK, RequestSource.OPERATOR]


def test_a_merge_field_that_is_null_on_the_record_arrives_empty_and_is_accepted(webhook: Webhook):
    # Given a callout whose optional merge fields were null on the record (Zuora renders them as "")
    answer = webhook.callout(notification(accountId="", updatedDate=""))

    # Then it is enqueued like any other
    assert answer.status == 200
    assert answer.body["status"] == "enqueued"

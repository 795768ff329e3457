"""The webhook checks a callout signed as a Zuora callout template signs it: HMAC-SHA256 of the template's Data
(merge-field values, each followed by a line feed), in the header named by Signed Header Key, inside the Value
template; a signed timestamp older than the window is refused. And a misconfigured secret never reaches the log."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pydantic import ValidationError

from tests.unit.webhook.conftest import KEY, CapturedLog, Webhook, notification, signed_data, zuora_timestamp
from zuora_netsuite import wiring
from zuora_netsuite.adapters import credentials
from zuora_netsuite.logic.webhook.auth import sign
from zuora_netsuite.models.webhook import WebhookSettings

REAL_CALLOUT_INTAKE = wiring.callout_intake  # taken before the webhook fixture replaces it


def test_the_signature_is_over_the_templates_data_not_over_the_body(webhook: Webhook):
    # Given a callout whose header holds the HMAC of the raw body (not what a Zuora template signs)
    raw = json.dumps(notification()).encode()

    # When it arrives
    answer = webhook.callout(raw, key=None, **{"X-Zuora-Signature": sign(raw, KEY)})

    # Then it is refused; the same callout signed over its Data is accepted
    assert answer.status == 401
    assert webhook.callout(raw, key=None, **{"X-Zuora-Signature": sign(signed_data(raw), KEY)}).status == 200


def test_a_changed_signed_field_fails_and_an_unsigned_field_is_not_covered(webhook: Webhook):
    # Given a callout signed over timestamp, eventType, objectType and objectId
    body = notification()
    signature = sign(signed_data(json.dumps(body).encode()), KEY)

    # When the object id is changed on the way, then it is refused
    forged = json.dumps({**body, "objectId": "0" * 32}).encode()
    assert webhook.callout(forged, key=None, **{"X-Zuora-Signature": signature}).status == 401
    # And a field outside the Data (only logged) does not take part in the signature
    relabelled = json.dumps({**body, "updatedDate": "2026-01-01T00:00:00Z"}).encode()
    assert webhook.callout(relabelled, key=None, **{"X-Zuora-Signature": signature}).status == 200


def test_a_signed_field_missing_from_the_body_is_named_in_the_401(webhook: Webhook):
    answer = webhook.callout(notification(timestamp=None))
    assert answer.status == 401
    assert answer.body["message"] == "the signed body field timestamp is missing"
    assert webhook.queue.sent == []


def test_the_header_value_follows_the_templates_value_format(webhook: Webhook):
    # Given the template's Value "v1={{ Data.HMAC.Signed }}"
    webhook.value = "v1={{ Data.HMAC.Signed }}"
    # When Zuora sends it that way, then it is accepted
    assert webhook.callout(notification(), notification_id="n-1").status == 200
    # And a bare signature, without the Value's text around it, is refused
    bare = sign(signed_data(json.dumps(notification()).encode()), KEY)
    answer = webhook.callout(notification(), key=None, notification_id="n-2", **{"X-Zuora-Signature": bare})
    assert answer.status == 401


@pytest.mark.parametrize(
    ("age", "accepted"),
    [(timedelta(0), True), (timedelta(hours=23), True), (timedelta(hours=25), False), (-timedelta(hours=1), False)],
)
def test_a_signed_timestamp_outside_the_window_is_refused(webhook: Webhook, age: timedelta, accepted: bool):
    # Given a validly signed callout whose {{Event.Timestamp}} is `age` old (a 24-hour window; Zuora sends the
    # same merge fields on each retry, 30 minutes apart by default)
    body = notification(timestamp=zuora_timestamp(webhook.now - age))

    # When it arrives
    answer = webhook.callout(body)

    # Then it is enqueued only inside the window; a stale or future one is a 401 that says why
    assert (answer.status == 200) is accepted
    if not accepted:
        assert answer.status == 401
        assert "timestamp" in answer.body["message"]
        assert webhook.queue.sent == []


def test_the_settings_refuse_a_data_that_does_not_sign_what_the_webhook_acts_on():
    base = {"STATE_TABLE_NAME": "t", "SYNC_QUEUE_URL": "q", "SYNC_DLQ_URL": "d", "WEBHOOK_SECRET_ARN": "s"}
    with pytest.raises(ValidationError, match="objectId"):
        WebhookSettings.model_validate({**base, "WEBHOOK_HMAC_DATA_FIELDS": "timestamp,eventType,objectType"})
    with pytest.raises(ValidationError, match="must be one of"):
        WebhookSettings.model_validate({**base, "WEBHOOK_HMAC_DATA_FIELDS": "eventType,objectType,objectId"})
    with pytest.raises(ValidationError, match=r"Data\.HMAC\.Signed"):
        WebhookSettings.model_validate({**base, "WEBHOOK_HMAC_VALUE": "v1=signature"})
    relaxed = WebhookSettings.model_validate(
        {**base, "WEBHOOK_HMAC_DATA_FIELDS": "eventType,objectType,objectId", "WEBHOOK_TIMESTAMP_FIELD": ""}
    )
    assert relaxed.data_fields == ("eventType", "objectType", "objectId")


def test_a_misconfigured_secret_is_a_500_whose_log_never_contains_the_secret(
    webhook: Webhook, monkeypatch: pytest.MonkeyPatch, logs: CapturedLog
):
    # Given a webhook secret whose key is too short (pydantic's own message would quote it)
    leaked = "short-SECRET"
    monkeypatch.setattr(wiring, "callout_intake", REAL_CALLOUT_INTAKE)
    monkeypatch.setattr(credentials.parameters, "get_secret", lambda *args, **kwargs: {"hmac_key": leaked})
    for name, value in {
        "STATE_TABLE_NAME": "t",
        "SYNC_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/q",
        "SYNC_DLQ_URL": "https://sqs.us-east-1.amazonaws.com/1/d",
        "WEBHOOK_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:1:secret:w",
    }.items():
        monkeypatch.setenv(name, value)
    wiring.reset()

    # When a callout arrives
    answer = webhook.callout(notification())

    # Then it is a 500 (an operator's fix; Zuora retries), the log says what is wrong, and never the value
    assert answer.status == 500
    assert "hmac_key" in logs.text
    assert leaked not in logs.text
    assert leaked not in json.dumps(answer.body)
    wiring.reset()

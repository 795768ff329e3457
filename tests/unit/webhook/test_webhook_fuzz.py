"""Thousands of generated requests against the webhook handler (in-process): never a 5xx, every rejection a clear
4xx JSON error, every answer as openapi/webhook.yaml documents it, and nothing enqueued without valid auth."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.api_gateway import proxy_event
from tests.unit.webhook.conftest import KEY, Webhook, notification, signed_data, zuora_timestamp
from tests.unit.webhook.openapi_contract import check_answer_is_documented
from zuora_netsuite.logic.webhook.auth import sign

ZUORA_ID = st.from_regex(r"\A[0-9a-f]{32}\Z")
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
ANY_JSON = st.one_of(SCALARS, st.lists(SCALARS, max_size=4), st.dictionaries(st.text(max_size=12), SCALARS, max_size=4))
FIELD_VALUES = st.one_of(
    st.none(), st.text(max_size=80), st.integers(), ZUORA_ID, st.sampled_from(["", " ", "2026-11-23T10:00:00Z"])
)
NOTIFICATIONS = st.fixed_dictionaries(
    {},
    optional={
        "eventType": st.one_of(st.sampled_from(["AccountUpdated", "InvoicePosted", "AccountDeleted"]), FIELD_VALUES),
        "objectType": st.one_of(
            st.sampled_from(["Account", "ProductRatePlanCharge", "Invoice", "Subscription", "payment"]), FIELD_VALUES
        ),
        "objectId": st.one_of(ZUORA_ID, FIELD_VALUES),
        "accountId": st.one_of(ZUORA_ID, FIELD_VALUES),
        "updatedDate": FIELD_VALUES,
        "timestamp": st.one_of(st.just(zuora_timestamp()), FIELD_VALUES),
        "extra": ANY_JSON,
    },
)
BODIES = st.one_of(
    NOTIFICATIONS.map(lambda body: json.dumps(body).encode()),
    ANY_JSON.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=100),
    st.text(max_size=60).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.integers(min_value=4000, max_value=9000).map(lambda size: b'{"eventType": "' + b"x" * size + b'"}'),
)
CONTENT_TYPES = st.one_of(
    st.sampled_from(["application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "text/plain", ""]),
    st.none(),
    st.text(max_size=30),
)
AUTH = st.sampled_from(["valid", "none", "wrong_key", "garbage", "basic"])
PATHS = st.one_of(
    st.sampled_from(["/webhooks/zuora"] * 6 + ["/sync/customer/" + "a" * 32, "/sync/widget/1", "/other", "/"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz/_-%{}", max_size=40).map(lambda p: "/" + p),
)
HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)


@st.composite
def requests(draw: st.DrawFn) -> tuple[dict[str, Any], bool, str]:
    body = draw(BODIES)
    method = draw(st.sampled_from(["POST"] * 8 + ["GET", "PUT", "DELETE"]))
    path = draw(PATHS)
    headers: dict[str, str] = draw(
        st.dictionaries(st.sampled_from(["X-Extra", "Accept", "Origin"]), HEADER_TEXT, max_size=2)
    )
    content_type = draw(CONTENT_TYPES)
    if content_type is not None:
        headers["Content-Type"] = content_type
    notification_id = draw(st.one_of(st.none(), ZUORA_ID, HEADER_TEXT))
    if notification_id is not None:
        headers["Zuora-Notification-Id"] = notification_id
    auth = draw(AUTH)
    if auth == "valid":
        headers["X-Zuora-Signature"] = sign(signed_data(body), KEY)
    elif auth == "wrong_key":
        headers["X-Zuora-Signature"] = sign(signed_data(body), "a-different-key-0123456789abcdef")
    elif auth == "garbage":
        headers["X-Zuora-Signature"] = draw(HEADER_TEXT)
    elif auth == "basic":
        headers["Authorization"] = "Basic " + draw(HEADER_TEXT)
    event = proxy_event(method, path, headers=headers, body=body)
    if path.startswith("/sync/"):
        event["resource"] = "/sync/{type}/{id}"
    return event, auth == "valid", path


@settings(
    max_examples=500,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure reproduces
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(request=requests())
def test_no_generated_request_gets_a_5xx_or_is_enqueued_without_valid_auth(webhook: Webhook, request):
    event, validly_signed, path = request
    enqueued_before = len(webhook.queue.sent)

    # When the handler answers a generated request
    answer = webhook.invoke(event)

    # Then never a 5xx, and every refusal is a JSON error with a code and a message
    assert answer.status < 500, answer.body
    if answer.status >= 400:
        assert isinstance(answer.body.get("error"), str)
        assert answer.body["error"]
        assert isinstance(answer.body.get("message"), str)
        assert answer.body["message"]
    # And the answer is one the OpenAPI document describes for that route
    check_answer_is_documented(event["httpMethod"], event["resource"], answer.status, answer.body)
    # And a callout that was not validly signed never reaches the queue
    enqueued = len(webhook.queue.sent) - enqueued_before
    if path == "/webhooks/zuora" and not validly_signed:
        assert enqueued == 0, event


def _mutations(rng: random.Random, body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """One to three random damages to a valid, signed callout: bytes flipped, cut or added, headers dropped,
    replaced or duplicated in another case, the signature recomputed or not."""
    body, headers = bytearray(body), dict(headers)
    for _ in range(rng.randint(1, 3)):
        damage = rng.randrange(7)
        if damage == 0 and body:
            body[rng.randrange(len(body))] = rng.randrange(256)
        elif damage == 1:
            del body[rng.randrange(len(body) + 1) :]
        elif damage == 2:
            body[rng.randrange(len(body) + 1) : 0] = rng.randbytes(rng.randint(1, 8))
        elif damage == 3 and headers:
            del headers[rng.choice(sorted(headers))]
        elif damage == 4 and headers:
            headers[rng.choice(sorted(headers))] = rng.choice(["", " ", "x" * 2000, "null", "application/xml"])
        elif damage == 5:
            headers["X-Zuora-Signature"] = sign(signed_data(bytes(body)), KEY)  # validly re-signed after the damage
        else:
            body = bytearray(
                json.dumps(
                    notification(
                        **{
                            rng.choice(["objectId", "objectType", "eventType"]): rng.choice(
                                [None, 7, "", "a b", "Account"]
                            )
                        }
                    )
                ).encode()
            )
    return bytes(body), headers


@pytest.mark.parametrize("seed", range(3))
def test_thousands_of_damaged_callouts_never_get_a_5xx_or_enqueue_without_a_valid_signature(
    webhook: Webhook, seed: int
):
    # Given valid signed callouts, each damaged at random (a seeded generator: the same 1000 requests every run)
    rng = random.Random(seed)
    for number in range(1000):
        body = json.dumps(notification()).encode()
        headers = {
            "Content-Type": "application/json",
            "Zuora-Notification-Id": f"{seed}-{number}",
            "X-Zuora-Signature": sign(signed_data(body), KEY),
        }
        body, headers = _mutations(rng, body, headers)
        signature = headers.get("X-Zuora-Signature")
        validly_signed = signature == sign(signed_data(body), KEY)
        enqueued_before = len(webhook.queue.sent)

        # When the handler answers it
        answer = webhook.invoke(proxy_event("POST", "/webhooks/zuora", headers=headers, body=body))

        # Then: no 5xx, a documented answer, and an enqueue only for a validly signed callout
        assert answer.status < 500, (headers, body, answer.body)
        check_answer_is_documented("POST", "/webhooks/zuora", answer.status, answer.body)
        if not validly_signed:
            assert len(webhook.queue.sent) == enqueued_before, (headers, body)

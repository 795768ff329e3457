"""How the connector decides NetSuite REST errors: by code AND detail text, with advice for a person.

REST folds most record-level failures into USER_ERROR / INVALID_CONTENT with the reason only in ``detail``
(Oracle NetSuite help, "Error Handling in REST Web Services",
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html). The bodies below are
shaped as NetSuite answers them; the texts are the ones integrators report.
"""

from __future__ import annotations

import pytest
import responses

from zuora_netsuite.adapters.netsuite import NetSuiteClient
from zuora_netsuite.failures import FailureKind, NetSuiteError, netsuite_error_advice, netsuite_failure_kind

BASE = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest"
INVOICE_URL = f"{BASE}/record/v1/invoice/eid:zuora-invoice-8a80"
SECRETS = ("ck-consumer-key", "cs-consumer-secret", "tk-token-id", "ts-token-secret")
INVALID_LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)


def netsuite_error(status: int, code: str, detail: str, path: str | None = None) -> dict[str, object]:
    titles = {400: "Bad Request", 401: "Unauthorized", 429: "Too Many Requests"}
    item: dict[str, str] = {"detail": detail, "o:errorCode": code}
    if path is not None:
        item["o:errorPath"] = path
    return {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
        "title": titles[status],
        "status": status,
        "o:errorDetails": [item],
    }


def created(internal_id: str) -> dict[str, object]:
    return {"status": 204, "headers": {"Location": f"{BASE}/record/v1/invoice/{internal_id}"}}


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(sleeps: list[float]) -> NetSuiteClient:
    return NetSuiteClient(BASE, "1234567-sb1", *SECRETS, sleep=sleeps.append, max_attempts=3)


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


# --- the decision, code and detail ------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "detail"),
    [
        ("USER_ERROR", "Error while accessing a resource. Record has been changed."),
        ("RCRD_HAS_BEEN_CHANGED", "Record has been changed"),
        ("USER_ERROR", "Error while accessing a resource. This record has been locked by a user defined workflow."),
        ("USER_ERROR", "Concurrent request limit exceeded. Request blocked; try again later."),
        ("UNEXPECTED_ERROR", "An unexpected error occurred. Please try again."),
    ],
)
def test_changed_locked_and_concurrency_answers_are_transient_whatever_their_code(code: str, detail: str):
    # Given a 400 whose code or detail says someone else holds the record or the account is busy
    # When it is classified
    # Then it is retried later, not reported to a person
    assert netsuite_failure_kind(400, code, detail) is FailureKind.TRANSIENT


@pytest.mark.parametrize(
    ("code", "detail", "path", "field", "value"),
    [
        (
            "USER_ERROR",
            "Error while accessing a resource. Invalid Field Value 99 for the following field: subsidiary",
            "subsidiary",
            "subsidiary",
            "99",
        ),
        ("INVALID_KEY_OR_REF", "Invalid subsidiary reference key 99.", "subsidiary", "subsidiary", "99"),
        (
            "INVALID_CONTENT",
            "Invalid Field Value 7431 for the following field: item",
            "item.items[1].item",
            "item",
            "7431",
        ),
    ],
)
def test_an_invalid_reference_is_permanent_and_says_which_field_and_value_to_fix(
    code: str, detail: str, path: str, field: str, value: str
):
    # Given NetSuite refuses a reference, in any of the ways REST words it
    # When it is classified
    kind = netsuite_failure_kind(400, code, detail)
    advice = netsuite_error_advice(400, code, detail, path)
    # Then it is permanent, and the advice names the field and the value a person must fix
    assert kind is FailureKind.PERMANENT
    assert advice is not None
    assert f"NetSuite has no {field} {value}" in advice
    assert "create or reactivate it in NetSuite" in advice


def test_an_unknown_user_error_is_permanent_and_keeps_its_whole_detail(api, client, sleeps):
    # Given NetSuite refuses an invoice for a reason the connector has no rule for
    detail = (
        "Error while accessing a resource. You have entered an Invalid Field Value 2 for the following field: terms"
    )
    weird = "Error while accessing a resource. The transaction date falls in a period that is locked for AR."
    api.add(responses.PUT, INVOICE_URL, status=400, json=netsuite_error(400, "USER_ERROR", weird))
    # When the invoice is upserted
    with pytest.raises(NetSuiteError) as caught:
        client.upsert("invoice", "zuora-invoice-8a80", {"memo": "x"})
    # Then it is permanent, not retried, and the reason carries NetSuite's full words
    assert caught.value.kind is FailureKind.PERMANENT
    assert weird in caught.value.reason
    assert sleeps == []
    assert netsuite_error_advice(400, "USER_ERROR", weird) is None
    assert netsuite_error_advice(400, "USER_ERROR", detail) is not None


# --- through the client -----------------------------------------------------------------------


def test_a_workflow_lock_then_success_is_retried_and_the_write_succeeds(api, client, sleeps):
    # Given a workflow holds the invoice on the first try
    locked = "Error while accessing a resource. This record has been locked by a user defined workflow."
    api.add(responses.PUT, INVOICE_URL, status=400, json=netsuite_error(400, "USER_ERROR", locked))
    api.add(responses.PUT, INVOICE_URL, **created("812"))
    # When the invoice is upserted
    internal_id = client.upsert("invoice", "zuora-invoice-8a80", {"memo": "x"})
    # Then the retry wrote it
    assert internal_id == "812"
    assert len(sleeps) == 1


def test_record_changed_as_a_user_error_that_persists_ends_transient_for_the_queue(api, client):
    # Given every try finds the record changed
    changed = "Error while accessing a resource. Record has been changed."
    api.add(responses.PUT, INVOICE_URL, status=400, json=netsuite_error(400, "USER_ERROR", changed))
    # When the invoice is upserted
    with pytest.raises(NetSuiteError) as caught:
        client.upsert("invoice", "zuora-invoice-8a80", {"memo": "x"})
    # Then the client gave up after its attempts, and the failure is transient: SQS retries it, then the DLQ
    assert caught.value.kind is FailureKind.TRANSIENT
    assert "gave up after 3 attempts" in caught.value.reason
    assert client.stats.requests == 3


def test_an_invalid_reference_reason_tells_the_person_what_to_fix(api, client):
    # Given NetSuite refuses the invoice's customer
    detail = "Error while accessing a resource. Invalid Field Value 4711 for the following field: entity"
    api.add(responses.PUT, INVOICE_URL, status=400, json=netsuite_error(400, "USER_ERROR", detail, "entity"))
    # When the invoice is upserted
    with pytest.raises(NetSuiteError) as caught:
        client.upsert("invoice", "zuora-invoice-8a80", {"entity": {"id": "4711"}})
    # Then it is permanent at once, with NetSuite's words and the advice
    error = caught.value
    assert error.kind is FailureKind.PERMANENT
    assert detail in error.reason
    assert "NetSuite has no entity 4711" in error.reason
    assert client.stats.requests == 1


def test_a_401_during_a_burst_is_retried_and_the_write_succeeds(api, client, sleeps):
    # Given NetSuite answers two requests over its concurrency cap with 401 INVALID_LOGIN, then accepts
    for _ in range(2):
        api.add(responses.PUT, INVOICE_URL, status=401, json=netsuite_error(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL))
    api.add(responses.PUT, INVOICE_URL, **created("9"))
    # When the invoice is upserted
    internal_id = client.upsert("invoice", "zuora-invoice-8a80", {"memo": "x"})
    # Then two extra tries with backoff got it through
    assert internal_id == "9"
    assert len(sleeps) == 2
    assert client.stats.auth_retries == 2


def test_a_401_that_persists_is_permanent_and_says_to_check_the_token(api, client, sleeps):
    # Given the credentials are really wrong: every try gets 401 INVALID_LOGIN
    api.add(responses.PUT, INVOICE_URL, status=401, json=netsuite_error(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL))
    # When the invoice is upserted
    with pytest.raises(NetSuiteError) as caught:
        client.upsert("invoice", "zuora-invoice-8a80", {"memo": "x"})
    # Then after the two tolerated retries it is permanent, and the reason says what to check
    error = caught.value
    assert error.kind is FailureKind.PERMANENT
    assert error.code == "INVALID_LOGIN"
    assert client.stats.requests == 3
    assert "check the token-based-authentication credentials" in error.reason
    assert "Login Audit Trail" in error.reason


def test_a_client_configured_without_401_retries_fails_at_once(api, sleeps):
    # Given a client that tolerates no 401
    strict = NetSuiteClient(BASE, "1234567-sb1", *SECRETS, sleep=sleeps.append, auth_retries=0)
    api.add(responses.PUT, INVOICE_URL, status=401, json=netsuite_error(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL))
    # When the invoice is upserted
    with pytest.raises(NetSuiteError):
        strict.upsert("invoice", "zuora-invoice-8a80", {"memo": "x"})
    # Then one request was sent
    assert strict.stats.requests == 1
    assert sleeps == []

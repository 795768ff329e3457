"""NetSuiteClient against a faked transport (responses): TBA signing, upsert, errors, retries, SuiteQL."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests
import responses
from oauthlib.oauth1 import Client as OAuthClient
from oauthlib.oauth1.rfc5849 import signature as oauth_signature
from responses import matchers

from zuora_netsuite.adapters.netsuite import NetSuiteClient, netsuite_realm
from zuora_netsuite.failures import FailureKind, NetSuiteError

BASE = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest"
CUSTOMER_URL = f"{BASE}/record/v1/customer/eid:ZA-8a8082c4"
SUITEQL_URL = f"{BASE}/query/v1/suiteql"
SECRETS = ("ck-consumer-key", "cs-consumer-secret", "tk-token-id", "ts-token-secret")


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(sleeps: list[float]) -> NetSuiteClient:
    return NetSuiteClient(BASE, "1234567-sb1", *SECRETS, sleep=sleeps.append)


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def text(value: str | bytes) -> str:
    """requests-oauthlib hands requests byte-string header values."""
    return value.decode() if isinstance(value, bytes) else value


def created(internal_id: str) -> dict:
    return {"status": 204, "headers": {"Location": f"{BASE}/record/v1/customer/{internal_id}"}}


def error_body(status: int, code: str, detail: str, path: str | None = None) -> dict:
    item = {"detail": detail, "o:errorCode": code}
    if path:
        item["o:errorPath"] = path
    return {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
        "title": "Bad Request",
        "status": status,
        "o:errorDetails": [item],
    }


def test_requests_are_signed_with_oauth1_hmac_sha256_and_the_account_realm(api, client):
    # Given NetSuite accepts an upsert
    api.add(responses.PUT, CUSTOMER_URL, **created("42"))
    # When a customer is upserted
    client.upsert("customer", "ZA-8a8082c4", {"companyName": "Acme"})
    # Then the Authorization header is OAuth 1.0a TBA, HMAC-SHA256, realm in NetSuite's spelling
    header = text(api.calls[0].request.headers["Authorization"])
    assert header.startswith("OAuth ")
    assert 'realm="1234567_SB1"' in header
    assert 'oauth_signature_method="HMAC-SHA256"' in header
    assert 'oauth_consumer_key="ck-consumer-key"' in header
    assert 'oauth_token="tk-token-id"' in header
    assert re.search(r'oauth_signature="[^"]+"', header)
    # and the secrets themselves never travel, nor show in the client's repr
    assert "cs-consumer-secret" not in header
    assert "ts-token-secret" not in header
    assert all(secret not in repr(client) for secret in SECRETS)


def test_signature_verifies_with_the_secrets_including_the_query_string(api, client):
    # Given a SuiteQL page (its limit/offset query parameters must be part of the signature)
    api.add(responses.POST, SUITEQL_URL, json={"items": [], "hasMore": False, "count": 0})
    # When a query runs
    list(client.suiteql("SELECT id FROM customer"))
    # Then a server holding the consumer and token secrets computes the same HMAC-SHA256 signature
    request = api.calls[0].request
    header = text(request.headers["Authorization"])
    params = oauth_signature.collect_parameters(
        uri_query=urlsplit(request.url).query,
        headers={"Authorization": header},
        exclude_oauth_signature=True,
        with_realm=False,
    )
    base = oauth_signature.signature_base_string(
        "POST", oauth_signature.base_string_uri(request.url), oauth_signature.normalize_parameters(params)
    )
    signer = OAuthClient("ck-consumer-key", client_secret="cs-consumer-secret", resource_owner_secret="ts-token-secret")
    expected = oauth_signature.sign_hmac_sha256_with_client(base, signer)
    sent = re.search(r'oauth_signature="([^"]+)"', header)
    assert sent is not None
    assert unquote(sent.group(1)) == expected
    assert {name for name, _ in params} >= {"limit", "offset"}


def test_realm_is_upper_case_with_underscores():
    assert netsuite_realm("1234567-sb1") == "1234567_SB1"
    assert netsuite_realm("TSTDRV123") == "TSTDRV123"


def test_upsert_puts_json_by_external_id_and_returns_the_id_from_location(api, client):
    # Given NetSuite answers 204 with the record's Location
    api.add(
        responses.PUT,
        CUSTOMER_URL,
        match=[matchers.json_params_matcher({"companyName": "Acme", "subsidiary": {"id": "1"}})],
        **created("4711"),
    )
    # When a customer is upserted
    internal_id = client.upsert("customer", "ZA-8a8082c4", {"companyName": "Acme", "subsidiary": {"id": "1"}})
    # Then its internal id comes from the Location header
    assert internal_id == "4711"
    assert client.stats.writes == 1
    assert client.stats.reads == 0


def test_upsert_without_location_reads_the_id_back(api, client):
    # Given a 204 without a Location header
    api.add(responses.PUT, CUSTOMER_URL, status=204)
    api.add(responses.GET, CUSTOMER_URL, json={"id": "77", "externalId": "ZA-8a8082c4"})
    # When a customer is upserted
    internal_id = client.upsert("customer", "ZA-8a8082c4", {"companyName": "Acme"})
    # Then the id comes from reading the record by external id
    assert internal_id == "77"
    assert client.stats.reads == 1


@pytest.mark.parametrize("bad", ["has space", "semi;colon", "slash/x", "", "eid:x"])
def test_invalid_external_id_is_refused_before_anything_is_sent(api, client, bad):
    with pytest.raises(NetSuiteError) as caught:
        client.upsert("customer", bad, {})
    assert caught.value.code == "INVALID_EXTERNAL_ID"
    assert caught.value.kind is FailureKind.PERMANENT
    assert len(api.calls) == 0


def test_error_body_is_parsed_into_code_path_and_kind(api, client, sleeps):
    # Given NetSuite rejects a reference
    api.add(
        responses.PUT,
        CUSTOMER_URL,
        status=400,
        json=error_body(400, "INVALID_KEY_OR_REF", "Invalid subsidiary reference key 99.", path="subsidiary"),
    )
    # When a customer is upserted
    with pytest.raises(NetSuiteError) as caught:
        client.upsert("customer", "ZA-8a8082c4", {"subsidiary": {"id": "99"}})
    # Then the error carries NetSuite's code, path and words, is permanent and was not retried
    error = caught.value
    assert error.code == "INVALID_KEY_OR_REF"
    assert error.path == "subsidiary"
    assert error.http_status == 400
    assert error.kind is FailureKind.PERMANENT
    assert "Invalid subsidiary reference key 99." in error.reason
    assert "subsidiary" in error.reason
    assert client.stats.requests == 1
    assert sleeps == []


def test_non_json_error_still_gives_a_clear_error(api, client):
    # Given a gateway answers with HTML
    api.add(responses.PUT, CUSTOMER_URL, status=403, body="<html><body>Forbidden</body></html>")
    # When a customer is upserted
    with pytest.raises(NetSuiteError) as caught:
        client.upsert("customer", "ZA-8a8082c4", {})
    # Then the error names the call and the status and quotes the body
    error = caught.value
    assert error.code == "HTTP_403"
    assert error.kind is FailureKind.PERMANENT
    assert "403" in error.reason
    assert "Forbidden" in error.reason
    assert "customer" in error.reason


def test_429_then_204_succeeds_after_waiting_retry_after(api, client, sleeps):
    # Given NetSuite's concurrency cap rejects the first try
    api.add(
        responses.PUT,
        CUSTOMER_URL,
        status=429,
        headers={"Retry-After": "2"},
        json=error_body(429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded."),
    )
    api.add(responses.PUT, CUSTOMER_URL, **created("42"))
    # When a customer is upserted
    internal_id = client.upsert("customer", "ZA-8a8082c4", {"companyName": "Acme"})
    # Then the second try succeeded after the wait NetSuite asked for
    assert internal_id == "42"
    assert sleeps == [2.0]
    assert client.stats.throttled_429 == 1
    assert client.stats.retries == 1
    assert client.stats.writes == 2


def test_timeout_on_put_is_retried_and_the_second_attempts_id_is_returned(api, client, sleeps):
    # Given the first PUT times out (NetSuite may or may not have committed it)
    api.add(responses.PUT, CUSTOMER_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    api.add(responses.PUT, CUSTOMER_URL, **created("4242"))
    # When a customer is upserted
    internal_id = client.upsert("customer", "ZA-8a8082c4", {"companyName": "Acme"})
    # Then the same idempotent PUT by external id was sent again and its answer is used
    assert internal_id == "4242"
    assert [c.request.method for c in api.calls] == ["PUT", "PUT"]
    assert {c.request.url for c in api.calls} == {CUSTOMER_URL}
    assert len(sleeps) == 1


def test_record_has_been_changed_is_retried(api, client):
    # Given an optimistic-lock conflict on the first try
    api.add(
        responses.PUT,
        CUSTOMER_URL,
        status=400,
        json=error_body(400, "RCRD_HAS_BEEN_CHANGED", "Record has been changed"),
    )
    api.add(responses.PUT, CUSTOMER_URL, **created("5"))
    # When a customer is upserted
    # Then the retry succeeds
    assert client.upsert("customer", "ZA-8a8082c4", {}) == "5"


def test_permanent_400_is_not_retried(api, client, sleeps):
    # Given NetSuite rejects the body as a user error
    api.add(
        responses.PUT,
        CUSTOMER_URL,
        status=400,
        json=error_body(400, "USER_ERROR", "Please enter value(s) for: Subsidiary", path="subsidiary"),
    )
    # When a customer is upserted
    with pytest.raises(NetSuiteError) as caught:
        client.upsert("customer", "ZA-8a8082c4", {})
    # Then exactly one request went out
    assert caught.value.code == "USER_ERROR"
    assert caught.value.kind is FailureKind.PERMANENT
    assert len(api.calls) == 1
    assert sleeps == []


def test_transient_errors_stop_after_max_attempts(api, client, sleeps):
    # Given NetSuite keeps failing with 503
    api.add(responses.PUT, CUSTOMER_URL, status=503, body="Service Unavailable")
    # When a customer is upserted
    with pytest.raises(NetSuiteError) as caught:
        client.upsert("customer", "ZA-8a8082c4", {})
    # Then the client gave up after four attempts with a transient error
    assert caught.value.kind is FailureKind.TRANSIENT
    assert caught.value.http_status == 503
    assert "4 attempts" in caught.value.reason
    assert client.stats.writes == 4
    assert len(sleeps) == 3
    assert all(0.0 <= s <= 20.0 for s in sleeps)


def test_connection_error_is_transient(api, client):
    api.add(responses.PUT, CUSTOMER_URL, body=requests.exceptions.ConnectionError("refused"))
    with pytest.raises(NetSuiteError) as caught:
        client.upsert("customer", "ZA-8a8082c4", {})
    assert caught.value.code == "CONNECTION"
    assert caught.value.kind is FailureKind.TRANSIENT


def test_get_by_external_id_returns_the_record_or_none(api, client):
    # Given one record that exists and one that does not
    api.add(responses.GET, CUSTOMER_URL, json={"id": "42", "companyName": "Acme"})
    api.add(
        responses.GET,
        f"{BASE}/record/v1/customer/eid:ZA-missing",
        status=404,
        json=error_body(404, "NONEXISTENT_ID", "The record instance does not exist."),
    )
    # When both are read
    # Then the first comes back and the second is None, without retries
    assert client.get_by_external_id("customer", "ZA-8a8082c4") == {"id": "42", "companyName": "Acme"}
    assert client.get_by_external_id("customer", "ZA-missing") is None
    assert client.stats.reads == 2


def test_suiteql_pages_through_has_more_and_drops_links(api, client):
    # Given 2,500 rows across three pages of an ordered query
    query = "SELECT id, externalid FROM customer ORDER BY id"

    def page(request: requests.PreparedRequest):
        params = parse_qs(urlsplit(request.url).query)
        assert text(request.headers["Prefer"]) == "transient"
        assert json.loads(request.body) == {"q": query}
        limit, offset = int(params["limit"][0]), int(params["offset"][0])
        rows = [{"links": [], "id": str(n), "externalid": f"ZA-{n}"} for n in range(offset, min(offset + limit, 2500))]
        body = {
            "links": [],
            "count": len(rows),
            "hasMore": offset + limit < 2500,
            "items": rows,
            "offset": offset,
            "totalResults": 2500,
        }
        return 200, {}, json.dumps(body)

    api.add_callback(responses.POST, SUITEQL_URL, callback=page, content_type="application/json")
    # When the query is consumed
    rows = list(client.suiteql(query))
    # Then every row came once, without links, in three requests of limit 1000
    assert len(rows) == 2500
    assert rows[0] == {"id": "0", "externalid": "ZA-0"}
    assert len({row["id"] for row in rows}) == 2500
    offsets = [parse_qs(urlsplit(c.request.url).query)["offset"][0] for c in api.calls]
    assert offsets == ["0", "1000", "2000"]
    assert client.stats.suiteql == 3


def test_decimal_amounts_are_sent_as_exact_json_numbers(api, client):
    # Given a body with Decimal money (the connector never uses float for money)
    api.add(responses.PUT, CUSTOMER_URL, **created("8"))
    # When it is upserted
    client.upsert("customer", "ZA-8a8082c4", {"creditLimit": Decimal("1234.50"), "name": "Zoë"})
    # Then NetSuite receives a JSON number with the same value, and UTF-8 text
    sent = json.loads(api.calls[0].request.body)
    assert sent == {"creditLimit": 1234.5, "name": "Zoë"}
    assert text(api.calls[0].request.headers["Content-Type"]) == "application/json"

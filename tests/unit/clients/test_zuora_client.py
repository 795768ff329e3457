"""ZuoraClient against a faked transport (responses): auth, paging, chunking, retries, errors."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
import requests
import responses
from responses import matchers

from zuora_netsuite.adapters.zuora import ZuoraClient
from zuora_netsuite.failures import FailureKind, ZuoraError

BASE = "https://rest.test.zuora.com"
TOKEN_URL = f"{BASE}/oauth/token"
QUERY_URL = f"{BASE}/v1/action/query"
QUERY_MORE_URL = f"{BASE}/v1/action/queryMore"
UPDATE_URL = f"{BASE}/v1/action/update"
SECRET = "s3cr3t-client-secret"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(sleeps: list[float], clock: Clock) -> ZuoraClient:
    return ZuoraClient(BASE, "client-id", SECRET, sleep=sleeps.append, clock=clock, max_attempts=4)


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def add_token(api: responses.RequestsMock, token: str = "tok-1", expires_in: int = 3600) -> None:  # noqa: S107
    api.add(
        responses.POST,
        TOKEN_URL,
        json={"access_token": token, "token_type": "bearer", "expires_in": expires_in},
    )


def query_page(records: list[dict], done: bool, locator: str | None = None) -> dict:
    page: dict = {"records": records, "size": len(records), "done": done}
    if locator:
        page["queryLocator"] = locator
    return page


def test_token_is_fetched_once_and_reused(api, client):
    # Given a token valid for an hour
    add_token(api)
    api.add(responses.POST, QUERY_URL, json=query_page([{"Id": "A1"}], done=True))
    # When three queries run
    for _ in range(3):
        list(client.query("select Id from Account"))
    # Then one token request served all three, sent as a bearer token, with the form fields Zuora expects
    token_calls = [c for c in api.calls if c.request.url == TOKEN_URL]
    assert len(token_calls) == 1
    form = parse_qs(token_calls[0].request.body)
    assert form == {"client_id": ["client-id"], "client_secret": [SECRET], "grant_type": ["client_credentials"]}
    assert all(c.request.headers["Authorization"] == "Bearer tok-1" for c in api.calls if c.request.url == QUERY_URL)
    assert client.stats.token == 1
    assert client.stats.query == 3


def test_token_is_renewed_shortly_before_it_expires(api, client, clock):
    # Given a token that lives 3600 s
    add_token(api, "tok-1")
    api.add(responses.POST, QUERY_URL, json=query_page([], done=True))
    list(client.query("select Id from Account"))
    # When the clock is within the last minute of its life
    clock.now += 3550
    api.replace(responses.POST, TOKEN_URL, json={"access_token": "tok-2", "expires_in": 3600})
    list(client.query("select Id from Account"))
    # Then a new token was fetched before Zuora could reject the old one
    assert client.stats.token == 2
    assert api.calls[-1].request.headers["Authorization"] == "Bearer tok-2"


def test_401_refreshes_the_token_and_retries_once(api, client):
    # Given a token that Zuora revokes early
    api.add(responses.POST, TOKEN_URL, json={"access_token": "old", "expires_in": 3600})
    api.add(responses.POST, TOKEN_URL, json={"access_token": "new", "expires_in": 3600})
    api.add(
        responses.POST,
        QUERY_URL,
        status=401,
        json={"success": False, "reasons": [{"code": 90000011, "message": "this resource is protected"}]},
        match=[matchers.header_matcher({"Authorization": "Bearer old"})],
    )
    api.add(
        responses.POST,
        QUERY_URL,
        json=query_page([{"Id": "A1"}], done=True),
        match=[matchers.header_matcher({"Authorization": "Bearer new"})],
    )
    # When a query runs
    records = list(client.query("select Id from Account"))
    # Then the client fetched a new token and the retried call succeeded
    assert records == [{"Id": "A1"}]
    assert client.stats.token == 2
    assert client.stats.token_refreshes == 1


def test_a_second_401_is_a_permanent_error_without_secrets(api, client):
    # Given credentials Zuora keeps rejecting
    add_token(api, "tok-abcdef")
    api.add(
        responses.POST,
        QUERY_URL,
        status=401,
        json={"success": False, "reasons": [{"code": 90000011, "message": "Authentication error"}]},
    )
    # When a query runs
    with pytest.raises(ZuoraError) as caught:
        list(client.query("select Id from Account"))
    # Then it stops after one refresh, permanently, and neither the token nor the secret leaks
    error = caught.value
    assert error.kind is FailureKind.PERMANENT
    assert error.http_status == 401
    assert error.code == "90000011"
    assert "Authentication error" in error.reason
    assert client.stats.query == 2
    for text in (str(error), repr(error), repr(client)):
        assert SECRET not in text
        assert "tok-abcdef" not in text


def test_query_pages_through_query_more_and_yields_each_record_once(api, client):
    # Given a result of three pages
    add_token(api)
    api.add(
        responses.POST,
        QUERY_URL,
        json=query_page([{"Id": "1"}, {"Id": "2"}], done=False, locator="loc-1"),
        match=[matchers.json_params_matcher({"queryString": "select Id from Invoice"})],
    )
    api.add(
        responses.POST,
        QUERY_MORE_URL,
        json=query_page([{"Id": "3"}, {"Id": "4"}], done=False, locator="loc-2"),
        match=[matchers.json_params_matcher({"queryLocator": "loc-1"})],
    )
    api.add(
        responses.POST,
        QUERY_MORE_URL,
        json=query_page([{"Id": "5"}], done=True),
        match=[matchers.json_params_matcher({"queryLocator": "loc-2"})],
    )
    # When the query is consumed
    ids = [record["Id"] for record in client.query("select Id from Invoice")]
    # Then every record came exactly once, in order
    assert ids == ["1", "2", "3", "4", "5"]
    assert (client.stats.query, client.stats.query_more) == (1, 2)


def test_update_chunks_120_objects_into_50_50_20_and_keeps_results_in_order(api, client):
    # Given 120 invoices to write back, the 7th of which Zuora rejects
    add_token(api)
    sent: list[list[str]] = []

    def answer(request: requests.PreparedRequest):
        payload = json.loads(request.body)
        assert payload["type"] == "Invoice"
        ids = [obj["Id"] for obj in payload["objects"]]
        sent.append(ids)
        results = [
            {"Id": i, "Success": i != "INV-6"}
            if i != "INV-6"
            else {"Success": False, "Errors": [{"Code": "INVALID_VALUE", "Message": "bad status"}]}
            for i in ids
        ]
        return 200, {}, json.dumps(results)

    api.add_callback(responses.POST, UPDATE_URL, callback=answer, content_type="application/json")
    objects = [{"Id": f"INV-{n}", "IntegrationStatus__NS": "Sync Complete"} for n in range(120)]
    # When they are updated
    results = client.update("Invoice", objects)
    # Then three calls of 50, 50 and 20 went out and every object has its own result, in order
    assert [len(ids) for ids in sent] == [50, 50, 20]
    assert [ids[0] for ids in sent] == ["INV-0", "INV-50", "INV-100"]
    assert len(results) == 120
    assert results[0].id == "INV-0"
    assert results[0].success
    assert results[119].id == "INV-119"
    assert not results[6].success
    assert results[6].errors[0]["Code"] == "INVALID_VALUE"
    assert client.stats.update == 3


def test_update_resends_only_objects_that_lost_a_lock(api, client, sleeps):
    # Given Zuora answers LOCK_COMPETITION for one object of three, then accepts it
    add_token(api)
    api.add(
        responses.POST,
        UPDATE_URL,
        json=[
            {"Id": "I1", "Success": True},
            {"Success": False, "Errors": [{"Code": "LOCK_COMPETITION", "Message": "retry later"}]},
            {"Id": "I3", "Success": True},
        ],
    )
    api.add(
        responses.POST,
        UPDATE_URL,
        json=[{"Id": "I2", "Success": True}],
        match=[matchers.json_params_matcher({"type": "Invoice", "objects": [{"Id": "I2"}]})],
    )
    # When the three are updated
    results = client.update("Invoice", [{"Id": "I1"}, {"Id": "I2"}, {"Id": "I3"}])
    # Then only the locked one was sent again and all three succeeded
    assert [r.success for r in results] == [True, True, True]
    assert [r.id for r in results] == ["I1", "I2", "I3"]
    assert client.stats.update == 2
    assert len(sleeps) == 1


def test_429_with_retry_after_waits_that_long_then_succeeds(api, client, sleeps):
    # Given Zuora throttles the first call and says when to come back
    add_token(api)
    api.add(
        responses.POST,
        QUERY_URL,
        status=429,
        headers={"Retry-After": "7"},
        json={"message": "You have exceeded your rate limit"},
    )
    api.add(responses.POST, QUERY_URL, json=query_page([{"Id": "A1"}], done=True))
    # When a query runs
    records = list(client.query("select Id from Account"))
    # Then the client waited exactly what Zuora asked and then got the records
    assert records == [{"Id": "A1"}]
    assert sleeps == [7.0]
    assert client.stats.throttled == 1
    assert client.stats.retries == 1


def test_rate_limit_reset_is_honoured_when_nothing_remains(api, client, sleeps):
    # Given a 429 that carries only the RateLimit headers
    add_token(api)
    api.add(
        responses.POST,
        QUERY_URL,
        status=429,
        headers={"RateLimit-Remaining": "0", "RateLimit-Reset": "12"},
        json={"message": "Too many requests"},
    )
    api.add(responses.POST, QUERY_URL, json=query_page([], done=True))
    # When a query runs
    list(client.query("select Id from Account"))
    # Then the client waited until the window reset
    assert sleeps == [12.0]


def test_lock_contention_code_in_a_200_answer_is_retried(api, client, sleeps):
    # Given Zuora answers 200 with success false and a lock-contention code (..50), then succeeds
    add_token(api)
    api.add(
        responses.POST,
        QUERY_URL,
        json={"success": False, "reasons": [{"code": 50000050, "message": "Operation failed due to a lock"}]},
    )
    api.add(responses.POST, QUERY_URL, json=query_page([{"Id": "A1"}], done=True))
    # When a query runs
    records = list(client.query("select Id from Account"))
    # Then it was retried after a jittered, capped backoff
    assert records == [{"Id": "A1"}]
    assert client.stats.query == 2
    assert len(sleeps) == 1
    assert 0.0 <= sleeps[0] <= 20.0


def test_timeouts_are_retried_until_attempts_run_out(api, client, sleeps):
    # Given Zuora never answers in time
    add_token(api)
    api.add(responses.POST, QUERY_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    # When a query runs
    with pytest.raises(ZuoraError) as caught:
        list(client.query("select Id from Account"))
    # Then the client gave up after max_attempts with a transient error a person can read
    error = caught.value
    assert error.kind is FailureKind.TRANSIENT
    assert error.code == "TIMEOUT"
    assert "timed out" in error.reason
    assert "4 attempts" in error.reason
    assert client.stats.query == 4
    assert len(sleeps) == 3


def test_server_errors_exhaust_attempts_with_status_and_message(api, client):
    # Given Zuora keeps answering 503
    add_token(api)
    api.add(
        responses.POST,
        UPDATE_URL,
        status=503,
        json={"message": "Service temporarily unavailable"},
        headers={"Zuora-Request-Id": "req-42"},
    )
    # When an update runs
    with pytest.raises(ZuoraError) as caught:
        client.update("Invoice", [{"Id": "I1"}])
    # Then the error names the call, the status, Zuora's message and the request id for support
    error = caught.value
    assert error.kind is FailureKind.TRANSIENT
    assert error.http_status == 503
    assert "update" in error.reason
    assert "503" in error.reason
    assert "Service temporarily unavailable" in error.reason
    assert "req-42" in error.reason


def test_permanent_error_is_raised_at_once_with_zuoras_message(api, client, sleeps):
    # Given a ZOQL query Zuora cannot parse
    add_token(api)
    api.add(
        responses.POST,
        QUERY_URL,
        status=400,
        json={"faultcode": "fns:INVALID_FIELD", "faultstring": "invalid field for query: Invoice.Foo"},
    )
    # When it runs
    with pytest.raises(ZuoraError) as caught:
        list(client.query("select Foo from Invoice"))
    # Then it failed on the first try, permanently, with Zuora's words
    error = caught.value
    assert error.kind is FailureKind.PERMANENT
    assert error.code == "fns:INVALID_FIELD"
    assert error.http_status == 400
    assert "invalid field for query: Invoice.Foo" in error.reason
    assert client.stats.query == 1
    assert sleeps == []


def test_permanent_reason_code_in_a_200_answer_is_not_retried(api, client, sleeps):
    # Given Zuora answers 200 with success false and an invalid-value code (..20)
    add_token(api)
    api.add(
        responses.POST,
        UPDATE_URL,
        json={"success": False, "reasons": [{"code": 53100020, "message": "'Id' is invalid"}]},
    )
    # When an update runs
    with pytest.raises(ZuoraError) as caught:
        client.update("Invoice", [{"Id": "nope"}])
    # Then it raised at once
    assert caught.value.code == "53100020"
    assert caught.value.kind is FailureKind.PERMANENT
    assert "'Id' is invalid" in caught.value.reason
    assert client.stats.update == 1
    assert sleeps == []


def test_rejected_client_credentials_do_not_leak_the_secret(api, client):
    # Given Zuora rejects the client credentials
    api.add(
        responses.POST,
        TOKEN_URL,
        status=401,
        json={"message": "Failed to authenticate: invalid client"},
    )
    # When a query runs
    with pytest.raises(ZuoraError) as caught:
        list(client.query("select Id from Account"))
    # Then the error says so, is permanent and keeps the secret out
    error = caught.value
    assert error.kind is FailureKind.PERMANENT
    assert "OAuth token" in error.reason
    assert "invalid client" in error.reason
    assert SECRET not in str(error)
    assert client.stats.token == 1


def test_every_actions_call_pins_the_wsdl_version_and_the_token_call_does_not(api, client):
    # Given Zuora answering a query in two pages and an update
    add_token(api)
    api.add(responses.POST, QUERY_URL, json=query_page([{"Id": "1"}], done=False, locator="loc-1"))
    api.add(responses.POST, QUERY_MORE_URL, json=query_page([{"Id": "2"}], done=True))
    api.add(responses.POST, UPDATE_URL, json=[{"Id": "1", "Success": True}])
    # When the connector queries and updates
    list(client.query("select Id from Invoice"))
    client.update("Invoice", [{"Id": "1", "fieldsToNull": ["IntegrationError__c"]}])
    # Then query, queryMore and update carry X-Zuora-WSDL-Version: 79 (the token request has no reason to)
    pinned = {call.request.url: call.request.headers.get("X-Zuora-WSDL-Version") for call in api.calls}
    assert pinned == {TOKEN_URL: None, QUERY_URL: "79", QUERY_MORE_URL: "79", UPDATE_URL: "79"}
    assert json.loads(api.calls[-1].request.body)["objects"] == [{"Id": "1", "fieldsToNull": ["IntegrationError__c"]}]


def test_an_actions_fault_is_a_permanent_error_with_its_fault_code(api, client):
    # Given Zuora's FaultResponse for a query it cannot parse
    add_token(api)
    api.add(
        responses.POST,
        QUERY_URL,
        status=400,
        json={"FaultCode": "MALFORMED_QUERY", "FaultMessage": "You have an error in your ZOQL syntax"},
    )
    # When it runs, Then it fails at once, permanently, with Zuora's code and words
    with pytest.raises(ZuoraError) as caught:
        list(client.query("select Id from Invoice where (Id = '1')"))
    assert caught.value.kind is FailureKind.PERMANENT
    assert caught.value.code == "MALFORMED_QUERY"
    assert "error in your ZOQL syntax" in caught.value.reason
    assert client.stats.query == 1

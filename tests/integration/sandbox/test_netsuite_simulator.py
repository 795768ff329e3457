"""The NetSuite simulator over real HTTP, driven by requests + requests-oauthlib as the connector drives NetSuite."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from requests_oauthlib import OAuth1

from sandbox.netsuite_simulator import SAMPLE_REFERENCE_DATA, NetSuiteSimulator

ACCOUNT = "1234567_SB1"
CONSUMER_SECRET = "consumer-secret"
KEYS = ("consumer-key", CONSUMER_SECRET, "token-id", "token-secret")


@pytest.fixture(scope="module")
def server() -> Iterator[NetSuiteSimulator]:
    simulator = NetSuiteSimulator(ACCOUNT, *KEYS, reference_data=SAMPLE_REFERENCE_DATA)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def sim(server: NetSuiteSimulator) -> NetSuiteSimulator:
    server.reset()
    return server


@pytest.fixture
def base(sim: NetSuiteSimulator) -> str:
    return sim.base_url


def auth(consumer_secret: str = CONSUMER_SECRET) -> OAuth1:
    return OAuth1(
        "consumer-key", consumer_secret, "token-id", "token-secret", signature_method="HMAC-SHA256", realm=ACCOUNT
    )


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.auth = auth()
    yield session
    session.close()


def customer(name: str = "Acme", subsidiary: str = "2", **extra: Any) -> dict[str, Any]:
    return {"companyName": name, "isPerson": False, "subsidiary": {"id": subsidiary}, "isInactive": False, **extra}


def item(item_id: str = "Gold plan") -> dict[str, Any]:
    return {
        "itemId": item_id,
        "incomeAccount": {"id": "54"},
        "subsidiary": {"items": [{"id": "1"}]},
        "includeChildren": True,  # OneWorld: shared with every subsidiary below the parent company
        "isInactive": False,
    }


def error_of(response: requests.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) >= {"type", "title", "status", "o:errorDetails"}
    assert body["status"] == response.status_code
    detail: dict[str, Any] = body["o:errorDetails"][0]
    return detail


def suiteql(http: requests.Session, base: str, q: str, **params: int) -> requests.Response:
    return http.post(
        f"{base}/query/v1/suiteql", params=params, json={"q": q}, headers={"Prefer": "transient"}, timeout=5
    )


# --- auth -------------------------------------------------------------------------------------


def test_a_request_signed_with_the_account_credentials_is_served(http, base):
    response = http.get(f"{base}/record/v1/customer/eid:nobody", timeout=5)
    assert response.status_code == 404  # authenticated: the record simply does not exist
    assert error_of(response)["o:errorCode"] == "NONEXISTENT_ID"


def test_a_wrong_secret_gets_netsuites_invalid_login_401(sim, base):
    response = requests.get(f"{base}/record/v1/customer/eid:nobody", auth=auth("wrong"), timeout=5)
    assert response.status_code == 401
    assert response.json() == {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
        "title": "Unauthorized",
        "status": 401,
        "o:errorDetails": [
            {
                "detail": "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
                "Setup > Users/Roles > User Management > View Login Audit Trail.",
                "o:errorCode": "INVALID_LOGIN",
            }
        ],
    }
    assert sim.stats.auth_failures == {"signature mismatch": 1}


def test_a_tampered_request_and_a_replayed_request_are_refused(sim, base):
    session = requests.Session()
    prepared = session.prepare_request(
        requests.Request("PUT", f"{base}/record/v1/customer/eid:c1", json=customer(), auth=auth())
    )
    assert session.send(prepared, timeout=5).status_code == 204
    # Replayed as is: same nonce
    assert session.send(prepared, timeout=5).status_code == 401
    # Tampered URL: the signature no longer matches
    assert prepared.url is not None
    prepared.url = prepared.url.replace("eid:c1", "eid:c2")
    assert session.send(prepared, timeout=5).status_code == 401
    assert sim.stats.auth_failures == {"nonce already used": 1, "signature mismatch": 1}
    assert len(sim.records("customer")) == 1
    session.close()


# --- upsert, create, read, update ----------------------------------------------------------------


def test_upserting_twice_by_the_same_external_id_updates_one_record(sim, http, base):
    # Given a customer upserted by external id
    first = http.put(f"{base}/record/v1/customer/eid:zuora-account-1", json=customer("Acme"), timeout=5)
    # When the same external id is upserted again with a new name
    second = http.put(f"{base}/record/v1/customer/eid:zuora-account-1", json=customer("Acme Corp"), timeout=5)
    # Then both answer 204 with the same Location, and there is one record, renamed
    assert (first.status_code, second.status_code) == (204, 204)
    assert first.content == b""
    assert first.headers["Location"] == second.headers["Location"]
    internal_id = first.headers["Location"].rsplit("/", 1)[1]
    assert first.headers["Location"] == f"{base}/record/v1/customer/{internal_id}"
    records = sim.records("customer")
    assert [(r["id"], r["externalId"], r["companyName"]) for r in records] == [
        (internal_id, "zuora-account-1", "Acme Corp")
    ]
    assert sim.stats.creates == {"customer": 1}
    assert sim.stats.updates == {"customer": 1}


def test_a_record_reads_back_by_internal_id_and_by_external_id(http, base):
    location = http.put(f"{base}/record/v1/customer/eid:c-7", json=customer(), timeout=5).headers["Location"]
    by_id = http.get(location, timeout=5)
    by_eid = http.get(f"{base}/record/v1/customer/eid:c-7", timeout=5)
    assert by_id.status_code == by_eid.status_code == 200
    assert by_id.json() == by_eid.json()
    record = by_id.json()
    assert record["externalId"] == "c-7"
    assert record["id"] == location.rsplit("/", 1)[1]
    assert record["subsidiary"] == {"id": "2", "refName": "Parent Company : Americas"}
    assert record["links"] == [{"rel": "self", "href": location}]
    assert by_id.headers["X-N-OperationId"] != by_eid.headers["X-N-OperationId"]


def test_post_creates_and_refuses_an_external_id_already_used(sim, http, base):
    created = http.post(f"{base}/record/v1/customer", json={**customer(), "externalId": "c-1"}, timeout=5)
    assert created.status_code == 204
    assert created.headers["Location"].startswith(f"{base}/record/v1/customer/")
    again = http.post(f"{base}/record/v1/customer", json={**customer(), "externalId": "c-1"}, timeout=5)
    assert again.status_code == 400
    assert error_of(again)["o:errorCode"] == "DUP_RCRD"
    assert len(sim.records("customer")) == 1


def test_patch_updates_only_the_fields_sent(sim, http, base):
    location = http.put(f"{base}/record/v1/customer/eid:c-1", json=customer(email="a@example.com"), timeout=5).headers[
        "Location"
    ]
    response = http.patch(location, json={"isInactive": True}, timeout=5)
    assert response.status_code == 204
    record = sim.get_by_external_id("customer", "c-1")
    assert record is not None
    assert (record["isInactive"], record["email"], record["companyName"]) == (True, "a@example.com", "Acme")
    missing = http.patch(f"{base}/record/v1/customer/99999", json={"isInactive": True}, timeout=5)
    assert (missing.status_code, error_of(missing)["o:errorCode"]) == (404, "NONEXISTENT_ID")


def test_internal_ids_are_increasing_integers(http, base):
    ids = [
        http.put(f"{base}/record/v1/customer/eid:c-{n}", json=customer(), timeout=5)
        .headers["Location"]
        .rsplit("/", 1)[1]
        for n in range(3)
    ]
    assert [int(i) for i in ids] == sorted(int(i) for i in ids)
    assert len(set(ids)) == 3


# --- validation ---------------------------------------------------------------------------------


def test_a_reference_to_a_missing_subsidiary_is_a_user_error_naming_the_field(sim, http, base):
    response = http.put(f"{base}/record/v1/customer/eid:c-1", json=customer(subsidiary="99"), timeout=5)
    assert response.status_code == 400
    assert error_of(response)["o:errorCode"] == "USER_ERROR"
    assert "Invalid Field Value 99 for the following field: subsidiary" in error_of(response)["detail"]
    assert error_of(response)["o:errorPath"] == "subsidiary"
    assert sim.records("customer") == []


def test_an_invoice_line_naming_a_missing_item_points_at_the_line(http, base):
    http.put(f"{base}/record/v1/customer/eid:c-1", json=customer(), timeout=5)
    http.put(f"{base}/record/v1/serviceSaleItem/eid:i-1", json=item(), timeout=5)
    body = {
        "entity": {"externalId": "c-1"},
        "item": {
            "items": [{"item": {"externalId": "i-1"}, "amount": 10}, {"item": {"externalId": "i-2"}, "amount": 5}]
        },
    }
    response = http.put(f"{base}/record/v1/invoice/eid:inv-1", json=body, timeout=5)
    assert response.status_code == 400
    assert (error_of(response)["o:errorCode"], error_of(response)["o:errorPath"]) == (
        "USER_ERROR",
        "item.items[1].item",
    )


def test_a_customers_subsidiary_cannot_change(sim, http, base):
    http.put(f"{base}/record/v1/customer/eid:c-1", json=customer(subsidiary="2"), timeout=5)
    response = http.put(f"{base}/record/v1/customer/eid:c-1", json=customer(subsidiary="3"), timeout=5)
    assert response.status_code == 400
    assert (error_of(response)["o:errorCode"], error_of(response)["o:errorPath"]) == ("USER_ERROR", "subsidiary")
    stored = sim.get_by_external_id("customer", "c-1")
    assert stored is not None
    assert stored["subsidiary"]["id"] == "2"


def test_items_of_all_types_share_one_external_id_namespace(sim, http, base):
    assert http.put(f"{base}/record/v1/serviceSaleItem/eid:i-1", json=item(), timeout=5).status_code == 204
    response = http.put(f"{base}/record/v1/inventoryItem/eid:i-1", json=item(), timeout=5)
    assert (response.status_code, error_of(response)["o:errorCode"]) == (400, "USER_ERROR")
    assert sim.records("inventoryItem") == []
    assert http.get(f"{base}/record/v1/inventoryItem/eid:i-1", timeout=5).status_code == 404


def test_unknown_fields_and_non_json_bodies_are_refused(http, base):
    unknown = http.put(f"{base}/record/v1/customer/eid:c-1", json=customer(colour="blue"), timeout=5)
    assert (unknown.status_code, error_of(unknown)["o:errorPath"]) == (400, "colour")
    relaxed = http.put(
        f"{base}/record/v1/customer/eid:c-1",
        json=customer(colour="blue"),
        headers={"X-NetSuite-PropertyNameValidation": "Ignore"},
        timeout=5,
    )
    assert relaxed.status_code == 204
    garbage = http.put(
        f"{base}/record/v1/customer/eid:c-2", data="not json", headers={"Content-Type": "application/json"}, timeout=5
    )
    assert (garbage.status_code, error_of(garbage)["o:errorCode"]) == (400, "INVALID_CONTENT")


def test_rejected_external_ids_fail_permanently(sim, http, base):
    sim.reject_external_id("c-bad", "This customer is on hold.")
    response = http.put(f"{base}/record/v1/customer/eid:c-bad", json=customer(), timeout=5)
    assert (response.status_code, error_of(response)["o:errorCode"]) == (400, "USER_ERROR")
    assert error_of(response)["detail"] == "This customer is on hold."


# --- SuiteQL -------------------------------------------------------------------------------------


def test_suiteql_pages_with_limit_and_offset_in_the_order_by_order(http, base):
    for n in range(5):
        http.put(f"{base}/record/v1/customer/eid:c-{n}", json=customer(f"Customer {n}"), timeout=5)
    seen: list[dict[str, Any]] = []
    offset = 0
    pages = 0
    while True:
        response = suiteql(
            http, base, "SELECT id, externalid, companyname FROM customer ORDER BY id", limit=2, offset=offset
        )
        assert response.status_code == 200
        page = response.json()
        assert (page["offset"], page["totalResults"], page["count"]) == (offset, 5, len(page["items"]))
        seen.extend({k: v for k, v in row.items() if k != "links"} for row in page["items"])
        pages += 1
        if not page["hasMore"]:
            break
        assert {"rel": "next", "href": f"{base}/query/v1/suiteql?limit=2&offset={offset + 2}"} in page["links"]
        offset += page["count"]
    assert pages == 3
    assert [row["externalid"] for row in seen] == [f"c-{n}" for n in range(5)]
    assert seen[0]["companyname"] == "Customer 0"


def test_suiteql_filters_reference_tables(http, base):
    response = suiteql(http, base, "SELECT id, fullname FROM subsidiary WHERE fullname = 'Parent Company : EMEA'")
    assert [{k: v for k, v in r.items() if k != "links"} for r in response.json()["items"]] == [
        {"id": "3", "fullname": "Parent Company : EMEA"}
    ]
    by_in = suiteql(http, base, "SELECT id FROM currency WHERE symbol IN ('USD', 'EUR')").json()
    assert by_in["totalResults"] == 2


def test_suiteql_needs_prefer_transient_and_a_query_it_understands(http, base):
    without = http.post(f"{base}/query/v1/suiteql", json={"q": "SELECT id FROM subsidiary"}, timeout=5)
    assert without.status_code == 400
    bad = suiteql(http, base, "SELEKT nonsense")
    assert (bad.status_code, error_of(bad)["o:errorCode"]) == (400, "INVALID_PARAMETER")
    too_big = suiteql(http, base, "SELECT id FROM subsidiary", limit=1001)
    assert too_big.status_code == 400


# --- governance and faults ---------------------------------------------------------------------


def test_requests_over_the_concurrency_cap_get_429_at_once(sim, base):
    # Given an account that allows 2 concurrent requests, each taking 0.4 s
    sim.concurrency_limit = 2
    sim.latency_seconds = 0.4
    barrier = threading.Barrier(6)
    results: list[tuple[int, float, dict[str, Any] | None]] = []
    lock = threading.Lock()

    def call() -> None:
        barrier.wait()
        started = time.monotonic()
        response = requests.get(f"{base}/record/v1/customer/eid:nobody", auth=auth(), timeout=5)
        elapsed = time.monotonic() - started
        body = response.json() if response.status_code == 429 else None
        with lock:
            results.append((response.status_code, elapsed, body))

    # When 6 requests arrive together
    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then 2 are served, the other 4 are rejected at once with NetSuite's 429, never more than 2 in flight
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [404, 404, 429, 429, 429, 429]
    rejected = [(elapsed, body) for status, elapsed, body in results if status == 429]
    assert all(elapsed < 0.3 for elapsed, _ in rejected)
    assert all(
        body is not None and body["o:errorDetails"][0]["o:errorCode"] == "CONCURRENCY_LIMIT_EXCEEDED"
        for _, body in rejected
    )
    stats = sim.stats
    assert stats.rejected_429 == 4
    assert stats.peak_in_flight == 2
    assert stats.errors_by_code["CONCURRENCY_LIMIT_EXCEEDED"] == 4


def test_fail_next_answers_injected_errors_without_committing(sim, http, base):
    sim.fail_next(1, 503, "UNEXPECTED_ERROR", methods=["PUT"])
    failed = http.put(f"{base}/record/v1/customer/eid:c-1", json=customer(), timeout=5)
    assert (failed.status_code, error_of(failed)["o:errorCode"]) == (503, "UNEXPECTED_ERROR")
    assert sim.records("customer") == []
    assert http.put(f"{base}/record/v1/customer/eid:c-1", json=customer(), timeout=5).status_code == 204


def test_error_rate_is_deterministic_for_a_seed(http, base):
    def run() -> list[int]:
        simulator = NetSuiteSimulator(ACCOUNT, *KEYS, seed=7, error_rate=0.5)
        simulator.start()
        try:
            return [
                requests.get(f"{simulator.base_url}/record/v1/customer/eid:x", auth=auth(), timeout=5).status_code
                for _ in range(12)
            ]
        finally:
            simulator.stop()

    first = run()
    assert first == run()
    assert set(first) == {404, 500}


def test_a_put_retried_after_a_timeout_that_committed_leaves_one_record(sim, http, base):
    # Given NetSuite commits the next write but answers after the client has given up
    sim.timeout_after_commit(1, delay_seconds=0.6)
    url = f"{base}/record/v1/customer/eid:zuora-account-1"
    with pytest.raises(requests.Timeout):
        http.put(url, json=customer("Acme"), timeout=(2, 0.2))
    assert len(sim.records("customer")) == 1  # committed although the client saw a timeout
    # When the client retries the same upsert
    retry = http.put(url, json=customer("Acme"), timeout=5)
    # Then there is still exactly one record
    assert retry.status_code == 204
    assert [r["externalId"] for r in sim.records("customer")] == ["zuora-account-1"]
    _wait_idle(sim)


def test_a_post_retried_after_a_timeout_that_committed_duplicates(sim, http, base):
    # The contrast: a plain create is not idempotent
    sim.timeout_after_commit(1, delay_seconds=0.6)
    with pytest.raises(requests.Timeout):
        http.post(f"{base}/record/v1/customer", json=customer("Acme"), timeout=(2, 0.2))
    assert http.post(f"{base}/record/v1/customer", json=customer("Acme"), timeout=5).status_code == 204
    assert len(sim.records("customer")) == 2
    _wait_idle(sim)


def test_the_closed_period_hook_refuses_transaction_writes(sim, http, base):
    http.put(f"{base}/record/v1/customer/eid:c-1", json=customer(), timeout=5)
    http.put(f"{base}/record/v1/serviceSaleItem/eid:i-1", json=item(), timeout=5)
    sim.set_closed_period_hook(
        lambda _type, record: "The period is closed." if record.get("tranDate", "") < "2024-01-01" else None
    )
    body = {"entity": {"externalId": "c-1"}, "item": {"items": [{"item": {"externalId": "i-1"}, "amount": 10}]}}
    closed = http.put(f"{base}/record/v1/invoice/eid:inv-1", json={**body, "tranDate": "2023-12-31"}, timeout=5)
    assert (closed.status_code, error_of(closed)["detail"]) == (400, "The period is closed.")
    assert (
        http.put(f"{base}/record/v1/invoice/eid:inv-1", json={**body, "tranDate": "2024-01-02"}, timeout=5).status_code
        == 204
    )
    line = sim.records("invoice")[0]["item"]["items"][0]
    assert line["item"]["refName"] == "Gold plan"


def test_the_connectors_netsuite_client_runs_against_the_simulator(sim, base):
    client_module = pytest.importorskip("zuora_netsuite.adapters.netsuite.client")
    client = client_module.NetSuiteClient(base, ACCOUNT.lower().replace("_", "-"), *KEYS, timeout=5)
    internal_id = client.upsert("customer", "zuora-account-9", customer("Acme"))
    assert client.upsert("customer", "zuora-account-9", customer("Acme 2")) == internal_id
    record = client.get_by_external_id("customer", "zuora-account-9")
    assert record is not None
    assert record["companyName"] == "Acme 2"
    assert client.get_by_external_id("customer", "zuora-account-0") is None
    rows = list(client.suiteql("SELECT id, fullname FROM subsidiary ORDER BY id"))
    assert [row["id"] for row in rows] == ["1", "2", "3"]
    client.close()


def _wait_idle(sim: NetSuiteSimulator) -> None:
    deadline = time.monotonic() + 3
    while sim.stats.in_flight and time.monotonic() < deadline:
        time.sleep(0.02)

"""The Zuora simulator over real HTTP on loopback, driven with plain ``requests`` as a client would."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from sandbox.dataset import generate_dataset
from sandbox.zuora_simulator import ZuoraSimulator
from zuora_netsuite.adapters.zuora.client import ZuoraClient

CLIENT_ID, CLIENT_SECRET = "3f1c9a52-7d4e-4b8a-9c61-2e5f0a7b8d93", "sandbox-secret"  # Zuora client ids are UUIDs


@pytest.fixture
def sim() -> Iterator[ZuoraSimulator]:
    simulator = ZuoraSimulator(
        CLIENT_ID, CLIENT_SECRET, page_size=7, custom_fields={"Account": ["IntegrationError__c"]}
    )
    simulator.start()
    yield simulator
    simulator.stop()


def token(sim: ZuoraSimulator) -> str:
    response = requests.post(
        f"{sim.base_url}/oauth/token",
        data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_type": "client_credentials"},
        timeout=5,
    )
    assert response.status_code == 200
    return str(response.json()["access_token"])


def call(sim: ZuoraSimulator, path: str, body: object, bearer: str | None = None) -> requests.Response:
    bearer = bearer or token(sim)
    return requests.post(f"{sim.base_url}{path}", json=body, headers={"Authorization": f"Bearer {bearer}"}, timeout=5)


def add_accounts(sim: ZuoraSimulator, count: int) -> list[str]:
    return [
        sim.put("Account", {"Name": f"Customer {i}", "Status": "Active", "AccountNumber": f"A{i:08d}"})
        for i in range(count)
    ]


# --------------------------------------------------------------------------------------------- auth


def test_given_valid_client_credentials_when_requesting_a_token_then_a_bearer_token_is_issued(sim):
    response = requests.post(
        f"{sim.base_url}/oauth/token",
        data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_type": "client_credentials"},
        timeout=5,
    )
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3599
    assert {"access_token", "scope", "jti"} <= body.keys()


def test_given_wrong_credentials_when_requesting_a_token_then_401_with_a_message(sim):
    response = requests.post(
        f"{sim.base_url}/oauth/token",
        data={"client_id": CLIENT_ID, "client_secret": "wrong", "grant_type": "client_credentials"},
        timeout=5,
    )
    assert response.status_code == 401
    assert "message" in response.json()


def test_given_no_or_an_expired_token_when_querying_then_401_authentication_error(sim):
    query = {"queryString": "select Id from Account"}
    without = requests.post(f"{sim.base_url}/v1/action/query", json=query, timeout=5)
    bearer = token(sim)
    assert call(sim, "/v1/action/query", query, bearer).status_code == 200

    sim.expire_tokens()
    expired = call(sim, "/v1/action/query", query, bearer)

    for response in (without, expired):
        assert response.status_code == 401
        assert response.json() == {
            "success": False,
            "reasons": [{"code": 90000011, "message": "Authentication error"}],
        }
    assert call(sim, "/v1/action/query", query).status_code == 200  # a fresh token works again


# ------------------------------------------------------------------------------------------- query


def test_given_more_records_than_a_page_when_following_query_locators_then_every_record_comes_once(sim):
    expected = set(add_accounts(sim, 30))
    bearer = token(sim)

    page = call(sim, "/v1/action/query", {"queryString": "select Id, Name from Account"}, bearer).json()
    seen, pages = [], 1
    seen += [record["Id"] for record in page["records"]]
    while not page["done"]:
        page = call(sim, "/v1/action/queryMore", {"queryLocator": page["queryLocator"]}, bearer).json()
        seen += [record["Id"] for record in page["records"]]
        pages += 1

    assert sorted(seen) == sorted(expected)
    assert pages == 5  # 30 records, 7 a page
    assert page["size"] == 30
    assert "queryLocator" not in page
    assert sim.stats.query == 1
    assert sim.stats.query_more == 4


def test_given_a_batch_size_when_querying_then_pages_are_that_small(sim):
    add_accounts(sim, 5)
    page = call(sim, "/v1/action/query", {"queryString": "select Id from Account", "conf": {"batchSize": 2}}).json()
    assert len(page["records"]) == 2
    assert page["size"] == 5
    assert page["done"] is False


def test_given_an_expired_locator_when_calling_query_more_then_a_400_fault(sim):
    add_accounts(sim, 10)
    bearer = token(sim)
    page = call(sim, "/v1/action/query", {"queryString": "select Id from Account"}, bearer).json()

    sim.expire_query_locators()
    response = call(sim, "/v1/action/queryMore", {"queryLocator": page["queryLocator"]}, bearer)

    assert response.status_code == 400
    assert response.json()["FaultCode"] == "INVALID_VALUE"


def test_given_mixed_case_field_names_when_querying_then_records_use_canonical_names_without_nulls(sim):
    sim.put("Account", {"Name": "Acme", "Status": "Active"})
    page = call(sim, "/v1/action/query", {"queryString": "select id, NAME, crmid from account"}).json()
    assert page["records"][0].keys() == {"Id", "Name"}


def test_given_invalid_zoql_when_querying_then_400_with_a_message_naming_the_problem(sim):
    response = call(sim, "/v1/action/query", {"queryString": "select Id, Bogus from Account"})
    assert response.status_code == 400
    body = response.json()
    assert body["FaultCode"] == "INVALID_FIELD"
    assert "Bogus" in body["FaultMessage"]


def test_given_a_watermark_when_querying_by_updated_date_then_only_later_edits_match(sim):
    ids = add_accounts(sim, 3)
    for account_id in ids:
        sim.edit("Account", account_id, UpdatedDate="2026-01-01T00:00:00.000+00:00")
    sim.edit("Account", ids[1], IntegrationStatus__NS="Error Creating Customer")  # bumps UpdatedDate to now
    query = "select Id from Account where UpdatedDate > '2026-06-01T00:00:00' and Status = 'Active'"
    assert [r["Id"] for r in call(sim, "/v1/action/query", {"queryString": query}).json()["records"]] == [ids[1]]


# ------------------------------------------------------------------------------------------ update


def test_given_51_objects_when_updating_then_the_whole_call_is_rejected(sim):
    ids = add_accounts(sim, 51)
    objects = [{"Id": account_id, "IntegrationStatus__NS": "Sync Complete"} for account_id in ids]

    response = call(sim, "/v1/action/update", {"type": "Account", "objects": objects})

    assert response.status_code == 400
    assert "50" in response.json()["Errors"][0]["Message"]
    assert all("IntegrationStatus__NS" not in sim.get("Account", account_id) for account_id in ids)


def test_given_good_and_bad_objects_when_updating_then_each_gets_its_own_result_in_order(sim):
    good, other = add_accounts(sim, 2)
    objects = [
        {"Id": good, "IntegrationId__NS": "42", "IntegrationStatus__NS": "Sync Complete"},
        {"Id": "0" * 32, "IntegrationStatus__NS": "Sync Complete"},
        {"Id": other, "IntegrationError__c": "x" * 256},
    ]

    results = call(sim, "/v1/action/update", {"type": "Account", "objects": objects}).json()

    assert results[0] == {"Id": good, "Success": True}
    assert [r["Success"] for r in results] == [True, False, False]
    assert "255" in results[2]["Errors"][0]["Message"]
    assert sim.get("Account", good)["IntegrationId__NS"] == "42"
    assert "IntegrationError__c" not in sim.get("Account", other)
    assert sim.stats.objects_updated == 1


def test_given_an_undeclared_custom_field_when_declaring_it_then_only_a_c_suffix_is_accepted(sim):
    with pytest.raises(ValueError, match="__c"):
        sim.define_custom_field("Account", "IntegrationError__NS")
    sim.define_custom_field("Invoice", "Reason__c")
    assert sim.custom_fields("Invoice") == ["Reason__c"]
    with pytest.raises(ValueError, match="UUID"):
        ZuoraSimulator("sandbox-client", CLIENT_SECRET)


def test_given_a_successful_update_when_reading_back_then_updated_date_is_now(sim):
    (account_id,) = add_accounts(sim, 1)
    sim.edit("Account", account_id, UpdatedDate="2025-01-01T00:00:00.000+00:00")
    before = datetime.now(UTC).replace(microsecond=0)

    call(sim, "/v1/action/update", {"type": "Account", "objects": [{"Id": account_id, "SyncDate__NS": "now"}]})

    updated = datetime.fromisoformat(sim.get("Account", account_id)["UpdatedDate"])
    assert updated >= before
    assert sim.get("Account", account_id)["UpdatedDate"].endswith(".000+00:00")


def test_given_a_credit_memo_when_updating_with_actions_then_it_is_refused(sim):
    memo_id = sim.put("CreditMemo", {"MemoNumber": "CM00000001", "Status": "Posted"})
    response = call(sim, "/v1/action/update", {"type": "CreditMemo", "objects": [{"Id": memo_id}]})
    assert response.status_code == 400
    assert response.json()["Success"] is False


# ------------------------------------------------------------------------------------------ faults


def test_given_an_injected_429_when_calling_then_rate_limit_headers_tell_when_to_retry(sim):
    bearer = token(sim)
    sim.fail_next(1, status=429, path_prefix="/v1/action/query", retry_after_seconds=3)

    throttled = call(sim, "/v1/action/query", {"queryString": "select Id from Account"}, bearer)
    normal = call(sim, "/v1/action/query", {"queryString": "select Id from Account"}, bearer)

    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "3"
    assert throttled.headers["RateLimit-Remaining"] == "0"
    assert "RateLimit-Reset" in throttled.headers
    assert normal.status_code == 200
    assert int(normal.headers["RateLimit-Remaining"]) > 0
    assert "Concurrency-Limit-Remaining" in normal.headers


def test_given_lock_contention_when_calling_then_200_with_a_retryable_reason_code(sim):
    bearer = token(sim)
    sim.lock_contention_next(1, path_prefix="/v1/action/update")
    (account_id,) = add_accounts(sim, 1)

    response = call(sim, "/v1/action/update", {"type": "Account", "objects": [{"Id": account_id}]}, bearer)

    assert response.status_code == 200
    assert response.json()["success"] is False
    assert str(response.json()["reasons"][0]["code"]).endswith("50")


def test_given_the_same_seed_when_injecting_random_errors_then_the_same_requests_fail():
    def failures(seed: int) -> list[int]:
        with ZuoraSimulator(CLIENT_ID, CLIENT_SECRET, seed=seed) as simulator:
            bearer = token(simulator)
            simulator.set_error_rate(0.5, status=500, path_prefix="/v1/")
            return [
                call(simulator, "/v1/action/query", {"queryString": "select Id from Account"}, bearer).status_code
                for _ in range(12)
            ]

    first = failures(3)
    assert first == failures(3)
    assert {200, 500} <= set(first)


def test_given_latency_when_calling_then_each_request_takes_at_least_that_long(sim):
    bearer = token(sim)
    sim.latency_seconds = 0.05
    started = time.perf_counter()
    call(sim, "/v1/action/query", {"queryString": "select Id from Account"}, bearer)
    assert time.perf_counter() - started >= 0.05


# ----------------------------------------------------------------------------------------- dataset


def test_given_the_same_seed_when_generating_then_the_dataset_is_identical_and_another_seed_differs():
    assert generate_dataset(seed=11) == generate_dataset(seed=11)
    assert generate_dataset(seed=11).ids("Account") != generate_dataset(seed=12).ids("Account")


def test_given_the_dataset_when_loaded_then_every_record_is_queryable_and_expectations_are_consistent(sim):
    dataset = generate_dataset(seed=7)
    sim.load(dataset)
    bearer = token(sim)
    page = call(sim, "/v1/action/query", {"queryString": "select Id from ProductRatePlanCharge"}, bearer).json()
    assert page["size"] == len(dataset.charges) == 60
    assert len(sim.all("Account")) == 200

    invalid, excluded = set(dataset.expected_invalid), dataset.expected_excluded
    assert not invalid & excluded
    assert 0.05 <= sum(1 for i in dataset.ids("Account") if i in invalid) / 200 <= 0.12
    assert set(dataset.expected_invalid.values()) >= {
        "Subsidiary__NS", "Department__NS", "Class__NS", "Location__NS", "Currency", "Name",
        "CustomerType__NS", "ItemType__NS",
    }  # fmt: skip
    known_currencies = {row["symbol"] for row in dataset.netsuite_reference["currency"]}
    bad_currency = [a for a in dataset.accounts if a["Currency"] not in known_currencies]
    assert bad_currency
    assert all(dataset.expected_invalid[a["Id"]] == "Currency" for a in bad_currency)
    assert dataset.expected_inactive
    assert not dataset.expected_inactive & invalid
    now = datetime.now(UTC)
    assert all(datetime.fromisoformat(a["UpdatedDate"]) < now for a in dataset.accounts)


# ------------------------------------------------------------------------------------------ WSDL version


def test_given_the_connectors_client_when_it_queries_and_updates_then_every_actions_call_pins_wsdl_79(sim):
    # Given 10 accounts (7 a page) and the connector's own Zuora client
    ids = add_accounts(sim, 10)
    client = ZuoraClient(sim.base_url, CLIENT_ID, CLIENT_SECRET)
    # When it pages through them and writes one back
    assert len(list(client.query("select Id from Account"))) == 10
    client.update("Account", [{"Id": ids[0], "IntegrationStatus__NS": "Sync Complete"}])
    client.close()
    # Then query, queryMore and update all carried X-Zuora-WSDL-Version: 79
    assert sim.wsdl_versions == [
        ("/v1/action/query", "79"),
        ("/v1/action/queryMore", "79"),
        ("/v1/action/update", "79"),
    ]


def test_given_a_field_newer_than_the_pinned_wsdl_version_when_querying_or_updating_then_it_is_unknown(sim):
    invoice_id = sim.put("Invoice", {"InvoiceNumber": "INV-1", "Status": "Posted", "Currency": "EUR"})
    bearer = token(sim)

    def post(path: str, body: object, version: str | None) -> requests.Response:
        headers = {"Authorization": f"Bearer {bearer}", **({"X-Zuora-WSDL-Version": version} if version else {})}
        return requests.post(f"{sim.base_url}{path}", json=body, headers=headers, timeout=5)

    query = {"queryString": "select Id, Currency from Invoice"}
    # Invoice.Currency came with WSDL 147: unknown to 79, the default
    assert post("/v1/action/query", query, None).json()["FaultCode"] == "INVALID_FIELD"
    assert post("/v1/action/query", query, "79").json()["FaultCode"] == "INVALID_FIELD"
    assert post("/v1/action/query", query, "147").json()["records"] == [{"Id": invoice_id, "Currency": "EUR"}]
    # An update pinned to 79 ignores it like any field the object does not have
    update = {"type": "Invoice", "objects": [{"Id": invoice_id, "Currency": "USD"}]}
    assert post("/v1/action/update", update, "79").json() == [{"Id": invoice_id, "Success": True}]
    assert sim.get("Invoice", invoice_id)["Currency"] == "EUR"
    assert post("/v1/action/query", query, "x").json()["FaultCode"] == "INVALID_VALUE"


def test_given_an_empty_string_when_updating_then_it_is_stored_and_only_fields_to_null_clears(sim):
    (account_id,) = add_accounts(sim, 1)
    call(sim, "/v1/action/update", {"type": "Account", "objects": [{"Id": account_id, "IntegrationError__c": ""}]})
    assert sim.get("Account", account_id)["IntegrationError__c"] == ""
    body = {"type": "Account", "objects": [{"Id": account_id, "fieldsToNull": ["IntegrationError__c", "Nope__c"]}]}
    assert call(sim, "/v1/action/update", body).json() == [{"Id": account_id, "Success": True}]
    assert "IntegrationError__c" not in sim.get("Account", account_id)

"""A time budget per sync invocation: the clients never wait or call past the Lambda's remaining time (less the
reserve for the batch's end), and a batch stops starting records in time to flush the write-backs of the records
it synced (docs/reliability.md, "Time budget")."""

from __future__ import annotations

import pytest
import responses

from tests.unit.clients.test_netsuite_client import BASE, CUSTOMER_URL, SECRETS, error_body
from zuora_netsuite.adapters.http import TimeBudget
from zuora_netsuite.adapters.netsuite import NetSuiteClient
from zuora_netsuite.failures import FailureKind, NetSuiteError


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_a_retry_after_longer_than_the_time_left_fails_the_call_as_transient_without_waiting(api) -> None:
    # Given an invocation with 20 s left for calls, and NetSuite asking to retry after 15 s
    clock = FakeClock()
    budget = TimeBudget(clock)
    budget.start(30.0, reserve=10.0)
    client = NetSuiteClient(BASE, "1234567-sb1", *SECRETS, sleep=clock.sleep, budget=budget)
    api.add(
        responses.PUT,
        CUSTOMER_URL,
        status=429,
        json=error_body(429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded."),
        headers={"Retry-After": "15"},
    )
    # When a customer is upserted
    clock.now += 6.0  # the first answer took 6 s: 14 s left, not enough for 15 s and another call
    with pytest.raises(NetSuiteError) as raised:
        client.upsert("customer", "ZA-8a8082c4", {"companyName": "Acme"})
    # Then the call fails as transient (the queue retries it) after one request, without sleeping
    assert raised.value.kind is FailureKind.TRANSIENT
    assert "no time left in this invocation" in raised.value.reason
    assert len(api.calls) == 1
    assert clock.now == 1006.0


def test_no_request_starts_once_the_budget_is_spent_and_timeouts_are_cut_to_the_time_left(api) -> None:
    # Given an invocation with 5 s left for calls
    clock = FakeClock()
    budget = TimeBudget(clock)
    budget.start(15.0, reserve=10.0)
    client = NetSuiteClient(BASE, "1234567-sb1", *SECRETS, sleep=clock.sleep, budget=budget, timeout=30.0)
    api.add(responses.PUT, CUSTOMER_URL, status=204, headers={"Location": f"{BASE}/record/v1/customer/42"})
    # When a customer is upserted
    client.upsert("customer", "ZA-8a8082c4", {"companyName": "Acme"})
    # Then its read timeout was the 5 s left, not the client's 30 s
    assert api.calls[0].request.req_kwargs["timeout"] == (5.0, 5.0)
    # And once the time is spent, nothing more is sent: a transient failure the queue retries
    clock.now += 4.5
    with pytest.raises(NetSuiteError) as raised:
        client.upsert("customer", "ZA-8a8082c4", {"companyName": "Acme"})
    assert raised.value.kind is FailureKind.TRANSIENT
    assert raised.value.code == "TIME_BUDGET"
    assert len(api.calls) == 1

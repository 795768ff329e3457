"""The one retry loop both vendor clients use (adapters/http.py RetryLoop): when it tries again, how long it waits,
what it counts, and the failure that ends a call."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import responses

from tests.unit.clients.test_time_budget import FakeClock
from zuora_netsuite.adapters.http import (
    TIME_BUDGET,
    AuthRetry,
    Backoff,
    Rejection,
    RetryLoop,
    RetrySettings,
    TimeBudget,
)
from zuora_netsuite.adapters.zuora import ZuoraClient
from zuora_netsuite.failures import FailureKind, SyncFailure, ZuoraError

log = logging.getLogger("tests.retry_loop")


@dataclass
class Stats:
    retries: int = 0


def transient(reason: str = "Vendor call failed (HTTP 503)", http_status: int | None = 503) -> SyncFailure:
    return SyncFailure(reason, code="HTTP_503", kind=FailureKind.TRANSIENT, http_status=http_status)


def unauthorized() -> SyncFailure:
    return SyncFailure("Vendor call failed (HTTP 401)", code="INVALID_LOGIN", http_status=401)


def scripted(*outcomes: str | SyncFailure | Rejection[SyncFailure]) -> tuple[Callable[[], object], list[int]]:
    """An attempt that answers `outcomes` in turn (a failure stands for a rejection without headers)."""
    calls: list[int] = []

    def attempt() -> object:
        calls.append(len(calls) + 1)
        outcome = outcomes[min(len(calls), len(outcomes)) - 1]
        return Rejection(outcome) if isinstance(outcome, SyncFailure) else outcome

    return attempt, calls


def loop(
    sleeps: list[float], *, max_attempts: int = 3, budget: TimeBudget | None = None, stats: Stats | None = None
) -> RetryLoop[SyncFailure]:
    settings = RetrySettings(max_attempts, sleeps.append, Backoff(rng=random.Random(7)), budget)
    return RetryLoop("Vendor", settings, stats if stats is not None else Stats(), log)


def test_a_transient_failure_is_tried_again_until_the_attempts_run_out() -> None:
    # Given a vendor that keeps answering 503
    sleeps: list[float] = []
    stats = Stats()
    attempt, calls = scripted(transient())
    # When a call runs
    with pytest.raises(SyncFailure) as raised:
        loop(sleeps, max_attempts=3, stats=stats).run(attempt)
    # Then it was sent three times with two counted waits, and the failure says it gave up
    assert len(calls) == 3
    assert len(sleeps) == 2
    assert stats.retries == 2
    assert raised.value.kind is FailureKind.TRANSIENT
    assert raised.value.http_status == 503
    assert raised.value.reason == "Vendor call failed (HTTP 503) (gave up after 3 attempts)"


def test_a_value_after_a_transient_failure_is_returned() -> None:
    sleeps: list[float] = []
    attempt, calls = scripted(transient(), "the answer")
    assert loop(sleeps).run(attempt) == "the answer"
    assert len(calls) == 2
    assert len(sleeps) == 1


def test_a_permanent_failure_ends_the_call_at_once_unchanged() -> None:
    sleeps: list[float] = []
    permanent = SyncFailure("Vendor call failed (HTTP 400)", code="USER_ERROR", http_status=400)
    attempt, calls = scripted(permanent)
    with pytest.raises(SyncFailure) as raised:
        loop(sleeps).run(attempt)
    assert raised.value is permanent
    assert calls == [1]
    assert sleeps == []


def test_the_wait_is_the_servers_retry_after_unless_it_is_longer_than_a_call_may_wait() -> None:
    # Given a vendor asking to retry after 3 s, then after 3600 s
    sleeps: list[float] = []
    attempt, calls = scripted(
        Rejection(transient(), {"Retry-After": "3"}), Rejection(transient(), {"Retry-After": "3600"})
    )
    # When a call runs
    with pytest.raises(SyncFailure) as raised:
        loop(sleeps, max_attempts=5).run(attempt)
    # Then it waited the 3 s asked, and gave up rather than wait an hour
    assert sleeps == [3.0]
    assert len(calls) == 2
    assert raised.value.kind is FailureKind.TRANSIENT
    assert "Vendor asked to wait longer than this call may" in raised.value.reason


def test_a_call_not_sent_for_want_of_time_ends_at_once() -> None:
    sleeps: list[float] = []
    spent = SyncFailure("Vendor call not sent", code=TIME_BUDGET, kind=FailureKind.TRANSIENT)
    attempt, calls = scripted(spent)
    with pytest.raises(SyncFailure) as raised:
        loop(sleeps).run(attempt)
    assert raised.value is spent
    assert calls == [1]
    assert sleeps == []


def test_a_refreshed_credential_is_tried_at_once_as_the_same_attempt() -> None:
    # Given a vendor whose first answer is 401 (a stale token), then 503s; the vendor refreshes once, at once
    sleeps: list[float] = []
    refreshed: list[tuple[int, float]] = []
    auth = AuthRetry[SyncFailure](
        applies=lambda failure: failure.http_status == 401,
        limit=1,
        prepare=lambda _failure, retries, delay: refreshed.append((retries, delay)),
        backoff=False,
    )
    attempt, calls = scripted(unauthorized(), transient())
    # When a call runs
    with pytest.raises(SyncFailure) as raised:
        loop(sleeps, max_attempts=3).run(attempt, auth)
    # Then the refresh came without a wait and is not numbered: three attempts after it, each 503
    assert refreshed == [(1, 0.0)]
    assert len(calls) == 4
    assert len(sleeps) == 2
    assert raised.value.reason.endswith("(gave up after 3 attempts)")


def test_a_tolerated_auth_failure_waits_and_is_numbered_without_counting_against_the_attempts() -> None:
    # Given a vendor answering 401 twice (tolerated twice, with backoff), then 503s
    sleeps: list[float] = []
    tolerated: list[int] = []
    auth = AuthRetry[SyncFailure](
        applies=lambda failure: failure.http_status == 401,
        limit=2,
        prepare=lambda _failure, retries, _delay: tolerated.append(retries),
        backoff=True,
    )
    attempt, calls = scripted(unauthorized(), unauthorized(), transient())
    # When a call runs
    with pytest.raises(SyncFailure) as raised:
        loop(sleeps, max_attempts=3).run(attempt, auth)
    # Then both 401s were waited for, and the 503s still had their three attempts
    assert tolerated == [1, 2]
    assert len(calls) == 5
    assert len(sleeps) == 4
    assert raised.value.reason.endswith("(gave up after 5 attempts)")


def test_a_tolerated_auth_failure_without_time_to_wait_fails_as_transient() -> None:
    # Given an invocation whose time is nearly spent
    clock = FakeClock()
    budget = TimeBudget(clock)
    budget.start(0.9)
    sleeps: list[float] = []
    auth = AuthRetry[SyncFailure](
        applies=lambda failure: failure.http_status == 401, limit=2, prepare=lambda *_: None, backoff=True
    )
    attempt, calls = scripted(unauthorized())
    # When a call is answered 401
    with pytest.raises(SyncFailure) as raised:
        loop(sleeps, budget=budget).run(attempt, auth)
    # Then it is not yet known to be a credentials problem: transient, retried by the queue
    assert raised.value.kind is FailureKind.TRANSIENT
    assert "no time left in this invocation to try again" in raised.value.reason
    assert calls == [1]
    assert sleeps == []


def test_at_least_one_attempt_a_call() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetrySettings(0)


def test_a_zuora_call_is_not_sent_once_the_invocations_time_is_spent() -> None:
    # Given a Zuora client whose invocation has half a second left for calls
    clock = FakeClock()
    budget = TimeBudget(clock)
    budget.start(0.5)
    sleeps: list[float] = []
    client = ZuoraClient("https://rest.test.zuora.com", "client-id", "secret", sleep=sleeps.append, budget=budget)
    # When a query runs
    with responses.RequestsMock() as api, pytest.raises(ZuoraError) as raised:
        list(client.query("select Id from Account"))
    # Then nothing was sent and the call fails as transient, for the queue to retry
    assert len(api.calls) == 0
    assert raised.value.code == TIME_BUDGET
    assert raised.value.kind is FailureKind.TRANSIENT
    assert sleeps == []

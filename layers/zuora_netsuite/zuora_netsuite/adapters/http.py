"""Shared HTTP plumbing for the Zuora and NetSuite clients: session, the one retry loop, backoff, rate-limit headers.

Retry design (one loop, :class:`RetryLoop`, used by both clients through small per-vendor parts):

- The session's adapter is mounted with ``urllib3.util.Retry(total=0)``: urllib3 itself never retries. Every
  retry decision is taken by :class:`RetryLoop`, because both vendors signal "try again" inside bodies too
  (Zuora: HTTP 200 with ``success: false`` and a lock-contention code; NetSuite: ``RCRD_HAS_BEEN_CHANGED``),
  because the sleep must be injectable (fast unit tests), and because retries are counted. Two retry layers
  would multiply attempts.
- A vendor gives the loop one attempt (send the request, read the answer the vendor's way: the value, or a
  :class:`Rejection` carrying the failure and the answer's headers) and, optionally, an :class:`AuthRetry`
  (what to do with an authentication failure: Zuora fetches a new token, NetSuite tolerates a few 401s).
- What is retryable is decided in :mod:`zuora_netsuite.failures` (a failure's kind), never here.
- The wait before a retry is the server's word when it gives one (``Retry-After``, seconds or an HTTP date,
  parsed by urllib3; or ``RateLimit-Reset`` when ``RateLimit-Remaining`` is 0), else exponential backoff
  with full jitter, capped. A server asking for a wait longer than ``max_server_wait`` is not waited for in a
  Lambda: the call fails as transient and the queue retries it later. Neither is a wait that does not fit in
  the invocation's :class:`TimeBudget`.

Why hand-written rather than tenacity or urllib3's Retry: the decisions depend on the body (read by each
vendor's client), on the invocation's time budget and on per-vendor authentication handling, and every wait
and retry is counted in the clients' stats; expressed as a library's stop/wait/retry callbacks it would be the
same code plus a dependency in the Lambda layer.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader
from urllib3.util import Retry

from zuora_netsuite.failures import FailureKind, SyncFailure
from zuora_netsuite.ports import MIN_CALL_SECONDS

USER_AGENT = "zuora-netsuite-connector/0.1 (+python-requests)"

Sleep = Callable[[float], None]
TIME_BUDGET = "TIME_BUDGET"  # the code of a call not sent because the invocation's time is nearly up


class TimeBudget:
    """The time an invocation may still spend on vendor calls, shared by the clients of one Lambda container.

    The sync handler starts it from the Lambda context's remaining time, keeping `reserve` seconds for the end of
    the batch (flushing the write-backs, answering the batch item failures); the flush then releases the reserve.
    While a budget runs, every request's timeout is cut to the time left, a retry wait that does not fit fails the
    call as transient, and no request starts with less than MIN_CALL_SECONDS left. Not started (the dispatcher,
    the CLI): unbounded, only the clients' own timeouts and attempts apply."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._deadline: float | None = None
        self._reserve = 0.0

    def start(self, seconds_left: float, *, reserve: float = 0.0) -> None:
        self._deadline = self._clock() + seconds_left
        self._reserve = reserve

    def release_reserve(self) -> None:
        self._reserve = 0.0

    def stop(self) -> None:
        self._deadline = None
        self._reserve = 0.0

    def remaining(self) -> float | None:
        """Seconds left for calls (the reserve excluded), or None when no budget runs."""
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - self._reserve - self._clock())

    def allows_wait(self, seconds: float) -> bool:
        """Whether a wait of `seconds` still leaves time for the call after it."""
        left = self.remaining()
        return left is None or seconds + MIN_CALL_SECONDS <= left


# What requests takes from the environment (trust_env): proxies, and CA bundles (read once in build_session)
PROXY_SETTINGS = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
)
ENVIRONMENT_SETTINGS = (*PROXY_SETTINGS, "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def build_session(*, pool_maxsize: int = 10) -> requests.Session:
    """A keep-alive session whose transport never retries on its own (the clients' loops do)."""
    session = requests.Session()
    adapter = HTTPAdapter(
        pool_connections=2,
        pool_maxsize=pool_maxsize,
        max_retries=Retry(total=0, connect=0, read=0, redirect=0, status=0, other=0, raise_on_status=False),
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    # requests reads proxy and CA-bundle variables from the environment on every request (a scan of os.environ,
    # ~1 ms of CPU a request). With no proxy variable set, the session does not look: a CA bundle named by
    # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE is read here once, as requests would per request. With a proxy variable
    # set, requests resolves it per request as before (NO_PROXY depends on the URL).
    session.trust_env = any(name in os.environ for name in PROXY_SETTINGS)
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle and not session.trust_env:
        session.verify = bundle
    return session


def timeouts(timeout: float) -> tuple[float, float]:
    """(connect, read) timeouts: a short connect timeout fails fast on an unreachable host."""
    return (min(timeout, 10.0), timeout)


_RETRY_AFTER_PARSER = Retry(total=0)


def server_requested_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asked us to wait, from ``Retry-After`` or the ``RateLimit-*`` headers; else None."""
    retry_after = headers.get("Retry-After")
    if retry_after:
        try:
            return max(0.0, float(_RETRY_AFTER_PARSER.parse_retry_after(retry_after.strip())))
        except (InvalidHeader, ValueError, TypeError):
            pass
    remaining = headers.get("RateLimit-Remaining")
    reset = headers.get("RateLimit-Reset")
    if remaining is not None and reset is not None and remaining.strip() == "0":
        try:
            return max(0.0, float(reset.strip()))
        except ValueError:
            return None
    return None


@dataclass
class Backoff:
    """Exponential backoff with full jitter: attempt n waits uniform(0, min(cap, base * 2**(n-1)))."""

    base: float = 0.5
    cap: float = 20.0
    max_server_wait: float = 60.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        ceiling = min(self.cap, self.base * (2 ** max(0, attempt - 1)))
        return self.rng.uniform(0.0, ceiling)

    def wait_for(self, attempt: int, headers: Mapping[str, str] | None) -> float | None:
        """The wait before the next try, or None when the server asks for longer than we are willing to wait."""
        requested = server_requested_wait(headers) if headers is not None else None
        if requested is None:
            return self.delay(attempt)
        if requested > self.max_server_wait:
            return None
        return requested


def body_excerpt(response: requests.Response, limit: int = 200) -> str:
    """The start of a non-JSON body, on one line, for an error reason."""
    text = " ".join((response.text or "").split())
    return text[:limit] + ("..." if len(text) > limit else "")


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        as_float = float(value)
        if not value.is_finite() or Decimal(repr(as_float)) != value.normalize():
            raise ValueError(f"amount {value} cannot be sent as an exact JSON number")
        return as_float
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_bytes(payload: object) -> bytes:
    """UTF-8 JSON; Decimal amounts become JSON numbers (exactly, else ValueError), dates ISO 8601."""
    return json.dumps(payload, default=_json_default, ensure_ascii=False, separators=(",", ":")).encode()


FailureT = TypeVar("FailureT", bound=SyncFailure)


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    error: type[FailureT],
    service: str,
    what: str,
    base_url: str,
    timeout: float,
    budget: TimeBudget | None = None,
    **kwargs: Any,
) -> requests.Response | FailureT:
    """One HTTP request: the response (whatever its status), or the transient failure a timeout or an
    unreachable service is (`error` is the service's SyncFailure subclass, `service` its name in reasons).
    With a running `budget`, the timeout is cut to the time left, and nothing is sent when too little is left."""
    left = budget.remaining() if budget is not None else None
    if left is not None:
        if left < MIN_CALL_SECONDS:
            return error(
                f"{service} {what} not sent: this invocation's time is nearly up; retried by the queue",
                code=TIME_BUDGET,
                kind=FailureKind.TRANSIENT,
            )
        timeout = min(timeout, left)
    try:
        return session.request(method, url, timeout=timeouts(timeout), **kwargs)
    except requests.Timeout:
        return error(f"{service} {what} timed out after {timeout:g}s", code="TIMEOUT", kind=FailureKind.TRANSIENT)
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
        return error(
            f"{service} {what} failed: could not reach {base_url} ({type(exc).__name__})",
            code="CONNECTION",
            kind=FailureKind.TRANSIENT,
        )


ValueT = TypeVar("ValueT")


@dataclass(frozen=True)
class RetrySettings:
    """How a client retries a call: attempts per call, the waits between them, the invocation's time budget."""

    max_attempts: int
    sleep: Sleep = time.sleep
    backoff: Backoff = field(default_factory=Backoff)
    budget: TimeBudget | None = None

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def fits(self, delay: float) -> bool:
        """Whether a wait of `delay` seconds (and a call after it) fits in the time budget, if one runs."""
        return self.budget is None or self.budget.allows_wait(delay)


@dataclass(frozen=True)
class Rejection(Generic[FailureT]):
    """An attempt that gave no value: its failure, and the answer's headers when an answer came (Retry-After)."""

    failure: FailureT
    headers: Mapping[str, str] | None = None


@dataclass(frozen=True)
class AuthRetry(Generic[FailureT]):
    """What a vendor does when a call fails to authenticate.

    `applies` picks the failures concerned, at most `limit` of them a call. Before each retry `prepare(failure,
    retries so far, delay)` runs (drop a cached token, count, log). With `backoff`, the loop first waits the
    backoff of the next attempt (within the time budget, else the call fails as transient) and the retry is
    numbered among the attempts without counting against max_attempts (NetSuite's 401 during bursts); without,
    the request is sent again at once as the same attempt (Zuora, with a fresh token)."""

    applies: Callable[[FailureT], bool]
    limit: int
    prepare: Callable[[FailureT, int, float], None]
    backoff: bool


class RetryCounter(Protocol):
    """A client's stats, as far as the loop counts in them: the waits before another attempt."""

    retries: int


@dataclass
class _CallProgress:
    attempt: int = 0  # numbered attempts: the backoff's exponent and the count in the final reason
    uncounted: int = 0  # numbered attempts that do not count against max_attempts (tolerated auth failures)
    auth_retries: int = 0


def final_failure(failure: FailureT, attempts: int, note: str | None = None) -> FailureT:
    """The failure that ends a call: after more than one attempt (or with a note), its reason says why it ended."""
    if attempts <= 1 and note is None:
        return failure
    extra = f" ({note})" if note else f" (gave up after {attempts} attempts)"
    return type(failure)(
        failure.reason + extra,
        code=failure.code,
        kind=failure.kind,
        path=failure.path,
        http_status=failure.http_status,
    )


class RetryLoop(Generic[FailureT]):
    """The one retry loop of the vendor clients: runs a call's attempt until it gives a value, or raises the
    failure that ends the call (permanent, out of attempts, a server wait too long, no time left to wait).
    Each wait before another attempt is logged on the client's logger and counted in its stats' `retries`."""

    def __init__(self, service: str, settings: RetrySettings, stats: RetryCounter, log: logging.Logger) -> None:
        self.service = service
        self.settings = settings
        self._stats = stats
        self._log = log

    def run(
        self, attempt: Callable[[], ValueT | Rejection[FailureT]], auth: AuthRetry[FailureT] | None = None
    ) -> ValueT:
        progress = _CallProgress()
        while True:
            progress.attempt += 1
            outcome = attempt()
            if not isinstance(outcome, Rejection):
                return outcome
            self._before_next_attempt(outcome, progress, auth)

    def pause(self, delay: float) -> None:
        """Wait `delay` seconds before another attempt, counted as a retry."""
        self._stats.retries += 1
        self.settings.sleep(delay)

    def _before_next_attempt(
        self, rejection: Rejection[FailureT], progress: _CallProgress, auth: AuthRetry[FailureT] | None
    ) -> None:
        """Return when another attempt follows (after its wait); raise the failure that ends the call otherwise."""
        failure = rejection.failure
        if failure.code == TIME_BUDGET:
            raise failure
        if auth is not None and progress.auth_retries < auth.limit and auth.applies(failure):
            self._retry_authentication(failure, progress, auth)
            return
        max_attempts = self.settings.max_attempts
        if not failure.is_transient or progress.attempt - progress.uncounted >= max_attempts:
            raise final_failure(failure, progress.attempt)
        delay = self.settings.backoff.wait_for(progress.attempt, rejection.headers)
        if delay is None:
            note = f"{self.service} asked to wait longer than this call may"
            raise final_failure(failure, progress.attempt, note=note)
        if not self.settings.fits(delay):
            note = f"no time left in this invocation to wait {delay:.1f}s"
            raise final_failure(failure, progress.attempt, note=note)
        self._log.warning(
            "%s (attempt %d of %d); retrying in %.2fs", failure.reason, progress.attempt, max_attempts, delay
        )
        self.pause(delay)

    def _retry_authentication(self, failure: FailureT, progress: _CallProgress, auth: AuthRetry[FailureT]) -> None:
        progress.auth_retries += 1
        if not auth.backoff:
            auth.prepare(failure, progress.auth_retries, 0.0)
            progress.attempt -= 1
            return
        delay = self.settings.backoff.delay(progress.attempt + 1)
        auth.prepare(failure, progress.auth_retries, delay)
        if not self.settings.fits(delay):  # not known to be a credentials problem yet: retried later
            raise type(failure)(
                failure.reason + " (no time left in this invocation to try again)",
                code=failure.code,
                kind=FailureKind.TRANSIENT,
                http_status=failure.http_status,
            )
        progress.uncounted += 1
        self.settings.sleep(delay)

"""Shared HTTP plumbing for the Zuora and NetSuite clients: session construction, backoff, rate-limit headers.

Retry design (one place, one loop per client):

- The session's adapter is mounted with ``urllib3.util.Retry(total=0)``: urllib3 itself never retries. Every
  retry decision is taken by the clients' explicit loops, because both vendors signal "try again" inside
  bodies too (Zuora: HTTP 200 with ``success: false`` and a lock-contention code; NetSuite:
  ``RCRD_HAS_BEEN_CHANGED``), because the sleep must be injectable (fast unit tests), and because retries
  are counted. Two retry layers would multiply attempts.
- What is retryable is decided in :mod:`zuora_netsuite.failures`, never here.
- The wait before a retry is the server's word when it gives one (``Retry-After``, seconds or an HTTP date,
  parsed by urllib3; or ``RateLimit-Reset`` when ``RateLimit-Remaining`` is 0), else exponential backoff
  with full jitter, capped. A server asking for a wait longer than ``max_server_wait`` is not waited for in a
  Lambda: the call fails as transient and the queue retries it later.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader
from urllib3.util import Retry

from zuora_netsuite.failures import FailureKind, SyncFailure
from zuora_netsuite.ports import MIN_CALL_SECONDS

USER_AGENT = "zuora-netsuite-connector/0.1 (+python-requests)"

Sleep = Callable[[float], None]


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
                code="TIME_BUDGET",
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

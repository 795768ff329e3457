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

USER_AGENT = "zuora-netsuite-connector/0.1 (+python-requests)"

Sleep = Callable[[float], None]


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
    **kwargs: Any,
) -> requests.Response | FailureT:
    """One HTTP request: the response (whatever its status), or the transient failure a timeout or an
    unreachable service is (`error` is the service's SyncFailure subclass, `service` its name in reasons)."""
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

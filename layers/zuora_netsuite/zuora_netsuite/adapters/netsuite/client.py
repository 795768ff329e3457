"""NetSuite REST web services client: upsert by external id, read by external id, SuiteQL.

Implements :class:`zuora_netsuite.ports.NetSuiteApi`. Runs unchanged against NetSuite and against the local
simulator (same paths, bodies, auth and error formats; docs/contract-tests.md).

Auth: OAuth 1.0a token-based authentication signed by requests-oauthlib with HMAC-SHA256. The ``realm`` is
the account id as NetSuite spells it in the Authorization header: upper case, ``-`` replaced by ``_``
(``1234567-sb1`` -> ``1234567_SB1``). The host name uses the other spelling (lower case, ``-``); the
base URL is given whole, so this client never derives a host from the account id.

Retries (bounded by ``max_attempts`` per call; the loop and the backoff are :mod:`zuora_netsuite.adapters.http`'s,
this client says what an answer means and which 401s to tolerate): only what
:func:`zuora_netsuite.failures.netsuite_failure_kind` calls transient - 429 (its ``Retry-After`` honoured), 5xx,
timeouts, connection errors, ``RCRD_HAS_BEEN_CHANGED`` and the concurrency-limit codes, and the USER_ERROR
details REST uses for the same things ("Record has been changed", "locked by a user defined workflow"; Oracle
NetSuite help, "Error Handling in REST Web Services", section_156570709583). Writes are
``PUT .../eid:{externalId}``, the one idempotent NetSuite write: a retried PUT that NetSuite had already
committed updates the same record, never a duplicate. Permanent errors (400 USER_ERROR, INVALID_KEY_OR_REF, ...)
raise at once, with advice when the detail names the problem (an invalid reference).

401 ``INVALID_LOGIN``: NetSuite also answers some requests over the account's concurrency limit this way
(integrators report it; Oracle's "Web Services and RESTlet Concurrency Governance", section_1500275531, only
says "an error is thrown"), so a 401 is retried ``auth_retries`` times (default 2) with backoff before it is
final: a real credentials problem still ends permanent, with a reason saying what to check.

SuiteQL (Oracle, "Executing SuiteQL Queries Through REST Web Services", section_157909186990): pages of at most
1000 rows (``limit``/``offset``, the offset a multiple of the limit), at most 100,000 results a query. A query
that needs more than one page must have an ORDER BY (Oracle: without a unique sort order paging skips or
repeats rows); a result that reaches the cap is refused rather than silently truncated. Queries over tables
that can grow past the cap page by key instead: :mod:`zuora_netsuite.adapters.netsuite.suiteql`.

Secrets (consumer/token keys and secrets) never appear in logs, exception messages or ``repr``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal
from urllib.parse import quote, unquote, urlsplit

import requests
from requests_oauthlib import OAuth1

from zuora_netsuite.adapters.http import (
    AuthRetry,
    Backoff,
    Rejection,
    RetryLoop,
    RetrySettings,
    Sleep,
    TimeBudget,
    body_excerpt,
    build_session,
    json_bytes,
    send,
)
from zuora_netsuite.failures import (
    INVALID_LOGIN,
    FailureKind,
    NetSuiteError,
    netsuite_error_advice,
    netsuite_failure_kind,
)

logger = logging.getLogger(__name__)

# requests-oauthlib and oauthlib log the signed headers and the signature base string (consumer key and
# token id included) at DEBUG. Keep them quiet even when a function runs with LOG_LEVEL=DEBUG.
for _name in ("requests_oauthlib", "oauthlib"):
    logging.getLogger(_name).setLevel(max(logging.INFO, logging.getLogger(_name).level))

EXTERNAL_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
RECORD_TYPE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
SUITEQL_MAX_PAGE = 1000
SUITEQL_RESULT_CAP = 100_000  # results a SuiteQL query returns without SuiteAnalytics Connect
DEFAULT_AUTH_RETRIES = 2
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)

_Kind = Literal["write", "read", "suiteql"]


def netsuite_realm(account_id: str) -> str:
    """The OAuth realm NetSuite expects: the account id upper-cased, '-' -> '_' (sandbox: 1234567_SB1)."""
    realm = account_id.strip().upper().replace("-", "_")
    if not realm:
        raise ValueError("NetSuite account id is required")
    return realm


@dataclass
class NetSuiteStats:
    """Requests sent (every attempt counts), by kind, and what the retries were about."""

    requests: int = 0
    writes: int = 0
    reads: int = 0
    suiteql: int = 0
    retries: int = 0
    throttled_429: int = 0
    auth_retries: int = 0  # 401 INVALID_LOGIN answers retried (bursts over the concurrency limit)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class NetSuiteClient:
    """NetSuite REST client over one ``requests.Session`` signed with OAuth 1.0a TBA."""

    def __init__(
        self,
        base_url: str,
        account_id: str,
        consumer_key: str,
        consumer_secret: str,
        token_id: str,
        token_secret: str,
        *,
        session: requests.Session | None = None,
        timeout: float = 30.0,
        max_attempts: int = 4,
        sleep: Sleep = time.sleep,
        backoff: Backoff | None = None,
        budget: TimeBudget | None = None,
        suiteql_page_size: int = SUITEQL_MAX_PAGE,
        auth_retries: int = DEFAULT_AUTH_RETRIES,
        suiteql_result_cap: int = SUITEQL_RESULT_CAP,
    ) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise ValueError("NetSuite base_url must be an absolute http(s) URL ending in /services/rest")
        if not 1 <= suiteql_page_size <= SUITEQL_MAX_PAGE:
            raise ValueError(f"suiteql_page_size must be between 1 and {SUITEQL_MAX_PAGE}")
        if auth_retries < 0:
            raise ValueError("auth_retries must be 0 or more")
        self.base_url = base_url.rstrip("/")
        self.realm = netsuite_realm(account_id)
        self._auth = OAuth1(
            consumer_key,
            client_secret=consumer_secret,
            resource_owner_key=token_id,
            resource_owner_secret=token_secret,
            signature_method="HMAC-SHA256",
            realm=self.realm,
        )
        self._owns_session = session is None
        self._session = session if session is not None else build_session()
        self._timeout = timeout
        self._page_size = suiteql_page_size
        self._result_cap = suiteql_result_cap
        self.stats = NetSuiteStats()
        settings = RetrySettings(max_attempts, sleep, backoff if backoff is not None else Backoff(), budget)
        self._retry: RetryLoop[NetSuiteError] = RetryLoop("NetSuite", settings, self.stats, logger)
        # Over the concurrency limit NetSuite sometimes answers 401 INVALID_LOGIN: a few more tries tell a burst
        # from a credentials problem (which then ends permanent, with what to check).
        self._burst_401 = AuthRetry[NetSuiteError](
            applies=lambda failure: failure.code == INVALID_LOGIN and failure.http_status == 401,
            limit=auth_retries,
            prepare=self._note_burst_401,
            backoff=True,
        )

    def __repr__(self) -> str:
        return f"NetSuiteClient(base_url={self.base_url!r}, realm={self.realm!r})"

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    # --- NetSuiteApi ---------------------------------------------------------------------------

    def upsert(
        self, record_type: str, external_id: str, body: Mapping[str, Any], *, replace: Sequence[str] = ()
    ) -> str:
        """Create or update the record with this external id; returns its internal id.

        ``replace`` names sublists (``item``, ``apply``) whose lines the body replaces whole (``?replace=``).
        Without it NetSuite merges an update's sublist lines into the stored ones: non-keyed lines such as a
        transaction's items are appended, so a re-sent invoice would carry its lines twice (Oracle help,
        "Updating a Sublist" / "Replacing a Sublist",
        https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545297048.html)."""
        path = self._record_path(record_type, external_id)
        what = f"upsert of {record_type} eid:{external_id}"
        for name in replace:
            if not RECORD_TYPE_PATTERN.fullmatch(name or ""):
                raise NetSuiteError(
                    f"invalid NetSuite sublist name {name!r} to replace: letters, digits and '_' only",
                    code="INVALID_SUBLIST",
                    kind=FailureKind.PERMANENT,
                )
        params = {"replace": ",".join(replace)} if replace else None
        response = self._send("PUT", what, path, kind="write", params=params, json=dict(body))
        internal_id = _id_from_location(response.headers.get("Location"))
        if internal_id is None and response.content:
            answer = _json_or_none(response)
            if isinstance(answer, dict) and answer.get("id") is not None:
                internal_id = str(answer["id"])
        if internal_id is None:
            record = self.get_by_external_id(record_type, external_id)
            if record is not None and record.get("id") is not None:
                internal_id = str(record["id"])
        if internal_id is None:
            raise NetSuiteError(
                f"NetSuite accepted the {what} but neither its Location header nor a read-back gave an id",
                code="MISSING_ID",
                kind=FailureKind.TRANSIENT,
                http_status=response.status_code,
            )
        return internal_id

    def get_by_external_id(self, record_type: str, external_id: str) -> dict[str, Any] | None:
        """The record with this external id, or None when NetSuite answers 404."""
        path = self._record_path(record_type, external_id)
        what = f"read of {record_type} eid:{external_id}"
        response = self._send("GET", what, path, kind="read", not_found_ok=True)
        if response.status_code == 404:
            return None
        record = _json_or_none(response)
        if not isinstance(record, dict):
            raise NetSuiteError(
                f"NetSuite {what} answered HTTP {response.status_code} without a JSON record",
                code="INVALID_RESPONSE",
                kind=FailureKind.TRANSIENT,
                http_status=response.status_code,
            )
        return record

    def set_external_id(self, record_type: str, internal_id: str, external_id: str) -> None:
        """Give a record that exists without it the connector's external id: ``PATCH /record/v1/{type}/{id}``
        with ``{"externalId": ...}`` only (omitted fields stay as they are). Oracle NetSuite help, "Using External
        IDs" (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156334828635.html) and
        "Updating a Record Instance" (section_1545142173). An external id another record has is refused (400)."""
        if not internal_id.isdigit():
            raise NetSuiteError(
                f"invalid NetSuite internal id {internal_id!r}: digits only",
                code="INVALID_INTERNAL_ID",
                kind=FailureKind.PERMANENT,
            )
        self._record_path(record_type, external_id)  # validates both names
        what = f"setting external id {external_id} on {record_type} {internal_id}"
        self._send(
            "PATCH", what, f"/record/v1/{record_type}/{internal_id}", kind="write", json={"externalId": external_id}
        )

    def suiteql(self, query: str) -> Iterator[dict[str, Any]]:
        """Run a SuiteQL query; yields every row (without ``links``), paging with limit/offset on hasMore.

        Raises a permanent NetSuiteError rather than answer an incomplete result: when a query without ORDER BY
        needs a second page, and when the result reaches NetSuite's 100,000-row cap."""
        if not query or not query.strip():
            raise ValueError("empty SuiteQL query")
        ordered = _ORDER_BY.search(query) is not None
        offset = 0
        rows = 0
        while True:
            if offset > 0 and not ordered:
                raise NetSuiteError(
                    "NetSuite SuiteQL query has more than one page but no ORDER BY: offset paging without a unique "
                    f"sort order skips and repeats rows (Oracle NetSuite help section_158394344595). Query: {query}",
                    code="SUITEQL_UNORDERED",
                    kind=FailureKind.PERMANENT,
                )
            response = self._send(
                "POST",
                f"SuiteQL query (offset {offset})",
                "/query/v1/suiteql",
                kind="suiteql",
                params={"limit": self._page_size, "offset": offset},
                json={"q": query},
                headers={"Prefer": "transient"},
            )
            page = _json_or_none(response)
            items = page.get("items") if isinstance(page, dict) else None
            if not isinstance(page, dict) or not isinstance(items, list):
                raise NetSuiteError(
                    "NetSuite SuiteQL query gave an unexpected answer: no 'items' list",
                    code="INVALID_RESPONSE",
                    kind=FailureKind.TRANSIENT,
                    http_status=response.status_code,
                )
            for item in items:
                if isinstance(item, dict):
                    rows += 1
                    yield {key: value for key, value in item.items() if key != "links"}
            if rows >= self._result_cap:
                raise NetSuiteError(
                    f"NetSuite SuiteQL query reached the {self._result_cap}-result cap, so its result may be "
                    "incomplete: page by key instead (WHERE id > <last id> ORDER BY id; "
                    f"zuora_netsuite.adapters.netsuite.suiteql.keyset_rows). Query: {query}",
                    code="SUITEQL_RESULT_CAP",
                    kind=FailureKind.PERMANENT,
                )
            if not page.get("hasMore") or not items:
                return
            offset += len(items)

    # --- plumbing ------------------------------------------------------------------------------

    def _record_path(self, record_type: str, external_id: str) -> str:
        if not RECORD_TYPE_PATTERN.fullmatch(record_type or ""):
            raise NetSuiteError(
                f"invalid NetSuite record type {record_type!r}: letters, digits and '_' only",
                code="INVALID_RECORD_TYPE",
                kind=FailureKind.PERMANENT,
            )
        if not EXTERNAL_ID_PATTERN.fullmatch(external_id or ""):
            raise NetSuiteError(
                f"invalid NetSuite external id {external_id!r}: letters, digits, '_' and '-' only",
                code="INVALID_EXTERNAL_ID",
                kind=FailureKind.PERMANENT,
            )
        return f"/record/v1/{record_type}/eid:{quote(external_id, safe='_-')}"

    def _send(
        self,
        method: str,
        what: str,
        path: str,
        *,
        kind: _Kind,
        params: Mapping[str, int | str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        not_found_ok: bool = False,
    ) -> requests.Response:
        url = self.base_url + path
        request_headers = {"Accept": "application/json", **(headers or {})}
        data: bytes | None = None
        if json is not None:
            try:
                data = json_bytes(json)
            except (TypeError, ValueError) as exc:
                raise NetSuiteError(
                    f"NetSuite {what} not sent: the body cannot be encoded as JSON ({exc})",
                    code="INVALID_BODY",
                    kind=FailureKind.PERMANENT,
                ) from None
            request_headers["Content-Type"] = "application/json"

        def attempt() -> requests.Response | Rejection[NetSuiteError]:
            self._count_request(kind)
            outcome = send(
                self._session,
                method,
                url,
                error=NetSuiteError,
                service="NetSuite",
                what=what,
                base_url=self.base_url,
                timeout=self._timeout,
                budget=self._retry.settings.budget,
                params=params,
                data=data,
                headers=request_headers,
                auth=self._auth,
            )
            if isinstance(outcome, NetSuiteError):
                return Rejection(outcome)
            return self._read_answer(what, outcome, not_found_ok=not_found_ok)

        return self._retry.run(attempt, self._burst_401)

    def _count_request(self, kind: _Kind) -> None:
        self.stats.requests += 1
        if kind == "write":
            self.stats.writes += 1
        elif kind == "read":
            self.stats.reads += 1
        else:
            self.stats.suiteql += 1

    def _read_answer(
        self, what: str, response: requests.Response, *, not_found_ok: bool
    ) -> requests.Response | Rejection[NetSuiteError]:
        status = response.status_code
        if 200 <= status < 300 or (not_found_ok and status == 404):
            return response
        if status == 429:
            self.stats.throttled_429 += 1
        return Rejection(_error_from_response(what, response), response.headers)

    def _note_burst_401(self, failure: NetSuiteError, retries: int, delay: float) -> None:
        self.stats.auth_retries += 1
        logger.warning(
            "%s (401 %d of %d tolerated: NetSuite answers so over its concurrency cap too); retrying in %.2fs",
            failure.reason,
            retries,
            self._burst_401.limit,
            delay,
        )


def _error_from_response(what: str, response: requests.Response) -> NetSuiteError:
    """NetSuite's error JSON (type/title/status/o:errorDetails) -> NetSuiteError with code, path and kind."""
    status = response.status_code
    body = _json_or_none(response)
    code: str | None = None
    path: str | None = None
    messages: list[str] = []
    texts: list[str] = []  # NetSuite's details as sent, for the classification
    if isinstance(body, dict):
        details = body.get("o:errorDetails")
        if isinstance(details, list):
            for detail in details:
                if not isinstance(detail, dict):
                    continue
                detail_code = _text(detail.get("o:errorCode"))
                detail_path = _text(detail.get("o:errorPath"))
                text = _text(detail.get("detail")) or detail_code or "no detail"
                texts.append(text)
                messages.append(f"{text} (at {detail_path})" if detail_path else text)
                code = code or detail_code
                path = path or detail_path
        if not messages and _text(body.get("title")):
            messages.append(str(body["title"]).strip())
    elif response.content:
        messages.append(f"non-JSON answer: {body_excerpt(response)}")
    message = "; ".join(dict.fromkeys(messages)) or "empty answer"
    reason = f"NetSuite {what} failed (HTTP {status}{', ' + code if code else ''}): {message}"
    detail_text = " ".join(texts)
    kind = netsuite_failure_kind(status, code, detail_text)
    advice = netsuite_error_advice(status, code, detail_text, path) if kind is FailureKind.PERMANENT else None
    if advice:
        reason += f" -> {advice}"
    code = code or f"HTTP_{status}"
    operation_id = response.headers.get("X-N-OperationId")
    if operation_id:
        reason += f" [X-N-OperationId {operation_id}]"
    return NetSuiteError(reason, code=code, path=path, http_status=status, kind=kind)


def _id_from_location(location: str | None) -> str | None:
    """The internal id at the end of a Location header (".../record/v1/customer/123" -> "123")."""
    if not location:
        return None
    last = unquote(urlsplit(location).path.rstrip("/").rpartition("/")[2])
    if not last or last.startswith("eid:"):
        return None
    return last


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None

"""Zuora REST client: OAuth 2.0 client credentials, ZOQL query/queryMore and the Actions update call.

Implements :class:`zuora_netsuite.ports.ZuoraApi`. Runs unchanged against Zuora and against the local
simulator (same paths, bodies, auth and error formats; docs/contract-tests.md).

Retries (bounded by ``max_attempts`` per call; the loop and the backoff are :mod:`zuora_netsuite.adapters.http`'s,
this client says what an answer means and how to re-authenticate):

- HTTP 429, 408, 5xx, timeouts and connection errors;
- Zuora's retryable codes, wherever they come: HTTP 200 with ``success: false`` and ``reasons[{code}]``,
  4xx bodies with ``Errors[{Code}]``, ``faultcode`` or ``reasons`` (decided by
  :func:`zuora_netsuite.failures.zuora_code_is_retryable`: lock contention, temporary, concurrency);
- a 401 on an API call: the cached token is dropped, a new one fetched, and the call retried once;
- objects of an update answered ``Success: false`` with only retryable codes (e.g. LOCK_COMPETITION)
  are sent again on their own; the others keep their first answer.

Re-sending is safe: query/queryMore only read, and an update sets the same values again.
Secrets (client secret, bearer token) never appear in logs, exception messages or ``repr``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests

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
from zuora_netsuite.failures import FailureKind, ZuoraError, zuora_code_is_retryable, zuora_failure_kind
from zuora_netsuite.models.zuora import ZuoraUpdateResult

logger = logging.getLogger(__name__)

_CallKind = Literal["token", "query", "query_more", "update", "get"]

# Invoice Settlement objects: action/update does not cover them; each has its own REST resource.
MEMO_RESOURCES = frozenset({"credit-memos", "debit-memos"})

OBJECT_QUERY_PAGE_SIZE = 99
"""Object Query answers at most 99 records a page (400 above)."""
V1_PAGE_SIZE = 40
"""Paged v1 lists (items, parts) answer at most 40 rows a page."""

UPDATE_CHUNK_SIZE = 50
"""Zuora's Actions update accepts at most 50 objects (of one type) a call, and the bulk memo PUT at most 50 memos."""

WSDL_VERSION = "79"
"""The WSDL version pinned on every Actions call (query, queryMore, update) with ``X-Zuora-WSDL-Version``.

"The default WSDL version for Actions is 79. To query objects or fields according to a different WSDL version, set
the X-Zuora-WSDL-Version header" (https://developer.zuora.com/v1-api-reference/api/operation/Action_POSTquery/).
Fields added in later versions are invisible to a call pinned to an older one
(https://docs.zuora.com/zuora-platform/integration/apis/soap-api/zuora-soap-api-version-history): pinning keeps
what the connector reads and writes the same when Zuora moves the default. Every standard field the connector uses
exists in version 79; custom fields (__NS, __c) do not depend on the version.
"""


@dataclass
class ZuoraStats:
    """Requests sent, by kind (every attempt counts), and what the retries were about."""

    token: int = 0
    query: int = 0
    query_more: int = 0
    update: int = 0
    get: int = 0  # REST resources and Object Query (Invoice Settlement)
    retries: int = 0  # waits before another attempt (whole calls and re-sent update objects)
    throttled: int = 0  # HTTP 429 answers
    token_refreshes: int = 0  # tokens dropped because an API call answered 401

    @property
    def requests(self) -> int:
        return self.token + self.query + self.query_more + self.update + self.get

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "requests": self.requests}


class ZuoraClient:
    """Zuora API client (thread-safe token cache; one ``requests.Session``)."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        session: requests.Session | None = None,
        timeout: float = 30.0,
        max_attempts: int = 5,
        sleep: Sleep = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        backoff: Backoff | None = None,
        budget: TimeBudget | None = None,
    ) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise ValueError("Zuora base_url must be an absolute http(s) URL, e.g. https://rest.zuora.com")
        self.base_url = base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._owns_session = session is None
        self._session = session if session is not None else build_session()
        self._timeout = timeout
        self._clock = clock
        self._token: str | None = None
        self._token_expires_at = 0.0
        self._token_lock = threading.RLock()
        self.stats = ZuoraStats()
        settings = RetrySettings(max_attempts, sleep, backoff if backoff is not None else Backoff(), budget)
        self._retry: RetryLoop[ZuoraError] = RetryLoop("Zuora", settings, self.stats, logger)
        # A 401 on an API call: the token expired or was revoked early; fetch a new one and send the call once more.
        self._reauthorize = AuthRetry[ZuoraError](
            applies=lambda failure: failure.http_status == 401, limit=1, prepare=self._refresh_token, backoff=False
        )

    def __repr__(self) -> str:
        return f"ZuoraClient(base_url={self.base_url!r})"

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    # --- ZuoraApi ------------------------------------------------------------------------------

    def query(self, zoql: str) -> Iterator[dict[str, Any]]:
        """Run a ZOQL query and yield every record, following ``queryLocator`` until ``done``."""
        if not zoql or not zoql.strip():
            raise ValueError("empty ZOQL query")
        page = self._call("query", "ZOQL query", "/v1/action/query", json={"queryString": zoql})
        while True:
            if not isinstance(page, dict):
                raise self._invalid_response("ZOQL query", "the answer is not a JSON object")
            records = page.get("records") or []
            if not isinstance(records, list):
                raise self._invalid_response("ZOQL query", "'records' is not a list")
            yield from records
            locator = page.get("queryLocator")
            done = page.get("done")
            if done is True or (done is None and not locator):
                return
            if not locator:
                raise self._invalid_response("ZOQL query", "'done' is false but there is no 'queryLocator'")
            page = self._call("query_more", "ZOQL queryMore", "/v1/action/queryMore", json={"queryLocator": locator})

    def update_memo(self, resource: str, memo_id: str, fields: Mapping[str, Any]) -> None:
        """PUT /v1/{credit-memos|debit-memos}/{id}: custom fields and transferredToAccounting of one memo."""
        if resource not in MEMO_RESOURCES:
            raise ValueError(f"unknown memo resource {resource!r}; expected one of {sorted(MEMO_RESOURCES)}")
        if not memo_id or not memo_id.replace("-", "").replace("_", "").isalnum():
            raise ValueError("memo_id must be a Zuora id (letters, digits, - and _)")
        what = f"update of {resource[:-1]} {memo_id}"
        self._call("update", what, f"/v1/{resource}/{memo_id}", json=dict(fields), method="PUT")

    def update_memos(self, resource: str, memos: Sequence[Mapping[str, Any]]) -> list[ZuoraUpdateResult]:
        """PUT /v1/{credit-memos|debit-memos}/bulk ("Update credit memos" / "Update debit memos"): `{"memos": [{"id",
        field: value...}]}`, at most 50 memos a request, each updated in its own transaction; one result per memo,
        in order. A memo answered with only retryable reasons (lock contention) is sent again on its own, as in
        `update`. https://developer.zuora.com/v1-api-reference/api/operation/PUT_UpdateCreditMemos/"""
        if resource not in MEMO_RESOURCES:
            raise ValueError(f"unknown memo resource {resource!r}; expected one of {sorted(MEMO_RESOURCES)}")
        for memo in memos:
            memo_id = str(memo.get("id") or "")
            if not memo_id.replace("-", "").replace("_", "").isalnum():
                raise ValueError("every memo needs its Zuora id in 'id' (letters, digits, - and _)")
        results: list[ZuoraUpdateResult] = []
        for chunk in _memo_chunks(memos):
            results.extend(self._with_resends(resource, chunk, lambda part: self._update_memos_call(resource, part)))
        return results

    def update(self, object_type: str, objects: Sequence[Mapping[str, Any]]) -> list[ZuoraUpdateResult]:
        """Update objects of one type in calls of at most 50; one result per object, in order."""
        if not object_type:
            raise ValueError("object_type is required")
        results: list[ZuoraUpdateResult] = []
        for start in range(0, len(objects), UPDATE_CHUNK_SIZE):
            chunk = [dict(obj) for obj in objects[start : start + UPDATE_CHUNK_SIZE]]
            results.extend(self._with_resends(object_type, chunk, lambda part: self._update_call(object_type, part)))
        return results

    # --- Invoice Settlement: REST resources and Object Query --------------------------------------

    def rest_get(self, path: str, params: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
        """GET a v1 REST resource (e.g. /v1/credit-memos/{key}/parts); the JSON object answered.
        `success: false` and HTTP errors raise ZuoraError."""
        if not path.startswith("/") or "?" in path:
            raise ValueError("path must be absolute (start with /) and carry no query string; pass params")
        target = path + (f"?{urlencode(list(params))}" if params else "")
        body = self._call("get", f"GET {path}", target, method="GET")
        if not isinstance(body, dict):
            raise self._invalid_response(f"GET {path}", "the answer is not a JSON object")
        return body

    def rest_get_pages(self, path: str, key: str, page_size: int = V1_PAGE_SIZE) -> Iterator[dict[str, Any]]:
        """Every row of a paged v1 list (`key`: 'items', 'parts'), following `nextPage` until it is absent."""
        page = self.rest_get(path, [("pageSize", str(page_size))])
        while True:
            rows = page.get(key) or []
            if not isinstance(rows, list):
                raise self._invalid_response(f"GET {path}", f"'{key}' is not a list")
            yield from rows
            next_page = page.get("nextPage")
            if not next_page:
                return
            parsed = urlsplit(str(next_page))  # a URL (absolute, or a path) with page and pageSize
            page = self.rest_get(parsed.path, parse_qsl(parsed.query))

    def object_query(
        self,
        resource: str,
        *,
        filters: Sequence[str] = (),
        fields: Sequence[str] = (),
        expand: Sequence[str] = (),
        sort: str | None = None,
        page_size: int = OBJECT_QUERY_PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """GET /object-query/{resource} with `filter[]` (ANDed, e.g. 'status.EQ:Posted'), `fields[]`, `expand[]`
        and `sort[]`; yields every record, following `nextPage` with `cursor`.
        https://developer.zuora.com/docs/guides/expand-filter-fields-sort/"""
        if not resource.replace("-", "").isalpha():
            raise ValueError(f"unknown Object Query resource {resource!r}")
        if not 1 <= page_size <= OBJECT_QUERY_PAGE_SIZE:
            raise ValueError(f"page_size must be from 1 to {OBJECT_QUERY_PAGE_SIZE}")
        params: list[tuple[str, str]] = [("pageSize", str(page_size))]
        params += [("filter[]", text) for text in filters]
        if fields:
            params.append(("fields[]", ",".join(fields)))
        params += [("expand[]", name) for name in expand]
        if sort:
            params.append(("sort[]", sort))
        cursor: str | None = None
        while True:
            page = self.rest_get(f"/object-query/{resource}", [*params, *([("cursor", cursor)] if cursor else [])])
            rows = page.get("data") or []
            if not isinstance(rows, list):
                raise self._invalid_response(f"Object Query {resource}", "'data' is not a list")
            yield from rows
            next_page = page.get("nextPage")
            if not next_page:
                return
            cursor = str(next_page)

    # --- update --------------------------------------------------------------------------------

    def _with_resends(
        self,
        object_type: str,
        chunk: list[dict[str, Any]],
        call: Callable[[list[dict[str, Any]]], list[ZuoraUpdateResult]],
    ) -> list[ZuoraUpdateResult]:
        """`call` on the chunk, then again on the objects answered with only retryable errors (bounded)."""
        results = call(chunk)
        settings = self._retry.settings
        attempt = 1
        while attempt < settings.max_attempts:
            pending = [i for i, result in enumerate(results) if _only_retryable_errors(result)]
            if not pending:
                break
            delay = settings.backoff.delay(attempt)
            if not settings.fits(delay):
                break  # the objects keep their retryable errors: their messages are retried by the queue
            logger.warning(
                "Zuora update %s: %d of %d objects hit a retryable error; re-sending them in %.2fs",
                object_type,
                len(pending),
                len(chunk),
                delay,
            )
            self._retry.pause(delay)
            attempt += 1
            again = call([chunk[i] for i in pending])
            for index, result in zip(pending, again, strict=True):
                results[index] = result
        return results

    def _update_call(self, object_type: str, chunk: list[dict[str, Any]]) -> list[ZuoraUpdateResult]:
        what = f"update of {len(chunk)} {object_type} object(s)"
        answer = self._call("update", what, "/v1/action/update", json={"type": object_type, "objects": chunk})
        if not isinstance(answer, list) or len(answer) != len(chunk):
            got = f"{len(answer)} results" if isinstance(answer, list) else "no result list"
            raise self._invalid_response(what, f"expected {len(chunk)} results, got {got}")
        try:
            return [ZuoraUpdateResult.model_validate(item) for item in answer]
        except ValueError as exc:
            raise self._invalid_response(what, f"a result is malformed ({type(exc).__name__})") from None

    def _update_memos_call(self, resource: str, chunk: list[dict[str, Any]]) -> list[ZuoraUpdateResult]:
        """One bulk PUT; each memo's result found by `objectIndex` (failures) or `id`, never by position alone. A memo
        the answer does not name gets a failure (its write-back is retried)."""
        what = f"bulk update of {len(chunk)} {resource}"
        answer = self._call("update", what, f"/v1/{resource}/bulk", json={"memos": chunk}, method="PUT")
        rows = answer.get("memos") if isinstance(answer, dict) else None
        if not isinstance(rows, list):
            raise self._invalid_response(what, "'memos' is not a list")
        index_of = {str(memo["id"]): index for index, memo in enumerate(chunk)}
        results: list[ZuoraUpdateResult | None] = [None] * len(chunk)
        for row in (row for row in rows if isinstance(row, dict)):
            position = row.get("objectIndex")
            index = position if isinstance(position, int) and 0 <= position < len(chunk) else None
            if index is None:
                index = index_of.get(str(row.get("id")))
            if index is None:
                continue
            memo_id = str(chunk[index]["id"])
            if row.get("success") is True:
                results[index] = ZuoraUpdateResult.model_validate({"Id": memo_id, "Success": True})
                continue
            reasons = [r for r in row.get("reasons") or [] if isinstance(r, dict)]
            errors: list[dict[str, str | int | None]] = [
                {"Code": _text(r.get("code")), "Message": _text(r.get("message"))} for r in reasons
            ]
            failure = {"Id": memo_id, "Success": False, "Errors": errors or [_NO_REASON]}
            results[index] = ZuoraUpdateResult.model_validate(failure)
        return [
            result
            or ZuoraUpdateResult.model_validate({"Id": str(memo["id"]), "Success": False, "Errors": [_NOT_ANSWERED]})
            for memo, result in zip(chunk, results, strict=True)
        ]

    # --- auth ----------------------------------------------------------------------------------

    def _bearer(self) -> str:
        with self._token_lock:
            if self._token is None or self._clock() >= self._token_expires_at:
                self._token = None
                body = self._call(
                    "token",
                    "OAuth token request",
                    "/oauth/token",
                    data={
                        "client_id": self._client_id,
                        "client_secret": self._client_secret,
                        "grant_type": "client_credentials",
                    },
                    authorized=False,
                )
                token = body.get("access_token") if isinstance(body, dict) else None
                if not isinstance(token, str) or not token:
                    raise self._invalid_response("OAuth token request", "no access_token in the answer")
                expires_in = body.get("expires_in", 3600)
                lifetime = float(expires_in) if isinstance(expires_in, int | float | str | Decimal) else 3600.0
                # Renew a little early: 10% of the lifetime, at most a minute.
                self._token_expires_at = self._clock() + lifetime - min(60.0, lifetime * 0.1)
                self._token = token
            return self._token

    def _refresh_token(self, _failure: ZuoraError, _retries: int, _delay: float) -> None:
        """Before a call answered 401 is sent again: drop the cached token (the next attempt fetches a new one)."""
        self.stats.token_refreshes += 1
        with self._token_lock:
            self._token = None
            self._token_expires_at = 0.0

    # --- one call, with retries ----------------------------------------------------------------

    def _call(
        self,
        kind: _CallKind,
        what: str,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        authorized: bool = True,
        method: Literal["POST", "PUT", "GET"] = "POST",
    ) -> Any:
        url = self.base_url + path
        try:
            body_bytes = json_bytes(json) if json is not None else None
        except (TypeError, ValueError) as exc:
            raise ZuoraError(
                f"Zuora {what} not sent: the body cannot be encoded as JSON ({exc})", code="INVALID_BODY"
            ) from None

        def attempt() -> Any:
            headers = self._headers(path, json_body=body_bytes is not None, authorized=authorized)
            setattr(self.stats, kind, getattr(self.stats, kind) + 1)
            outcome = send(
                self._session,
                method,
                url,
                error=ZuoraError,
                service="Zuora",
                what=what,
                base_url=self.base_url,
                timeout=self._timeout,
                budget=self._retry.settings.budget,
                data=body_bytes if body_bytes is not None else data,
                headers=headers,
            )
            if isinstance(outcome, ZuoraError):
                return Rejection(outcome)
            return self._read_answer(what, outcome)

        return self._retry.run(attempt, self._reauthorize if authorized else None)

    def _headers(self, path: str, *, json_body: bool, authorized: bool) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if json_body:
            headers["Content-Type"] = "application/json"
        if authorized:
            headers["Authorization"] = f"Bearer {self._bearer()}"
        if path.startswith("/v1/action/"):
            headers["X-Zuora-WSDL-Version"] = WSDL_VERSION
        return headers

    def _read_answer(self, what: str, response: requests.Response) -> Any:
        """The decoded body, or the rejection (failure and headers) it describes."""
        if response.status_code == 429:
            self.stats.throttled += 1
        body, failure = self._evaluate(what, response)
        if failure is None:
            return body
        return Rejection(failure, response.headers)

    def _evaluate(self, what: str, response: requests.Response) -> tuple[Any, ZuoraError | None]:
        """The decoded body, or the failure it describes."""
        status = response.status_code
        try:
            body: Any = response.json(parse_float=Decimal)  # amounts stay exact: Decimal, never float
        except ValueError:
            body = None
        if 200 <= status < 300:
            if body is None:
                # A 2xx that is not JSON (a proxy or maintenance page): worth another try.
                reason = f"Zuora {what} answered HTTP {status} without JSON: {body_excerpt(response) or 'empty'}"
                return None, ZuoraError(self._redact(reason), code="INVALID_RESPONSE", kind=FailureKind.TRANSIENT)
            if isinstance(body, dict) and (body.get("success") is False or body.get("Success") is False):
                code, message = _error_code_and_message(body)
                return None, self._error(what, response, code, message)
            return body, None
        if body is None:
            return None, self._error(what, response, None, body_excerpt(response) or "empty body")
        code, message = _error_code_and_message(body)
        return None, self._error(what, response, code, message)

    def _error(self, what: str, response: requests.Response, code: str | None, message: str | None) -> ZuoraError:
        status = response.status_code
        parts = [f"Zuora {what} failed (HTTP {status}, {code})" if code else f"Zuora {what} failed (HTTP {status})"]
        code = code or f"HTTP_{status}"
        if message:
            parts.append(f": {message}")
        if status == 401:
            parts.append(" - check the Zuora OAuth client id/secret and the API user's permissions")
        request_id = response.headers.get("Zuora-Request-Id")
        if request_id:
            parts.append(f" [Zuora-Request-Id {request_id}]")
        return ZuoraError(
            self._redact("".join(parts)),
            code=code,
            http_status=status,
            kind=zuora_failure_kind(status, code),
        )

    def _invalid_response(self, what: str, problem: str) -> ZuoraError:
        return ZuoraError(f"Zuora {what} gave an unexpected answer: {problem}", code="INVALID_RESPONSE")

    def _redact(self, text: str) -> str:
        for secret in (self._client_secret, self._token):
            if secret and len(secret) >= 4:
                text = text.replace(secret, "***")
        return text


def _error_code_and_message(body: Any) -> tuple[str | None, str | None]:
    """Zuora's error formats -> (code, message). When several codes come, a non-retryable one wins."""
    pairs: list[tuple[str | None, str | None]] = []
    if isinstance(body, dict):
        for key, code_key, message_key in (("reasons", "code", "message"), ("Errors", "Code", "Message")):
            items = body.get(key)
            if isinstance(items, list):
                pairs += [
                    (_text(item.get(code_key)), _text(item.get(message_key)))
                    for item in items
                    if isinstance(item, dict)
                ]
        if not pairs and ("FaultCode" in body or "FaultMessage" in body):
            # Actions' call-level fault (FaultResponse), e.g. MALFORMED_QUERY, INVALID_FIELD.
            pairs.append((_text(body.get("FaultCode")), _text(body.get("FaultMessage"))))
        if not pairs and ("faultcode" in body or "faultstring" in body):
            pairs.append((_text(body.get("faultcode")), _text(body.get("faultstring"))))
        if not pairs and "error" in body:
            pairs.append((_text(body.get("error")), _text(body.get("error_description"))))
        if not pairs and "message" in body:
            pairs.append((None, _text(body.get("message"))))
    if not pairs:
        return None, None
    codes = [code for code, _ in pairs if code]
    permanent = [code for code in codes if not zuora_code_is_retryable(code)]
    code = permanent[0] if permanent else (codes[0] if codes else None)
    message = "; ".join(dict.fromkeys(message for _, message in pairs if message)) or None
    return code, message


_NO_REASON: dict[str, str | int | None] = {"Code": "UNKNOWN", "Message": "Zuora answered success false, no reason"}
_NOT_ANSWERED: dict[str, str | int | None] = {
    "Code": "INVALID_RESPONSE",
    "Message": "Zuora's answer to the bulk update did not name this memo",
}


def _memo_chunks(memos: Sequence[Mapping[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Requests of at most 50 memos, a memo at most once in each (a later update of it goes in the next one)."""
    chunk: list[dict[str, Any]] = []
    seen: set[str] = set()
    for memo in memos:
        memo_id = str(memo["id"])
        if len(chunk) >= UPDATE_CHUNK_SIZE or memo_id in seen:
            yield chunk
            chunk, seen = [], set()
        chunk.append(dict(memo))
        seen.add(memo_id)
    if chunk:
        yield chunk


def _only_retryable_errors(result: ZuoraUpdateResult) -> bool:
    if result.success or not result.errors:
        return False
    codes = [error.get("Code", error.get("code")) for error in result.errors]
    return all(zuora_code_is_retryable(code) for code in codes)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None

"""A NetSuite REST web services simulator for the embedded local sandbox.

A real HTTP server (werkzeug, loopback, ephemeral port) that speaks NetSuite's wire format, so the
connector's own ``requests`` + ``requests-oauthlib`` client runs unchanged against it and against
the real service::

    sim = NetSuiteSimulator("1234567_SB1", ck, cs, token_id, token_secret, reference_data=SAMPLE_REFERENCE_DATA)
    base_url = sim.start()          # "http://127.0.0.1:PORT/services/rest"
    ...
    sim.records("customer"); sim.stats; sim.stop()

Endpoints (all under ``/services/rest``, all signed with OAuth 1.0a TBA, HMAC-SHA256, realm = account):

* ``PUT    /record/v1/{type}/eid:{externalId}``  upsert -> 204, ``Location: <base>/record/v1/{type}/{id}``
* ``POST   /record/v1/{type}``                   create -> 204 + Location; used externalId -> 400 DUP_RCRD
* ``PATCH  /record/v1/{type}/{id|eid:..}``       partial update -> 204 + Location; unknown -> 404
* ``GET    /record/v1/{type}/{id|eid:..}``       200 record JSON (id, externalId, fields, links); 404
* ``DELETE /record/v1/{type}/{id|eid:..}``       204 (to rehearse "deleted by hand in NetSuite")
* ``GET    /record/v1/{type}?limit&offset``      200 collection of {id, links}
* ``POST   /query/v1/suiteql?limit&offset``      SuiteQL (see netsuite_suiteql); needs ``Prefer: transient``

Headers: every answer carries ``X-N-OperationId``; writes answer ``Location`` with the internal id;
``X-NetSuite-PropertyNameValidation: Warning|Ignore`` drops unknown fields instead of refusing them;
SuiteQL needs ``Prefer: transient``. Paging (Oracle "Collection Paging", section_156414087576, and
"Executing SuiteQL Queries Through REST Web Services", section_157909186990): ``limit`` 1..1000 (default
1000), ``offset`` >= 0 and a multiple of ``limit``; collections answer ``{links, count, hasMore, items, offset,
totalResults}``. A SuiteQL result stops at ``suiteql_max_results`` (100,000, as without SuiteAnalytics
Connect): the page that reaches it answers ``hasMore: false`` and ``totalResults`` is capped too; an offset at
or past it is refused (400 INVALID_PARAMETER). A SuiteQL query without ``ORDER BY`` answers its rows in an
order that changes from one request to the next (seeded, deterministic), so offset paging without ORDER BY
skips and repeats rows, as Oracle warns ("Using SuiteQL with SuiteTalk REST Web Services", section_158394344595).

Upsert semantics: PUT by eid on an existing record merges like PATCH (fields not sent are kept,
``null`` clears); on a new record all create rules apply (e.g. a customer's subsidiary is required),
so an upsert that may create must carry them.

Sublists (Oracle help "Updating a Sublist" section_1545295601, "Replacing a Sublist" section_1545297048):
on PATCH and on PUT of an existing record, keyed sublist lines (``apply``, keyed by ``doc``) that match a
stored line update it and all other request lines are added; non-keyed lines (a transaction's ``item``)
are always appended, so a re-sent invoice without ``?replace=item`` doubles its lines and its total.
``?replace=item,apply`` (comma-separated sublist names) makes the named sublists hold just the request's
lines. Apply lines name their document by internal id only (``"doc": {"id": "104"}``, as Oracle's
customer payment example does; ``{"externalId": ..}`` is refused).

Auto Apply (the accounting preference, on by default; ``auto_apply_preference`` knob): a customerPayment or
creditMemo write whose body does not say ``"autoApply": false`` gets its unapplied amount applied to the
customer's oldest open invoices (by ``tranDate``, then internal id), as added apply lines. Reads show what
is open: invoices ``amountPaid`` / ``amountRemaining``, payments and credit memos ``applied`` / ``unapplied``
(read-only, computed; SuiteQL ``transaction.foreignamountunpaid``), and SuiteQL ``transactionline`` has one
row per item line (``mainline = 'F'``) plus the header line (``mainline = 'T'``).
References are stored and read back resolved: ``{"id": "2", "refName": "Parent : Americas"}``.

Account configuration (``account=``, ``sim.account``; sandbox/netsuite_account.py): OneWorld item availability
(a line's item must be shared with the customer's subsidiary), tax codes per line, custom forms with mandatory
custom fields, auto-generated numbers per record type.

Customers and items (sandbox/netsuite_entities.py): the customer's ``addressBook`` (validated, ``country``
``{"id": ISO2}``, not keyed: appended unless ``?replace=addressBook``), ``terms`` -> the ``term`` list (NetSuite's
standard terms unless reference data gives them), a parent that is not the customer itself, unique Customer IDs
(``entityId``) and item names (``itemId``; knob ``unique_names``), SuiteQL ``item.subtype``.

Error answers (NetSuite's JSON: type, title, status, o:errorDetails[{detail, o:errorCode, o:errorPath}]):

=====  ===========================  ==========================================================
 401   INVALID_LOGIN                bad/unknown key or token, wrong realm or method, stale
                                    timestamp (> 5 min), reused nonce, bad signature; also a
                                    share (``over_cap_invalid_login_rate``) of over-cap requests
 400   USER_ERROR                   unknown field (path = field), missing required field, value
                                    too long, wrong JSON type, subsidiary change, item type
                                    change, body/URL externalId mismatch, rejected eid, closed
                                    period, missing ``Prefer: transient``; a reference to nothing
                                    ("Error while accessing a resource. Invalid Field Value 99 for
                                    the following field: subsidiary", path = the field); injected
                                    "Record has been changed" / "locked by a user defined workflow"
 400   RCRD_HAS_BEEN_CHANGED        injected (``fail_next_record_changed(code=...)``)
 400   DUP_RCRD                     POST/PATCH with an externalId another record uses
 400   INVALID_CONTENT              body is not a JSON object
 400   INVALID_PARAMETER            bad SuiteQL, bad limit/offset
 404   NONEXISTENT_ID               no such record; INVALID_RCRD_TYPE: unknown record type
 405   METHOD_NOT_ALLOWED           e.g. PUT by internal id (upsert needs ``eid:``)
 429   CONCURRENCY_LIMIT_EXCEEDED   more than ``concurrency_limit`` requests in flight
                                    (Oracle: "Web Services and RESTlet Concurrency Governance",
                                    section_1500275531)
 5xx   (injected)                   ``fail_next`` / ``error_rate``; default UNEXPECTED_ERROR
=====  ===========================  ==========================================================
"""

from __future__ import annotations

import copy
import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from sandbox.http_server import LoopbackServer
from sandbox.netsuite_account import AccountConfiguration, AccountRules
from sandbox.netsuite_auth import AuthFailure, TbaCredentials, TbaVerifier
from sandbox.netsuite_books import check_deposit, check_revenue_lines, record_action_refusal
from sandbox.netsuite_entities import STANDARD_TERMS, TERM_TABLE, check_family_rules, item_subtype
from sandbox.netsuite_errors import (
    DUP_RCRD,
    ERROR_CONTENT_TYPE,
    INVALID_CONTENT,
    INVALID_PARAMETER,
    INVALID_RCRD_TYPE,
    INVALID_URL,
    METHOD_NOT_ALLOWED,
    NONEXISTENT_ID,
    UNEXPECTED_ERROR,
    USER_ERROR,
    WORKFLOW_LOCKED_DETAIL,
    ErrorDetail,
    NetSuiteApiError,
    bad_request,
    concurrency_limit_exceeded,
    error_body,
    invalid_reference,
    record_changed,
    unauthorized,
)
from sandbox.netsuite_records import (
    CUSTOMER_TABLE,
    ITEM_TABLE,
    RECORD_RULES,
    REFERENCE_TABLES,
    TRANSACTION_TABLE,
    RecordRule,
    ref_name,
    validate_and_merge,
)
from sandbox.netsuite_suiteql import invalid_query, to_suiteql_value
from sandbox.netsuite_suiteql import parse as parse_suiteql

BASE_PATH = "/services/rest"
DEFAULT_PAGE_LIMIT = 1000
MAX_PAGE_LIMIT = 1000
SUITEQL_MAX_RESULTS = 100_000  # without SuiteAnalytics Connect (Oracle section_157909186990)
EXTERNAL_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
RECORD_CONTENT_TYPE = "application/vnd.oracle.resource+json; type=singular-resource; charset=utf-8"
COLLECTION_CONTENT_TYPE = "application/vnd.oracle.resource+json; type=collection; charset=utf-8"

# Hook for transaction writes: (record type, record as it would be stored) -> a refusal detail or None.
ClosedPeriodHook = Callable[[str, dict[str, Any]], str | None]

SAMPLE_REFERENCE_DATA: dict[str, list[dict[str, str]]] = {
    "subsidiary": [
        {"id": "1", "name": "Parent Company", "fullname": "Parent Company"},
        {"id": "2", "name": "Americas", "fullname": "Parent Company : Americas"},
        {"id": "3", "name": "EMEA", "fullname": "Parent Company : EMEA"},
    ],
    "department": [
        {"id": "1", "name": "Sales", "fullname": "Sales"},
        {"id": "2", "name": "East", "fullname": "Sales : East"},
    ],
    "classification": [{"id": "1", "name": "Subscriptions", "fullname": "Subscriptions"}],
    "location": [{"id": "1", "name": "HQ", "fullname": "HQ"}],
    "currency": [
        {"id": "1", "symbol": "USD", "name": "US Dollar"},
        {"id": "2", "symbol": "EUR", "name": "Euro"},
    ],
    "account": [
        {"id": "54", "acctnumber": "4000", "fullname": "Sales", "accttype": "Income"},
        {"id": "55", "acctnumber": "4100", "fullname": "Sales : Subscription Revenue", "accttype": "Income"},
        # Books (sandbox/netsuite_books.py): where payments are deposited and refunds paid from.
        {"id": "1", "acctnumber": "1000", "fullname": "Checking", "accttype": "Bank"},
        {"id": "2", "acctnumber": "1010", "fullname": "Checking EUR", "accttype": "Bank"},
        {"id": "3", "acctnumber": "1020", "fullname": "Stripe Clearing", "accttype": "Bank"},
        {"id": "4", "acctnumber": "1100", "fullname": "Undeposited Funds", "accttype": "OthCurrAsset"},
        {"id": "6", "acctnumber": "1200", "fullname": "Accounts Receivable", "accttype": "AcctRec"},
    ],
    "salestaxitem": [
        {"id": "7", "itemid": "S-GB", "name": "S-GB"},
        {"id": "8", "itemid": "Z-GB", "name": "Z-GB"},
    ],
    "paymentmethod": [
        {"id": "1", "name": "Cash"},
        {"id": "2", "name": "Check"},
        {"id": "5", "name": "VISA"},
        {"id": "6", "name": "Master Card"},
        {"id": "8", "name": "ACH"},
        {"id": "9", "name": "Wire Transfer"},
    ],
    "revrecschedule": [{"id": "3", "name": "Monthly, Even Periods"}],
    "revenuerecognitionrule": [{"id": "1", "name": "Ratably, Exact Days"}],
}


@dataclass(frozen=True)
class NetSuiteStats:
    """A snapshot of what the simulated account saw."""

    requests_total: int
    creates: dict[str, int]  # record type -> records created (POST, or PUT eid that created)
    updates: dict[str, int]  # record type -> records updated (PATCH, or PUT eid of an existing one)
    deletes: dict[str, int]
    reads: int  # GET of a record or a collection
    suiteql: int  # SuiteQL queries answered
    rejected_429: int
    errors_by_code: dict[str, int]  # every error answer, by o:errorCode (INVALID_LOGIN, ...)
    auth_failures: dict[str, int]  # why requests got 401 (what NetSuite's Login Audit Trail shows)
    peak_in_flight: int
    in_flight: int
    rejected_over_cap_401: int = 0  # over-cap requests answered 401 INVALID_LOGIN instead of 429

    def writes(self, record_type: str | None = None) -> int:
        """Creates + updates, of one record type or of all."""
        if record_type is not None:
            return self.creates.get(record_type, 0) + self.updates.get(record_type, 0)
        return sum(self.creates.values()) + sum(self.updates.values())


@dataclass
class _Counters:
    requests_total: int = 0
    creates: dict[str, int] = field(default_factory=dict)
    updates: dict[str, int] = field(default_factory=dict)
    deletes: dict[str, int] = field(default_factory=dict)
    reads: int = 0
    suiteql: int = 0
    rejected_429: int = 0
    rejected_over_cap_401: int = 0
    errors_by_code: dict[str, int] = field(default_factory=dict)
    auth_failures: dict[str, int] = field(default_factory=dict)
    peak_in_flight: int = 0


@dataclass
class _Stored:
    record_type: str
    internal_id: str
    external_id: str | None
    fields: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.internal_id}
        if self.external_id is not None:
            out["externalId"] = self.external_id
        out.update(copy.deepcopy(self.fields))
        return out


@dataclass(frozen=True)
class _InitialSettings:
    reference_data: dict[str, list[dict[str, Any]]]
    concurrency_limit: int
    latency_seconds: float
    seed: int
    error_rate: float
    error_status: int
    reject_external_ids: dict[str, str]
    closed_period: ClosedPeriodHook | None
    account: AccountConfiguration
    over_cap_invalid_login_rate: float
    suiteql_max_results: int
    auto_apply_preference: bool = True


@dataclass(frozen=True)
class _Fault:
    status: int
    code: str
    detail: str
    methods: frozenset[str] | None


class NetSuiteSimulator:
    """One simulated NetSuite account behind a loopback HTTP server. Thread-safe."""

    def __init__(
        self,
        account_id: str,
        consumer_key: str,
        consumer_secret: str,
        token_id: str,
        token_secret: str,
        *,
        reference_data: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
        concurrency_limit: int = 5,
        latency_seconds: float = 0.0,
        seed: int = 0,
        error_rate: float = 0.0,
        error_status: int = 500,
        reject_external_ids: Mapping[str, str] | None = None,
        closed_period: ClosedPeriodHook | None = None,
        account: AccountConfiguration | None = None,
        over_cap_invalid_login_rate: float = 0.0,
        suiteql_max_results: int = SUITEQL_MAX_RESULTS,
        auto_apply_preference: bool = True,
        unique_names: bool = True,
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
    ) -> None:
        if concurrency_limit < 1:
            raise ValueError("concurrency_limit must be at least 1")
        self.credentials = TbaCredentials(account_id, consumer_key, consumer_secret, token_id, token_secret)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server = LoopbackServer(self.wsgi_app, host=host)
        self._initial = _InitialSettings(
            reference_data={
                _table_name(table): [dict(row) for row in rows] for table, rows in (reference_data or {}).items()
            },
            concurrency_limit=concurrency_limit,
            latency_seconds=latency_seconds,
            seed=seed,
            error_rate=error_rate,
            error_status=error_status,
            reject_external_ids=dict(reject_external_ids or {}),
            closed_period=closed_period,
            account=(account or AccountConfiguration()).copy(),
            over_cap_invalid_login_rate=over_cap_invalid_login_rate,
            suiteql_max_results=suiteql_max_results,
            auto_apply_preference=auto_apply_preference,
        )
        self._clock = clock
        # Customer IDs unique among customers, item names among items (sandbox/netsuite_entities.py).
        self.unique_names = unique_names
        self._operations = 0
        self._in_flight = 0
        self.reset()

    def reset(self) -> None:
        """Back to the state right after construction: no records, zero stats, the constructor's knobs.

        Lets one running server serve many tests (stopping a server takes up to half a second).
        """
        initial = self._initial
        with self._lock:
            self._verifier = TbaVerifier(self.credentials, clock=self._clock)
            self._reference: dict[str, list[dict[str, str]]] = {table: [] for table in REFERENCE_TABLES}
            for table, rows in initial.reference_data.items():
                for row in rows:
                    self.add_reference_row(table, row)
            if not self._reference[TERM_TABLE]:  # a new account comes with NetSuite's standard terms
                for row in STANDARD_TERMS:
                    self.add_reference_row(TERM_TABLE, row)
            self._records: dict[str, dict[str, _Stored]] = {}
            self._by_eid: dict[str, dict[str, _Stored]] = {}  # family -> external id -> record
            self._by_id: dict[str, dict[str, _Stored]] = {}  # family -> internal id -> record
            self._next_id = 101
            self._counters = _Counters()
            self._concurrency_limit = initial.concurrency_limit
            self._latency = initial.latency_seconds
            self._rng = random.Random(initial.seed)
            self._error_rate = initial.error_rate
            self._error_status = initial.error_status
            self._faults: deque[_Fault] = deque()
            self._post_commit_delays: deque[float] = deque()
            self._reject_eids: dict[str, str] = dict(initial.reject_external_ids)
            self._closed_period = initial.closed_period
            self._account_rules = AccountRules(initial.account.copy())
            self._over_cap_invalid_login_rate = initial.over_cap_invalid_login_rate
            self._suiteql_max_results = initial.suiteql_max_results
            self._suiteql_requests = 0  # seeds the row order of SuiteQL queries without ORDER BY
            self._auto_apply = initial.auto_apply_preference

    # ------------------------------------------------------------------ lifecycle

    @property
    def account_id(self) -> str:
        return self.credentials.account_id

    def start(self) -> str:
        """Serve on loopback; returns the REST root, e.g. ``http://127.0.0.1:PORT/services/rest``."""
        self._stopping.clear()
        return self._server.start() + BASE_PATH

    def stop(self) -> None:
        """Stop serving; requests sleeping on latency or an injected timeout are woken up."""
        self._stopping.set()
        self._server.stop()

    @property
    def base_url(self) -> str:
        return self._server.base_url + BASE_PATH

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ knobs

    @property
    def concurrency_limit(self) -> int:
        return self._concurrency_limit

    @concurrency_limit.setter
    def concurrency_limit(self, value: int) -> None:
        if value < 1:
            raise ValueError("concurrency_limit must be at least 1")
        with self._lock:
            self._concurrency_limit = value

    @property
    def latency_seconds(self) -> float:
        return self._latency

    @latency_seconds.setter
    def latency_seconds(self, value: float) -> None:
        with self._lock:
            self._latency = value

    @property
    def error_rate(self) -> float:
        return self._error_rate

    @error_rate.setter
    def error_rate(self, value: float) -> None:
        with self._lock:
            self._error_rate = value

    def fail_next(
        self,
        n: int,
        status: int = 503,
        code: str = UNEXPECTED_ERROR,
        detail: str | None = None,
        *,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Answer the next ``n`` authenticated requests (of ``methods``, default any) with this error.

        Nothing is committed for them.
        """
        fault = _Fault(
            status,
            code,
            detail or f"An unexpected error occurred (injected {status} {code}).",
            frozenset(m.upper() for m in methods) if methods is not None else None,
        )
        with self._lock:
            self._faults.extend([fault] * n)

    def fail_next_record_changed(self, n: int, *, code: str = USER_ERROR) -> None:
        """The next ``n`` writes fail with 400 "Record has been changed" (code USER_ERROR, as REST usually
        answers it, or ``RCRD_HAS_BEEN_CHANGED``): someone saved the record in the meantime. Nothing is
        committed; a retry succeeds. (Not reproducible on demand on a real account.)"""
        fault = record_changed(code)
        self.fail_next(n, 400, fault.code, fault.detail, methods=("PUT", "PATCH", "POST"))

    def fail_next_workflow_locked(self, n: int) -> None:
        """The next ``n`` writes fail with 400 USER_ERROR "This record has been locked by a user defined
        workflow". Nothing is committed; a retry succeeds once the workflow has moved on."""
        self.fail_next(n, 400, USER_ERROR, WORKFLOW_LOCKED_DETAIL, methods=("PUT", "PATCH", "POST"))

    @property
    def over_cap_invalid_login_rate(self) -> float:
        """The share of over-cap requests answered 401 INVALID_LOGIN instead of 429 (integrators report such
        bursts; the request's credentials are fine and a later retry succeeds)."""
        return self._over_cap_invalid_login_rate

    @over_cap_invalid_login_rate.setter
    def over_cap_invalid_login_rate(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError("over_cap_invalid_login_rate must be between 0 and 1")
        with self._lock:
            self._over_cap_invalid_login_rate = value

    @property
    def suiteql_max_results(self) -> int:
        return self._suiteql_max_results

    @suiteql_max_results.setter
    def suiteql_max_results(self, value: int) -> None:
        if value < 1:
            raise ValueError("suiteql_max_results must be at least 1")
        with self._lock:
            self._suiteql_max_results = value

    def timeout_after_commit(self, n: int, delay_seconds: float) -> None:
        """The next ``n`` successful writes commit, then wait ``delay_seconds`` before answering.

        With a delay longer than the client's read timeout the client sees a timeout although the
        record exists: retrying a PUT by external id updates it, retrying a POST duplicates it.
        The request keeps its concurrency slot while it waits, as a slow request does in NetSuite.
        """
        with self._lock:
            self._post_commit_delays.extend([delay_seconds] * n)

    def reject_external_id(self, external_id: str, detail: str) -> None:
        """Writes of this external id fail permanently: 400 USER_ERROR with ``detail``."""
        with self._lock:
            self._reject_eids[external_id] = detail

    @property
    def auto_apply_preference(self) -> bool:
        """The account's Auto Apply preference for customer payments and credit memos (on by default)."""
        return self._auto_apply

    @auto_apply_preference.setter
    def auto_apply_preference(self, value: bool) -> None:
        with self._lock:
            self._auto_apply = value

    def set_closed_period_hook(self, hook: ClosedPeriodHook | None) -> None:
        """Transaction writes for which ``hook(type, record)`` returns a detail fail with 400 USER_ERROR."""
        with self._lock:
            self._closed_period = hook

    @property
    def account(self) -> AccountConfiguration:
        """The account configuration (sandbox/netsuite_account.py): OneWorld item availability, tax codes,
        custom forms, auto-numbering. Its knobs can be changed while the simulator runs."""
        return self._account_rules.config

    @account.setter
    def account(self, config: AccountConfiguration) -> None:
        with self._lock:
            self._account_rules.config = config

    # ------------------------------------------------------------------ inspection

    @property
    def stats(self) -> NetSuiteStats:
        with self._lock:
            c = self._counters
            return NetSuiteStats(
                requests_total=c.requests_total,
                creates=dict(c.creates),
                updates=dict(c.updates),
                deletes=dict(c.deletes),
                reads=c.reads,
                suiteql=c.suiteql,
                rejected_429=c.rejected_429,
                rejected_over_cap_401=c.rejected_over_cap_401,
                errors_by_code=dict(c.errors_by_code),
                auth_failures=dict(c.auth_failures),
                peak_in_flight=c.peak_in_flight,
                in_flight=self._in_flight,
            )

    def reset_stats(self) -> None:
        with self._lock:
            self._counters = _Counters()

    def records(self, record_type: str) -> list[dict[str, Any]]:
        """All records of a type, in creation order: ``{"id", "externalId", ...fields}``."""
        with self._lock:
            return [self._with_balances(r) for r in self._records.get(record_type, {}).values()]

    def get(self, record_type: str, internal_id: str) -> dict[str, Any] | None:
        with self._lock:
            stored = self._records.get(record_type, {}).get(str(internal_id))
            return self._with_balances(stored) if stored is not None else None

    def get_by_external_id(self, record_type: str, external_id: str) -> dict[str, Any] | None:
        with self._lock:
            stored = self._by_eid.get(self._family(record_type), {}).get(external_id)
            if stored is None or stored.record_type != record_type:
                return None
            return self._with_balances(stored)

    def reference_rows(self, table: str) -> list[dict[str, str]]:
        with self._lock:
            return copy.deepcopy(self._reference.get(_table_name(table), []))

    # ------------------------------------------------------------------ direct setup (no HTTP)

    def add_reference_row(self, table: str, row: Mapping[str, Any]) -> None:
        """Add a subsidiary/department/classification/location/currency/account/salestaxitem/term row."""
        name = _table_name(table)
        if name not in REFERENCE_TABLES:
            raise ValueError(f"unknown reference table {table!r}; expected one of {REFERENCE_TABLES}")
        if "id" not in row:
            raise ValueError("a reference row needs an 'id'")
        with self._lock:
            self._reference.setdefault(name, []).append({str(k): str(v) for k, v in row.items()})

    def seed_record(self, record_type: str, body: Mapping[str, Any], external_id: str | None = None) -> str:
        """Create a record as if someone had entered it in NetSuite (validated); returns its id."""
        payload = dict(body)
        if external_id is not None:
            payload["externalId"] = external_id
        with self._lock:
            stored, _ = self._write(record_type, None, payload, mode="create", strict=True)
            return stored.internal_id

    def delete_record(self, record_type: str, internal_id: str) -> bool:
        """Delete by hand (NetSuite UI). Returns False when there was no such record."""
        with self._lock:
            stored = self._records.get(record_type, {}).get(str(internal_id))
            if stored is None:
                return False
            self._remove(stored)
            return True

    # ------------------------------------------------------------------ WSGI

    def wsgi_app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        response = self._serve(request)
        with self._lock:
            self._operations += 1
            response.headers["X-N-OperationId"] = f"sim-{self._operations:08d}"
        return response(environ, start_response)

    def _serve(self, request: Request) -> Response:
        with self._lock:
            self._counters.requests_total += 1
            rejection: NetSuiteApiError | None = None
            if self._in_flight >= self._concurrency_limit:
                if self._over_cap_invalid_login_rate > 0 and self._rng.random() < self._over_cap_invalid_login_rate:
                    self._counters.rejected_over_cap_401 += 1
                    rejection = unauthorized()
                else:
                    self._counters.rejected_429 += 1
                    rejection = concurrency_limit_exceeded(self._concurrency_limit)
                admitted = False
            else:
                self._in_flight += 1
                self._counters.peak_in_flight = max(self._counters.peak_in_flight, self._in_flight)
                admitted = True
        if not admitted:
            assert rejection is not None
            return self._error_response(rejection)
        try:
            delay = 0.0
            try:
                self._authenticate(request)
                self._pause(self._latency)
                self._maybe_inject_fault(request.method)
                response, delay = self._route(request)
            except NetSuiteApiError as exc:
                response = self._error_response(exc)
            if delay > 0:
                self._pause(delay)
            return response
        finally:
            with self._lock:
                self._in_flight -= 1

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def _authenticate(self, request: Request) -> None:
        environ = request.environ
        raw_path = environ.get("REQUEST_URI") or environ.get("RAW_URI")
        if not raw_path:
            raw_path = quote(environ.get("PATH_INFO", "/"), safe="/:@!$&'()*+,;=-._~")
            if environ.get("QUERY_STRING"):
                raw_path += "?" + environ["QUERY_STRING"]
        host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        uri = f"{environ.get('wsgi.url_scheme', 'http')}://{host}{raw_path}"
        try:
            self._verifier.verify(
                uri=uri,
                method=request.method,
                headers=dict(request.headers.items()),
                body=request.get_data(cache=True, as_text=True),
            )
        except AuthFailure as failure:
            with self._lock:
                reasons = self._counters.auth_failures
                reasons[failure.reason] = reasons.get(failure.reason, 0) + 1
            raise unauthorized() from failure

    def _maybe_inject_fault(self, method: str) -> None:
        with self._lock:
            fault = None
            for candidate in self._faults:
                if candidate.methods is None or method.upper() in candidate.methods:
                    fault = candidate
                    break
            if fault is not None:
                self._faults.remove(fault)
                raise NetSuiteApiError(fault.status, fault.code, fault.detail)
            if self._error_rate > 0 and self._rng.random() < self._error_rate:
                raise NetSuiteApiError(
                    self._error_status,
                    UNEXPECTED_ERROR,
                    "An unexpected error occurred. Error ID: simulated-" + str(self._rng.randrange(10**9)),
                )

    def _error_response(self, exc: NetSuiteApiError) -> Response:
        with self._lock:
            codes = self._counters.errors_by_code
            codes[exc.code] = codes.get(exc.code, 0) + 1
        return _json_response(exc.body(), exc.status, ERROR_CONTENT_TYPE)

    # ------------------------------------------------------------------ routing

    def _route(self, request: Request) -> tuple[Response, float]:
        path = request.path
        if not path.startswith(BASE_PATH + "/"):
            raise NetSuiteApiError(404, INVALID_URL, f"The requested URL {path} was not found.")
        parts = path[len(BASE_PATH) + 1 :].split("/")
        method = request.method.upper()
        root = _request_root(request)
        if parts[:2] == ["query", "v1"] and parts[2:] == ["suiteql"]:
            if method != "POST":
                raise _method_not_allowed(method)
            return self._suiteql(request, root), 0.0
        if parts[:2] == ["record", "v1"] and len(parts) == 5 and parts[4].startswith("!") and method == "POST":
            rule = self._rule(parts[2])
            with self._lock:
                self._find(rule, _parse_key(parts[3]))
            raise record_action_refusal(rule.record_type, parts[4][1:])
        if parts[:2] != ["record", "v1"] or len(parts) not in (3, 4) or not parts[2]:
            raise NetSuiteApiError(404, INVALID_URL, f"The requested URL {path} was not found.")
        record_type = parts[2]
        rule = self._rule(record_type)
        if len(parts) == 3:
            if method == "POST":
                return self._write_response(request, root, rule, None, "create")
            if method == "GET":
                return self._list(request, root, rule), 0.0
            raise _method_not_allowed(method)
        key = _parse_key(parts[3])
        if method == "GET":
            with self._lock:
                stored = self._find(rule, key)
                self._counters.reads += 1
                return _json_response(self._record_json(root, stored), 200, RECORD_CONTENT_TYPE), 0.0
        if method == "PUT":
            if key[0] != "eid":
                raise NetSuiteApiError(
                    405,
                    METHOD_NOT_ALLOWED,
                    "PUT (upsert) is only supported with an external ID: /record/v1/{type}/eid:{externalId}.",
                )
            return self._write_response(request, root, rule, key, "upsert")
        if method == "PATCH":
            return self._write_response(request, root, rule, key, "update")
        if method == "DELETE":
            with self._lock:
                stored = self._find(rule, key)
                self._remove(stored)
                _bump(self._counters.deletes, rule.record_type)
                delay = self._take_post_commit_delay()
            return Response(status=204), delay
        raise _method_not_allowed(method)

    def _rule(self, record_type: str) -> RecordRule:
        rule = RECORD_RULES.get(record_type)
        if rule is None:
            raise NetSuiteApiError(
                404, INVALID_RCRD_TYPE, f"Record type '{record_type}' does not exist or is not supported."
            )
        return rule

    def _write_response(
        self, request: Request, root: str, rule: RecordRule, key: tuple[str, str] | None, mode: str
    ) -> tuple[Response, float]:
        body = _json_body(request)
        validation = (request.headers.get("X-NetSuite-PropertyNameValidation") or "Error").strip().lower()
        replace = frozenset(name.strip() for name in request.args.get("replace", "").split(",") if name.strip())
        with self._lock:
            stored, created = self._write(
                rule.record_type, key, body, mode=mode, strict=validation == "error", replace=replace
            )
            _bump(self._counters.creates if created else self._counters.updates, rule.record_type)
            delay = self._take_post_commit_delay()
        response = Response(status=204)
        response.headers["Location"] = f"{root}/record/v1/{rule.record_type}/{stored.internal_id}"
        return response, delay

    def _take_post_commit_delay(self) -> float:
        return self._post_commit_delays.popleft() if self._post_commit_delays else 0.0

    # ------------------------------------------------------------------ records

    def _family(self, record_type: str) -> str:
        rule = RECORD_RULES.get(record_type)
        return rule.family if rule is not None else record_type

    def _find(self, rule: RecordRule, key: tuple[str, str]) -> _Stored:
        kind, value = key
        if kind == "eid":
            stored = self._by_eid.get(rule.family, {}).get(value)
        else:
            stored = self._records.get(rule.record_type, {}).get(value)
        if stored is None or stored.record_type != rule.record_type:
            shown = f"eid:{value}" if kind == "eid" else value
            raise NetSuiteApiError(
                404,
                NONEXISTENT_ID,
                f"The record instance does not exist. Provide a valid record instance ID. ({rule.record_type} {shown})",
            )
        return stored

    def _write(
        self,
        record_type: str,
        key: tuple[str, str] | None,
        body: Any,
        *,
        mode: str,
        strict: bool,
        replace: frozenset[str] = frozenset(),
    ) -> tuple[_Stored, bool]:
        """Validate and commit one write (caller holds the lock). Returns (record, created)."""
        rule = self._rule(record_type)
        if not isinstance(body, dict):
            raise bad_request(INVALID_CONTENT, "The request body must be a JSON object.")
        body_eid = body.get("externalId")
        if body_eid is not None and not isinstance(body_eid, str):
            raise bad_request(USER_ERROR, "Invalid value for the field 'externalId': expected a string.", "externalId")
        family_eids = self._by_eid.setdefault(rule.family, {})

        existing: _Stored | None
        if mode == "create":
            existing, eid = None, body_eid
            if eid is not None and eid in family_eids:
                raise _duplicate_eid(eid)
        elif mode == "upsert":
            assert key is not None
            eid = key[1]
            if body_eid is not None and body_eid != eid:
                raise bad_request(
                    USER_ERROR,
                    f"The externalId in the body ({body_eid}) differs from the one in the URL ({eid}).",
                    "externalId",
                )
            existing = family_eids.get(eid)
            if existing is not None and existing.record_type != record_type:
                raise bad_request(
                    USER_ERROR,
                    f"The external ID {eid} is already used by a {existing.record_type} record "
                    f"(internal ID {existing.internal_id}); it cannot be saved as a {record_type}.",
                    "externalId",
                )
        else:
            assert key is not None
            existing = self._find(rule, key)
            eid = existing.external_id if body_eid is None else body_eid
            if eid is not None and eid != existing.external_id and eid in family_eids:
                raise _duplicate_eid(eid)

        if eid is not None:
            if not EXTERNAL_ID_PATTERN.match(eid):
                raise bad_request(
                    USER_ERROR,
                    f"Invalid external ID '{eid}': use letters, digits, '_' and '-' only.",
                    "externalId",
                )
            if eid in self._reject_eids:
                raise bad_request(USER_ERROR, self._reject_eids[eid])

        existing_fields = existing.fields if existing is not None else None
        computed = _COMPUTED_FIELDS if rule.family == TRANSACTION_TABLE else frozenset()
        fields_in, account_fields = self._account_rules.prepare(
            record_type, {k: v for k, v in body.items() if k != "externalId" and k not in computed}, existing_fields
        )
        merged = validate_and_merge(
            rule, fields_in, existing_fields, self._resolve, strict_property_names=strict, replace=replace
        )
        merged.update(account_fields)
        self._account_rules.check(record_type, merged, existing_fields, self._fields_of, self._subsidiary_names())
        check_revenue_lines(
            record_type, merged, lambda item_id: self._fields_of(ITEM_TABLE, item_id), self._account_rules.config
        )
        check_deposit(
            record_type, merged, {row["id"]: row for row in self._reference["account"]}, self._account_rules.config
        )
        check_family_rules(
            record_type,
            rule.family,
            merged,
            existing.internal_id if existing is not None else None,
            self._by_id.get(rule.family, {}).values(),
            unique_names=self.unique_names,
        )
        if rule.family == TRANSACTION_TABLE and self._closed_period is not None:
            refusal = self._closed_period(record_type, {"externalId": eid, **copy.deepcopy(merged)})
            if refusal:
                raise bad_request(USER_ERROR, refusal)
        if rule.family == TRANSACTION_TABLE:
            own_id = existing.internal_id if existing is not None else None
            merged["total"] = self._check_transaction(record_type, merged, own_id)
            if record_type in _AUTO_APPLY_TYPES and self._auto_apply and body.get("autoApply") is not False:
                self._auto_apply_to_oldest_invoices(record_type, merged, own_id)

        if existing is None:
            stored = _Stored(record_type, str(self._next_id), eid, merged)
            self._next_id += 1
            self._records.setdefault(record_type, {})[stored.internal_id] = stored
            self._by_id.setdefault(rule.family, {})[stored.internal_id] = stored
            if eid is not None:
                family_eids[eid] = stored
            return stored, True
        if existing.external_id != eid:
            if existing.external_id is not None:
                family_eids.pop(existing.external_id, None)
            if eid is not None:
                family_eids[eid] = existing
            existing.external_id = eid
        existing.fields = merged
        return existing, False

    # ------------------------------------------------------------------ transactions

    def _check_transaction(self, record_type: str, merged: dict[str, Any], own_id: str | None) -> float:
        """Item lines, currencies and applied amounts, as NetSuite checks them; returns the total NetSuite
        computes (read-only `total`). Applied amounts may never exceed a document's open balance."""
        party_field = "entity" if record_type in ("invoice", "creditMemo") else "customer"
        party = self._by_id.get(CUSTOMER_TABLE, {}).get(str(merged[party_field]["id"]))
        currency = _ref_id(merged.get("currency"))
        if party is not None and currency is not None:
            party_currency = _ref_id(party.fields.get("currency"))
            if party_currency is not None and party_currency != currency:
                raise bad_request(
                    USER_ERROR,
                    f"The currency {merged['currency'].get('refName', currency)} is not one of the currencies of "
                    f"customer {ref_name(RECORD_RULES['customer'], party.to_json())}.",
                    "currency",
                )
        if record_type in ("invoice", "creditMemo"):
            lines = (merged.get("item") or {}).get("items") or []
            if not lines:
                raise bad_request(USER_ERROR, "You must enter at least one line item for this transaction.", "item")
            for index, line in enumerate(lines):
                if not line.get("item"):
                    raise bad_request(USER_ERROR, "Please enter value(s) for: Item.", f"item.items[{index}].item")
                _number(line.get("amount"), f"item.items[{index}].amount")
            total = sum((_decimal(line["amount"]) for line in lines), Decimal(0))
        elif record_type == "customerPayment":
            total = _number(merged.get("payment"), "payment")
            if total <= 0:
                raise bad_request(USER_ERROR, "The payment amount must be greater than zero.", "payment")
        else:
            applies = (merged.get("apply") or {}).get("items") or []
            total = sum((_decimal(line.get("amount")) for line in applies if line.get("apply", True)), Decimal(0))
        applied = Decimal(0)
        # A refund pays back a payment's unapplied part or a credit memo's (the UI's "credit memos and unapplied
        # payments", Oracle help article_0830082954); payments and credit memos apply to invoices.
        doc_types = ("customerPayment", "creditMemo") if record_type == "customerRefund" else ("invoice",)
        for index, line in enumerate((merged.get("apply") or {}).get("items") or []):
            if line.get("apply", True) is False:
                continue
            path = f"apply.items[{index}]"
            amount = _number(line.get("amount"), f"{path}.amount")
            doc = self._by_id.get(TRANSACTION_TABLE, {}).get(str((line.get("doc") or {}).get("id")))
            if doc is None or doc.record_type not in doc_types:
                shown = (line.get("doc") or {}).get("id")
                raise invalid_reference(shown, f"doc ({' or '.join(doc_types)})", f"{path}.doc")
            doc_party = doc.fields.get("customer" if doc.record_type == "customerPayment" else "entity") or {}
            if party is not None and _ref_id(doc_party) != party.internal_id:
                raise bad_request(USER_ERROR, "You can only apply documents of the same customer.", f"{path}.doc")
            if currency is not None and _ref_id(doc.fields.get("currency")) not in (None, currency):
                raise bad_request(USER_ERROR, "You can only apply documents in the same currency.", f"{path}.doc")
            if amount <= 0:
                raise bad_request(USER_ERROR, "The applied amount must be greater than zero.", f"{path}.amount")
            open_balance = self._open_balance(doc, own_id)
            if amount > open_balance:
                raise bad_request(
                    USER_ERROR,
                    f"The amount applied to {doc.fields.get('tranId') or doc.internal_id} ({amount}) is more than "
                    f"its open balance ({open_balance}).",
                    f"{path}.amount",
                )
            applied += amount
        if record_type in _AUTO_APPLY_TYPES and own_id is not None:
            applied += self._refunded(own_id)  # what refunds already took of this payment or credit memo
        if applied > total:
            raise bad_request(
                USER_ERROR, f"The total applied ({applied}) is more than the transaction total ({total}).", "apply"
            )
        return float(total)

    def _auto_apply_to_oldest_invoices(self, record_type: str, merged: dict[str, Any], own_id: str | None) -> None:
        """NetSuite's Auto Apply: what the payment or credit memo leaves unapplied goes to the customer's oldest
        open invoices in its currency (by tranDate, then internal id), as added apply lines."""
        lines = (merged.get("apply") or {}).get("items") or []
        applied = sum((_decimal(line.get("amount")) for line in lines if line.get("apply", True)), Decimal(0))
        remaining = _decimal(merged["total"]) - applied - (self._refunded(own_id) if own_id is not None else 0)
        party_id = _ref_id(merged.get("entity" if record_type == "creditMemo" else "customer"))
        currency = _ref_id(merged.get("currency"))
        taken = {_ref_id(line.get("doc")) for line in lines}
        invoices = sorted(
            (
                doc
                for doc in self._records.get("invoice", {}).values()
                if _ref_id(doc.fields.get("entity")) == party_id
                and doc.internal_id not in taken
                and (currency is None or _ref_id(doc.fields.get("currency")) in (None, currency))
            ),
            key=lambda doc: (str(doc.fields.get("tranDate") or ""), int(doc.internal_id)),
        )
        added: list[dict[str, Any]] = []
        for doc in invoices:
            if remaining <= 0:
                break
            amount = min(remaining, self._open_balance(doc, own_id))
            if amount <= 0:
                continue
            refname = ref_name(RECORD_RULES[doc.record_type], doc.to_json())
            added.append({"doc": {"id": doc.internal_id, "refName": refname}, "apply": True, "amount": float(amount)})
            remaining -= amount
        if added:
            merged["apply"] = {"items": [*lines, *added]}

    def _with_balances(self, stored: _Stored) -> dict[str, Any]:
        """The record as a read returns it, with NetSuite's read-only balance fields computed now."""
        out = stored.to_json()
        if stored.record_type == "invoice":
            remaining = self._open_balance(stored, None)
            out["amountRemaining"] = float(remaining)
            out["amountPaid"] = float(_decimal(stored.fields.get("total", 0)) - remaining)
        elif stored.record_type in _AUTO_APPLY_TYPES:
            applied = sum(
                (
                    _decimal(line.get("amount"))
                    for line in (stored.fields.get("apply") or {}).get("items") or []
                    if line.get("apply", True) is not False
                ),
                Decimal(0),
            )
            out["applied"] = float(applied)
            # what is left to apply or refund: the total less its own applications and the refunds of it
            out["unapplied"] = float(self._open_balance(stored, None))
        return out

    def _refunded(self, doc_id: str) -> Decimal:
        """What customer refunds apply to a payment or credit memo (its unapplied part they took)."""
        refunded = Decimal(0)
        for refund in self._records.get("customerRefund", {}).values():
            for line in (refund.fields.get("apply") or {}).get("items") or []:
                if line.get("apply", True) is not False and _ref_id(line.get("doc")) == doc_id:
                    refunded += _decimal(line.get("amount"))
        return refunded

    def _open_balance(self, doc: _Stored, excluding: str | None) -> Decimal:
        """A document's total less what other transactions apply to it; a payment's also less what it applies
        to invoices itself (only its unapplied part can be refunded); a credit memo's likewise."""
        balance = _decimal(doc.fields.get("total", 0))
        if doc.record_type in _AUTO_APPLY_TYPES:
            for line in (doc.fields.get("apply") or {}).get("items") or []:
                if line.get("apply", True) is not False:
                    balance -= _decimal(line.get("amount"))
        for other in self._by_id.get(TRANSACTION_TABLE, {}).values():
            if other.internal_id == excluding:
                continue
            for line in (other.fields.get("apply") or {}).get("items") or []:
                if line.get("apply", True) is not False and _ref_id(line.get("doc")) == doc.internal_id:
                    balance -= _decimal(line.get("amount"))
        return balance

    def _fields_of(self, family: str, internal_id: str) -> dict[str, Any] | None:
        stored = self._by_id.get(family, {}).get(internal_id)
        return stored.fields if stored is not None else None

    def _subsidiary_names(self) -> dict[str, str]:
        return {row["id"]: row.get("fullname") or row.get("name") or row["id"] for row in self._reference["subsidiary"]}

    def _remove(self, stored: _Stored) -> None:
        family = self._family(stored.record_type)
        self._records.get(stored.record_type, {}).pop(stored.internal_id, None)
        self._by_id.get(family, {}).pop(stored.internal_id, None)
        if stored.external_id is not None:
            self._by_eid.get(family, {}).pop(stored.external_id, None)

    def _resolve(self, table: str, ref: Mapping[str, Any]) -> tuple[str, str] | None:
        ref_id = ref.get("id")
        ref_eid = ref.get("externalId")
        if table in (CUSTOMER_TABLE, ITEM_TABLE, TRANSACTION_TABLE):
            if ref_id is not None:
                stored = self._by_id.get(table, {}).get(str(ref_id))
            else:
                stored = self._by_eid.get(table, {}).get(str(ref_eid))
            if stored is None:
                return None
            return stored.internal_id, ref_name(RECORD_RULES[stored.record_type], stored.to_json())
        for row in self._reference.get(table, []):
            if (ref_id is not None and row["id"] == str(ref_id)) or (
                ref_id is None and ref_eid is not None and row.get("externalId", row.get("externalid")) == ref_eid
            ):
                name = row.get("fullname") or row.get("name") or row.get("symbol") or row.get("acctnumber") or row["id"]
                return row["id"], name
        return None

    def _record_json(self, root: str, stored: _Stored) -> dict[str, Any]:
        href = f"{root}/record/v1/{stored.record_type}/{stored.internal_id}"
        return {"links": [{"rel": "self", "href": href}], **self._with_balances(stored)}

    def _list(self, request: Request, root: str, rule: RecordRule) -> Response:
        limit, offset = _paging(request)
        with self._lock:
            self._counters.reads += 1
            rows = [
                {
                    "links": [{"rel": "self", "href": f"{root}/record/v1/{rule.record_type}/{r.internal_id}"}],
                    "id": r.internal_id,
                }
                for r in self._records.get(rule.record_type, {}).values()
            ]
        page = _page(f"{root}/record/v1/{rule.record_type}", rows, limit, offset, with_item_links=False)
        return _json_response(page, 200, COLLECTION_CONTENT_TYPE)

    # ------------------------------------------------------------------ SuiteQL

    def _suiteql(self, request: Request, root: str) -> Response:
        prefer = request.headers.get("Prefer", "")
        if "transient" not in [p.strip().lower() for p in prefer.split(",")]:
            raise bad_request(USER_ERROR, "SuiteQL queries require the header 'Prefer: transient'.")
        limit, offset = _paging(request)
        body = _json_body(request)
        query_text = body.get("q") if isinstance(body, dict) else None
        if not isinstance(query_text, str) or not query_text.strip():
            raise bad_request(INVALID_PARAMETER, "The request body must be a JSON object with a 'q' string.", "q")
        query = parse_suiteql(query_text)
        with self._lock:
            rows = self._suiteql_table(query.table)
            self._counters.suiteql += 1
            self._suiteql_requests += 1
            order_seed = f"{self._initial.seed}:{self._suiteql_requests}"
            cap = self._suiteql_max_results
        if offset >= cap:
            raise bad_request(
                INVALID_PARAMETER,
                f"Invalid value for the query parameter 'offset': a SuiteQL query returns at most {cap} results. "
                "Narrow the query (for example WHERE id > <last id> ORDER BY id) instead of paging further.",
                "offset",
            )
        result = query.run(rows)
        if not query.order_by:
            # No ORDER BY, no defined order: each request may see the rows in another order (Oracle warns that
            # paging needs a unique sort order, section_158394344595). Seeded, so a failing test replays.
            random.Random(order_seed).shuffle(result)
        result = result[:cap]
        return _json_response(_page(f"{root}/query/v1/suiteql", result, limit, offset), 200, COLLECTION_CONTENT_TYPE)

    def _suiteql_table(self, table: str) -> list[dict[str, str]]:
        if table == "transactionline":
            return self._transaction_lines()
        if table in REFERENCE_TABLES:
            return [{k.lower(): v for k, v in row.items()} for row in self._reference.get(table, [])]
        family_type_column = {ITEM_TABLE: "itemtype", TRANSACTION_TABLE: "type"}
        if table in family_type_column:
            stored_rows = list(self._by_id.get(table, {}).values())
        else:
            matching = [t for t in RECORD_RULES if t.lower() == table]
            if not matching:
                raise invalid_query(f"Search error occurred: Record '{table}' was not found.")
            stored_rows = list(self._records.get(matching[0], {}).values())
        stored_rows.sort(key=lambda s: int(s.internal_id))
        out: list[dict[str, str]] = []
        for stored in stored_rows:
            row: dict[str, str] = {"id": stored.internal_id}
            if stored.external_id is not None:
                row["externalid"] = stored.external_id
            rule = RECORD_RULES[stored.record_type]
            if table in family_type_column:
                row[family_type_column[table]] = rule.suiteql_type
            subtype = item_subtype(stored.record_type)
            if subtype is not None:
                row["subtype"] = subtype
            for name, value in stored.fields.items():
                rendered = to_suiteql_value(value)
                if rendered is not None:
                    row[name.lower()] = rendered
            if rule.family == TRANSACTION_TABLE and "total" in stored.fields:
                row["foreigntotal"] = str(_decimal(stored.fields["total"]))  # the total in the transaction's currency
            if rule.family == TRANSACTION_TABLE and "entity" not in row and "customer" in row:
                row["entity"] = row["customer"]  # SuiteQL's transaction.entity: the customer of every transaction
            if stored.record_type == "invoice":
                row["foreignamountunpaid"] = str(self._open_balance(stored, None))
            elif stored.record_type in _AUTO_APPLY_TYPES:
                # a payment's or credit memo's part not applied nor refunded (sandbox/netsuite_books.py)
                unused = self._open_balance(stored, None)
                row["foreignpaymentamountunused"] = str(unused)
                row["foreignpaymentamountused"] = str(_decimal(stored.fields.get("total", 0)) - unused)
            out.append(row)
        return out

    def _transaction_lines(self) -> list[dict[str, str]]:
        """SuiteQL ``transactionline``: the header line (mainline 'T') and one row per item line (mainline 'F')
        of every transaction; ``transaction`` is the transaction's internal id."""
        out: list[dict[str, str]] = []
        for stored in sorted(self._by_id.get(TRANSACTION_TABLE, {}).values(), key=lambda s: int(s.internal_id)):
            out.append({"transaction": stored.internal_id, "id": "0", "linesequencenumber": "0", "mainline": "T"})
            for number, line in enumerate((stored.fields.get("item") or {}).get("items") or [], start=1):
                row = {
                    "transaction": stored.internal_id,
                    "id": str(number),
                    "linesequencenumber": str(number),
                    "mainline": "F",
                }
                item = _ref_id(line.get("item"))
                if item is not None:
                    row["item"] = item
                out.append(row)
        return out


# ---------------------------------------------------------------------- helpers

# Record types NetSuite's Auto Apply preference acts on, and the read-only balance fields reads compute.
_AUTO_APPLY_TYPES = frozenset({"customerPayment", "creditMemo"})
_COMPUTED_FIELDS = frozenset({"amountRemaining", "amountPaid", "applied", "unapplied"})


def _ref_id(value: Any) -> str | None:
    if isinstance(value, Mapping) and value.get("id") is not None:
        return str(value["id"])
    return None


def _decimal(value: Any) -> Decimal:
    """A JSON number as the exact decimal it was written as (floats through their shortest text)."""
    return Decimal(str(value)) if value is not None else Decimal(0)


def _number(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request(USER_ERROR, f"Invalid value for the field '{path}': expected a number.", path)
    return _decimal(value)


def closed_periods_before(first_open_day: date) -> ClosedPeriodHook:
    """A closed-period hook: transactions dated before `first_open_day` are refused, as NetSuite refuses
    postings to a closed accounting period (a permanent error until the period is reopened)."""

    def refuse(record_type: str, record: dict[str, Any]) -> str | None:
        tran_date = record.get("tranDate")
        if isinstance(tran_date, str) and tran_date[:10] < first_open_day.isoformat():
            return (
                f"The accounting period of {tran_date[:7]} is closed: this {record_type} dated {tran_date[:10]} "
                f"cannot be posted. Periods before {first_open_day.isoformat()} are closed; reopen the period "
                "in NetSuite or post the transaction in an open one."
            )
        return None

    return refuse


def _table_name(table: str) -> str:
    return "classification" if table == "class" else table


def _bump(counter: dict[str, int], key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


def _duplicate_eid(eid: str) -> NetSuiteApiError:
    return bad_request(DUP_RCRD, f"A record with the same external ID ({eid}) already exists.", "externalId")


def _method_not_allowed(method: str) -> NetSuiteApiError:
    return NetSuiteApiError(405, METHOD_NOT_ALLOWED, f"The HTTP method {method} is not allowed on this resource.")


def _parse_key(segment: str) -> tuple[str, str]:
    if segment.startswith("eid:"):
        eid = segment[len("eid:") :]
        if not eid:
            raise bad_request(USER_ERROR, "The external ID in the URL is empty.")
        return "eid", eid
    if not segment.isdigit():
        raise NetSuiteApiError(
            404, NONEXISTENT_ID, f"The record instance does not exist. Provide a valid record instance ID. ({segment})"
        )
    return "id", segment


def _request_root(request: Request) -> str:
    environ = request.environ
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{BASE_PATH}"


def _json_body(request: Request) -> Any:
    raw = request.get_data(cache=True, as_text=True)
    if not raw.strip():
        raise bad_request(INVALID_CONTENT, "The request body is empty; a JSON object is expected.")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise bad_request(INVALID_CONTENT, f"The request body is not valid JSON: {exc}.") from exc


def _paging(request: Request) -> tuple[int, int]:
    def number(name: str, default: int) -> int:
        raw = request.args.get(name)
        if raw is None:
            return default
        if not raw.isdigit():
            raise bad_request(INVALID_PARAMETER, f"Invalid value for the query parameter '{name}': {raw}.", name)
        return int(raw)

    limit = number("limit", DEFAULT_PAGE_LIMIT)
    offset = number("offset", 0)
    if not 1 <= limit <= MAX_PAGE_LIMIT:
        raise bad_request(
            INVALID_PARAMETER,
            f"Invalid value for the query parameter 'limit': it must be between 1 and {MAX_PAGE_LIMIT}.",
            "limit",
        )
    if offset % limit != 0:
        raise bad_request(
            INVALID_PARAMETER,
            f"Invalid value for the query parameter 'offset': {offset} is not a multiple of the limit ({limit}).",
            "offset",
        )
    return limit, offset


def _page(
    href: str, rows: list[dict[str, Any]], limit: int, offset: int, *, with_item_links: bool = True
) -> dict[str, Any]:
    total = len(rows)
    items = rows[offset : offset + limit]
    has_more = offset + len(items) < total

    def link(rel: str, at: int) -> dict[str, str]:
        return {"rel": rel, "href": f"{href}?limit={limit}&offset={at}"}

    links: list[dict[str, str]] = []
    if offset > 0:
        links.append(link("previous", max(0, offset - limit)))
        links.append(link("first", 0))
    if has_more:
        links.append(link("next", offset + limit))
    last = ((total - 1) // limit) * limit if total > 0 else 0
    links.append(link("last", last))
    links.append(link("self", offset))
    return {
        "links": links,
        "count": len(items),
        "hasMore": has_more,
        "items": [{"links": [], **row} for row in items] if with_item_links else items,
        "offset": offset,
        "totalResults": total,
    }


def _json_response(payload: Any, status: int, content_type: str) -> Response:
    return Response(json.dumps(payload), status=status, content_type=content_type)


__all__ = [
    "SAMPLE_REFERENCE_DATA",
    "ClosedPeriodHook",
    "ErrorDetail",
    "NetSuiteApiError",
    "NetSuiteSimulator",
    "NetSuiteStats",
    "error_body",
]

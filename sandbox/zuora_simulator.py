"""An in-process Zuora simulator: a real HTTP server on loopback that speaks Zuora's wire formats.

The connector's own requests-based Zuora client runs unchanged against it and against real Zuora:

- ``POST /oauth/token`` (form fields, or HTTP Basic client credentials) -> bearer token (1 hour);
- ``POST /v1/action/query`` / ``POST /v1/action/queryMore`` (ZOQL, see ``sandbox/zoql.py``);
- ``POST /v1/action/update`` (at most 50 objects of one type, per-object results in order; fields unknown to
  the object are silently ignored; ``fieldsToNull`` clears fields);
- ``GET /v1/describe/{object}`` -> the object's fields as XML (``sandbox/zuora_describe.py``);
- ``X-Zuora-WSDL-Version`` on Actions: recorded per request (``wsdl_versions``); a field introduced in a later
  WSDL version than the request's (default 79) is unknown to that request.

Custom fields, as a tenant has them: the ``__NS`` fields of Zuora's NetSuite Connector package exist only on the
objects that package covers; fields an administrator creates end in ``__c`` and are declared with the
``custom_fields`` constructor argument or ``define_custom_field``.

Usage::

    sim = ZuoraSimulator(str(uuid.uuid4()), "client-secret", page_size=50,
                         custom_fields={"Account": ["IntegrationError__c"]})
    sim.load(generate_dataset())
    base_url = sim.start()           # http://127.0.0.1:<port>
    ...
    sim.fail_next(2, status=429, path_prefix="/v1/action/query")
    sim.expire_tokens()
    sim.stop()

Objects are plain dicts keyed by Zuora field name (canonical spelling); datetimes are stored as
Zuora formats them ('2026-11-23T10:15:30.000+00:00', UTC), dates as 'YYYY-MM-DD'.
"""

from __future__ import annotations

import copy
import json
import logging
import random
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from sandbox import zuora_mutations, zuora_settlement
from sandbox.http_server import LoopbackServer
from sandbox.zoql import FieldType, ZoqlError, coerce, compile_query, format_datetime
from sandbox.zuora_describe import NO_SUCH_OBJECT_CODE, describe_object_name, describe_xml

logger = logging.getLogger(__name__)

S, N, B, D, DT = FieldType.STRING, FieldType.NUMBER, FieldType.BOOLEAN, FieldType.DATE, FieldType.DATETIME

_SYSTEM = {"Id": S, "CreatedDate": DT, "UpdatedDate": DT, "CreatedById": S, "UpdatedById": S}
# The fields Zuora's NetSuite Connector package adds to every object it syncs ("Zuora custom fields":
# https://docs.zuora.com/zuora-platform/integration/integration-hub/billing-connector-for-netsuite-gl/netsuite-connector-custom-fields/zuora-custom-fields):
# Account, Product Rate Plan Charge, Invoice, Payment, Refund (and, with Invoice Settlement, credit and debit memos).
# There is no error-reason field among them: a tenant that wants one creates a __c field (see custom_fields).
_INTEGRATION = {"IntegrationId__NS": S, "IntegrationStatus__NS": S, "SyncDate__NS": S}
_CLASSIFICATION = {"Subsidiary__NS": S, "Department__NS": S, "Class__NS": S, "Location__NS": S}
_TRANSACTION = {"TransferredToAccounting": S, **_INTEGRATION}

DEFAULT_SCHEMA: dict[str, dict[str, FieldType]] = {
    "Account": {
        **_SYSTEM,
        "AccountNumber": S, "Name": S, "Status": S, "Currency": S, "Balance": N, "BillCycleDay": N,
        "Batch": S, "PaymentTerm": S, "CrmId": S, "AutoPay": B, "Notes": S,
        # Bill To / Sold To contacts and the parent account (customer hierarchy): CONTACT_FIELDS below
        "BillToId": S, "SoldToId": S, "ParentId": S,
        "SynctoNetSuite__NS": S, "CustomerType__NS": S, **_CLASSIFICATION, **_INTEGRATION,
    },
    # Contact (https://docs.zuora.com/en/zuora-platform/integration/apis/soap-api/soap-api-object-reference/contact/field-descriptions):
    # the bill-to and sold-to persons of an account (Account.BillToId / SoldToId). Country holds a country *name*
    # ("United States", as Zuora shows it: .../merge-fields-for-invoices/bill-to-contact-fields).
    "Contact": {
        **_SYSTEM,
        "AccountId": S, "FirstName": S, "LastName": S, "NickName": S, "Description": S,
        "WorkEmail": S, "PersonalEmail": S, "WorkPhone": S, "HomePhone": S, "MobilePhone": S, "OtherPhone": S,
        "OtherPhoneType": S, "Fax": S, "Address1": S, "Address2": S, "City": S, "State": S, "PostalCode": S,
        "Country": S, "County": S,
    },
    "Product": {
        **_SYSTEM,
        "Name": S, "SKU": S, "Description": S, "Category": S, "EffectiveStartDate": D, "EffectiveEndDate": D,
    },
    "ProductRatePlan": {
        **_SYSTEM,
        "Name": S, "Description": S, "ProductId": S, "EffectiveStartDate": D, "EffectiveEndDate": D,
    },
    "ProductRatePlanCharge": {
        **_SYSTEM,
        "ProductRatePlanChargeNumber": S,
        "Name": S, "Description": S, "ChargeType": S, "ChargeModel": S, "ProductRatePlanId": S,
        "BillingPeriod": S, "UOM": S, "DefaultQuantity": N, "Taxable": B, "TaxCode": S, "AccountingCode": S,
        "ItemType__NS": S, **_CLASSIFICATION, **_INTEGRATION,
    },
    "Invoice": {
        **_SYSTEM,
        "Currency": S,  # WSDL 147 (FIELD_SINCE_WSDL)
        "AccountId": S, "InvoiceNumber": S, "InvoiceDate": D, "DueDate": D, "PostedDate": DT, "Status": S,
        "Amount": N, "AmountWithoutTax": N, "TaxAmount": N, "Balance": N, **_TRANSACTION,
    },
    "InvoiceItem": {
        **_SYSTEM,
        "InvoiceId": S, "ProductRatePlanChargeId": S, "ChargeName": S, "SKU": S, "Quantity": N,
        "ChargeAmount": N, "TaxAmount": N, "TaxCode": S, "ServiceStartDate": D, "ServiceEndDate": D,
        # InvoiceItem field descriptions (issue 13): charge / discount / prepayment / tax, and the item a discount
        # applies to (https://docs.zuora.com/en/zuora-platform/integration/apis/soap-api/soap-api-object-reference/invoiceitem/field-descriptions-of-invoiceitem)
        "ProcessingType": S, "AppliedToInvoiceItemId": S, "AccountingCode": S,
    },
    # One tax on one invoice item (https://docs.zuora.com/en/zuora-platform/integration/apis/soap-api/soap-api-object-reference/taxationitem/field-descriptions):
    # several per item (one per jurisdiction), queried by InvoiceItemId.
    "TaxationItem": {
        **_SYSTEM,
        "InvoiceItemId": S, "Name": S, "TaxAmount": N, "TaxCode": S, "TaxCodeDescription": S, "TaxDate": D,
        "TaxRate": N, "TaxRateDescription": S, "TaxRateType": S, "Jurisdiction": S, "LocationCode": S,
        "ExemptAmount": N, "AccountingCode": S,
    },
    # Memo items' taxes (Invoice Settlement): served only by the memo item's taxation-items resource
    # (GET /v1/{credit,debit}-memos/{id}/items/{itemId}/taxation-items, sandbox/zuora_mutations.py), never by Actions.
    "CreditTaxationItem": {
        **_SYSTEM,
        "CreditMemoItemId": S, "CreditMemoId": S, "SourceTaxItemId": S, "Name": S, "TaxAmount": N, "TaxCode": S,
        "TaxCodeDescription": S, "TaxDate": D, "TaxRate": N, "TaxRateType": S, "Jurisdiction": S,
        "LocationCode": S, "ExemptAmount": N, "AccountingCode": S,
    },
    "DebitTaxationItem": {
        **_SYSTEM,
        "DebitMemoItemId": S, "DebitMemoId": S, "SourceTaxItemId": S, "Name": S, "TaxAmount": N, "TaxCode": S,
        "TaxCodeDescription": S, "TaxDate": D, "TaxRate": N, "TaxRateType": S, "Jurisdiction": S,
        "LocationCode": S, "ExemptAmount": N, "AccountingCode": S,
    },
    # https://docs.zuora.com/zuora-platform/integration/apis/soap-api/soap-api-object-reference/paymentmethod
    "PaymentMethod": {
        **_SYSTEM,
        "AccountId": S, "Type": S, "PaymentMethodStatus": S, "CreditCardType": S, "BankTransferType": S,
    },
    "Payment": {
        **_SYSTEM,
        "AccountId": S, "PaymentNumber": S, "EffectiveDate": D, "Status": S, "Type": S, "Amount": N,
        "AppliedAmount": N, "UnappliedAmount": N, "RefundAmount": N,
        "PaymentMethodId": S, "Gateway": S, "GatewayId": S, **_TRANSACTION,
    },
    "InvoicePayment": {**_SYSTEM, "InvoiceId": S, "PaymentId": S, "Amount": N},
    "RefundInvoicePayment": {**_SYSTEM, "RefundId": S, "InvoicePaymentId": S, "RefundAmount": N},
    # Invoice Settlement applications (served by GET /v1/payments|credit-memos|refunds/{key}/parts only).
    "PaymentPart": {**_SYSTEM, "PaymentId": S, "InvoiceId": S, "DebitMemoId": S, "Amount": N},
    "CreditMemoPart": {**_SYSTEM, "CreditMemoId": S, "InvoiceId": S, "DebitMemoId": S, "Amount": N},
    "RefundPart": {**_SYSTEM, "RefundId": S, "PaymentId": S, "CreditMemoId": S, "Amount": N},
    "Refund": {
        **_SYSTEM,
        "AccountId": S, "PaymentId": S, "RefundNumber": S, "RefundDate": D, "Status": S, "Type": S,
        "MethodType": S, "Amount": N, **_TRANSACTION,
    },
    "CreditMemo": {
        **_SYSTEM,
        "AccountId": S, "MemoNumber": S, "MemoDate": D, "Status": S, "TotalAmount": N, "Balance": N,
        "TaxAmount": N, "ReferredInvoiceId": S, "AppliedAmount": N, "ReasonCode": S, **_TRANSACTION,
    },
    "DebitMemo": {
        **_SYSTEM,
        "AccountId": S, "MemoNumber": S, "MemoDate": D, "Status": S, "TotalAmount": N, "Balance": N,
        "TaxAmount": N, "ReasonCode": S, **_TRANSACTION,
    },
    "CreditMemoItem": {
        **_SYSTEM,
        "CreditMemoId": S, "ProductRatePlanChargeId": S, "ChargeName": S, "Quantity": N, "Amount": N,
        "TaxAmount": N, "ServiceStartDate": D, "ServiceEndDate": D,
    },
    "DebitMemoItem": {
        **_SYSTEM,
        "DebitMemoId": S, "ProductRatePlanChargeId": S, "ChargeName": S, "Quantity": N, "Amount": N,
        "TaxAmount": N, "ServiceStartDate": D, "ServiceEndDate": D,
    },
}  # fmt: skip

CUSTOM_FIELD_SUFFIX = "__c"  # the API name of a custom field an administrator creates ends in __c

# The objects the NetSuite Connector package covers (they carry the _INTEGRATION fields).
SYNCED_OBJECTS = ("Account", "ProductRatePlanCharge", "Invoice", "Payment", "Refund", "CreditMemo", "DebitMemo")


def schema_with_custom_fields(custom_fields: Mapping[str, Iterable[str]]) -> dict[str, dict[str, FieldType]]:
    """DEFAULT_SCHEMA plus administrator-created (string) __c fields, e.g. for an in-memory fake of Zuora."""
    schema = copy.deepcopy(DEFAULT_SCHEMA)
    for object_type, names in custom_fields.items():
        for name in names:
            if not name.endswith(CUSTOM_FIELD_SUFFIX):
                raise ValueError(f"a custom field's API name ends in {CUSTOM_FIELD_SUFFIX}: {name!r}")
            schema[object_type][name] = FieldType.STRING
    return schema


# Zuora SOAP API version history (https://docs.zuora.com/zuora-platform/integration/apis/soap-api/zuora-soap-api-version-history):
# the WSDL version a field appeared in. An Actions request pinned to an older version does not see it.
FIELD_SINCE_WSDL: dict[tuple[str, str], int] = {("Invoice", "Currency"): 147}
# "The default WSDL version for Actions is 79" (https://developer.zuora.com/v1-api-reference/api/operation/Action_POSTquery/)
DEFAULT_WSDL_VERSION = 79

# PUT /v1/creditmemos/{id} and /v1/debitmemos/{id}: the REST resources of the Invoice Settlement objects.
MEMO_RESOURCES = {
    "creditmemos": "CreditMemo",
    "debitmemos": "DebitMemo",
    "credit-memos": "CreditMemo",
    "debit-memos": "DebitMemo",
}
TRANSFERRED_TO_ACCOUNTING_VALUES = frozenset({"No", "Processing", "Yes", "Error", "Ignore"})

# Types POST /v1/action/update accepts. Credit and debit memos (Invoice Settlement) are not among them:
# Zuora updates those with PUT /v1/creditmemos/{id} and PUT /v1/debitmemos/{id}.
UPDATABLE_TYPES = frozenset(
    {"Account", "Product", "ProductRatePlan", "ProductRatePlanCharge", "Invoice", "Payment", "Refund"}
)
READ_ONLY_FIELDS = frozenset(_SYSTEM)
MAX_UPDATE_OBJECTS = 50
MAX_PAGE_SIZE = 2000
CUSTOM_FIELD_MAX_LENGTH = 255
API_USER_ID = "2c92c0f86a8dd422016a9e7a70116b0d"

AUTH_ERROR_CODE = 90000011
LOCK_CONTENTION_CODE = 50000050  # last two digits 50: "lock competition", retryable
RATE_LIMIT_CODE = 90000070  # last two digits 70: concurrency / rate limit
SERVER_ERROR_CODE = 90000060


class HasZuoraObjects(Protocol):
    @property
    def zuora_objects(self) -> Mapping[str, list[dict[str, Any]]]: ...


# Write-backs to credit and debit memos: their REST resources, one memo or in bulk (PUT /v1/credit-memos)
MEMO_WRITE_PATH = re.compile(r"^/v1/(credit|debit)-memos(/[^/]+)?$")


@dataclass(frozen=True)
class SimulatorStats:
    """Counts since start (or reset_stats). Requests are counted per endpoint when they arrive."""

    requests: int = 0
    token: int = 0
    query: int = 0
    query_more: int = 0
    update: int = 0  # write-back requests: action/update and the memos' PUTs
    objects_updated: int = 0  # objects an action/update call changed successfully
    unauthorized: int = 0  # 401 answers
    faults_injected: int = 0  # answers produced by the fault plan, rate or concurrency limits


@dataclass
class _PlannedFault:
    remaining: int
    status: int  # 200 = Zuora's "200 with success false" (lock contention)
    path_prefix: str
    retry_after_seconds: int
    code: int


@dataclass
class _Snapshot:
    created: datetime
    records: list[dict[str, Any]]


class _Failure(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json; charset=utf-8")


def _invalid(message: str, status: int = 400, code: str = "INVALID_VALUE") -> Response:
    """The error shape of Zuora's action endpoints."""
    return _json({"Errors": [{"Code": code, "Message": message}], "Success": False}, status)


def _fault(code: str, message: str, status: int = 400) -> Response:
    """A call-level fault of the Actions (FaultResponse in Zuora's OpenAPI: 400 for query/queryMore/update)."""
    return _json({"FaultCode": code, "FaultMessage": message}, status)


def _reasons(code: int, message: str, status: int) -> Response:
    """The error shape of Zuora's REST endpoints."""
    return _json({"success": False, "reasons": [{"code": code, "message": message}]}, status)


def _now_utc() -> datetime:
    return datetime.now(UTC)


class ZuoraSimulator:
    """A thread-safe Zuora tenant in memory, served over HTTP on 127.0.0.1."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        latency_seconds: float = 0.0,
        seed: int = 0,
        clock: Callable[[], datetime] = _now_utc,
        invoice_settlement: bool = True,
        custom_fields: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        try:
            uuid.UUID(client_id)
        except ValueError:
            raise ValueError("a Zuora OAuth client id is a UUID (36 characters), e.g. str(uuid.uuid4())") from None
        self.client_id = client_id
        # The tenant profile: Invoice Settlement on (memos, payment/refund parts, Actions refuse memo objects)
        # or a legacy tenant (InvoicePayment / RefundInvoicePayment through Actions, no memos).
        self.invoice_settlement = invoice_settlement
        self.indexed_custom_fields: set[str] = set()  # custom fields Object Query may filter on
        self.client_secret = client_secret
        self.page_size = page_size  # upper bound on a page, whatever conf.batchSize asks (max 2000)
        self.latency_seconds = latency_seconds  # slept on every request
        self.token_ttl_seconds = 3599
        self.locator_ttl_seconds = 15 * 60
        self.concurrency_limit = 40  # concurrent requests above this get 429 at once
        self.rate_limit_per_minute: int | None = None  # None: no per-minute limit enforced
        self.seed = seed
        self._clock = clock
        self._lock = threading.RLock()
        self._schema: dict[str, dict[str, FieldType]] = copy.deepcopy(DEFAULT_SCHEMA)
        self._store: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in self._schema}
        self._tokens: dict[str, datetime] = {}
        self._snapshots: dict[str, _Snapshot] = {}
        self._faults: list[_PlannedFault] = []
        self._error_rates: dict[str, tuple[float, int]] = {}
        self._object_lock_failures = 0
        self._fault_rng = random.Random(seed)
        self._id_rng = random.Random(f"zuora-ids-{seed}")
        self._stats = SimulatorStats()
        self._in_flight = 0
        self._window_start = 0.0
        self._window_count = 0
        self.request_log: list[tuple[str, str, int]] = []  # (method, path, status) of every answer
        # (path, X-Zuora-WSDL-Version header or None) of every Actions request, in arrival order
        self.wsdl_versions: list[tuple[str, str | None]] = []
        self._server = LoopbackServer(self.wsgi_app)
        # Called as listener(object_type, record copy) after every change of an object: a user's edit() and
        # every change made through the API (action/update, PUT on memos), as Zuora's callout notifications
        # fire for both (sandbox/zuora_callouts.py hooks in here).
        self.change_listeners: list[Callable[[str, dict[str, Any]], None]] = []
        for object_type, names in (custom_fields or {}).items():
            for name in names:
                self.define_custom_field(object_type, name)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> str:
        """Serve on 127.0.0.1 (ephemeral port) and return the base URL, e.g. http://127.0.0.1:5123."""
        return self._server.start()

    def stop(self) -> None:
        self._server.stop()

    @property
    def base_url(self) -> str:
        return self._server.base_url

    def __enter__(self) -> ZuoraSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ data

    def new_id(self) -> str:
        """A fresh 32-character lowercase hex Id, like Zuora's (deterministic by seed)."""
        with self._lock:
            return f"{self._id_rng.getrandbits(128):032x}"

    def define_field(self, object_type: str, field: str, field_type: FieldType = FieldType.STRING) -> None:
        """Add a (custom) field to an object's schema, or a new object type."""
        with self._lock:
            self._schema.setdefault(object_type, dict(_SYSTEM))[field] = field_type
            self._store.setdefault(object_type, {})

    def define_custom_field(self, object_type: str, field: str, field_type: FieldType = FieldType.STRING) -> None:
        """An administrator's custom field (Settings > Customize Fields): its API name ends in ``__c``."""
        if not field.endswith(CUSTOM_FIELD_SUFFIX) or len(field) <= len(CUSTOM_FIELD_SUFFIX):
            raise ValueError(f"a custom field's API name ends in {CUSTOM_FIELD_SUFFIX}: {field!r}")
        self.define_field(self._object_type(object_type), field, field_type)

    def custom_fields(self, object_type: str) -> list[str]:
        """The ``__c`` fields declared on an object."""
        with self._lock:
            return [name for name in self._schema[self._object_type(object_type)] if name.endswith(CUSTOM_FIELD_SUFFIX)]

    def load(self, dataset: HasZuoraObjects | Mapping[str, Iterable[Mapping[str, Any]]]) -> None:
        """Put every object of a Dataset (its zuora_objects) or of a {type: [fields, ...]} mapping."""
        objects = dataset.zuora_objects if hasattr(dataset, "zuora_objects") else dataset
        assert isinstance(objects, Mapping)
        # A Dataset says which __c fields its objects carry (sandbox/dataset.py, e.g. Account.Region__c).
        for object_type, names in (getattr(dataset, "custom_fields", None) or {}).items():
            for name in names:
                if name not in self.custom_fields(object_type):
                    self.define_custom_field(object_type, name)
        for object_type, records in objects.items():
            for fields in records:
                self.put(object_type, fields)

    def put(self, object_type: str, fields: Mapping[str, Any]) -> str:
        """Insert or replace an object as given (an Id is generated if missing); returns its Id.

        CreatedDate and UpdatedDate default to now. Unknown fields raise ValueError.
        """
        with self._lock:
            canonical_type = self._object_type(object_type)
            record = self._normalise(canonical_type, fields)
            record.setdefault("Id", self.new_id())
            now = format_datetime(self._clock())
            record.setdefault("CreatedDate", now)
            record.setdefault("UpdatedDate", record["CreatedDate"])
            self._store[canonical_type][record["Id"]] = record
            return str(record["Id"])

    def get(self, object_type: str, object_id: str) -> dict[str, Any] | None:
        """A copy of the stored object, or None."""
        with self._lock:
            record = self._store[self._object_type(object_type)].get(object_id)
            return None if record is None else dict(record)

    def all(self, object_type: str) -> list[dict[str, Any]]:
        """Copies of every stored object of a type, in insertion order."""
        with self._lock:
            return [dict(record) for record in self._store[self._object_type(object_type)].values()]

    def edit(self, object_type: str, object_id: str, **fields: Any) -> dict[str, Any]:
        """A user's edit in the Zuora UI: sets fields (None clears one) and bumps UpdatedDate to now.

        Passing UpdatedDate explicitly sets it instead (to backdate a record in a test).
        """
        with self._lock:
            canonical_type = self._object_type(object_type)
            record = self._store[canonical_type].get(object_id)
            if record is None:
                raise KeyError(f"no {canonical_type} with Id {object_id}")
            for name, value in self._normalise(canonical_type, fields, keep_none=True).items():
                if value is None:
                    record.pop(name, None)
                else:
                    record[name] = value
            if not any(name.lower() == "updateddate" for name in fields):
                record["UpdatedDate"] = format_datetime(self._clock())
            changed = dict(record)
        self._notify_changes(canonical_type, [object_id])
        return changed

    def _notify_changes(self, object_type: str, object_ids: Iterable[str]) -> None:
        """Tell the change listeners (callout notifications) about changed objects; called outside the lock."""
        if not self.change_listeners:
            return
        for object_id in object_ids:
            record = self.get(object_type, object_id)
            if record is not None:
                for listener in list(self.change_listeners):
                    listener(object_type, record)

    def _object_type(self, name: str) -> str:
        for candidate in self._schema:
            if candidate.lower() == name.lower():
                return candidate
        raise ValueError(f"unknown Zuora object type {name!r}")

    def _field(self, object_type: str, name: str) -> str | None:
        fields = self._schema[object_type]
        if name in fields:
            return name
        lowered = name.lower()
        return next((field for field in fields if field.lower() == lowered), None)

    def _normalise(self, object_type: str, fields: Mapping[str, Any], *, keep_none: bool = False) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for name, value in fields.items():
            canonical = self._field(object_type, name)
            if canonical is None:
                raise ValueError(f"unknown field {object_type}.{name}")
            if isinstance(value, datetime):
                value = format_datetime(value)
            elif isinstance(value, date):
                value = value.isoformat()
            if value is not None or keep_none:
                record[canonical] = value
        return record

    # ------------------------------------------------------------------ knobs

    def fail_next(self, n: int = 1, *, status: int = 503, path_prefix: str = "/", retry_after_seconds: int = 1) -> None:
        """The next n requests whose path starts with path_prefix get this HTTP status (429, 500, 503...).

        429 answers carry Retry-After, RateLimit-Remaining: 0 and RateLimit-Reset.
        """
        with self._lock:
            self._faults.append(_PlannedFault(n, status, path_prefix, retry_after_seconds, SERVER_ERROR_CODE))

    def lock_contention_next(self, n: int = 1, *, path_prefix: str = "/v1/", code: int = LOCK_CONTENTION_CODE) -> None:
        """The next n matching requests get HTTP 200 with {"success": false, "reasons": [{"code": 50000050}]}."""
        with self._lock:
            self._faults.append(_PlannedFault(n, 200, path_prefix, 0, code))

    def lock_competition_objects_next(self, n: int = 1) -> None:
        """The next n objects sent to action/update fail on their own (the call itself succeeds) with
        ``{"Success": false, "Errors": [{"Code": "LOCK_COMPETITION"}]}``, leaving the object unchanged."""
        with self._lock:
            self._object_lock_failures += n

    def set_error_rate(self, rate: float, *, status: int = 500, path_prefix: str = "/v1/") -> None:
        """Each matching request fails with this status with probability rate (seeded, so reproducible)."""
        with self._lock:
            if rate <= 0:
                self._error_rates.pop(path_prefix, None)
            else:
                self._error_rates[path_prefix] = (rate, status)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._error_rates.clear()
            self._object_lock_failures = 0

    def expire_tokens(self) -> None:
        """Every token issued so far becomes invalid: the next /v1 call with it gets 401."""
        with self._lock:
            self._tokens.clear()

    def expire_query_locators(self) -> None:
        """Every open queryLocator becomes invalid (as after 15 minutes)."""
        with self._lock:
            self._snapshots.clear()

    @property
    def stats(self) -> SimulatorStats:
        with self._lock:
            return self._stats

    def reset_stats(self) -> None:
        with self._lock:
            self._stats = SimulatorStats()
            self.request_log.clear()

    def _count(self, **increments: int) -> None:
        with self._lock:
            self._stats = replace(
                self._stats, **{key: getattr(self._stats, key) + value for key, value in increments.items()}
            )

    # ------------------------------------------------------------------ HTTP

    def wsgi_app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        response = self._handle(request)
        with self._lock:
            self.request_log.append((request.method, request.path, response.status_code))
        result: Iterable[bytes] = response(environ, start_response)
        return result

    def _handle(self, request: Request) -> Response:
        with self._lock:
            self._in_flight += 1
            in_flight = self._in_flight
            self._count(requests=1)
            endpoint = {
                "/oauth/token": "token",
                "/v1/action/query": "query",
                "/v1/action/querymore": "query_more",
                "/v1/action/update": "update",
            }.get(request.path.lower())
            if endpoint is None and request.method == "PUT" and MEMO_WRITE_PATH.match(request.path.lower()):
                endpoint = "update"  # a write-back too: one memo (PUT /v1/credit-memos/{id}) or a bulk PUT
            if endpoint:
                self._count(**{endpoint: 1})
        try:
            response = self._limits(request.path, in_flight)
            if response is None:
                if self.latency_seconds > 0:
                    time.sleep(self.latency_seconds)
                response = self._planned_fault(request.path)
            if response is None:
                try:
                    response = self._route(request)
                except _Failure as failure:
                    response = failure.response
                except Exception:  # a simulator bug: answer like a server error, keep serving
                    logger.exception("Zuora simulator failed on %s %s", request.method, request.path)
                    response = _reasons(SERVER_ERROR_CODE, "Internal Server Error", 500)
            self._decorate(response, in_flight)
            return response
        finally:
            with self._lock:
                self._in_flight -= 1

    def _rate_window(self) -> tuple[int, int]:
        """(remaining, seconds to reset) of the current one-minute window."""
        limit = self.rate_limit_per_minute or 50_000
        reset = max(1, int(60 - (time.monotonic() - self._window_start)))
        return max(0, limit - self._window_count), reset

    def _too_many(self, message: str, retry_after: int) -> Response:
        response = _json(
            {"success": False, "message": message, "reasons": [{"code": RATE_LIMIT_CODE, "message": message}]}, 429
        )
        response.headers["Retry-After"] = str(retry_after)
        response.headers["RateLimit-Remaining"] = "0"
        response.headers["RateLimit-Reset"] = str(retry_after)
        return response

    def _limits(self, path: str, in_flight: int) -> Response | None:
        with self._lock:
            now = time.monotonic()
            if now - self._window_start >= 60:
                self._window_start, self._window_count = now, 0
            self._window_count += 1
            if in_flight > self.concurrency_limit:
                self._count(faults_injected=1)
                return self._too_many("Concurrency limit exceeded: too many requests in parallel", 1)
            if self.rate_limit_per_minute is not None and self._window_count > self.rate_limit_per_minute:
                self._count(faults_injected=1)
                return self._too_many("API rate limit exceeded", self._rate_window()[1])
        return None

    def _planned_fault(self, path: str) -> Response | None:
        with self._lock:
            fault = next((f for f in self._faults if f.remaining > 0 and path.startswith(f.path_prefix)), None)
            if fault is not None:
                fault.remaining -= 1
                self._faults = [f for f in self._faults if f.remaining > 0]
                status, retry_after, code = fault.status, fault.retry_after_seconds, fault.code
            else:
                status = 0
                for prefix, (rate, rate_status) in self._error_rates.items():
                    if path.startswith(prefix) and self._fault_rng.random() < rate:
                        status, retry_after, code = rate_status, 1, SERVER_ERROR_CODE
                        break
            if not status:
                return None
            self._count(faults_injected=1)
        if status == 429:
            return self._too_many("Too many requests", retry_after)
        if status == 200:
            return _reasons(code, "Operation failed due to lock competition, please retry later.", 200)
        response = _reasons(code, "Internal Server Error (injected)", status)
        if status == 503:
            response.headers["Retry-After"] = str(retry_after)
        return response

    def _decorate(self, response: Response, in_flight: int) -> None:
        headers: Headers = response.headers
        headers.setdefault("Zuora-Request-Id", str(uuid.uuid4()))
        with self._lock:
            remaining, reset = self._rate_window()
        headers.setdefault("RateLimit-Limit", str(self.rate_limit_per_minute or 50_000))
        headers.setdefault("RateLimit-Remaining", str(remaining))
        headers.setdefault("RateLimit-Reset", str(reset))
        headers.setdefault("Concurrency-Limit-Type", "Default")
        headers.setdefault("Concurrency-Limit-Limit", str(self.concurrency_limit))
        headers.setdefault("Concurrency-Limit-Remaining", str(max(0, self.concurrency_limit - in_flight)))

    def _route(self, request: Request) -> Response:
        path = request.path.lower()
        routes: dict[str, Callable[[Request], Response]] = {
            "/oauth/token": self._token,
            "/v1/action/query": self._query,
            "/v1/action/querymore": self._query_more,
            "/v1/action/update": self._update,
        }
        handler = routes.get(path)
        parts = path.strip("/").split("/")
        if handler is None and len(parts) >= 4 and request.method in ("GET", "PUT"):
            # payments applied later, write-off / reverse, memo item taxes (sandbox/zuora_mutations.py)
            self._authenticate(request)
            mutation = zuora_mutations.route(
                self, request.method, request.path, self._body(request) if request.get_data() else {}
            )
            if mutation is not None:
                return _json(mutation[1], mutation[0])
        if handler is None and request.method == "GET":
            self._authenticate(request)
            described = describe_object_name(request.path)
            if described is not None:
                return self._describe(described)
            with self._lock:
                answered = zuora_settlement.answer(
                    self._store,
                    self._schema,
                    "GET",
                    request.path,
                    list(request.args.items(multi=True)),
                    invoice_settlement=self.invoice_settlement,
                    indexed_custom_fields=frozenset(self.indexed_custom_fields),
                )
            if answered is not None:
                return _json(answered[1], answered[0])
        if handler is None and len(parts) == 3 and parts[0] == "v1" and parts[1] in MEMO_RESOURCES:
            if request.method != "PUT":
                return _reasons(90000010, f"Method {request.method} not allowed for {request.path}", 405)
            self._authenticate(request)
            if not self.invoice_settlement:
                return _reasons(zuora_settlement.FEATURE_OFF_CODE, zuora_settlement.feature_off_message(), 400)
            if parts[2] == "bulk":
                return self._update_memos(request, MEMO_RESOURCES[parts[1]])
            return self._update_memo(request, MEMO_RESOURCES[parts[1]], request.path.strip("/").split("/")[2])
        if handler is None:
            return _reasons(90000020, f"Resource not found: {request.path}", 404)
        if request.method != "POST":
            return _reasons(90000010, f"Method {request.method} not allowed for {request.path}", 405)
        if handler != self._token:
            self._authenticate(request)
        return handler(request)

    def _describe(self, name: str) -> Response:
        """GET /v1/describe/{object} (sandbox/zuora_describe.py): the latest WSDL's view, custom fields included."""
        with self._lock:
            try:
                object_type = self._object_type(name)
            except ValueError:
                return _reasons(NO_SUCH_OBJECT_CODE, f"Cannot find the object {name!r} to describe.", 404)
            fields = dict(self._schema[object_type])
        return Response(describe_xml(object_type, fields), status=200, content_type="text/xml; charset=utf-8")

    # ------------------------------------------------------------------ auth

    def _token(self, request: Request) -> Response:
        client_id = request.form.get("client_id")
        client_secret = request.form.get("client_secret")
        if request.authorization is not None and request.authorization.type == "basic":
            client_id = client_id or request.authorization.username
            client_secret = client_secret or request.authorization.password
        grant_type = request.form.get("grant_type")
        if grant_type != "client_credentials":
            return _json({"message": f"Unsupported grant type: {grant_type}"}, 400)
        if not client_id or not client_secret:
            return _json({"message": "client_id and client_secret are required"}, 400)
        if not (
            secrets.compare_digest(client_id, self.client_id)
            and secrets.compare_digest(client_secret, self.client_secret)
        ):
            self._count(unauthorized=1)
            return _json({"message": "Invalid client credentials"}, 401)
        token = secrets.token_hex(16)
        with self._lock:
            self._tokens[token] = self._clock() + timedelta(seconds=self.token_ttl_seconds)
        return _json(
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": self.token_ttl_seconds,
                "scope": "entity.1a2b3c4d-0000-0000-0000-000000000000 platform.write service.usage.delete "
                "service.usage.update service.usage.write tenant.9999999 user.2c92c0f86a8dd422016a9e7a70116b0d",
                "jti": uuid.uuid4().hex,
            }
        )

    def _authenticate(self, request: Request) -> None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        with self._lock:
            expiry = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
            valid = expiry is not None and expiry > self._clock()
        if not valid:
            self._count(unauthorized=1)
            raise _Failure(_reasons(AUTH_ERROR_CODE, "Authentication error", 401))

    # ------------------------------------------------------------------ ZOQL

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        try:
            body = json.loads(request.get_data(as_text=True) or "null")
        except ValueError:
            raise _Failure(_invalid("The request body is not valid JSON", code="MALFORMED_QUERY")) from None
        if not isinstance(body, dict):
            raise _Failure(_invalid("The request body must be a JSON object"))
        return body

    def _wsdl_version(self, request: Request) -> int:
        """The request's X-Zuora-WSDL-Version (default 79), recorded so a test can see what a client pins."""
        header = request.headers.get("X-Zuora-WSDL-Version")
        with self._lock:
            self.wsdl_versions.append((request.path, header))
        if header is None:
            return DEFAULT_WSDL_VERSION
        if not header.strip().isdigit():
            raise _Failure(_fault("INVALID_VALUE", f"invalid X-Zuora-WSDL-Version: {header!r} (a version number)"))
        return int(header)

    def _schema_for(self, wsdl_version: int) -> dict[str, dict[str, FieldType]]:
        """The schema as an Actions request pinned to this WSDL version sees it (newer fields left out)."""
        hidden = {key for key, since in FIELD_SINCE_WSDL.items() if since > wsdl_version}
        if not hidden:
            return self._schema
        objects = {object_type for object_type, _ in hidden}
        return {
            name: ({f: t for f, t in fields.items() if (name, f) not in hidden} if name in objects else fields)
            for name, fields in self._schema.items()
        }

    def _query(self, request: Request) -> Response:
        version = self._wsdl_version(request)
        body = self._body(request)
        query_string = body.get("queryString")
        if not isinstance(query_string, str) or not query_string.strip():
            return _fault("MALFORMED_QUERY", "queryString is required")
        batch_size = MAX_PAGE_SIZE
        conf = body.get("conf")
        if conf is not None:
            requested = conf.get("batchSize") if isinstance(conf, dict) else None
            if not isinstance(requested, int) or isinstance(requested, bool) or not 1 <= requested <= MAX_PAGE_SIZE:
                return _fault("INVALID_VALUE", f"conf.batchSize must be an integer from 1 to {MAX_PAGE_SIZE}")
            batch_size = requested
        with self._lock:
            try:
                compiled = compile_query(query_string, self._schema_for(version))
            except ZoqlError as error:
                malformed = error.code == "MALFORMED_QUERY"
                return _fault(
                    error.code, f"You have an error in your ZOQL syntax: {error}" if malformed else str(error)
                )
            refusal = zuora_settlement.actions_refusal(compiled.object_name, self.invoice_settlement)
            if refusal:
                return _fault("INVALID_TYPE", refusal)
            records = compiled.run(list(self._store[compiled.object_name].values()))
            snapshot_id = uuid.uuid4().hex
            self._snapshots[snapshot_id] = _Snapshot(self._clock(), copy.deepcopy(records))
        return self._page(snapshot_id, 0, min(batch_size, self.page_size, MAX_PAGE_SIZE))

    def _query_more(self, request: Request) -> Response:
        self._wsdl_version(request)
        body = self._body(request)
        locator = body.get("queryLocator")
        if not isinstance(locator, str) or not locator:
            return _fault("INVALID_VALUE", "queryLocator is required")
        snapshot_id, _, rest = locator.partition("-")
        offset_text, _, size_text = rest.partition("-")
        with self._lock:
            snapshot = self._snapshots.get(snapshot_id)
            expired = snapshot is None or self._clock() - snapshot.created > timedelta(seconds=self.locator_ttl_seconds)
            if expired:
                self._snapshots.pop(snapshot_id, None)
        if expired or not offset_text.isdigit() or not size_text.isdigit():
            return _fault("INVALID_VALUE", f"invalid queryLocator: {locator} (expired or unknown)")
        return self._page(snapshot_id, int(offset_text), int(size_text))

    def _page(self, snapshot_id: str, offset: int, size: int) -> Response:
        with self._lock:
            snapshot = self._snapshots[snapshot_id]
            total = len(snapshot.records)
            page = snapshot.records[offset : offset + size]
            done = offset + size >= total
            if done:
                self._snapshots.pop(snapshot_id, None)
        body: dict[str, Any] = {"records": page, "size": total, "done": done}
        if not done:
            body["queryLocator"] = f"{snapshot_id}-{offset + size}-{size}"
        return _json(body)

    # ------------------------------------------------------------------ update

    def _update(self, request: Request) -> Response:
        version = self._wsdl_version(request)
        body = self._body(request)
        type_name = body.get("type")
        if not isinstance(type_name, str) or not type_name:
            return _invalid("type is required")
        try:
            object_type = self._object_type(type_name)
        except ValueError:
            return _invalid(f"invalid type: {type_name}")
        refusal = zuora_settlement.actions_refusal(object_type, self.invoice_settlement)
        if refusal:
            return _invalid(refusal, code="INVALID_TYPE")
        if object_type not in UPDATABLE_TYPES:
            return _invalid(
                f"{object_type} cannot be updated with action/update; "
                f"use the {object_type} REST resource (for example PUT /v1/creditmemos/{{id}})",
                code="INVALID_TYPE",
            )
        objects = body.get("objects")
        if not isinstance(objects, list) or not objects:
            return _invalid("objects must be a non-empty list")
        if len(objects) > MAX_UPDATE_OBJECTS:
            return _invalid(
                f"Too many objects: {len(objects)}. An update call accepts at most {MAX_UPDATE_OBJECTS} objects."
            )
        if request.args.get("rejectUnknownFields", "").lower() == "true":
            fields = self._schema_for(version)[object_type]
            known = {name.lower() for name in fields} | {"fieldstonull"}
            if any(isinstance(item, dict) and any(str(name).lower() not in known for name in item) for item in objects):
                return _json({"message": "Error - unrecognised fields"}, 400)
        results: list[dict[str, Any]] = []
        with self._lock:
            visible = self._schema_for(version)[object_type]
            for item in objects:
                results.append(self._update_one(object_type, item, visible))
            self._count(objects_updated=sum(1 for result in results if result["Success"]))
        self._notify_changes(object_type, [str(result["Id"]) for result in results if result["Success"]])
        return _json(results)

    def _update_memo(self, request: Request, object_type: str, memo_id: str) -> Response:
        """PUT /v1/creditmemos/{id} | /v1/debitmemos/{id}: custom fields and transferredToAccounting."""
        body = self._body(request)
        with self._lock:
            refusal = self._apply_memo_fields(object_type, memo_id, body)
            if refusal is not None:
                code, message = refusal
                return _reasons(code, message, 404 if code == zuora_settlement.NOT_FOUND_CODE else 400)
            self._count(objects_updated=1)
        self._notify_changes(object_type, [memo_id])
        return _json({"success": True, "id": memo_id})

    def _update_memos(self, request: Request, object_type: str) -> Response:
        """PUT /v1/credit-memos/bulk | /v1/debit-memos/bulk ("Update credit memos" / "Update debit memos":
        https://developer.zuora.com/v1-api-reference/api/operation/PUT_UpdateCreditMemos/ , .../PUT_UpdateDebitMemos/):
        `{"memos": [{"id", field: value...}]}`, at most 50 memos; each memo is updated in its own transaction, so one
        memo's failure leaves the others updated. The answer lists one entry per memo, in the order sent: the memo
        with `success: true`, or `{id, objectIndex, reasons, success: false}`. A body that is not such a list is
        refused as a whole (400), the stricter reading."""
        body = self._body(request)
        memos = body.get("memos")
        if not isinstance(memos, list) or not memos:
            return _reasons(53100020, "memos must be a non-empty list of memos, each with its id", 400)
        if len(memos) > MAX_UPDATE_OBJECTS:
            message = f"Too many memos: {len(memos)}. You can update a maximum of {MAX_UPDATE_OBJECTS} memos."
            return _reasons(53100020, message, 400)
        answered: list[dict[str, Any]] = []
        updated: list[str] = []
        with self._lock:
            schema_fields = self._schema.get(object_type, {})
            for index, memo in enumerate(memos):
                memo_id = memo.get("id") if isinstance(memo, dict) else None
                refusal: tuple[int, str] | None
                if not isinstance(memo, dict) or not isinstance(memo_id, str) or not memo_id:
                    refusal = (53100020, "each memo must be an object with its id")
                elif self._object_lock_failures > 0:
                    self._object_lock_failures -= 1
                    self._count(faults_injected=1)
                    refusal = (LOCK_CONTENTION_CODE, "Operation failed due to lock competition, please retry later.")
                else:
                    refusal = self._apply_memo_fields(
                        object_type, memo_id, {k: v for k, v in memo.items() if k != "id"}
                    )
                if refusal is not None:
                    code, message = refusal
                    failed = {"objectIndex": index, "reasons": [{"code": code, "message": message}], "success": False}
                    answered.append({**({"id": memo_id} if isinstance(memo_id, str) else {}), **failed})
                    continue
                record = self._store[object_type][str(memo_id)]
                answered.append(zuora_settlement.v1_memo(record, object_type, schema_fields))
                updated.append(str(memo_id))
            self._count(objects_updated=len(updated))
        self._notify_changes(object_type, updated)
        return _json({"memos": answered, "success": True})

    def _apply_memo_fields(self, object_type: str, memo_id: str, fields: Mapping[str, Any]) -> tuple[int, str] | None:
        """One memo's custom fields and transferredToAccounting set (under the lock): None, or why not (code, text)."""
        record = self._store[object_type].get(memo_id)
        if record is None:
            return zuora_settlement.NOT_FOUND_CODE, f"Cannot find entity by key: '{memo_id}'."
        changes: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "transferredToAccounting":
                if value not in TRANSFERRED_TO_ACCOUNTING_VALUES:
                    return 53100020, f"invalid value for transferredToAccounting: {value!r}"
                changes["TransferredToAccounting"] = value
                continue
            field = self._field(object_type, str(name))
            if field is None or not field.endswith(("__NS", "__c")):
                return 53100020, f"'{name}' is not a field of {object_type} that can be updated"
            error = self._check_value(object_type, field, value)
            if error:
                return 53100020, error
            changes[field] = value
        for field, value in changes.items():
            if value is None or value == "":
                record.pop(field, None)
            else:
                record[field] = value
        record["UpdatedDate"] = format_datetime(self._clock())
        record["UpdatedById"] = API_USER_ID
        return None

    def _update_one(self, object_type: str, item: Any, visible: Mapping[str, FieldType]) -> dict[str, Any]:
        def failure(message: str, code: str = "INVALID_VALUE") -> dict[str, Any]:
            result: dict[str, Any] = {"Success": False, "Errors": [{"Code": code, "Message": message}]}
            if isinstance(item, dict) and isinstance(item.get("Id"), str):
                result["Id"] = item["Id"]
            return result

        if not isinstance(item, dict):
            return failure("each object must be a JSON object")
        if self._object_lock_failures > 0:
            self._object_lock_failures -= 1
            self._count(faults_injected=1)
            return failure("Operation failed due to lock competition, please retry later.", code="LOCK_COMPETITION")
        object_id = item.get("Id")
        if not isinstance(object_id, str) or not object_id:
            return failure("Id is required", code="MISSING_REQUIRED_VALUE")
        record = self._store[object_type].get(object_id)
        if record is None:
            return failure(f"invalid Id: no {object_type} with Id {object_id}", code="INVALID_ID")
        changes: dict[str, Any] = {}
        to_null = item.get("fieldsToNull", [])
        if not isinstance(to_null, list) or not all(isinstance(name, str) for name in to_null):
            return failure("fieldsToNull must be a list of field names")
        # "Zuora ignores unrecognized fields in update calls ... No error message is returned for unrecognized
        # fields." (Action_POSTupdate). That holds for fieldsToNull too (the stricter reading: nothing happens).
        for name, value in [*((n, None) for n in to_null), *item.items()]:
            if name in ("Id", "fieldsToNull"):
                continue
            field = self._field(object_type, str(name))
            if field is None or field not in visible:
                continue
            if field in READ_ONLY_FIELDS:
                return failure(f"{field} is read-only and cannot be updated")
            error = self._check_value(object_type, field, value)
            if error:
                return failure(error)
            if name in to_null and field in changes and value is not None:
                return failure(f"{field} is both set and listed in fieldsToNull")
            changes[field] = value
        for field, value in changes.items():
            if value is None:
                record.pop(field, None)  # listed in fieldsToNull (or sent as JSON null)
            else:
                record[field] = value  # "" is stored as "": only fieldsToNull makes a field null
        record["UpdatedDate"] = format_datetime(self._clock())
        record["UpdatedById"] = API_USER_ID
        return {"Id": object_id, "Success": True}

    def _check_value(self, object_type: str, field: str, value: Any) -> str | None:
        if value is None:
            return None
        field_type = self._schema[object_type][field]
        if field_type is FieldType.STRING:
            if not isinstance(value, str):
                return f"invalid value for {field}: expected a string"
            if field.endswith(("__NS", CUSTOM_FIELD_SUFFIX)) and len(value) > CUSTOM_FIELD_MAX_LENGTH:
                return (
                    f"value of {field} is {len(value)} characters long; the maximum length is {CUSTOM_FIELD_MAX_LENGTH}"
                )
            return None
        if field_type is FieldType.NUMBER and (isinstance(value, bool) or not isinstance(value, int | float)):
            return f"invalid value for {field}: expected a number"
        if field_type is FieldType.BOOLEAN and not isinstance(value, bool):
            return f"invalid value for {field}: expected true or false"
        try:
            coerce(value, field_type)
        except (TypeError, ValueError):
            return f"invalid value for {field}: {value!r}"
        return None

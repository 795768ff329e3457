"""The failure taxonomy: every error is decided into exactly one kind, here and nowhere else.

| kind       | what happens                                                                        |
| transient  | the SQS message is reported as a batch item failure and retried; DLQ after
|              maxReceiveCount                                                                      |
| permanent  | error status with the reason in DynamoDB and on the Zuora record, message to the DLQ
|              with the reason; not retried until the record changes in Zuora or is replayed        |
| dependency | a parent is missing in NetSuite and could not be synced: permanent, naming the parent |
"""

from __future__ import annotations

import re
from enum import StrEnum


class FailureKind(StrEnum):
    TRANSIENT = "transient"
    PERMANENT = "permanent"
    DEPENDENCY = "dependency"


class SyncFailure(Exception):
    """A failure with a reason a person can act on, a machine-readable code and a kind."""

    kind: FailureKind = FailureKind.PERMANENT

    def __init__(
        self,
        reason: str,
        *,
        code: str,
        kind: FailureKind | None = None,
        path: str | None = None,
        http_status: int | None = None,
        parent: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.path = path
        self.http_status = http_status
        self.parent = parent  # a dependency failure's parent, as "<type>:<zuora id>"
        if kind is not None:
            self.kind = kind

    @property
    def is_transient(self) -> bool:
        return self.kind is FailureKind.TRANSIENT


class ValidationFailure(SyncFailure):
    """The Zuora record cannot be synced as it is; a person must fix it in Zuora."""

    kind = FailureKind.PERMANENT

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons), code="VALIDATION")
        self.reasons = reasons


class ZuoraError(SyncFailure):
    """An error answered by (or on the way to) the Zuora API."""


class NetSuiteError(SyncFailure):
    """An error answered by (or on the way to) NetSuite's REST web services."""


# --- retry decisions -------------------------------------------------------------------------

RETRYABLE_HTTP_STATUSES: frozenset[int] = frozenset({408, 425, 429, 500, 502, 503, 504})

# NetSuite error codes that mean "try again" even though NetSuite answered 4xx.
NETSUITE_TRANSIENT_CODES: frozenset[str] = frozenset(
    {"RCRD_HAS_BEEN_CHANGED", "SSS_REQUEST_LIMIT_EXCEEDED", "CONCURRENCY_LIMIT_EXCEEDED", "RCRD_LOCKED_BY_WF"}
)

# REST folds most record-level failures into USER_ERROR / INVALID_CONTENT with the reason only in the detail
# (Oracle NetSuite help, "Error Handling in REST Web Services",
# https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html): these detail texts
# (lower case) mean someone else holds or just saved the record, or the account is over its concurrency
# limit, and a later retry succeeds. A workflow lock that never clears ends in the DLQ after the queue's retries.
NETSUITE_TRANSIENT_DETAILS: tuple[str, ...] = (
    "record has been changed",
    "locked by a user defined workflow",
    "record is locked",
    "concurrent request limit",
    "concurrency limit",
    "try again",
)

# An invalid reference: "Invalid Field Value 99 for the following field: subsidiary" (REST, USER_ERROR) or
# SOAP-style "Invalid subsidiary reference key 99" (INVALID_KEY_OR_REF).
_INVALID_FIELD_VALUE = re.compile(
    r"invalid field value\s+(?P<value>.*?)\s+for the following field:\s*(?P<field>[^.]+)", re.I
)
_INVALID_REFERENCE_KEY = re.compile(r"invalid\s+(?P<field>[\w ]+?)\s+reference key\s+(?P<value>[^\s.]+)", re.I)

INVALID_LOGIN = "INVALID_LOGIN"


def netsuite_failure_kind(http_status: int | None, error_code: str | None, detail: str | None = None) -> FailureKind:
    """Transient for throttling, server errors, timeouts, optimistic-lock conflicts and workflow locks (by code or,
    as REST usually answers them, by the detail text); everything else is permanent."""
    if http_status is None or http_status in RETRYABLE_HTTP_STATUSES or http_status >= 500:
        return FailureKind.TRANSIENT
    if error_code and error_code.upper() in NETSUITE_TRANSIENT_CODES:
        return FailureKind.TRANSIENT
    text = (detail or "").lower()
    if any(marker in text for marker in NETSUITE_TRANSIENT_DETAILS):
        return FailureKind.TRANSIENT
    return FailureKind.PERMANENT


def netsuite_error_advice(
    http_status: int | None, error_code: str | None, detail: str | None, path: str | None = None
) -> str | None:
    """What a person should do about a permanent NetSuite error, when the code and detail tell; else None
    (the caller keeps the full detail, which is then the only guide)."""
    text = detail or ""
    match = _INVALID_FIELD_VALUE.search(text) or _INVALID_REFERENCE_KEY.search(text)
    if match is not None or (error_code or "").upper() == "INVALID_KEY_OR_REF":
        field = match.group("field").strip() if match is not None else (path or "a reference field")
        value = match.group("value").strip() if match is not None else "the value sent"
        where = f" (at {path})" if path and path != field else ""
        return (
            f"NetSuite has no {field} {value}{where}: create or reactivate it in NetSuite (visible to the "
            "integration role), or correct the value in Zuora or the connector's configuration, then replay"
        )
    if http_status == 401 or (error_code or "").upper() == INVALID_LOGIN:
        return (
            "NetSuite refused the login: check the token-based-authentication credentials (account id, consumer "
            "key and secret, token id and secret), that the token and its role are active and the role has REST "
            "web services permission; NetSuite's Login Audit Trail (Setup > Users/Roles > User Management) shows "
            "why"
        )
    return None


# Zuora Actions/SOAP-style error codes (``Errors[].Code``, ``faultcode`` as ``fns:<CODE>``) meaning "retry later".
ZUORA_RETRYABLE_NAMED_CODES: frozenset[str] = frozenset(
    {
        "LOCK_COMPETITION",
        "TEMPORARY_ERROR",
        "SERVER_UNAVAILABLE",
        "REQUEST_EXCEEDED_RATE",
        "TRANSACTION_TIMEOUT",
    }
)


def zuora_code_is_retryable(code: str | int | None) -> bool:
    """Zuora reason codes ending in 50 (lock contention), 61 (temporary) or 70 (concurrency) are retryable,
    and so are the Actions API's named codes in ZUORA_RETRYABLE_NAMED_CODES (e.g. LOCK_COMPETITION)."""
    if code is None:
        return False
    text = str(code).strip()
    if text.rpartition(":")[2].upper() in ZUORA_RETRYABLE_NAMED_CODES:
        return True
    return len(text) >= 2 and text[-2:] in {"50", "61", "70"}


def zuora_failure_kind(http_status: int | None, code: str | int | None) -> FailureKind:
    if http_status is None or http_status in RETRYABLE_HTTP_STATUSES or http_status >= 500:
        return FailureKind.TRANSIENT
    if zuora_code_is_retryable(code):
        return FailureKind.TRANSIENT
    return FailureKind.PERMANENT

"""NetSuite REST web services error bodies, as the real service answers them.

Oracle NetSuite help, "Error Handling in REST Web Services"
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html): ``status``,
``o:errorDetails[]`` with ``detail`` (human readable), ``o:errorCode`` (the error *category*) and an optional
``o:errorPath``. REST folds many SOAP codes into a few categories: an invalid reference, a record changed in the
meantime and a record locked by a workflow all arrive as ``USER_ERROR`` with the reason only in ``detail``
(the texts below are the ones integrators report), while ``RCRD_HAS_BEEN_CHANGED`` / ``INVALID_KEY_OR_REF``
also occur. A client must therefore read the detail, not only the code.

Every error is JSON::

    {"type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1", "title": "Bad Request",
     "status": 400, "o:errorDetails": [{"detail": "...", "o:errorCode": "USER_ERROR", "o:errorPath": "..."}]}

``o:errorPath`` is only present when the error concerns one field of the request body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ERROR_CONTENT_TYPE = "application/vnd.oracle.resource+json; type=error; charset=utf-8"

_RFC9110 = "https://www.rfc-editor.org/rfc/rfc9110.html#section-"

STATUS_TYPES: dict[int, tuple[str, str]] = {
    400: (_RFC9110 + "15.5.1", "Bad Request"),
    401: (_RFC9110 + "15.5.2", "Unauthorized"),
    403: (_RFC9110 + "15.5.4", "Forbidden"),
    404: (_RFC9110 + "15.5.5", "Not Found"),
    405: (_RFC9110 + "15.5.6", "Method Not Allowed"),
    409: (_RFC9110 + "15.5.10", "Conflict"),
    415: (_RFC9110 + "15.5.16", "Unsupported Media Type"),
    429: ("https://www.rfc-editor.org/rfc/rfc6585.html#section-4", "Too Many Requests"),
    500: (_RFC9110 + "15.6.1", "Internal Server Error"),
    502: (_RFC9110 + "15.6.3", "Bad Gateway"),
    503: (_RFC9110 + "15.6.4", "Service Unavailable"),
    504: (_RFC9110 + "15.6.5", "Gateway Timeout"),
}

INVALID_LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)

# Error codes the simulator answers (see the module docstring of netsuite_simulator for when).
INVALID_LOGIN = "INVALID_LOGIN"
USER_ERROR = "USER_ERROR"
INVALID_KEY_OR_REF = "INVALID_KEY_OR_REF"
DUP_RCRD = "DUP_RCRD"
NONEXISTENT_ID = "NONEXISTENT_ID"
INVALID_CONTENT = "INVALID_CONTENT"
INVALID_PARAMETER = "INVALID_PARAMETER"
INVALID_RCRD_TYPE = "INVALID_RCRD_TYPE"
INVALID_URL = "INVALID_URL"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
CONCURRENCY_LIMIT_EXCEEDED = "CONCURRENCY_LIMIT_EXCEEDED"
UNEXPECTED_ERROR = "UNEXPECTED_ERROR"
RCRD_HAS_BEEN_CHANGED = "RCRD_HAS_BEEN_CHANGED"

# REST prefixes record-level failures with this sentence; the reason follows.
ACCESS_ERROR_PREFIX = "Error while accessing a resource."
RECORD_CHANGED_DETAIL = f"{ACCESS_ERROR_PREFIX} Record has been changed."
WORKFLOW_LOCKED_DETAIL = f"{ACCESS_ERROR_PREFIX} This record has been locked by a user defined workflow."
CONCURRENCY_LIMIT_DETAIL = (
    "Concurrent request limit exceeded: the account allows {limit} concurrent requests (SOAP, REST and "
    "RESTlets combined). Request blocked; try again later."
)


@dataclass(frozen=True)
class ErrorDetail:
    detail: str
    code: str
    path: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {"detail": self.detail, "o:errorCode": self.code}
        if self.path is not None:
            out["o:errorPath"] = self.path
        return out


class NetSuiteApiError(Exception):
    """An error answer of the simulated service: an HTTP status and one or more error details."""

    def __init__(self, status: int, code: str, detail: str, path: str | None = None) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.details: tuple[ErrorDetail, ...] = (ErrorDetail(detail, code, path),)

    @property
    def code(self) -> str:
        return self.details[0].code

    @property
    def detail(self) -> str:
        return self.details[0].detail

    @property
    def path(self) -> str | None:
        return self.details[0].path

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.details)


def error_body(status: int, details: tuple[ErrorDetail, ...] | list[ErrorDetail]) -> dict[str, Any]:
    type_url, title = STATUS_TYPES.get(status, (_RFC9110 + "15", "Error"))
    return {
        "type": type_url,
        "title": title,
        "status": status,
        "o:errorDetails": [d.to_json() for d in details],
    }


def bad_request(code: str, detail: str, path: str | None = None) -> NetSuiteApiError:
    return NetSuiteApiError(400, code, detail, path)


def unauthorized() -> NetSuiteApiError:
    return NetSuiteApiError(401, INVALID_LOGIN, INVALID_LOGIN_DETAIL)


def invalid_reference(shown: object, field_name: str, path: str) -> NetSuiteApiError:
    """A reference to no record: REST answers USER_ERROR, the field only in the detail (and the path)."""
    return bad_request(
        USER_ERROR, f"{ACCESS_ERROR_PREFIX} Invalid Field Value {shown} for the following field: {field_name}", path
    )


def record_changed(code: str = USER_ERROR) -> NetSuiteApiError:
    """Someone saved the record in the meantime (optimistic lock); retrying succeeds."""
    return bad_request(code, RECORD_CHANGED_DETAIL)


def locked_by_workflow() -> NetSuiteApiError:
    """A user defined workflow holds the record; retrying later succeeds once the workflow moves on."""
    return bad_request(USER_ERROR, WORKFLOW_LOCKED_DETAIL)


def concurrency_limit_exceeded(limit: int) -> NetSuiteApiError:
    return NetSuiteApiError(429, CONCURRENCY_LIMIT_EXCEEDED, CONCURRENCY_LIMIT_DETAIL.format(limit=limit))

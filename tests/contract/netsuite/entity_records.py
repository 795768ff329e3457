"""Customers and items for the contract tests on what a go-live needs (address book, terms, parent, unique names,
adopting records that exist without the connector's external id): plain REST calls, signed as NetSuite requires.

Records created here without an external id carry a name starting with ``zncontract-`` (entityId / itemId), so
they can be found and removed on a real account (docs/contract-tests.md):
``SELECT id FROM customer WHERE entityid LIKE 'zncontract-%'`` and the same on ``item`` with ``itemid``.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import requests

from tests.contract.netsuite.account_setup import INCOME_ACCOUNT, PARENT_SUBSIDIARY, REAL, real_numbering
from tests.contract.netsuite.conftest import CONTRACT_PREFIX, NetSuiteTarget
from tests.contract.netsuite.rest import signed_session, suiteql
from zuora_netsuite.adapters.http import json_bytes

# A payment term of the account (Setup > Accounting > Accounting Lists > Term); the simulator has NetSuite's
# standard list, where 2 is "Net 30".
TERM_ID = os.environ.get("NETSUITE_CONTRACT_TERM_ID", "2")


def unique_name(kind: str) -> str:
    """A recognisable, unique entityId / itemId for a record a test creates."""
    return f"{CONTRACT_PREFIX}{kind}-{uuid.uuid4().hex[:12]}"


class Records:
    """Create (POST), update (PATCH), read (GET) and query (SuiteQL) records with the target's credentials."""

    def __init__(self, target: NetSuiteTarget) -> None:
        self.target = target
        self.base_url = target.rest_url.rstrip("/")
        self.session = signed_session(target)

    def close(self) -> None:
        self.session.close()

    def create(self, record_type: str, body: dict[str, Any]) -> requests.Response:
        """POST /record/v1/{type}: 204 with the new record's URL in Location."""
        return self.session.post(
            f"{self.base_url}/record/v1/{record_type}",
            data=json_bytes(body),
            headers={"Content-Type": "application/json"},
            timeout=60,
        )

    def created_id(self, record_type: str, body: dict[str, Any]) -> str:
        response = self.create(record_type, body)
        assert response.status_code == 204, response.text
        return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]

    def patch(
        self, record_type: str, key: str, body: dict[str, Any], *, replace: str | None = None
    ) -> requests.Response:
        """PATCH /record/v1/{type}/{id or eid:...}."""
        return self.session.patch(
            f"{self.base_url}/record/v1/{record_type}/{key}",
            params={"replace": replace} if replace else None,
            data=json_bytes(body),
            headers={"Content-Type": "application/json"},
            timeout=60,
        )

    def get(self, record_type: str, key: str) -> requests.Response:
        """GET /record/v1/{type}/{id or eid:...}, sublists and subrecords expanded."""
        return self.session.get(
            f"{self.base_url}/record/v1/{record_type}/{key}", params={"expandSubResources": "true"}, timeout=60
        )

    def record(self, record_type: str, key: str) -> dict[str, Any]:
        response = self.get(record_type, key)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def rows(self, query: str) -> list[dict[str, Any]]:
        response = suiteql(self.session, self.target, query)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return [{k: v for k, v in row.items() if k != "links"} for row in items]


# A real account's preferred customer form may make a custom field mandatory (account_setup.py): fill it.
_FORM_FIELD = os.environ.get("NETSUITE_CONTRACT_CUSTOMER_FORM_FIELD") if REAL else None
_FORM_VALUE = os.environ.get("NETSUITE_CONTRACT_CUSTOMER_FORM_VALUE", "")

# Customer IDs a test can choose: not when the account generates them without Allow Override.
CUSTOMER_IDS_SETTABLE = real_numbering("customer", "manual") in ("manual", "allow_override") if REAL else True


def customer_body(name: str, **extra: Any) -> dict[str, Any]:
    """A company customer of the parent subsidiary whose Customer ID is ``name``."""
    body: dict[str, Any] = {"companyName": f"Contract {name}", "subsidiary": {"id": PARENT_SUBSIDIARY}}
    if CUSTOMER_IDS_SETTABLE:
        body["entityId"] = name
    if _FORM_FIELD:
        body[_FORM_FIELD] = _FORM_VALUE
    return {**body, **extra}


def item_body(name: str, **extra: Any) -> dict[str, Any]:
    """A service sale item named ``name``, available to the parent subsidiary and its children."""
    return {
        "itemId": name,
        "incomeAccount": {"id": INCOME_ACCOUNT},
        "subsidiary": {"items": [{"id": PARENT_SUBSIDIARY}]},
        "includeChildren": True,
        **extra,
    }


def error_detail(response: requests.Response) -> dict[str, Any]:
    body = response.json()
    details = body.get("o:errorDetails") or []
    assert details, body
    detail: dict[str, Any] = details[0]
    return detail

"""Plain REST access for NetSuite contract tests that must see NetSuite's raw answers (status, headers, error JSON),
signed as NetSuite's token-based authentication requires (OAuth 1.0a, HMAC-SHA256, realm = account id)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from requests_oauthlib import OAuth1

from sandbox.netsuite_simulator import NetSuiteSimulator
from tests.contract.netsuite.conftest import NetSuiteTarget, real_account_configured
from zuora_netsuite.adapters.netsuite.client import netsuite_realm

# For behaviours a real account cannot be made to show on demand (a burst over the concurrency cap, a workflow
# lock, a record changed in the meantime, a 100,000-row result): checked against the simulator's fault injection;
# the connector's handling of them is unit-tested (docs/contract-tests.md).
simulator_only = pytest.mark.skipif(
    real_account_configured(), reason="cannot be provoked on a real NetSuite account on demand"
)


def signed_session(target: NetSuiteTarget, *, token_secret: str | None = None) -> requests.Session:
    session = requests.Session()
    session.auth = OAuth1(
        target.consumer_key,
        client_secret=target.consumer_secret,
        resource_owner_key=target.token_id,
        resource_owner_secret=token_secret if token_secret is not None else target.token_secret,
        signature_method="HMAC-SHA256",
        realm=netsuite_realm(target.account_id),
    )
    session.headers["Accept"] = "application/json"
    return session


def suiteql(session: requests.Session, target: NetSuiteTarget, query: str, **params: int) -> requests.Response:
    return session.post(
        f"{target.rest_url}/query/v1/suiteql",
        params=params,
        json={"q": query},
        headers={"Prefer": "transient"},
        timeout=60,
    )


def first_error(response: requests.Response) -> dict[str, Any]:
    body = response.json()
    assert isinstance(body, dict), body
    assert body.get("o:errorDetails"), body
    detail: dict[str, Any] = body["o:errorDetails"][0]
    return detail


def simulator(target: NetSuiteTarget) -> NetSuiteSimulator:
    assert target.simulator is not None, "a simulator-only check ran against a real account"
    return target.simulator

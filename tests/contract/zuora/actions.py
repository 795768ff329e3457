"""Plain-HTTP access to Zuora's Actions for the contract tests (no connector code between the test and Zuora)."""

from __future__ import annotations

from typing import Any

import requests

from tests.contract.zuora.conftest import ZuoraTarget


def bearer(target: ZuoraTarget) -> str:
    """A token from POST /oauth/token (client credentials)."""
    response = requests.post(
        f"{target.base_url}/oauth/token",
        data={"client_id": target.client_id, "client_secret": target.client_secret, "grant_type": "client_credentials"},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def action(
    target: ZuoraTarget,
    name: str,
    body: dict[str, Any],
    *,
    wsdl_version: str | None = None,
    params: dict[str, str] | None = None,
) -> requests.Response:
    """POST /v1/action/{name} with a fresh token (and X-Zuora-WSDL-Version when given)."""
    headers = {"Authorization": f"Bearer {bearer(target)}", "Content-Type": "application/json"}
    if wsdl_version is not None:
        headers["X-Zuora-WSDL-Version"] = wsdl_version
    return requests.post(f"{target.base_url}/v1/action/{name}", json=body, headers=headers, params=params, timeout=60)


def query(target: ZuoraTarget, zoql: str, *, wsdl_version: str | None = None) -> requests.Response:
    return action(target, "query", {"queryString": zoql}, wsdl_version=wsdl_version)


def fault_code(response: requests.Response) -> str:
    """The code of a call-level fault (FaultResponse: {"FaultCode", "FaultMessage"})."""
    body = response.json()
    return str(body.get("FaultCode") or "")

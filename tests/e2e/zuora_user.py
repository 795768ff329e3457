"""What a Zuora user's script does to the sandbox's Zuora between two sync runs (write-offs, reversals, payment
applications): the REST calls, with their own OAuth token, as against a real tenant."""

from __future__ import annotations

from typing import Any

import requests

from sandbox.stack import Sandbox


def zuora_put(sandbox: Sandbox, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """OAuth token, then PUT on the REST resource; the answer, asserted successful."""
    endpoints = sandbox.endpoints()
    token = requests.post(
        f"{endpoints['zuora_url']}/oauth/token",
        data={
            "client_id": endpoints["zuora_client_id"],
            "client_secret": endpoints["zuora_client_secret"],
            "grant_type": "client_credentials",
        },
        timeout=30,
    ).json()["access_token"]
    response = requests.put(
        f"{endpoints['zuora_url']}{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert answer.get("success", True), answer
    return answer

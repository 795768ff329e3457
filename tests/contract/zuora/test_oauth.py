"""Zuora OAuth: the connector's client gets a bearer token with client credentials and uses it."""

from __future__ import annotations

import uuid

import requests

from tests.contract.zuora.conftest import ZuoraTarget


def test_given_zuora_client_credentials_when_a_token_is_requested_then_a_bearer_token_valid_about_an_hour_is_issued(
    zuora_target: ZuoraTarget,
):
    """https://developer.zuora.com/v1-api-reference/api/operation/createToken/ : form-encoded client_id,
    client_secret, grant_type=client_credentials; answer access_token, token_type bearer, expires_in (seconds)."""
    # Given a Zuora OAuth client (its id is a UUID, as Zuora issues them)
    assert uuid.UUID(zuora_target.client_id)
    # When a token is requested
    response = requests.post(
        f"{zuora_target.base_url}/oauth/token",
        data={
            "client_id": zuora_target.client_id,
            "client_secret": zuora_target.client_secret,
            "grant_type": "client_credentials",
        },
        timeout=30,
    )
    # Then a bearer token comes back, valid for about an hour
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"].lower() == "bearer"
    assert body["access_token"]
    assert 3000 <= int(body["expires_in"]) <= 3600

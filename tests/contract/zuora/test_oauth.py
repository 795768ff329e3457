"""Zuora OAuth: the connector's client gets a bearer token with client credentials and uses it."""

from __future__ import annotations

import uuid

import requests

from tests.contract.zuora.actions import bearer
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


def test_given_a_wrong_client_secret_when_a_token_is_requested_then_401_and_no_token(zuora_target: ZuoraTarget):
    """https://developer.zuora.com/v1-api-reference/api/operation/createToken/ (401 Unauthorized)."""
    response = requests.post(
        f"{zuora_target.base_url}/oauth/token",
        data={"client_id": zuora_target.client_id, "client_secret": "wrong", "grant_type": "client_credentials"},
        timeout=30,
    )
    assert response.status_code == 401
    assert "access_token" not in response.text


def test_given_a_token_when_calling_actions_then_it_is_accepted_and_a_forged_one_is_not(zuora_target: ZuoraTarget):
    """https://developer.zuora.com/docs/guides/authentication/ (bearer token in the Authorization header; 401
    with an invalid one)."""
    body = {"queryString": f"select Id from Account where Id = '{zuora_target.test_account_id}'"}  # noqa: S608
    url = f"{zuora_target.base_url}/v1/action/query"
    good = requests.post(url, json=body, headers={"Authorization": f"Bearer {bearer(zuora_target)}"}, timeout=30)
    forged = requests.post(url, json=body, headers={"Authorization": "Bearer " + "0" * 32}, timeout=30)
    assert good.status_code == 200
    assert [record["Id"] for record in good.json()["records"]] == [zuora_target.test_account_id]
    assert forged.status_code == 401

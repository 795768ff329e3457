"""Zuora and NetSuite credentials, read from Secrets Manager through Powertools Parameters (cached).

Secret values are SecretStr: they never show in logs, exceptions or reprs."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities import parameters
from pydantic import BaseModel, ConfigDict, SecretStr

SECRET_CACHE_SECONDS = 300


class ZuoraCredentials(BaseModel):
    """Secret JSON: {"client_id": "...", "client_secret": "..."} (a Zuora OAuth client)."""

    model_config = ConfigDict(frozen=True)

    client_id: str
    client_secret: SecretStr


class NetSuiteCredentials(BaseModel):
    """Secret JSON: token-based-auth keys of a NetSuite integration record and access token."""

    model_config = ConfigDict(frozen=True)

    consumer_key: SecretStr
    consumer_secret: SecretStr
    token_id: SecretStr
    token_secret: SecretStr


def _secret_json(arn: str) -> Any:
    return parameters.get_secret(arn, transform="json", max_age=SECRET_CACHE_SECONDS)


def load_zuora_credentials(secret_arn: str) -> ZuoraCredentials:
    return ZuoraCredentials.model_validate(_secret_json(secret_arn))


def load_netsuite_credentials(secret_arn: str) -> NetSuiteCredentials:
    return NetSuiteCredentials.model_validate(_secret_json(secret_arn))

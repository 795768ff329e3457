"""Zuora and NetSuite credentials, read from Secrets Manager through Powertools Parameters (cached).

Secret values are SecretStr: they never show in logs, exceptions or reprs. A secret that does not hold what its
model needs (not JSON, not an object, a key missing, a value of the wrong type) fails with SecretMisconfigured,
which names the secret's ARN, the field and the problem, and never a value: pydantic's own message quotes the
input (``input_value=...``), so it is rebuilt without it and not chained (``from None``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from aws_lambda_powertools.utilities import parameters
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

SECRET_CACHE_SECONDS = 300

SecretModel = TypeVar("SecretModel", bound=BaseModel)


class SecretMisconfigured(Exception):
    """A secret does not hold what the connector needs: an operator's fix (the message never quotes a value)."""


class ZuoraCredentials(BaseModel):
    """Secret JSON: {"client_id": "...", "client_secret": "..."} (a Zuora OAuth client)."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)

    client_id: str
    client_secret: SecretStr


class NetSuiteCredentials(BaseModel):
    """Secret JSON: token-based-auth keys of a NetSuite integration record and access token."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)

    consumer_key: SecretStr
    consumer_secret: SecretStr
    token_id: SecretStr
    token_secret: SecretStr


def validation_problems(error: ValidationError) -> str:
    """What is wrong, field by field, without the input values (safe for logs and exception text)."""
    return "; ".join(
        f"{'.'.join(str(part) for part in p['loc']) or 'secret'}: {p['msg']}"
        for p in error.errors(include_input=False, include_url=False, include_context=False)
    )


def parse_secret(secret_arn: str, value: Any, model: type[SecretModel], what: str) -> SecretModel:
    """The secret's value (a JSON string, or already decoded) as `model`; SecretMisconfigured, never the value.

    The clean error is raised outside the ``except`` block, so that not even ``__context__`` keeps the decoder's
    or pydantic's error (the JSON decoder's holds the whole secret string in ``.doc``)."""
    expected = f"a JSON object with {', '.join(model.model_fields)}"
    decoded, problem = value, ""
    if isinstance(value, str | bytes):
        try:
            decoded = json.loads(value)
        except json.JSONDecodeError as error:
            problem = f"is not valid JSON (line {error.lineno}, column {error.colno}): store {expected}"
        except ValueError:  # bytes that are not UTF-8
            problem = f"is not valid JSON (not UTF-8 text): store {expected}"
    if not problem and not isinstance(decoded, Mapping):
        kinds = {str: "string", list: "array", bool: "boolean", int: "number", float: "number"}
        kind = kinds.get(type(decoded), "null")
        problem = f"is not an object (a JSON {kind}): store {expected}"
    if not problem:
        try:
            return model.model_validate(decoded)
        except ValidationError as error:
            problem = f"is not valid: {validation_problems(error)}"
    raise SecretMisconfigured(f"the {what} secret {secret_arn} {problem}")


def read_secret(secret_arn: str, model: type[SecretModel], what: str) -> SecretModel:
    """Reads the secret (cached SECRET_CACHE_SECONDS, so a rotation is picked up) and validates it as `model`.

    The raw string is fetched and decoded here rather than with Powertools' transform="json", whose error chains
    the JSON decoder's, which holds the whole secret string."""
    value = parameters.get_secret(secret_arn, max_age=SECRET_CACHE_SECONDS)
    return parse_secret(secret_arn, value, model, what)


def load_zuora_credentials(secret_arn: str) -> ZuoraCredentials:
    return read_secret(secret_arn, ZuoraCredentials, "Zuora")


def load_netsuite_credentials(secret_arn: str) -> NetSuiteCredentials:
    return read_secret(secret_arn, NetSuiteCredentials, "NetSuite")

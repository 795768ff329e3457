"""openapi/webhook.yaml as a contract: answers of the handler are checked against it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

OPENAPI_PATH = Path(__file__).resolve().parents[3] / "openapi" / "webhook.yaml"


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(OPENAPI_PATH.read_text())
    return document


def resolve(node: Any) -> Any:
    """The node with every local $ref replaced by what it points to."""
    if isinstance(node, list):
        return [resolve(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = openapi_document()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return resolve(target)
    return {key: resolve(value) for key, value in node.items()}


def check_answer_is_documented(method: str, resource: str, status: int, body: dict[str, Any]) -> None:
    """Assert the status is documented for the operation and the body matches its schema. A request to a route
    the document does not have must get the documented 404 of the webhook."""
    paths = openapi_document()["paths"]
    operation = paths.get(resource, {}).get(method.lower())
    if operation is None:
        assert status == 404, (method, resource, status, body)
        operation = paths["/webhooks/zuora"]["post"]
    responses = resolve(operation["responses"])
    assert str(status) in responses, f"{method} {resource} answered {status}, not documented: {body}"
    schema = responses[str(status)].get("content", {}).get("application/json", {}).get("schema")
    assert schema is not None, f"{status} of {method} {resource} documents no JSON body"
    errors = [error.message for error in OAS30Validator(schema).iter_errors(body)]
    assert not errors, f"{method} {resource} {status}: {errors} in {body}"

"""Which AWS calls each function makes, as IAM authorises them: (function, IAM action, resource ARN, condition keys).

The sandbox runs the functions in-process, so every boto3/botocore client of the connector (its own, and the ones
Powertools Parameters builds on a session of its own) goes through `botocore.client.BaseClient._make_api_call`.
While an `AwsCallLog` is recording, that method is wrapped: a call made while a function is being invoked
(`invoked_as`, set by the sandbox's Lambda, API Gateway and SQS event source mapping stand-ins) is translated into
the IAM requests AWS would authorise for it against that function's execution role, and counted. Calls made by the
sandbox itself (creating the stack, a test's assertions, the driver's visibility shortcut) belong to no function and
are not recorded. tests/infrastructure/test_permissions_by_use.py evaluates the recorded requests against each
function's policy in the transformed template.

How an API call becomes IAM requests (the action and resource type of each operation):
- DynamoDB: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
  (a Query or Scan of an index is authorised on the index ARN `table/<name>/index/<index>`, a separate resource:
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-specific-table-indexes.html; the
  partition key values are the `dynamodb:LeadingKeys` condition key:
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html)
- SQS: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
  (the batch actions are authorised as their single-message action)
- Secrets Manager: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from sandbox.aws import ACCOUNT

# The logical id of the function (template.yaml) whose execution role makes the calls of this thread/context.
_FUNCTION: ContextVar[str | None] = ContextVar("sandbox_invoked_function", default=None)


@contextmanager
def invoked_as(function_id: str) -> Iterator[None]:
    """AWS calls made inside this block are made with `function_id`'s execution role."""
    token = _FUNCTION.set(function_id)
    try:
        yield
    finally:
        _FUNCTION.reset(token)


def current_function() -> str | None:
    return _FUNCTION.get()


@dataclass(frozen=True, order=True)
class IamRequest:
    """One authorisation AWS makes for an API call: `action` on `resource`, with the request's condition keys."""

    function: str
    action: str  # e.g. "dynamodb:Query"
    resource: str  # ARN
    context: tuple[tuple[str, tuple[str, ...]], ...] = ()  # condition key -> values, sorted
    operation: str = ""  # the API operation that asked, e.g. "dynamodb:BatchGetItem" (for messages)

    def condition_values(self) -> dict[str, tuple[str, ...]]:
        return dict(self.context)


class UnknownOperation(Exception):
    """An AWS operation this module does not know how IAM authorises: add it rather than guess."""


# DynamoDB: the hash key attribute of the state table and of its index (template.yaml KeySchema).
TABLE_HASH_KEYS = ("pk",)


def _plain(value: Any) -> str | None:
    """An attribute value as passed to boto3: the resource layer's plain value or the client's {"S": ...}."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and set(value) == {"S"}:
        return str(value["S"])
    return None


def _leading_keys(item: Mapping[str, Any] | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not item:
        return ()
    values = tuple(v for key in TABLE_HASH_KEYS if (v := _plain(item.get(key))) is not None)
    return (("dynamodb:LeadingKeys", values),) if values else ()


def _table_arn(region: str, table: str) -> str:
    return table if table.startswith("arn:") else f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{table}"


_DYNAMODB_ITEM_OPERATIONS = {"GetItem": "Key", "PutItem": "Item", "UpdateItem": "Key", "DeleteItem": "Key"}
_DYNAMODB_TABLE_OPERATIONS = {"Query", "Scan", "DescribeTable", "DescribeTimeToLive"}
_TRANSACT_ACTIONS = {"Put": ("PutItem", "Item"), "Update": ("UpdateItem", "Key"), "Delete": ("DeleteItem", "Key")}


def _dynamodb(region: str, operation: str, params: Mapping[str, Any]) -> list[tuple[str, str, tuple[Any, ...]]]:
    if operation in _DYNAMODB_ITEM_OPERATIONS:
        item = params.get(_DYNAMODB_ITEM_OPERATIONS[operation])
        return [(f"dynamodb:{operation}", _table_arn(region, params["TableName"]), _leading_keys(item))]
    if operation in _DYNAMODB_TABLE_OPERATIONS:
        arn = _table_arn(region, params["TableName"])
        if params.get("IndexName"):
            arn = f"{arn}/index/{params['IndexName']}"
        return [(f"dynamodb:{operation}", arn, ())]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", _table_arn(region, table), ()) for table in params["RequestItems"]]
    if operation == "TransactWriteItems":
        requests: list[tuple[str, str, tuple[Any, ...]]] = []
        for entry in params["TransactItems"]:
            ((kind, body),) = entry.items()
            if kind == "ConditionCheck":
                requests.append(("dynamodb:ConditionCheckItem", _table_arn(region, body["TableName"]), ()))
                continue
            action, key = _TRANSACT_ACTIONS[kind]
            requests.append((f"dynamodb:{action}", _table_arn(region, body["TableName"]), _leading_keys(body[key])))
        return requests
    if operation == "TransactGetItems":
        return [
            ("dynamodb:GetItem", _table_arn(region, e["Get"]["TableName"]), _leading_keys(e["Get"]["Key"]))
            for e in params["TransactItems"]
        ]
    raise UnknownOperation(f"dynamodb:{operation}")


# SQS: the action that authorises each operation (the *Batch operations need their single-message action).
_SQS_ACTIONS = {
    "SendMessage": "SendMessage",
    "SendMessageBatch": "SendMessage",
    "ReceiveMessage": "ReceiveMessage",
    "DeleteMessage": "DeleteMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibility": "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
    "GetQueueAttributes": "GetQueueAttributes",
    "GetQueueUrl": "GetQueueUrl",
    "PurgeQueue": "PurgeQueue",
}


def _queue_arn(region: str, queue_url: str) -> str:
    """https://sqs.<region>.amazonaws.com/<account>/<name> (or the sandbox's http://127.0.0.1:<port>/<account>/<name>)."""
    account, name = urlparse(queue_url).path.strip("/").split("/")[-2:]
    return f"arn:aws:sqs:{region}:{account}:{name}"


def _sqs(region: str, operation: str, params: Mapping[str, Any]) -> list[tuple[str, str, tuple[Any, ...]]]:
    action = _SQS_ACTIONS.get(operation)
    if action is None:
        raise UnknownOperation(f"sqs:{operation}")
    if operation == "GetQueueUrl":
        account = params.get("QueueOwnerAWSAccountId", ACCOUNT)
        return [(f"sqs:{action}", f"arn:aws:sqs:{region}:{account}:{params['QueueName']}", ())]
    return [(f"sqs:{action}", _queue_arn(region, params["QueueUrl"]), ())]


def _secretsmanager(region: str, operation: str, params: Mapping[str, Any]) -> list[tuple[str, str, tuple[Any, ...]]]:
    if operation in ("GetSecretValue", "DescribeSecret"):
        secret = str(params["SecretId"])
        if not secret.startswith("arn:"):
            # IAM authorises a secret by its ARN; the connector always configures full ARNs (template parameters).
            raise UnknownOperation(f"secretsmanager:{operation} by name ({secret!r}): configure the full ARN")
        return [(f"secretsmanager:{operation}", secret, ())]
    raise UnknownOperation(f"secretsmanager:{operation}")


_SERVICES = {"dynamodb": _dynamodb, "sqs": _sqs, "secretsmanager": _secretsmanager}


def iam_requests(
    function: str, service: str, region: str, operation: str, params: Mapping[str, Any]
) -> list[IamRequest]:
    """The IAM requests AWS authorises for one API call made with `function`'s role."""
    translate = _SERVICES.get(service)
    if translate is None:
        raise UnknownOperation(f"{service}:{operation}")
    return [
        IamRequest(function, action, resource, tuple(sorted(context)), f"{service}:{operation}")
        for action, resource, context in translate(region, operation, params)
    ]


class AwsCallLog:
    """The IAM requests recorded while `recording()` is active, counted per request."""

    def __init__(self) -> None:
        self.requests: Counter[IamRequest] = Counter()
        self.unknown: Counter[str] = Counter()  # operations this module cannot translate (a test fails on them)
        self._lock = threading.Lock()

    def add(self, function: str, service: str, region: str, operation: str, params: Mapping[str, Any]) -> None:
        try:
            found = iam_requests(function, service, region, operation, params)
        except UnknownOperation as unknown:
            with self._lock:
                self.unknown[f"{function}: {unknown}"] += 1
            return
        with self._lock:
            self.requests.update(found)

    def for_function(self, function: str) -> list[IamRequest]:
        with self._lock:
            return sorted(r for r in self.requests if r.function == function)

    def functions(self) -> set[str]:
        with self._lock:
            return {r.function for r in self.requests}

    @contextmanager
    def recording(self) -> Iterator[AwsCallLog]:
        _install()
        with _active_lock:
            _active.append(self)
        try:
            yield self
        finally:
            with _active_lock:
                _active.remove(self)


def deliver(requests: Iterable[IamRequest]) -> None:
    """Requests recorded elsewhere (a Lambda container's own process) into every log recording here."""
    found = list(requests)
    if not found:
        return
    with _active_lock:
        logs = list(_active)
    for log in logs:
        with log._lock:
            log.requests.update(found)


_active: list[AwsCallLog] = []
_active_lock = threading.Lock()
_installed = False


def _install() -> None:
    """Wrap BaseClient._make_api_call once per process (a no-op while no log is recording)."""
    global _installed
    with _active_lock:
        if _installed:
            return
        from botocore.client import BaseClient

        original = BaseClient._make_api_call

        def make_api_call(client: Any, operation_name: str, api_params: Mapping[str, Any]) -> Any:
            function = _FUNCTION.get()
            if function is not None and _active:
                service = client.meta.service_model.service_name
                for log in list(_active):
                    log.add(function, service, client.meta.region_name, operation_name, api_params)
            return original(client, operation_name, api_params)

        BaseClient._make_api_call = make_api_call
        _installed = True

"""Where the CLI points: a deployed stack (boto3 + CloudFormation stack outputs and parameters) or the local
sandbox (the JSON `make sandbox` prints and writes to .sandbox/endpoints.json). Either way the CLI builds the
same adapters the functions use, so every command runs the connector's own logic."""

from __future__ import annotations

import importlib
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from zuora_netsuite.adapters.dlq import SqsDeadLetterQueue
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.adapters.queue import SqsSyncQueue
from zuora_netsuite.adapters.state import DynamoDbStateStore
from zuora_netsuite.adapters.zuora.client import ZuoraClient
from zuora_netsuite.settings import ConnectorSettings
from zuora_netsuite.wiring import build_netsuite_client, build_zuora_client

SANDBOX_ENDPOINTS = Path(".sandbox/endpoints.json")


class TargetError(Exception):
    """The stack or sandbox cannot be reached or lacks something the CLI needs."""


@dataclass
class Target:
    description: str
    settings: ConnectorSettings
    region: str
    aws_endpoint: str | None = None  # the sandbox's moto server; None for AWS itself
    dispatcher_function: str | None = None  # deployed: invoked by `run`
    sandbox_env: dict[str, str] = field(default_factory=dict)  # sandbox: the functions' environment
    _zuora: Callable[[], ZuoraClient] | None = None
    _netsuite: Callable[[], NetSuiteClient] | None = None

    @property
    def is_sandbox(self) -> bool:
        return self.aws_endpoint is not None

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=self.region, endpoint_url=self.aws_endpoint)

    def state_store(self) -> DynamoDbStateStore:
        resource = boto3.resource("dynamodb", region_name=self.region, endpoint_url=self.aws_endpoint)
        return DynamoDbStateStore(self.settings.state_table_name, dynamodb=resource)

    def sync_queue(self) -> SqsSyncQueue:
        return SqsSyncQueue(self.settings.sync_queue_url, self.settings.sync_dlq_url, sqs=self.client("sqs"))

    def dead_letter_queue(self) -> SqsDeadLetterQueue:
        wait = 0 if self.is_sandbox else 1  # moto answers a short poll exactly
        return SqsDeadLetterQueue(
            self.settings.sync_dlq_url, self.settings.sync_queue_url, sqs=self.client("sqs"), wait_seconds=wait
        )

    def zuora(self) -> ZuoraClient:
        if self._zuora is None:
            raise TargetError("no Zuora credentials for this target")
        return self._zuora()

    def netsuite(self) -> NetSuiteClient:
        if self._netsuite is None:
            raise TargetError("no NetSuite credentials for this target")
        return self._netsuite()

    def queue_depth(self, url: str) -> int:
        attributes = self.client("sqs").get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])

    # --- one cycle -----------------------------------------------------------------------------------

    def run_cycle(
        self,
        *,
        on_dispatched: Callable[[int], None],
        on_synced: Callable[[int], None],
        timeout_seconds: float,
        retry_delay_seconds: int = 1,
        dispatch: bool = True,
    ) -> dict[str, Any]:
        """The dispatcher once (unless `dispatch` is False), then the sync function until SyncQueue is empty;
        returns the run summary."""
        if self.is_sandbox:
            return self._run_sandbox_cycle(on_dispatched, on_synced, timeout_seconds, retry_delay_seconds, dispatch)
        return self._run_deployed_cycle(on_dispatched, on_synced, timeout_seconds, dispatch)

    def _run_deployed_cycle(
        self,
        on_dispatched: Callable[[int], None],
        on_synced: Callable[[int], None],
        timeout_seconds: float,
        dispatch: bool,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"run_id": None, "status": "completed", "types": []}
        if dispatch:
            if not self.dispatcher_function:
                raise TargetError("the stack has no DispatcherFunctionName output")
            answer = self.client("lambda").invoke(
                FunctionName=self.dispatcher_function,
                InvocationType="RequestResponse",
                Payload=b'{"source": "operator"}',
            )
            payload = json.loads(answer["Payload"].read() or b"{}")
            if answer.get("FunctionError"):
                raise TargetError(f"the dispatcher failed: {payload.get('errorMessage', payload)}")
        # The SQS trigger syncs what is on the queue; this only follows it until the queue is empty.
        enqueued = sum(int(t.get("enqueued", 0)) for t in payload.get("types", [])) or self.queue_depth(
            self.settings.sync_queue_url
        )
        on_dispatched(enqueued)
        deadline, done = time.monotonic() + timeout_seconds, 0
        while True:
            depth = self.queue_depth(self.settings.sync_queue_url)
            progressed = max(0, enqueued - depth) - done
            if progressed > 0:
                done += progressed
                on_synced(progressed)
            if depth == 0:
                return dict(payload)
            if time.monotonic() > deadline:
                raise TargetError(f"SyncQueue still holds {depth} message(s) after {timeout_seconds:.0f} s")
            time.sleep(2)

    def _run_sandbox_cycle(
        self,
        on_dispatched: Callable[[int], None],
        on_synced: Callable[[int], None],
        timeout_seconds: float,
        retry_delay_seconds: int,
        dispatch: bool,
    ) -> dict[str, Any]:
        from sandbox.driver import LambdaContext, sync_event_source_mapping
        from sandbox.stack import lambda_invocation

        with self.function_environment():
            dispatcher_handler = importlib.import_module("dispatcher_handler")
            sync_handler = importlib.import_module("sync_handler")
            summary: dict[str, Any] = {"run_id": None, "status": "completed", "types": []}
            if dispatch:
                summary = lambda_invocation(dispatcher_handler)(
                    {"source": "operator"}, LambdaContext("DispatcherFunction", timeout_seconds=900)
                )
            waiting = sum(int(t["enqueued"]) for t in summary.get("types", []))
            on_dispatched(waiting or self.queue_depth(self.settings.sync_queue_url))
            sync_event_source_mapping(
                self.client("sqs"),
                self.settings.sync_queue_url,
                lambda_invocation(sync_handler),
                retry_delay_seconds=retry_delay_seconds,
            ).drain(on_batch=on_synced, timeout_seconds=timeout_seconds)
        return summary

    @contextmanager
    def function_environment(self) -> Iterator[None]:
        """The functions' environment in this process (the sandbox runs them in-process), fresh caches."""
        from sandbox.environment import patched_environ
        from zuora_netsuite import wiring

        with patched_environ(self.sandbox_env):
            wiring.reset()
            try:
                yield
            finally:
                wiring.reset()


def sandbox_target(path: Path) -> Target:
    """The sandbox `make sandbox` started (its endpoints file), or one a test started."""
    if not path.exists():
        raise TargetError(f"{path} not found: start the sandbox with `make sandbox` (or pass --stack NAME)")
    endpoints = json.loads(path.read_text())
    env = {
        "AWS_ACCESS_KEY_ID": "sandbox",
        "AWS_SECRET_ACCESS_KEY": "sandbox",
        "AWS_SESSION_TOKEN": "sandbox",
        "AWS_DEFAULT_REGION": endpoints["aws_region"],
        "AWS_REGION": endpoints["aws_region"],
        "AWS_ENDPOINT_URL": endpoints["aws_endpoint"],
        "STATE_TABLE_NAME": endpoints["state_table"],
        "SYNC_QUEUE_URL": endpoints["sync_queue_url"],
        "SYNC_DLQ_URL": endpoints["sync_dlq_url"],
        "ZUORA_BASE_URL": endpoints["zuora_url"],
        "ZUORA_SECRET_ARN": endpoints["zuora_secret_arn"],
        "NETSUITE_ACCOUNT_ID": endpoints["netsuite_account"],
        "NETSUITE_BASE_URL": endpoints["netsuite_url"],
        "NETSUITE_SECRET_ARN": endpoints["netsuite_secret_arn"],
        "SYNC_CONFIG": str(endpoints.get("sync_config", "{}")),
        "POWERTOOLS_SERVICE_NAME": "zuora-netsuite-connector",
        "POWERTOOLS_METRICS_NAMESPACE": "ZuoraNetSuiteConnector",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        os.environ.setdefault(name, env[name])  # moto accepts any; boto3 must not look for real ones
    settings = ConnectorSettings.model_validate(
        {k: v for k, v in env.items() if not k.startswith(("AWS_", "POWER", "SYNC_CONFIG"))}
        | {"SYNC_CONFIG": json.loads(env["SYNC_CONFIG"])}
    )
    return Target(
        description=f"sandbox at {endpoints['aws_endpoint']}",
        settings=settings,
        region=endpoints["aws_region"],
        aws_endpoint=endpoints["aws_endpoint"],
        sandbox_env=env,
        _zuora=lambda: ZuoraClient(
            endpoints["zuora_url"], endpoints["zuora_client_id"], endpoints["zuora_client_secret"]
        ),
        _netsuite=lambda: NetSuiteClient(
            settings.netsuite_rest_url,
            endpoints["netsuite_account"],
            endpoints["netsuite_consumer_key"],
            endpoints["netsuite_consumer_secret"],
            endpoints["netsuite_token_id"],
            endpoints["netsuite_token_secret"],
        ),
    )


def stack_target(stack_name: str, region: str | None) -> Target:
    """A deployed stack: resources from its outputs, vendor settings from its parameters, credentials from
    Secrets Manager (read with the operator's own AWS credentials)."""
    session = boto3.session.Session(region_name=region)
    try:
        [stack] = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    except Exception as error:  # botocore errors: credentials, region, no such stack
        raise TargetError(f"cannot read stack {stack_name}: {error}") from error
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
    try:
        settings = ConnectorSettings.model_validate(
            {
                "STATE_TABLE_NAME": outputs["IntegrationStateTableName"],
                "SYNC_QUEUE_URL": outputs["SyncQueueUrl"],
                "SYNC_DLQ_URL": outputs["SyncDLQUrl"],
                "ZUORA_BASE_URL": parameters["ZuoraBaseUrl"],
                "ZUORA_SECRET_ARN": parameters["ZuoraSecretArn"],
                "NETSUITE_ACCOUNT_ID": parameters["NetSuiteAccountId"],
                "NETSUITE_SECRET_ARN": parameters["NetSuiteSecretArn"],
                "SYNC_CONFIG": json.loads(parameters.get("SyncConfig") or "{}"),
            }
        )
    except KeyError as missing:
        raise TargetError(f"stack {stack_name} has no {missing} output or parameter") from missing
    os.environ.setdefault("AWS_DEFAULT_REGION", session.region_name or "")

    def zuora() -> ZuoraClient:
        return build_zuora_client(settings)

    def netsuite() -> NetSuiteClient:
        return build_netsuite_client(settings)

    return Target(
        description=f"stack {stack_name} ({session.region_name})",
        settings=settings,
        region=session.region_name or "us-east-1",
        dispatcher_function=outputs.get("DispatcherFunctionName"),
        _zuora=zuora,
        _netsuite=netsuite,
    )

"""The sandbox's AWS: a moto server on loopback, with the queue, DLQ, table and secrets created from the
resource definitions in template.yaml itself (names, key schema, indexes, TTL, redrive, timeouts)."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from cfnlint.decode import cfn_yaml
from moto.server import ThreadedMotoServer
from werkzeug.serving import WSGIRequestHandler

from sandbox.shutdown import bounded

REGION = "us-east-1"
ACCOUNT = "123456789012"
TEMPLATE = Path(__file__).resolve().parent.parent / "template.yaml"
# Dummy credentials: moto accepts any; set so boto3 never looks for real ones.
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "sandbox",
    "AWS_SECRET_ACCESS_KEY": "sandbox",
    "AWS_SESSION_TOKEN": "sandbox",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


class TemplateResolver:
    """Resolves the few intrinsics the sandbox needs (!Ref, !Sub, !GetAtt X.Arn) against parameter defaults."""

    def __init__(
        self, template: Mapping[str, Any], stack_name: str, overrides: Mapping[str, str], arns: dict[str, str]
    ) -> None:
        self._template = template
        self._stack_name = stack_name
        self._arns = arns
        self._params = {
            name: str(overrides.get(name, spec.get("Default", "")))
            for name, spec in template.get("Parameters", {}).items()
        }

    def resource(self, logical_id: str) -> dict[str, Any]:
        resolved: dict[str, Any] = self.resolve(self._template["Resources"][logical_id].get("Properties", {}))
        return resolved

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, Mapping):
            return value
        if set(value) == {"Ref"}:
            return self._ref(str(value["Ref"]))
        if set(value) == {"Fn::Sub"}:
            text = str(value["Fn::Sub"])
            for name in [*self._params, "AWS::StackName", "AWS::Region", "AWS::AccountId"]:
                text = text.replace("${" + name + "}", self._ref(name))
            return text
        if set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            logical_id = target[0] if isinstance(target, list) else str(target).split(".")[0]
            return self._arns[logical_id]
        return {k: self.resolve(v) for k, v in value.items()}

    def _ref(self, name: str) -> str:
        builtins = {"AWS::StackName": self._stack_name, "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}
        if name in builtins:
            return builtins[name]
        return self._params[name]


@dataclass
class AwsResources:
    endpoint: str
    table_name: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str
    zuora_secret_arn: str
    netsuite_secret_arn: str
    max_receive_count: int
    visibility_timeout: int
    # the write-back queue (final statuses for Zuora) and its DLQ
    writeback_queue_url: str = ""
    writeback_queue_arn: str = ""
    writeback_dlq_url: str = ""
    writeback_dlq_arn: str = ""


def speed_up_moto_sqs() -> None:
    """Two constant-factor fixes to moto's SQS (5.2), same semantics, so a backlog of thousands of messages
    does not make every call slow:

    - every SendMessage (and every message received, for its retention period) read `queue.attributes`,
      which rebuilds all queue attributes, including the message counts that scan every message in the
      queue: O(n) per message, O(n^2) per backlog. Here reading one attribute computes that one alone;
    - `Message.visible` / `delayed`, checked for every message on every receive, built two datetimes per
      check; here they read the clock once, in milliseconds, as moto's own `unix_time_millis` does.
    """
    from moto.core.utils import camelcase_to_underscores
    from moto.sqs import models

    if getattr(models.Queue, "_sandbox_fast", False):
        return
    full_attributes = models.Queue.attributes.fget  # type: ignore[attr-defined]
    assert full_attributes is not None

    counts = {
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesDelayed",
        "ApproximateNumberOfMessagesNotVisible",
    }
    missing = object()

    class QueueAttributes(Mapping[str, Any]):
        """The queue's attributes; one read by key computes that attribute alone (counts only when asked)."""

        def __init__(self, queue: Any) -> None:
            self._queue = queue

        def _one(self, key: str) -> Any:
            queue = self._queue
            if key in counts or key in ("Policy", "RedrivePolicy"):
                return full_attributes(queue).get(key, missing)
            names = [*queue.BASE_ATTRIBUTES]
            names += queue.FIFO_ATTRIBUTES if queue.fifo_queue else []
            names += queue.KMS_ATTRIBUTES if queue.kms_master_key_id else []
            if key not in names:
                return missing
            value = getattr(queue, camelcase_to_underscores(key))
            return str(value).lower() if isinstance(value, bool) else value

        def get(self, key: str, default: Any = None) -> Any:
            value = self._one(key)
            return default if value is missing else value

        def __contains__(self, key: object) -> bool:
            return isinstance(key, str) and self._one(key) is not missing

        def __getitem__(self, key: str) -> Any:
            value = self._one(key)
            if value is missing:
                raise KeyError(key)
            return value

        def __iter__(self) -> Iterator[str]:
            return iter(full_attributes(self._queue))

        def __len__(self) -> int:
            return len(full_attributes(self._queue))

    def now_millis() -> float:
        return time.time() * 1000.0

    models.Queue.attributes = property(lambda queue: QueueAttributes(queue))  # type: ignore[method-assign,assignment]
    models.Message.visible = property(lambda message: now_millis() > message.visible_at)  # type: ignore[method-assign,assignment]
    models.Message.delayed = property(lambda message: now_millis() < message.delayed_until)  # type: ignore[method-assign,assignment]
    models.Queue._sandbox_fast = True  # type: ignore[attr-defined]


def _serve_moto_in_this_process(ports: Any, stop: Any) -> None:
    """The body of the separate moto process: serve on an ephemeral port, report it, wait to be stopped."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access-log line per request
    speed_up_moto_sqs()
    # Connections kept alive, as AWS's endpoints do (werkzeug's HTTP/1.0 closes each one after its answer: a TCP
    # connect per DynamoDB or SQS call that AWS does not charge). This process serves moto alone.
    WSGIRequestHandler.protocol_version = "HTTP/1.1"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    ports.put(server.get_host_and_port()[1])
    stop.wait()
    server.stop()


class LocalAws:
    """A ThreadedMotoServer on 127.0.0.1 with an ephemeral port: in this process (tests), or in a process of
    its own (`own_process=True`), so that AWS is not served by the same interpreter as the simulators and
    the driver; benchmarks use that, as AWS is not on the connector's machine either."""

    def __init__(self, *, own_process: bool = False) -> None:
        self._own_process = own_process
        self._server: ThreadedMotoServer | None = None
        self._process: Any = None
        self._stop: Any = None
        self.endpoint = ""

    def start(self) -> str:
        if self._own_process:
            context = multiprocessing.get_context("spawn")
            ports, self._stop = context.Queue(), context.Event()
            self._process = context.Process(target=_serve_moto_in_this_process, args=(ports, self._stop), daemon=True)
            self._process.start()
            port = ports.get(timeout=60)
            self.endpoint = f"http://127.0.0.1:{port}"
            return self.endpoint
        speed_up_moto_sqs()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        return self.endpoint

    def stop(self) -> None:
        if self._process is not None:
            self._stop.set()
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.kill()
            self._process = None
        if self._server is not None:
            # ThreadedMotoServer.stop() waits for its serve loop and joins its thread, neither with a timeout
            bounded("moto server", self._server.stop)
            self._server = None

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION, **_credentials())

    def resource(self, service: str) -> Any:
        return boto3.resource(service, endpoint_url=self.endpoint, region_name=REGION, **_credentials())

    def create_stack_resources(
        self,
        *,
        stack_name: str,
        zuora_secret: Mapping[str, str],
        netsuite_secret: Mapping[str, str],
        overrides: Mapping[str, str] | None = None,
    ) -> AwsResources:
        template = cfn_yaml.loads(TEMPLATE.read_text())
        arns: dict[str, str] = {}
        resolver = TemplateResolver(template, stack_name, overrides or {}, arns)
        sqs = self.client("sqs")

        dlq = resolver.resource("SyncDLQ")
        dlq_url = sqs.create_queue(QueueName=dlq.pop("QueueName"), Attributes=_queue_attributes(dlq))["QueueUrl"]
        arns["SyncDLQ"] = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        queue = resolver.resource("SyncQueue")
        redrive = queue["RedrivePolicy"]
        queue_url = sqs.create_queue(QueueName=queue.pop("QueueName"), Attributes=_queue_attributes(queue))["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

        writeback_dlq_url, writeback_dlq_arn = self._create_queue(sqs, resolver, "WriteBackDLQ")
        arns["WriteBackDLQ"] = writeback_dlq_arn
        writeback_url, writeback_arn = self._create_queue(sqs, resolver, "WriteBackQueue")

        table = resolver.resource("IntegrationStateTable")
        dynamodb = self.client("dynamodb")
        dynamodb.create_table(
            TableName=table["TableName"],
            BillingMode=table["BillingMode"],
            AttributeDefinitions=table["AttributeDefinitions"],
            KeySchema=table["KeySchema"],
            GlobalSecondaryIndexes=table.get("GlobalSecondaryIndexes", []),
        )
        ttl = table.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(
                TableName=table["TableName"],
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )

        secrets = self.client("secretsmanager")
        zuora_arn = secrets.create_secret(Name=f"{stack_name}/zuora", SecretString=json.dumps(dict(zuora_secret)))[
            "ARN"
        ]
        netsuite_arn = secrets.create_secret(
            Name=f"{stack_name}/netsuite", SecretString=json.dumps(dict(netsuite_secret))
        )["ARN"]
        return AwsResources(
            endpoint=self.endpoint,
            table_name=table["TableName"],
            queue_url=queue_url,
            queue_arn=queue_arn,
            dlq_url=dlq_url,
            dlq_arn=arns["SyncDLQ"],
            zuora_secret_arn=zuora_arn,
            netsuite_secret_arn=netsuite_arn,
            max_receive_count=int(redrive["maxReceiveCount"]),
            visibility_timeout=int(queue.get("VisibilityTimeout", 30)),
            writeback_queue_url=writeback_url,
            writeback_queue_arn=writeback_arn,
            writeback_dlq_url=writeback_dlq_url,
            writeback_dlq_arn=writeback_dlq_arn,
        )

    @staticmethod
    def _create_queue(sqs: Any, resolver: TemplateResolver, name: str) -> tuple[str, str]:
        """The template's queue `name` (its redrive target created first): its URL and ARN."""
        properties = resolver.resource(name)
        url = sqs.create_queue(QueueName=properties.pop("QueueName"), Attributes=_queue_attributes(properties))[
            "QueueUrl"
        ]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return str(url), str(arn)


def _queue_attributes(properties: Mapping[str, Any]) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for name in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds"):
        if name in properties:
            attributes[name] = str(properties[name])
    if "RedrivePolicy" in properties:
        attributes["RedrivePolicy"] = json.dumps(
            {k: str(v) if k == "maxReceiveCount" else v for k, v in properties["RedrivePolicy"].items()}
        )
    return attributes


def _credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": os.environ.get("AWS_ACCESS_KEY_ID", AWS_ENV["AWS_ACCESS_KEY_ID"]),
        "aws_secret_access_key": os.environ.get("AWS_SECRET_ACCESS_KEY", AWS_ENV["AWS_SECRET_ACCESS_KEY"]),
        "aws_session_token": os.environ.get("AWS_SESSION_TOKEN", AWS_ENV["AWS_SESSION_TOKEN"]),
    }

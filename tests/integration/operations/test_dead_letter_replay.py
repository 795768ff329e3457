"""Replay against SQS (moto): the real DLQ adapter, dead letters as the sync function writes them, and messages
SQS itself moved after maxReceiveCount. Plus the state store's reset delete."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from zuora_netsuite.adapters.dlq import SqsDeadLetterQueue
from zuora_netsuite.adapters.queue import SqsSyncQueue
from zuora_netsuite.adapters.state import DynamoDbStateStore
from zuora_netsuite.logic.replay import DeadLetterReplay
from zuora_netsuite.models.messages import DeadLetter, SyncRequest
from zuora_netsuite.models.record_types import RecordType, external_id
from zuora_netsuite.models.replay import ReplayRequest
from zuora_netsuite.models.state import RecordState

REGION = "us-east-1"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for name, value in {"AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        dlq_url = sqs.create_queue(QueueName="sync-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        queue_url = sqs.create_queue(
            QueueName="sync",
            Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})},
        )["QueueUrl"]
        dynamodb = boto3.resource("dynamodb", region_name=REGION)
        table = dynamodb.create_table(
            TableName="state",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "error_type", "error_at")
            ],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "errors-by-type",
                    "KeySchema": [
                        {"AttributeName": "error_type", "KeyType": "HASH"},
                        {"AttributeName": "error_at", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )
        yield {"sqs": sqs, "queue_url": queue_url, "dlq_url": dlq_url, "state": DynamoDbStateStore(table.name)}


def request(record_id: str) -> SyncRequest:
    return SyncRequest(record_type=RecordType.CUSTOMER, record_id=record_id, run_id="run-1")


def bodies(sqs: Any, url: str) -> list[str]:
    found: list[str] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get(
        "Messages", []
    ):
        found += [m["Body"] for m in messages]
    return sorted(found)


def fill_dlq(aws: dict[str, Any]) -> list[str]:
    """A permanent failure sent by the sync function, and a message SQS moved after maxReceiveCount."""
    sqs = aws["sqs"]
    queue = SqsSyncQueue(aws["queue_url"], aws["dlq_url"], sqs=sqs)
    invalid, unreachable = request("a1"), request("a2")
    queue.send_dead_letter(
        DeadLetter(request=invalid, failure_kind="permanent", failure_code="VALIDATION", reason="Name is blank")
    )
    queue.send([unreachable])
    sqs.receive_message(QueueUrl=aws["queue_url"], VisibilityTimeout=0)  # delivered once, not deleted
    sqs.receive_message(QueueUrl=aws["queue_url"])  # past maxReceiveCount: SQS moves it to the DLQ
    return [invalid.model_dump_json(), unreachable.model_dump_json()]


def test_replay_moves_dead_letters_back_to_the_sync_queue_unchanged(aws: dict[str, Any]):
    # Given a DLQ holding a permanent failure and a message SQS moved after maxReceiveCount
    originals = fill_dlq(aws)
    replay = DeadLetterReplay(SqsDeadLetterQueue(aws["dlq_url"], aws["queue_url"], sqs=aws["sqs"], wait_seconds=0),
                              aws["state"])  # fmt: skip

    # When the operator replays everything
    report = replay.run(ReplayRequest())

    # Then both bodies are on SyncQueue exactly as they were, and the DLQ is empty
    assert {(i.record_id, i.failure_code) for i in report.moved} == {("a1", "VALIDATION"), ("a2", "RETRIES_EXHAUSTED")}
    assert bodies(aws["sqs"], aws["queue_url"]) == sorted(originals)
    assert bodies(aws["sqs"], aws["dlq_url"]) == []


def test_a_dry_run_leaves_every_message_on_the_dlq_visible(aws: dict[str, Any]):
    # Given the same DLQ
    originals = fill_dlq(aws)
    replay = DeadLetterReplay(SqsDeadLetterQueue(aws["dlq_url"], aws["queue_url"], sqs=aws["sqs"], wait_seconds=0),
                              aws["state"])  # fmt: skip

    # When the operator does a dry run
    report = replay.run(ReplayRequest(dry_run=True))

    # Then it lists both, SyncQueue stays empty, and both can be received from the DLQ right away
    assert len(report.moved) == 2
    assert bodies(aws["sqs"], aws["queue_url"]) == []
    assert bodies(aws["sqs"], aws["dlq_url"]) == sorted(originals)


def test_reset_delete_waits_for_a_sync_in_progress(aws: dict[str, Any]):
    # Given a record state that a worker holds the lease on
    state: DynamoDbStateStore = aws["state"]
    state.save(RecordState(record_type=RecordType.CUSTOMER, record_id="a1",
                           external_id=external_id(RecordType.CUSTOMER, "a1"), netsuite_id="42"))  # fmt: skip
    assert state.acquire_record_lease(RecordType.CUSTOMER, "a1", "worker-1", 300)

    # When an operator's reset tries to delete it, then it is refused and the state is kept
    assert state.delete(RecordType.CUSTOMER, "a1", "operator-reset") is False
    assert state.get(RecordType.CUSTOMER, "a1") is not None

    # When the worker is done, then the reset deletes it
    state.release_record_lease(RecordType.CUSTOMER, "a1", "worker-1")
    assert state.delete(RecordType.CUSTOMER, "a1", "operator-reset") is True
    assert state.get(RecordType.CUSTOMER, "a1") is None

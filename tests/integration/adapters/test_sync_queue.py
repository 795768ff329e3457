"""The SQS queue adapter and the sandbox's event source mapping against moto: batching, dead letters,
partial batch failures and the redrive to the DLQ after maxReceiveCount."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from sandbox.driver import SqsEventSourceMapping
from zuora_netsuite.adapters.queue import SqsSyncQueue
from zuora_netsuite.models.messages import DeadLetter, SyncRequest
from zuora_netsuite.models.record_types import RecordType


@pytest.fixture
def sqs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.client("sqs")


def queues(sqs: Any, max_receive_count: int = 2) -> tuple[str, str, str]:
    dlq_url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)})
    url = sqs.create_queue(QueueName="sync", Attributes={"RedrivePolicy": redrive})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn, dlq_url


def drain_all(sqs: Any, url: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
        "Messages", []
    ):
        messages += batch
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
        )
    return messages


def request(n: int) -> SyncRequest:
    return SyncRequest(record_type=RecordType.CUSTOMER, record_id=f"{n:032x}")


def test_twenty_five_requests_arrive_as_twenty_five_messages(sqs: Any) -> None:
    url, _, dlq_url = queues(sqs)
    queue = SqsSyncQueue(url, dlq_url, sqs=sqs)
    assert queue.send([request(n) for n in range(25)]) == 25
    received = drain_all(sqs, url)
    assert sorted(SyncRequest.model_validate_json(m["Body"]).record_id for m in received) == sorted(
        request(n).record_id for n in range(25)
    )
    assert queue.requests_sent == 3  # batches of 10


def test_a_dead_letter_keeps_the_request_as_its_body_and_the_reason_in_attributes(sqs: Any) -> None:
    url, _, dlq_url = queues(sqs)
    failed = request(1)
    SqsSyncQueue(url, dlq_url, sqs=sqs).send_dead_letter(
        DeadLetter(request=failed, failure_kind="permanent", failure_code="VALIDATION", reason="Name is blank")
    )
    [message] = drain_all(sqs, dlq_url)
    assert SyncRequest.model_validate_json(message["Body"]) == failed
    assert message["MessageAttributes"]["failure_reason"]["StringValue"] == "Name is blank"
    assert message["MessageAttributes"]["record_type"]["StringValue"] == "customer"


def test_reported_failures_are_redelivered_then_moved_to_the_dlq_after_max_receive_count(sqs: Any) -> None:
    # Given three messages and a function that always reports the second as failed
    url, arn, dlq_url = queues(sqs, max_receive_count=2)
    SqsSyncQueue(url, dlq_url, sqs=sqs).send([request(n) for n in range(3)])
    failing = request(1).record_id
    deliveries: list[str] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        failures = []
        for record in event["Records"]:
            record_id = json.loads(record["body"])["record_id"]
            deliveries.append(record_id)
            if record_id == failing:
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    # When the event source mapping drains the queue
    SqsEventSourceMapping(sqs, url, arn, handler, max_concurrency=1, retry_delay_seconds=0).drain(timeout_seconds=30)
    # Then the good ones were processed once, the failing one maxReceiveCount times, and it ends in the DLQ
    assert deliveries.count(request(0).record_id) == 1
    assert deliveries.count(failing) == 2
    assert [json.loads(m["Body"])["record_id"] for m in drain_all(sqs, dlq_url)] == [failing]


def test_a_function_error_fails_the_whole_batch(sqs: Any) -> None:
    url, arn, dlq_url = queues(sqs, max_receive_count=1)
    SqsSyncQueue(url, dlq_url, sqs=sqs).send([request(n) for n in range(2)])

    def crashing(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    stats = SqsEventSourceMapping(sqs, url, arn, crashing, max_concurrency=1, retry_delay_seconds=0).drain(
        timeout_seconds=30
    )
    assert stats.handler_errors >= 1
    assert len(drain_all(sqs, dlq_url)) == 2


def _delivered_order(sqs: Any, url: str, arn: str, seed: int | None) -> list[str]:
    """The record ids in the order the sync function sees them, one message a batch."""
    queue = SqsSyncQueue(url, url, sqs=sqs)
    queue.send([request(n) for n in range(30)])
    seen: list[str] = []

    def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        seen.extend(SyncRequest.model_validate_json(r["body"]).record_id for r in event["Records"])
        return {"batchItemFailures": []}

    mapping = SqsEventSourceMapping(sqs, url, arn, handler, max_concurrency=1, shuffle_seed=seed)
    mapping.drain()
    assert mapping.shuffled == (30 if seed is not None else 0)
    return seen


def test_a_shuffle_seed_delivers_every_message_once_in_an_order_the_seed_repeats(sqs: Any) -> None:
    # Given a queue of 30 requests sent in order
    url, arn, _ = queues(sqs, max_receive_count=5)
    # When the event source mapping drains it in order, then twice shuffled with one seed, then with another
    in_order = _delivered_order(sqs, url, arn, None)
    shuffled = _delivered_order(sqs, url, arn, 13)
    again = _delivered_order(sqs, url, arn, 13)
    other = _delivered_order(sqs, url, arn, 14)
    # Then each drain delivers every request exactly once; shuffled, the order differs and the seed replays it
    assert sorted(in_order) == sorted(shuffled) == sorted(other) == [request(n).record_id for n in range(30)]
    assert shuffled != in_order
    assert again == shuffled
    assert other != shuffled

"""A whole SQS batch: partial failures, one bad record never stops the others, write-back batched."""

from __future__ import annotations

import json
from typing import Any

from tests.unit.logic.conftest import World, account
from zuora_netsuite.failures import FailureKind, NetSuiteError
from zuora_netsuite.logic.sync_batch import process_sync_batch
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType


def sqs_event(bodies: list[str]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": f"r{i}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1700000000000",
                    "SenderId": "x",
                    "ApproximateFirstReceiveTimestamp": "1700000000000",
                },
                "messageAttributes": {},
                "md5OfBody": "0" * 32,
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:sync",
                "awsRegion": "us-east-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


def body(record_id: str) -> str:
    return SyncRequest(record_type=RecordType.CUSTOMER, record_id=record_id).model_dump_json()


def test_ten_accounts_one_invalid_nine_synced_one_warning(world: World) -> None:
    # Given ten accounts, one of them with an unknown subsidiary
    for n in range(10):
        world.zuora.put(
            "Account", account(f"{n:032d}", AccountNumber=f"A{n}", Subsidiary__NS="Atlantis" if n == 3 else None)
        )
    # When they arrive as one batch
    response = process_sync_batch(sqs_event([body(f"{n:032d}") for n in range(10)]), world.record_sync())
    # Then nine customers exist, the bad one has a warning, and nothing is retried
    assert response == {"batchItemFailures": []}
    assert len(world.netsuite.records["customer"]) == 9
    assert world.zuora.get("Account", f"{3:032d}")["IntegrationStatus__NS"] == "Error Creating Customer"
    # And Zuora got two calls for the whole batch: "Creating Customer" before NetSuite, then the final write-back
    assert len(world.zuora.updates) == 2
    assert {o["IntegrationStatus__NS"] for o in world.zuora.updates[0][1]} == {"Creating Customer"}
    assert len(world.zuora.updates[0][1]) == 10
    # And the batch was fetched from Zuora with one query
    assert len(world.zuora.queries) == 1


def test_transient_failure_retries_only_that_record(world: World) -> None:
    for n in range(3):
        world.zuora.put("Account", account(f"{n:032d}", AccountNumber=f"A{n}"))
    world.netsuite.fail_next.append(NetSuiteError("busy", code="X", kind=FailureKind.TRANSIENT, http_status=503))
    response = process_sync_batch(sqs_event([body(f"{n:032d}") for n in range(3)]), world.record_sync())
    assert response == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert len(world.netsuite.records["customer"]) == 2


def test_malformed_message_is_reported_failed_so_it_ends_in_the_dlq(world: World) -> None:
    world.zuora.put("Account", account("1" * 32))
    bad = json.dumps({"record_type": "spaceship", "record_id": "x"})
    response = process_sync_batch(sqs_event([bad, body("1" * 32)]), world.record_sync())
    assert response == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert len(world.netsuite.records["customer"]) == 1


def test_failed_write_back_retries_the_records_whose_zuora_fields_are_stale(world: World) -> None:
    # Given Zuora's write-back call fails once
    world.zuora.put("Account", account("1" * 32))
    world.zuora.fail_updates = 2  # the batch's "Creating Customer" mark, then the final write-back
    response = process_sync_batch(sqs_event([body("1" * 32)]), world.record_sync())
    # Then the message is retried (NetSuite has it already) ...
    assert response == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    # ... and the retry writes back without writing NetSuite again
    writes = len(world.netsuite.writes)
    assert process_sync_batch(sqs_event([body("1" * 32)]), world.record_sync()) == {"batchItemFailures": []}
    assert len(world.netsuite.writes) == writes
    assert world.zuora.get("Account", "1" * 32)["IntegrationStatus__NS"] == "Sync Complete"

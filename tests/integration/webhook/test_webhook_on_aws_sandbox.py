"""The webhook through the local API Gateway, on the sandbox's AWS (moto): the real secret, table and queue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from sandbox.stack import Sandbox, SandboxOptions
from zuora_netsuite.adapters.state import DynamoDbStateStore
from zuora_netsuite.logic.webhook.auth import sign

ACCOUNT_ID = "8a8aa0a87e4c4e2a017e5a0e9c2b1d01"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxOptions(accounts=5, charges=2, retry_delay_seconds=0)) as running:
        yield running


def queued(sandbox: Sandbox) -> list[dict]:
    """Receive (and delete) everything on the sync queue."""
    assert sandbox.resources is not None
    sqs = sandbox.aws.client("sqs")
    bodies = []
    while True:
        messages = sqs.receive_message(QueueUrl=sandbox.resources.queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=sandbox.resources.queue_url, ReceiptHandle=message["ReceiptHandle"])


def post_callout(sandbox: Sandbox, notification_id: str, *, key: str | None = None, object_id: str = ACCOUNT_ID):
    """A callout as the recommended template sends it (docs/webhooks.md): the HMAC signs the Data (timestamp,
    event, object and id, each followed by a line feed)."""
    timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")
    body = {"eventType": "AccountUpdated", "objectType": "Account", "objectId": object_id, "timestamp": timestamp}
    data = f"{timestamp}\nAccountUpdated\nAccount\n{object_id}\n".encode()
    return requests.post(
        f"{sandbox.api_url}/webhooks/zuora",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Zuora-Notification-Id": notification_id,
            "X-Zuora-Signature": sign(data, key or sandbox.webhook_hmac_key),
        },
        timeout=10,
    )


def test_a_signed_callout_lands_on_the_sync_queue_and_its_dedupe_item_expires(sandbox: Sandbox):
    # When Zuora posts a signed callout to the local API, then retries it
    first = post_callout(sandbox, "int-1")
    retry = post_callout(sandbox, "int-1")

    # Then both get 200 with success true, the retry marked as a duplicate; the dedupe record is written after
    # the send, so the retry was sent again (harmless: the sync finds nothing changed)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert (first.json()["success"], retry.json()["success"]) == (True, True)
    assert retry.json()["status"] == "duplicate"
    assert [(b["record_type"], b["record_id"], b["source"]) for b in queued(sandbox)] == [
        ("customer", ACCOUNT_ID, "webhook")
    ] * 2
    # And the dedupe item is in the state table, with a TTL about a week ahead
    assert sandbox.resources is not None
    table = sandbox.aws.resource("dynamodb").Table(sandbox.resources.table_name)
    item = table.get_item(Key={"pk": "NOTIFICATION#int-1", "sk": "NOTIFICATION"})["Item"]
    assert (
        timedelta(days=6)
        < datetime.fromtimestamp(int(item["expires_at"]), UTC) - datetime.now(UTC)
        <= timedelta(days=7)
    )


def test_a_tampered_callout_is_refused_with_401_and_nothing_is_queued(sandbox: Sandbox):
    answer = post_callout(sandbox, "int-2", key="not-the-webhook-key-0123456789")
    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthorized"
    assert queued(sandbox) == []


def test_the_manual_trigger_is_open_in_the_sandbox_and_says_so(sandbox: Sandbox):
    answer = requests.post(f"{sandbox.api_url}/sync/item/{'c' * 32}", timeout=10)
    assert answer.status_code == 202
    assert answer.headers["X-Sandbox-IAM"] == "not-enforced"
    assert [(b["record_type"], b["source"]) for b in queued(sandbox)] == [("item", "operator")]


def test_routes_the_template_does_not_have_get_api_gateways_403(sandbox: Sandbox):
    answer = requests.get(f"{sandbox.api_url}/webhooks/zuora", timeout=10)
    assert answer.status_code == 403
    assert answer.json() == {"message": "Missing Authentication Token"}


def test_a_rotated_secret_is_read_from_secrets_manager_and_the_previous_key_still_works(sandbox: Sandbox):
    # Given the webhook secret rotated in Secrets Manager: a new key, the old one valid for an hour more
    old_key, new_key = sandbox.webhook_hmac_key, "rotated-webhook-key-0123456789abcdef"
    rotated = {
        "hmac_key": new_key,
        "previous_hmac_key": old_key,
        "previous_valid_until": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
    }
    sandbox.aws.client("secretsmanager").put_secret_value(
        SecretId=sandbox.webhook_secret_arn, SecretString=json.dumps(rotated)
    )
    with sandbox.function_environment():  # a new container: the cached secret is read again
        # When Zuora signs with the new key, and (not yet updated) with the old one
        new = post_callout(sandbox, "int-3", key=new_key)
        old = post_callout(sandbox, "int-4", key=old_key)
        wrong = post_callout(sandbox, "int-5", key="neither-key-0123456789abcdefgh")

    # Then both keys are accepted during the window, any other is refused
    assert (new.status_code, old.status_code, wrong.status_code) == (200, 200, 401)
    assert len(queued(sandbox)) == 2


def test_the_state_store_remembers_a_notification_until_it_expires(sandbox: Sandbox):
    assert sandbox.resources is not None
    store = DynamoDbStateStore(sandbox.resources.table_name, dynamodb=sandbox.aws.resource("dynamodb"))
    now = datetime.now(UTC)

    # Given a notification remembered for a day: seen again, it is a duplicate
    assert store.remember_notification("int-day", now + timedelta(days=1)) is True
    assert store.remember_notification("int-day", now + timedelta(days=1)) is False
    # Given one whose dedupe item has expired but not yet been deleted by DynamoDB's (lazy) TTL
    assert store.remember_notification("int-expired", now - timedelta(seconds=1)) is True
    # Then it counts as new again
    assert store.remember_notification("int-expired", now + timedelta(days=1)) is True

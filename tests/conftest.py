"""Fixtures shared across test folders."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.stack import Sandbox, SandboxOptions

EVENTS = Path(__file__).resolve().parent.parent / "events"


@pytest.fixture(scope="module")
def sandbox_with_sample_records() -> Iterator[Sandbox]:
    """A small running sandbox whose Zuora tenant also holds the accounts named in events/sync_sqs_batch.json."""
    with Sandbox(SandboxOptions(accounts=20, charges=10, retry_delay_seconds=0)) as sandbox:
        event = json.loads((EVENTS / "sync_sqs_batch.json").read_text())
        for number, record in enumerate(event["Records"], start=1):
            body = json.loads(record["body"])
            sandbox.zuora.put(
                "Account",
                {
                    "Id": body["record_id"],
                    "AccountNumber": f"SAMPLE-{number}",
                    "Name": f"Sample Customer {number}",
                    "Status": "Active",
                    "Currency": "USD",
                },
            )
        yield sandbox


@pytest.fixture(scope="module")
def sandbox_env(sandbox_with_sample_records: Sandbox) -> dict[str, str]:
    """The environment template.yaml gives every function, pointed at a running sandbox."""
    return sandbox_with_sample_records.function_env()

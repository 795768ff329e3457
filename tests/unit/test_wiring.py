"""One wiring module builds every function's adapters, once per container, and one reset() forgets all it keeps
(the sandbox and the tests call it as a new Lambda container would start); the handlers build nothing
themselves."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities import parameters

from zuora_netsuite import wiring
from zuora_netsuite.settings import load_settings

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
SECRETS = {
    "arn:zuora": {"client_id": "zuora-client", "client_secret": "zuora-secret"},
    "arn:netsuite": {"consumer_key": "k", "consumer_secret": "s", "token_id": "t", "token_secret": "ts"},
    "arn:webhook": {"hmac_key": "a-webhook-hmac-key-long-enough-0123456789"},
}


@pytest.fixture
def function_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every function's environment (template.yaml), with Secrets Manager answered from SECRETS."""
    monkeypatch.setattr(parameters, "get_secret", lambda name, **_: json.dumps(SECRETS[name]))
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "STATE_TABLE_NAME": "state",
        "SYNC_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/sync",
        "SYNC_DLQ_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/dlq",
        "ZUORA_BASE_URL": "https://rest.test.zuora.com",
        "ZUORA_SECRET_ARN": "arn:zuora",
        "NETSUITE_ACCOUNT_ID": "1234567_SB1",
        "NETSUITE_SECRET_ARN": "arn:netsuite",
        "WEBHOOK_SECRET_ARN": "arn:webhook",
    }.items():
        monkeypatch.setenv(name, value)
    wiring.reset()
    yield
    wiring.reset()


def cached_builders() -> dict[str, Callable[[], Any]]:
    """Every function of the wiring module that caches what it returns (an lru_cache, however it was made)."""
    return {name: value for name, value in vars(wiring).items() if callable(getattr(value, "cache_info", None))}


def test_every_function_builds_from_the_one_wiring_module(function_environment: None):
    # When the adapters of each function are built
    built = [
        wiring.dispatcher(),
        wiring.record_sync(worker_id="w"),
        wiring.dead_letter_replay(),
        wiring.callout_intake(),
        wiring.manual_sync_trigger(),
    ]

    # Then each is built, on the container's one state store
    assert [type(b).__name__ for b in built] == [
        "Dispatcher",
        "RecordSync",
        "DeadLetterReplay",
        "CalloutIntake",
        "ManualSyncTrigger",
    ]
    assert wiring.dead_letter_replay().state is wiring.state_store()


def test_reset_forgets_everything_the_wiring_module_caches(function_environment: None):
    # Given every cached adapter, setting and secret built once
    builders = cached_builders()
    assert {"state_store", "sync_queue", "zuora_client", "netsuite_client", "dead_letter_replay"} <= set(builders)
    first = {name: build() for name, build in builders.items()}
    settings = load_settings()
    assert all(build() is first[name] for name, build in builders.items())  # cached: built once

    # When the container is reset
    wiring.reset()

    # Then nothing is cached any more, and each is built anew
    assert {name: build.cache_info().currsize for name, build in builders.items()} == dict.fromkeys(builders, 0)  # type: ignore[attr-defined]
    assert all(build() is not first[name] for name, build in builders.items())
    assert load_settings() is not settings


def test_a_sync_invocation_runs_the_shared_time_budget_and_stops_it(function_environment: None):
    # When a sync invocation runs with 60 s left
    with wiring.sync_invocation(60.0) as budget:
        # Then the clients' budget is the one running, less the reserve
        assert budget is wiring.time_budget()
        assert 0 < budget.remaining() <= 60.0 - load_settings().sync_time_reserve_seconds

    # And it no longer limits the container once the invocation is done
    assert budget.remaining() is None


def _imports(source: Path) -> set[str]:
    tree = ast.parse(source.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("handler", sorted(FUNCTIONS.glob("*/*_handler.py")), ids=lambda path: path.name)
def test_a_handler_builds_no_adapter_itself(handler: Path):
    # Given a function's handler module, then it reaches adapters only through the wiring module
    imports = _imports(handler)
    assert not {name for name in imports if name.startswith("zuora_netsuite.adapters")}
    assert "functools" not in imports  # nothing cached per container outside wiring.reset()'s reach

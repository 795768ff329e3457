"""A cold start of the sync function (the busiest one) imports only what a sync needs: not the dispatcher's, the
replay's, the webhook's or the write-back function's logic, and not the X-Ray SDK where tracing is off. Each case
imports in a fresh interpreter, as a new Lambda container would (what an earlier test imported does not count);
where tracing is on (in Lambda, POWERTOOLS_TRACE_DISABLED unset), the handlers keep X-Ray's tracer (issue 4).
That the other functions still build their logic, imported on first use, is tests/unit/test_wiring.py's."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# What only the other functions need; a sync handler import that loads one of them has regressed its cold start.
NOT_FOR_THE_SYNC = (
    "zuora_netsuite.logic.dispatch",
    "zuora_netsuite.logic.replay",
    "zuora_netsuite.logic.recovery",
    "zuora_netsuite.logic.reconciliation",
    "zuora_netsuite.logic.balances",
    "zuora_netsuite.logic.writeback_drain",
    "zuora_netsuite.logic.webhook",
    "zuora_netsuite.adapters.dlq",
    "zuora_netsuite.models.replay",
    "zuora_netsuite.models.webhook",
    "aws_lambda_powertools.event_handler",
    # Powertools' BatchProcessor and the parser models of every event source it supports (logic/sync_batch.py)
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.parser",
    # pydantic-settings (with asyncio): the settings are read by models/environment.py
    "pydantic_settings",
)
XRAY_SDK = "aws_xray_sdk.core"

REPORT = """
import importlib, json, sys
module = importlib.import_module(sys.argv[1])
from zuora_netsuite.observability import tracer
print(json.dumps({
    "modules": sorted(sys.modules),
    "tracing_disabled": bool(tracer.disabled),
    "provider": type(tracer.provider).__module__,
}))
"""


def fresh_import(module: str, **environment: str) -> dict[str, object]:
    """Import `module` in a new interpreter with this one's path and `environment` over a clean Lambda-like one."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("POWERTOOLS_", "LAMBDA_", "AWS_"))}
    env |= {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p), "AWS_DEFAULT_REGION": "us-east-1", **environment}
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", REPORT, module], capture_output=True, text=True, check=True, env=env
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


@pytest.mark.parametrize(
    "environment",
    [{"POWERTOOLS_TRACE_DISABLED": "true", "LAMBDA_TASK_ROOT": "/var/task"}, {}],
    ids=["lambda-tracing-disabled", "outside-lambda"],
)
def test_a_sync_cold_start_loads_neither_the_other_functions_logic_nor_xray_when_tracing_is_off(
    environment: dict[str, str],
):
    # When the sync handler is imported in a fresh container where tracing is off
    loaded = fresh_import("sync_handler", **environment)

    # Then none of the other functions' logic is loaded, nor the X-Ray SDK
    modules = set(loaded["modules"])  # type: ignore[call-overload]
    assert sorted(m for m in modules if m.startswith(NOT_FOR_THE_SYNC)) == []
    assert XRAY_SDK not in modules
    assert loaded["tracing_disabled"] is True


def test_in_lambda_with_tracing_on_the_handlers_trace_through_xray():
    # When the sync handler is imported in Lambda with tracing on (template.yaml: Tracing: Active)
    loaded = fresh_import("sync_handler", LAMBDA_TASK_ROOT="/var/task")

    # Then its tracer is Powertools' X-Ray tracer, enabled
    assert loaded["tracing_disabled"] is False
    assert loaded["provider"].startswith("aws_xray_sdk")  # type: ignore[attr-defined]
    assert XRAY_SDK in set(loaded["modules"])  # type: ignore[call-overload]

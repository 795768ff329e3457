"""Permissions proven by use: every AWS call each function makes is allowed by that function's role in the
transformed template, and every action the role grants is one the function was seen using.

The calls are recorded (sandbox/aws_calls.py) from a dedicated sandbox run in this module. The e2e and fault suites
record their calls too and fail on a denied one (tests/e2e/conftest.py), but "every grant is used" needs one run
known to cover every function and every path that needs a permission, in a few seconds, with `make test` or alone:
- two scheduled cycles (dispatcher, then the sync function through the SQS event source mapping) on a data set with
  customers, items and transactions (parents synced first) and planted faults (dead letters, records held back by
  the dispatcher through the errors-by-type index);
- a Zuora callout and a manual trigger through the local API Gateway (the webhook function);
- the replay function, dry run then real.
Each function runs in a fresh "container" (the connector's per-container caches cleared), as on Lambda, so a secret
or client one function read is never lent to another.

The role's statements are evaluated with tests/infrastructure/iam_policy.py (why not moto's evaluator: see there),
with the template's references resolved to the sandbox's resources (the ARNs a deployment would have).
"""

from __future__ import annotations

import copy
import importlib
import json
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from sandbox.aws_calls import AwsCallLog, IamRequest
from sandbox.driver import LambdaContext
from sandbox.stack import EVENTS, Sandbox, SandboxOptions, lambda_invocation
from tests.infrastructure.iam_policy import (
    Decision,
    GrantedStatement,
    Request,
    Resolver,
    UnsupportedPolicy,
    action_matches,
    conditions_hold,
    evaluate,
    function_statements,
    managed_statements,
    resource_matches,
)
from tests.infrastructure.templates import sam_transform

pytestmark = pytest.mark.slow

FUNCTIONS = ("DispatcherFunction", "SyncFunction", "WebhookFunction", "ReplayFunction", "WriteBackFunction")


@dataclass
class Recording:
    log: AwsCallLog
    resolve: Resolver


def _invoke(sandbox: Sandbox, module_name: str, function_id: str, event: dict[str, Any]) -> dict[str, Any]:
    """One invocation in a fresh container of `function_id`."""
    with sandbox.function_environment():
        module = importlib.import_module(module_name)
        return lambda_invocation(module)(event, LambdaContext(function_id, timeout_seconds=900))


def _drain(sandbox: Sandbox) -> None:
    with sandbox.function_environment():
        sandbox.drain_sync_queue()


def _scheduled_cycle(sandbox: Sandbox) -> None:
    schedule = json.loads((EVENTS / "dispatcher_schedule.json").read_text())
    _invoke(sandbox, "dispatcher_handler", "DispatcherFunction", schedule)
    _drain(sandbox)


@pytest.fixture(scope="module")
def recording() -> Recording:
    options = SandboxOptions(accounts=12, charges=6, invoices=12, retry_delay_seconds=0, max_receive_count=2)
    log = AwsCallLog()
    with Sandbox(options) as sandbox, log.recording():
        _scheduled_cycle(sandbox)
        # A Zuora callout (an edit) and a manual trigger reach the webhook function through API Gateway
        callouts = sandbox.enable_callouts()
        account = next(a for a in sandbox.zuora.all("Account") if a.get("Status") == "Active")
        with sandbox.function_environment():
            sandbox.zuora.edit("Account", account["Id"], Name="Renamed For The Permission Test")
            callouts.wait_idle()
            manual = requests.post(f"{sandbox.api_url}/sync/customer/{account['Id']}", timeout=10)
            assert manual.status_code == 202, manual.text
        _scheduled_cycle(sandbox)  # holds back the records in error (errors-by-type index)
        for event in ({"dry_run": True}, {}):
            _invoke(sandbox, "replay_handler", "ReplayFunction", event)
        resolve = Resolver(sandbox.template_values(), Sandbox.TEMPLATE_CONDITIONS)
    return Recording(log, resolve)


def _as_request(recorded: IamRequest) -> Request:
    return Request(recorded.action, recorded.resource, recorded.condition_values())


def denied_calls(cfn: dict[str, Any], function_id: str, recording: Recording) -> list[str]:
    statements = [g.statement for g in function_statements(cfn, function_id, recording.resolve)]
    statements += managed_statements(cfn, function_id, recording.resolve)
    return [
        f"{function_id}: {r.operation} needs {r.action} on {r.resource} {r.condition_values() or ''}"
        for r in recording.log.for_function(function_id)
        if evaluate(statements, _as_request(r)) is not Decision.ALLOWED
    ]


def unused_grants(granted: GrantedStatement, calls: list[IamRequest]) -> list[str]:
    """(action, resource) pairs of an Allow statement that no recorded call of the function needed."""
    return [
        f"{granted.function} {granted.sid}: {action} on {resource} is granted but never used"
        for action, resource in granted.pairs()
        if not any(
            action_matches(action, c.action)
            and resource_matches(resource, c.resource)
            and conditions_hold(granted.statement.get("Condition"), _as_request(c))
            for c in calls
        )
    ]


def test_the_recording_saw_every_function_and_understood_every_call(recording: Recording):
    # Then each function made AWS calls, and each call was translated into the IAM requests AWS makes for it
    assert recording.log.functions() == set(FUNCTIONS)
    assert recording.log.unknown == {}


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_every_call_the_function_made_is_allowed_by_its_role(function_id: str, recording: Recording, cfn_template):
    # Given the calls the function made in the sandbox and its role in the transformed template
    # When each is evaluated against the role's policies (inline and managed)
    denied = denied_calls(cfn_template, function_id, recording)

    # Then none is denied
    assert denied == []


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_every_action_the_role_grants_was_used_by_the_function(function_id: str, recording: Recording, cfn_template):
    # Given the function's inline statements and the calls it made
    calls = recording.log.for_function(function_id)

    # Then every (action, resource) each statement grants was needed by at least one call
    unused = [
        problem
        for granted in function_statements(cfn_template, function_id, recording.resolve)
        for problem in unused_grants(granted, calls)
    ]
    assert unused == []


@pytest.mark.parametrize("function_id", FUNCTIONS)
def test_removing_any_statement_of_the_role_denies_a_call(function_id: str, recording: Recording, cfn_template):
    # Given each inline statement of the function's role in turn
    granted = function_statements(cfn_template, function_id, recording.resolve)
    managed = managed_statements(cfn_template, function_id, recording.resolve)
    calls = [_as_request(r) for r in recording.log.for_function(function_id)]
    assert granted
    for removed in granted:
        # When the role is without it
        remaining = [g.statement for g in granted if g is not removed] + managed

        # Then some call the function made is denied
        assert any(evaluate(remaining, c) is not Decision.ALLOWED for c in calls), removed.sid


def test_a_dispatcher_allowed_to_query_only_the_table_is_denied_its_index_query(recording: Recording, sam_template):
    # Given the dispatcher's policy as it was: Query on the table ARN only (an index ARN is a resource of its own)
    broken = copy.deepcopy(sam_template)
    statements = broken["Resources"]["DispatcherFunction"]["Properties"]["Policies"][0]["Statement"]
    for statement in statements:
        if "dynamodb:Query" in statement["Action"]:
            statement["Resource"] = {"Fn::GetAtt": ["IntegrationStateTable", "Arn"]}

    # When the recorded calls are evaluated against it
    denied = denied_calls(sam_transform(broken), "DispatcherFunction", recording)

    # Then the Query on the errors-by-type index is denied
    index = "/index/errors-by-type"
    assert any(d.startswith("DispatcherFunction: dynamodb:Query") and f"{index} " in d for d in denied), denied


def test_a_sync_role_with_the_managed_sqs_poller_policy_is_refused(recording: Recording, sam_template):
    # Given the SQS event as a SAM event again (SAM then attaches AWSLambdaSQSQueueExecutionRole: every queue)
    broken = copy.deepcopy(sam_template)
    broken["Resources"]["SyncFunction"]["Properties"]["Events"] = {
        "SyncQueue": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["SyncQueue", "Arn"]}}}
    }

    # Then the evaluator refuses the role: a managed policy that is not the runtime's logging/tracing
    with pytest.raises(UnsupportedPolicy, match="AWSLambdaSQSQueueExecutionRole"):
        denied_calls(sam_transform(broken), "SyncFunction", recording)

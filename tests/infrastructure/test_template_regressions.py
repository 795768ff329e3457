"""Each template check must notice the regression it guards against: break a copy of the template, re-check."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from cfnlint.api import lint

from tests.infrastructure.template_checks import ALL_CHECKS
from tests.infrastructure.templates import TEMPLATE_PATH, sam_transform

Mutation = Callable[[dict[str, Any]], None]


def _res(t: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return t["Resources"][logical_id]["Properties"]


def _sync_event(t: dict[str, Any]) -> dict[str, Any]:
    return _res(t, "SyncQueueEventSource")


def _statements(t: dict[str, Any], function_id: str) -> list[dict[str, Any]]:
    return _res(t, function_id)["Policies"][0]["Statement"]


def _statement(t: dict[str, Any], function_id: str, sid: str) -> dict[str, Any]:
    return next(s for s in _statements(t, function_id) if s["Sid"] == sid)


def _drop_key(d: dict[str, Any], key: str) -> None:
    del d[key]


REGRESSIONS: dict[str, tuple[str, Mutation]] = {
    "no batch item failures": (
        "sync_event_source",
        lambda t: _drop_key(_sync_event(t), "FunctionResponseTypes"),
    ),
    "batch size 1": ("sync_event_source", lambda t: _sync_event(t).update(BatchSize=1)),
    "concurrency hard-coded": (
        "sync_event_source",
        lambda t: _sync_event(t).update(ScalingConfig={"MaximumConcurrency": 4}),
    ),
    "sync timeout raised, visibility not": (
        "visibility_timeout",
        lambda t: _res(t, "SyncFunction").update(Timeout=120),
    ),
    "visibility lowered": ("visibility_timeout", lambda t: _res(t, "SyncQueue").update(VisibilityTimeout=300)),
    "timeout only in Globals and too long": (
        "visibility_timeout",
        lambda t: (_drop_key(_res(t, "SyncFunction"), "Timeout"), t["Globals"]["Function"].update(Timeout=900)),
    ),
    "redrive to another queue": (
        "redrive",
        lambda t: _res(t, "SyncQueue")["RedrivePolicy"].update(
            deadLetterTargetArn={"Fn::GetAtt": ["SyncQueue", "Arn"]}
        ),
    ),
    "maxReceiveCount hard-coded": (
        "redrive",
        lambda t: _res(t, "SyncQueue")["RedrivePolicy"].update(maxReceiveCount=5),
    ),
    "no redrive": ("redrive", lambda t: _drop_key(_res(t, "SyncQueue"), "RedrivePolicy")),
    "DLQ keeps messages for 4 days": (
        "dlq_retention",
        lambda t: _res(t, "SyncDLQ").update(MessageRetentionPeriod=345600),
    ),
    "provisioned table": ("table", lambda t: _res(t, "IntegrationStateTable").update(BillingMode="PROVISIONED")),
    "no PITR": ("table", lambda t: _drop_key(_res(t, "IntegrationStateTable"), "PointInTimeRecoverySpecification")),
    "no TTL": ("table", lambda t: _drop_key(_res(t, "IntegrationStateTable"), "TimeToLiveSpecification")),
    "table deleted with the stack": (
        "table",
        lambda t: t["Resources"]["IntegrationStateTable"].update(DeletionPolicy="Delete"),
    ),
    "dispatcher may send to the DLQ": (
        "dispatcher_privileges",
        lambda t: _statement(t, "DispatcherFunction", "EnqueueSyncRequests").update(
            Resource=[{"Fn::GetAtt": ["SyncQueue", "Arn"]}, {"Fn::GetAtt": ["SyncDLQ", "Arn"]}]
        ),
    ),
    "dispatcher reads the NetSuite secret": (
        "dispatcher_privileges",
        lambda t: _statement(t, "DispatcherFunction", "ZuoraCredentials").update(
            Resource=[{"Ref": "ZuoraSecretArn"}, {"Ref": "NetSuiteSecretArn"}]
        ),
    ),
    "dispatcher DynamoDB on *": (
        "dispatcher_privileges",
        lambda t: _statement(t, "DispatcherFunction", "IntegrationState").update(Resource="*"),
    ),
    "dispatcher sqs:* on any queue": (
        "dispatcher_privileges",
        lambda t: _statements(t, "DispatcherFunction").append(
            {"Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:*:*:*"}
        ),
    ),
    "dispatcher secrets on *": (
        "dispatcher_privileges",
        lambda t: _statement(t, "DispatcherFunction", "ZuoraCredentials").update(Resource="*"),
    ),
    "dispatcher gets a broad SAM policy template": (
        "dispatcher_privileges",
        lambda t: _res(t, "DispatcherFunction")["Policies"].append(
            {"DynamoDBCrudPolicy": {"TableName": {"Ref": "IntegrationStateTable"}}}
        ),
    ),
    "dispatcher gets a managed policy": (
        "dispatcher_privileges",
        lambda t: _res(t, "DispatcherFunction")["Policies"].append("arn:aws:iam::aws:policy/AmazonSQSFullAccess"),
    ),
    "sync may send to the sync queue": (
        "sync_privileges",
        lambda t: _statement(t, "SyncFunction", "DeadLetterPermanentFailures").update(
            Resource=[{"Fn::GetAtt": ["SyncDLQ", "Arn"]}, {"Fn::GetAtt": ["SyncQueue", "Arn"]}]
        ),
    ),
    "sync cannot dead-letter": (
        "sync_privileges",
        lambda t: _statements(t, "SyncFunction").remove(_statement(t, "SyncFunction", "DeadLetterPermanentFailures")),
    ),
    "sync may scan": (
        "sync_privileges",
        lambda t: _statement(t, "SyncFunction", "IntegrationState")["Action"].append("dynamodb:Scan"),
    ),
    "sync DynamoDB on every table": (
        "sync_privileges",
        lambda t: _statement(t, "SyncFunction", "IntegrationState").update(Resource="arn:aws:dynamodb:*:*:table/*"),
    ),
    "sync polls every queue": (
        "sync_privileges",
        lambda t: _statement(t, "SyncFunction", "PollSyncQueue").update(Resource="arn:aws:sqs:*:*:*"),
    ),
    "sync polls through SAM's SQS event (managed AWSLambdaSQSQueueExecutionRole)": (
        "sync_privileges",
        lambda t: _res(t, "SyncFunction").update(
            Events={"Queue": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["SyncQueue", "Arn"]}}}}
        ),
    ),
    "dispatcher queries the table, not its errors index": (
        "dispatcher_privileges",
        lambda t: _statement(t, "DispatcherFunction", "RecordsInError").update(
            Resource={"Fn::GetAtt": ["IntegrationStateTable", "Arn"]}
        ),
    ),
    "dispatcher may delete items": (
        "dispatcher_privileges",
        lambda t: _statement(t, "DispatcherFunction", "IntegrationState")["Action"].append("dynamodb:DeleteItem"),
    ),
}


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_check_notices_regression(name: str, sam_template):
    # Given a copy of the template broken in one way
    check_name, mutate = REGRESSIONS[name]
    broken = copy.deepcopy(sam_template)
    mutate(broken)

    # When it is transformed and checked
    problems = ALL_CHECKS[check_name](broken, sam_transform(broken))

    # Then the check reports it
    assert problems, f"{check_name} did not notice: {name}"


def test_cfn_lint_notices_a_broken_template():
    # Given the template with an invalid property value
    text = TEMPLATE_PATH.read_text().replace("VisibilityTimeout: 360", "VisibilityTimeout: six minutes")

    # When cfn-lint checks it
    matches = lint(text)

    # Then it reports the error
    assert any(m.rule.id.startswith("E") for m in matches)

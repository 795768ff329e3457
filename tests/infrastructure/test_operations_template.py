"""template.yaml, the operations part (issue 4): the Replay function and its least-privilege policy, the alarms
on the DLQ and on the failure rate notifying the SNS topic parameter, the dashboard, the sample events."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infrastructure.template_checks import props
from tests.infrastructure.templates import EVENTS_DIR
from zuora_netsuite.models.replay import ReplayRequest


def policy_statements(cfn: dict[str, Any], function_id: str) -> list[dict[str, Any]]:
    role_id = props(cfn, function_id)["Role"]["Fn::GetAtt"][0]
    role = props(cfn, role_id)
    return [s for policy in role.get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]


def test_replay_function_may_only_read_the_dlq_send_to_the_queue_and_clear_record_errors(cfn_template):
    # Given the Replay function's role, as SAM generates it
    statements = policy_statements(cfn_template, "ReplayFunction")

    # Then it may receive/delete/release on the DLQ, send to SyncQueue, get/update state items: nothing else
    # (each proven used by tests/infrastructure/test_permissions_by_use.py)
    granted = {
        (action, json.dumps(s["Resource"], sort_keys=True))
        for s in statements
        for action in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    dlq = json.dumps({"Fn::GetAtt": ["SyncDLQ", "Arn"]})
    queue = json.dumps({"Fn::GetAtt": ["SyncQueue", "Arn"]})
    table = json.dumps({"Fn::GetAtt": ["IntegrationStateTable", "Arn"]})
    assert granted == {
        ("sqs:ReceiveMessage", dlq),
        ("sqs:DeleteMessage", dlq),
        ("sqs:ChangeMessageVisibility", dlq),
        ("sqs:SendMessage", queue),
        ("dynamodb:GetItem", table),
        ("dynamodb:UpdateItem", table),
    }
    assert all(s["Effect"] == "Allow" for s in statements)
    # And the role may write its logs (the managed basic execution policy) and X-Ray traces
    role_id = props(cfn_template, "ReplayFunction")["Role"]["Fn::GetAtt"][0]
    managed = json.dumps(props(cfn_template, role_id)["ManagedPolicyArns"])
    assert "AWSLambdaBasicExecutionRole" in managed


def test_replay_function_is_not_retried_and_logs_to_its_own_group(cfn_template):
    fn = props(cfn_template, "ReplayFunction")
    assert fn["Handler"] == "replay_handler.handler"
    assert fn["LoggingConfig"]["LogGroup"] == {"Ref": "ReplayLogGroup"}
    configs = [r for r in cfn_template["Resources"].values() if r["Type"] == "AWS::Lambda::EventInvokeConfig"]
    replay_config = [c for c in configs if c["Properties"]["FunctionName"] == {"Ref": "ReplayFunction"}]
    assert replay_config[0]["Properties"]["MaximumRetryAttempts"] == 0


@pytest.mark.parametrize("event_file", sorted(p.name for p in EVENTS_DIR.glob("replay_*.json")))
def test_replay_sample_events_are_valid_requests(event_file: str):
    # Given a sample event of the Replay function, then it parses as the function parses it
    request = ReplayRequest.model_validate(json.loads((EVENTS_DIR / event_file).read_text()))
    assert isinstance(request.dry_run, bool)


def test_dlq_alarm_fires_on_any_message_and_notifies_the_topic_parameter(cfn_template):
    alarm = props(cfn_template, "SyncDLQNotEmptyAlarm")
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["SyncDLQ", "QueueName"]}}]
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
    notify = {"Fn::If": ["NotifyAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}
    assert alarm["AlarmActions"] == notify


def test_failure_rate_alarm_divides_failed_by_processed_records_of_the_connector(cfn_template):
    alarm = props(cfn_template, "SyncFailureRateAlarm")
    metrics = {m["Id"]: m for m in alarm["Metrics"]}
    for metric_id, name in (("failed", "RecordsFailed"), ("processed", "RecordsProcessed")):
        metric = metrics[metric_id]["MetricStat"]["Metric"]
        assert (metric["Namespace"], metric["MetricName"]) == ("ZuoraNetSuiteConnector", name)
        assert metric["Dimensions"] == [{"Name": "service", "Value": "zuora-netsuite-connector"}]
    assert "failed" in metrics["failure_rate"]["Expression"]
    assert metrics["failure_rate"]["ReturnData"] is True
    assert alarm["Threshold"] == {"Ref": "FailureRateAlarmPercent"}
    assert alarm["AlarmActions"] == {
        "Fn::If": ["NotifyAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]
    }


def test_dashboard_body_is_json_once_rendered(sam_template):
    # Given the dashboard body with its ${...} substitutions replaced by placeholders
    body, variables = sam_template["Resources"]["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    rendered = body
    for name in [*variables, "AWS::Region", "SyncQueue.QueueName", "SyncDLQ.QueueName", "SyncFunction",
                 "DispatcherFunction", "SyncDLQNotEmptyAlarm.Arn", "SyncFailureRateAlarm.Arn",
                 "DispatcherErrorsAlarm.Arn", "DispatcherNoSuccessfulRunAlarm.Arn", "WebhookServerErrorsAlarm.Arn",
                 "SyncErrorsAlarm.Arn", "SyncThrottlesAlarm.Arn", "WriteBackDLQNotEmptyAlarm.Arn"]:  # fmt: skip
        rendered = rendered.replace("${" + name + "}", "x")

    # Then it is valid JSON with the widgets an operator looks at
    dashboard = json.loads(rendered)
    titles = {w["properties"]["title"] for w in dashboard["widgets"]}
    assert {"Records per outcome", "Sync queue and DLQ", "NetSuite latency (ms) and 429s", "Alarms"} <= titles
    assert "${" not in rendered

"""template.yaml: the alarms that see a dead pipeline (issue 11), each on the right metric and threshold, each
notifying the AlarmTopicArn topic, each named in docs/runbook.md with what to do.

Lambda metrics: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
API Gateway REST metrics (5XXError, dimensions ApiName and Stage):
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
Alarm evaluation (DatapointsToAlarm, TreatMissingData):
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
"""

from __future__ import annotations

import re
import shlex
import tomllib
from typing import Any

import pytest

from tests.infrastructure.template_checks import props
from tests.infrastructure.templates import REPO_ROOT, SAMCONFIG_PATH
from zuora_netsuite.observability import DISPATCHER_RUN_COMPLETED, NAMESPACE, SERVICE

NOTIFY = {"Fn::If": ["NotifyAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}
RUNBOOK = (REPO_ROOT / "docs" / "runbook.md").read_text()

# alarm -> (namespace, metric, dimensions, statistic, comparison, threshold, missing data)
EXPECTED: dict[str, tuple[str, str, list[dict[str, Any]], str, str, int, str]] = {
    "DispatcherErrorsAlarm": (
        "AWS/Lambda", "Errors", [{"Name": "FunctionName", "Value": {"Ref": "DispatcherFunction"}}],
        "Sum", "GreaterThanThreshold", 0, "notBreaching",
    ),
    "DispatcherNoSuccessfulRunAlarm": (
        NAMESPACE, DISPATCHER_RUN_COMPLETED, [{"Name": "service", "Value": SERVICE}],
        "Sum", "LessThanThreshold", 1, "breaching",
    ),
    "WebhookServerErrorsAlarm": (
        "AWS/ApiGateway", "5XXError",
        [{"Name": "ApiName", "Value": {"Fn::Sub": "${AWS::StackName}-webhook"}},
         {"Name": "Stage", "Value": {"Ref": "Stage"}}],
        "Sum", "GreaterThanThreshold", 0, "notBreaching",
    ),
    "SyncErrorsAlarm": (
        "AWS/Lambda", "Errors", [{"Name": "FunctionName", "Value": {"Ref": "SyncFunction"}}],
        "Sum", "GreaterThanThreshold", 0, "notBreaching",
    ),
    "SyncThrottlesAlarm": (
        "AWS/Lambda", "Throttles", [{"Name": "FunctionName", "Value": {"Ref": "SyncFunction"}}],
        "Sum", "GreaterThanThreshold", 0, "notBreaching",
    ),
}  # fmt: skip


@pytest.mark.parametrize("alarm_id", sorted(EXPECTED))
def test_the_alarm_watches_its_metric_with_its_threshold_and_notifies_the_topic(alarm_id: str, cfn_template):
    # Given the alarm as deployed
    alarm = props(cfn_template, alarm_id)
    namespace, metric, dimensions, statistic, comparison, threshold, missing = EXPECTED[alarm_id]

    # Then it watches the expected metric, compares as expected, and notifies the alarm topic both ways
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Dimensions"]) == (namespace, metric, dimensions)
    assert (alarm["Statistic"], alarm["ComparisonOperator"], alarm["Threshold"]) == (statistic, comparison, threshold)
    assert alarm["TreatMissingData"] == missing
    assert alarm["AlarmActions"] == NOTIFY
    assert alarm["OKActions"] == NOTIFY


def test_the_webhook_alarm_names_the_api_and_stage_the_template_deploys(cfn_template):
    # The 5XXError dimensions must be those of the REST API SAM creates (its Name and StageName)
    api = props(cfn_template, "WebhookApi")
    stage = next(r["Properties"] for r in cfn_template["Resources"].values() if r["Type"] == "AWS::ApiGateway::Stage")
    dimensions = {d["Name"]: d["Value"] for d in props(cfn_template, "WebhookServerErrorsAlarm")["Dimensions"]}
    assert dimensions == {"ApiName": api["Name"], "Stage": stage["StageName"]}


def test_no_completed_dispatcher_run_in_three_schedule_periods_fires(cfn_template):
    # Given the heartbeat alarm: three periods of the schedule, each without a completed run, missing data breaching
    alarm = props(cfn_template, "DispatcherNoSuccessfulRunAlarm")
    assert alarm["Period"] == {"Ref": "ScheduleIntervalSeconds"}
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (3, 3)
    # And the dispatcher's errors are counted per schedule period (the last run failed -> in alarm until one succeeds)
    assert props(cfn_template, "DispatcherErrorsAlarm")["Period"] == {"Ref": "ScheduleIntervalSeconds"}


def _minutes_of_rate(expression: str) -> int | None:
    found = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours)\)", expression.strip())
    if not found:
        return None
    return int(found.group(1)) * (60 if found.group(2).startswith("hour") else 1)


@pytest.mark.parametrize("environment", ["defaults", "default", "prod"])
def test_the_schedule_interval_matches_the_schedule_expression(environment: str, sam_template):
    # Given the template's defaults, or a samconfig environment's overrides
    parameters = sam_template["Parameters"]
    values = {name: str(spec.get("Default")) for name, spec in parameters.items()}
    if environment != "defaults":
        overrides = tomllib.loads(SAMCONFIG_PATH.read_text())[environment]["deploy"]["parameters"][
            "parameter_overrides"
        ]
        values.update(dict(shlex.split(entry)[0].split("=", 1) for entry in overrides))

    # Then a rate() schedule's period is ScheduleIntervalSeconds (the alarms' period), a multiple of 60
    minutes = _minutes_of_rate(values["ScheduleExpression"])
    assert minutes is not None, values["ScheduleExpression"]
    assert int(values["ScheduleIntervalSeconds"]) == minutes * 60
    # And 3 periods fit the one day an alarm may evaluate
    assert 3 * int(values["ScheduleIntervalSeconds"]) <= 86400


@pytest.mark.parametrize("alarm_id", sorted([*EXPECTED, "SyncDLQNotEmptyAlarm", "SyncFailureRateAlarm"]))
def test_the_runbook_names_every_alarm_and_what_to_do(alarm_id: str, cfn_template):
    # Given the alarm's name as deployed (<stack>-<suffix>)
    name = props(cfn_template, alarm_id)["AlarmName"]["Fn::Sub"].replace("${AWS::StackName}", "<stack>")

    # Then the runbook's alarm table has a row for it
    rows = [line for line in RUNBOOK.splitlines() if line.startswith("|") and f"`{name}`" in line]
    assert rows, f"docs/runbook.md has no row for {name}"
    assert len(rows[0].split("|")) >= 5  # alarm | fires when | what to do

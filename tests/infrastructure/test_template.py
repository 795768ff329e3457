"""template.yaml: lint-clean, and the transformed template keeps the connector's operational guarantees."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.infrastructure.template_checks import (
    ALL_CHECKS,
    function_property,
    parameter_value,
    props,
)
from tests.infrastructure.templates import EVENTS_DIR, REPO_ROOT, SAMCONFIG_PATH, TEMPLATE_PATH

SETTINGS_ENV = {
    "STATE_TABLE_NAME",
    "SYNC_QUEUE_URL",
    "SYNC_DLQ_URL",
    "ZUORA_BASE_URL",
    "ZUORA_SECRET_ARN",
    "NETSUITE_ACCOUNT_ID",
    "NETSUITE_SECRET_ARN",
    "SYNC_CONFIG",
}


def test_cfn_lint_is_clean():
    # Given the template and the cfn-lint installed next to this interpreter
    cfn_lint = Path(sys.executable).with_name("cfn-lint")

    # When cfn-lint checks it, as `cfn-lint template.yaml` would
    result = subprocess.run(  # noqa: S603 (fixed argv: the cfn-lint next to this interpreter)
        [str(cfn_lint), str(TEMPLATE_PATH.relative_to(REPO_ROOT))],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # Then it reports nothing
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("check_name", sorted(ALL_CHECKS))
def test_transformed_template_keeps_guarantee(check_name: str, sam_template, cfn_template):
    # Given the SAM template transformed by aws-sam-translator (the cfn_template fixture)
    check = ALL_CHECKS[check_name]

    # When the guarantee is checked
    problems = check(sam_template, cfn_template)

    # Then nothing is violated
    assert problems == []


def test_every_function_gets_the_connector_settings(sam_template, cfn_template):
    # Given the environment every function is deployed with (Globals merged in by the transform)
    for function_id in ("DispatcherFunction", "SyncFunction", "WebhookFunction", "ReplayFunction"):
        variables = props(cfn_template, function_id)["Environment"]["Variables"]

        # Then it carries every setting settings.py reads, and the Powertools settings
        assert variables.keys() >= SETTINGS_ENV | {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"}
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "ZuoraNetSuiteConnector"
        # And no secret value, only the ARNs of the secrets
        assert variables["ZUORA_SECRET_ARN"] == {"Ref": "ZuoraSecretArn"}
        assert variables["NETSUITE_SECRET_ARN"] == {"Ref": "NetSuiteSecretArn"}


def test_functions_run_python_312_with_the_shared_layer(sam_template, cfn_template):
    # Given the transformed functions and the layer they use
    layers = [r for r in cfn_template["Resources"].values() if r["Type"] == "AWS::Lambda::LayerVersion"]
    assert len(layers) == 1
    layer = sam_template["Resources"]["ConnectorLayer"]

    # Then the layer is built by SAM for python3.12 on the functions' architecture
    assert layer["Metadata"]["BuildMethod"] == "python3.12"
    assert layer["Metadata"]["BuildArchitecture"] == {"Ref": "Architecture"}
    assert sam_template["Parameters"]["Architecture"]["Default"] == "arm64"
    for function_id in ("DispatcherFunction", "SyncFunction", "WebhookFunction", "ReplayFunction"):
        fn = props(cfn_template, function_id)
        assert fn["Runtime"] == "python3.12"
        assert fn["Architectures"] == [{"Ref": "Architecture"}]
        assert fn["TracingConfig"] == {"Mode": "Active"}
        assert len(fn["Layers"]) == 1


def test_dispatcher_runs_on_the_schedule_parameter(sam_template, cfn_template):
    # Given the EventBridge Scheduler schedule SAM creates for the dispatcher
    schedules = [r["Properties"] for r in cfn_template["Resources"].values() if r["Type"] == "AWS::Scheduler::Schedule"]

    # Then there is one, on the ScheduleExpression parameter, targeting the dispatcher with the sample's shape
    assert len(schedules) == 1
    schedule = schedules[0]
    assert schedule["ScheduleExpression"] == {"Ref": "ScheduleExpression"}
    assert schedule["Target"]["Arn"] == {"Fn::GetAtt": ["DispatcherFunction", "Arn"]}
    sample = json.loads((EVENTS_DIR / "dispatcher_schedule.json").read_text())
    assert json.loads(schedule["Target"]["Input"]).keys() == sample.keys()
    assert parameter_value(sam_template, function_property(sam_template, "DispatcherFunction", "Timeout")) == 900


def test_sample_sync_event_is_a_valid_sqs_batch():
    # Given the sample SQS event
    event = json.loads((EVENTS_DIR / "sync_sqs_batch.json").read_text())

    # Then it has two distinct records whose bodies are sync requests
    records = event["Records"]
    assert len(records) == 2
    assert len({r["messageId"] for r in records}) == 2
    for record in records:
        assert record["eventSource"] == "aws:sqs"
        body = json.loads(record["body"])
        assert body["record_type"] == "customer"
        assert len(body["record_id"]) == 32
        int(body["record_id"], 16)


def _overrides(entries: list[str]) -> dict[str, str]:
    """samconfig parameter_overrides as SAM CLI reads them: space-separated Key=Value, values quoted if needed."""
    pairs: dict[str, str] = {}
    for entry in entries:
        tokens = shlex.split(entry)
        assert len(tokens) == 1, f"{entry!r} splits into {tokens}: quote values that contain spaces"
        key, _, value = tokens[0].partition("=")
        pairs[key] = value
    return pairs


@pytest.mark.parametrize("environment", ["default", "prod"])
def test_samconfig_environment_matches_the_template(environment: str, sam_template: dict[str, Any]):
    # Given one environment of samconfig.toml
    config = tomllib.loads(SAMCONFIG_PATH.read_text())
    assert config["version"] == 0.1
    env = config[environment]

    # Then it names its own stack, deploys with IAM capability, and overrides only template parameters
    assert env["global"]["parameters"]["stack_name"]
    deploy = env["deploy"]["parameters"]
    assert "CAPABILITY_IAM" in deploy["capabilities"]
    overrides = _overrides(deploy["parameter_overrides"])
    parameters = sam_template["Parameters"]
    assert overrides.keys() <= parameters.keys()
    for name, value in overrides.items():
        definition = parameters[name]
        if "AllowedValues" in definition:
            assert value in definition["AllowedValues"], name
        if definition["Type"] == "Number":
            assert definition.get("MinValue", float("-inf")) <= int(value) <= definition.get("MaxValue", float("inf"))
    # And every required parameter without a default is set (placeholders are marked REPLACE_ME)
    required = {name for name, definition in parameters.items() if "Default" not in definition}
    assert required <= overrides.keys()


def test_prod_is_a_separate_stack_with_its_own_settings():
    # Given both environments
    config = tomllib.loads(SAMCONFIG_PATH.read_text())

    # Then prod deploys a different stack, with Stage=prod and a larger NetSuite budget
    assert (
        config["prod"]["global"]["parameters"]["stack_name"] != config["default"]["global"]["parameters"]["stack_name"]
    )
    prod = _overrides(config["prod"]["deploy"]["parameters"]["parameter_overrides"])
    default = _overrides(config["default"]["deploy"]["parameters"]["parameter_overrides"])
    assert prod["Stage"] == "prod"
    assert int(prod["NetSuiteConcurrency"]) > int(default.get("NetSuiteConcurrency", 4))

"""template.yaml, webhook part: least privilege, IAM on the manual trigger, throttling, settings, secret."""

from __future__ import annotations

from typing import Any

from tests.infrastructure.template_checks import (
    BASIC_EXECUTION,
    XRAY_WRITE,
    as_list,
    function_role,
    managed_policies,
    props,
)
from zuora_netsuite.models.webhook import WebhookSettings

WEBHOOK_SECRET = {"Fn::If": ["CreateWebhookSecret", {"Ref": "WebhookSecret"}, {"Ref": "WebhookSecretArn"}]}


def _statements(cfn: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for policy in function_role(cfn, "WebhookFunction").get("Policies", [])
        for statement in as_list(policy["PolicyDocument"]["Statement"])
    ]


def test_the_webhook_may_only_enqueue_write_its_dedupe_items_and_read_its_secret(cfn_template):
    # Given the webhook function's role as SAM deploys it
    statements = _statements(cfn_template)

    # Then it has exactly three grants
    grants = {action: statement for statement in statements for action in as_list(statement["Action"])}
    assert grants.keys() == {"sqs:SendMessage", "dynamodb:PutItem", "secretsmanager:GetSecretValue"}
    assert all(statement["Effect"] == "Allow" for statement in statements)
    # SendMessage on the sync queue only (not the DLQ)
    assert as_list(grants["sqs:SendMessage"]["Resource"]) == [{"Fn::GetAtt": ["SyncQueue", "Arn"]}]
    # PutItem on the table, and only on items whose key starts with NOTIFICATION#
    put = grants["dynamodb:PutItem"]
    assert as_list(put["Resource"]) == [{"Fn::GetAtt": ["IntegrationStateTable", "Arn"]}]
    assert put["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["NOTIFICATION#*"]}}
    # The webhook secret only: never the Zuora or NetSuite credentials
    assert as_list(grants["secretsmanager:GetSecretValue"]["Resource"]) == [WEBHOOK_SECRET]
    assert managed_policies(cfn_template, "WebhookFunction") == {BASIC_EXECUTION, XRAY_WRITE}


def test_the_manual_trigger_needs_iam_and_the_callout_route_is_authenticated_by_the_function(cfn_template):
    api = props(cfn_template, "WebhookApi")["Body"]
    manual = api["paths"]["/sync/{type}/{id}"]["post"]
    callout = api["paths"]["/webhooks/zuora"]["post"]

    assert manual["security"] == [{"AWS_IAM": []}]
    assert "credentials" not in manual["x-amazon-apigateway-integration"]  # invoked via the resource policy
    assert "security" not in callout  # HMAC / Basic: checked by the function on the raw body


def test_the_api_is_throttled_by_the_throttle_parameters(sam_template, cfn_template):
    stage = next(r["Properties"] for r in cfn_template["Resources"].values() if r["Type"] == "AWS::ApiGateway::Stage")
    settings = stage["MethodSettings"]
    assert settings == [
        {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "ThrottlingRateLimit": {"Ref": "WebhookThrottleRate"},
            "ThrottlingBurstLimit": {"Ref": "WebhookThrottleBurst"},
            "MetricsEnabled": True,
        }
    ]
    assert stage["TracingEnabled"] is True


def test_the_webhook_answers_within_zuoras_callout_timeout(sam_template):
    # Zuora waits 15 s for an answer; API Gateway at most 29 s
    assert props(sam_template, "WebhookFunction")["Timeout"] <= 15


def test_the_webhook_gets_every_setting_it_reads_and_no_secret_value(sam_template, cfn_template):
    variables = props(cfn_template, "WebhookFunction")["Environment"]["Variables"]
    required = {field.alias for field in WebhookSettings.model_fields.values() if field.is_required()}
    configured = {
        "WEBHOOK_AUTH_SCHEME",
        "WEBHOOK_SIGNATURE_HEADER",
        "WEBHOOK_SIGNATURE_ENCODING",
        "WEBHOOK_HMAC_DATA_FIELDS",
        "WEBHOOK_HMAC_VALUE",
        "WEBHOOK_TIMESTAMP_FIELD",
        "WEBHOOK_MAX_AGE_MINUTES",
    }
    assert variables.keys() >= required | configured
    assert variables["WEBHOOK_SECRET_ARN"] == WEBHOOK_SECRET
    # And the stack creates a random HMAC key only when no secret is given
    secret = sam_template["Resources"]["WebhookSecret"]
    assert secret["Condition"] == "CreateWebhookSecret"
    assert secret["Properties"]["GenerateSecretString"]["GenerateStringKey"] == "hmac_key"
    assert sam_template["Parameters"]["WebhookSecretArn"]["Default"] == ""


def test_the_hmac_parameter_defaults_are_the_webhook_settings_defaults(sam_template):
    # The template's defaults and the function's own defaults describe the same callout template (docs/webhooks.md)
    parameters = sam_template["Parameters"]
    fields = WebhookSettings.model_fields
    for parameter, setting in (
        ("WebhookSignatureHeader", "signature_header"),
        ("WebhookHmacDataFields", "hmac_data_fields"),
        ("WebhookHmacValue", "hmac_value"),
        ("WebhookTimestampField", "timestamp_field"),
        ("WebhookMaxAgeMinutes", "max_age_minutes"),
    ):
        assert str(parameters[parameter]["Default"]) == str(fields[setting].default), parameter

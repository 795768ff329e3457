"""The functions' settings come from their environment variables (template.yaml), as pydantic-settings read them
before: each field from the variable its alias names (case ignored), SYNC_CONFIG as JSON, a variable missing or
invalid refused naming it and never quoting a value."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.webhook import AuthScheme, WebhookSettings
from zuora_netsuite.settings import ConnectorSettings, StackResources

ENVIRONMENT = {
    "STATE_TABLE_NAME": "state",
    "SYNC_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/sync",
    "SYNC_DLQ_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/dlq",
    "ZUORA_BASE_URL": "https://rest.test.zuora.com",
    "ZUORA_SECRET_ARN": "arn:zuora",
    "NETSUITE_ACCOUNT_ID": "1234567_SB1",
    "NETSUITE_SECRET_ARN": "arn:netsuite",
}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_settings_are_read_from_the_variables_their_aliases_name(environment: pytest.MonkeyPatch) -> None:
    # Given the template's variables, one in lower case, a number and SYNC_CONFIG as JSON text
    environment.delenv("NETSUITE_ACCOUNT_ID")
    environment.setenv("netsuite_account_id", "7654321")
    environment.setenv("HTTP_TIMEOUT_SECONDS", "12.5")
    environment.setenv("SYNC_CONFIG", json.dumps({"enabled_types": ["customer", "item", "invoice"]}))

    # When the settings are loaded
    settings = ConnectorSettings.from_environment()

    # Then every value is there, typed
    assert settings.state_table_name == "state"
    assert settings.netsuite_account_id == "7654321"
    assert settings.http_timeout_seconds == 12.5
    # (an invoice's cancellation comes with invoices under the default after_sync.canceled_invoice "credit_memo")
    assert settings.sync_config.enabled_types == {
        RecordType.CUSTOMER, RecordType.ITEM, RecordType.INVOICE, RecordType.INVOICE_CANCELLATION,
    }  # fmt: skip
    assert settings.record_lease_seconds == 300  # a default
    assert StackResources.from_environment().sync_dlq_url == ENVIRONMENT["SYNC_DLQ_URL"]


def test_a_missing_variable_or_invalid_sync_config_is_refused_by_name_without_its_value(
    environment: pytest.MonkeyPatch,
) -> None:
    # Given no ZUORA_SECRET_ARN
    environment.delenv("ZUORA_SECRET_ARN")
    with pytest.raises(ValidationError) as missing:
        ConnectorSettings.from_environment()
    assert "ZUORA_SECRET_ARN" in str(missing.value)

    # Given a SYNC_CONFIG that is not JSON (and a secret-looking text in it)
    environment.setenv("ZUORA_SECRET_ARN", "arn:zuora")
    environment.setenv("SYNC_CONFIG", '{"tax_item_id": "s3cr3t-looking"')
    with pytest.raises(ValidationError) as invalid:
        ConnectorSettings.from_environment()
    assert "SYNC_CONFIG is not valid JSON" in str(invalid.value)
    assert "s3cr3t" not in str(invalid.value)


def test_values_given_explicitly_are_the_only_ones_used(environment: pytest.MonkeyPatch) -> None:
    # Given the environment, when settings are validated from explicit values (the operator CLI's stack target)
    settings = ConnectorSettings.model_validate({**ENVIRONMENT, "STATE_TABLE_NAME": "other", "SYNC_CONFIG": {}})

    # Then those are used
    assert settings.state_table_name == "other"


def test_the_webhook_reads_its_own_variables(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("WEBHOOK_SECRET_ARN", "arn:webhook")
    environment.setenv("WEBHOOK_AUTH_SCHEME", "basic")
    settings = WebhookSettings.from_environment()
    assert (settings.secret_arn, settings.auth_scheme) == ("arn:webhook", AuthScheme.BASIC)

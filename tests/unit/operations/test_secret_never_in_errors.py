"""A misconfigured secret (not JSON, not an object, a key missing, a value of the wrong type) stops the function
with an error naming the secret's ARN and what is wrong, and its value is in no log line, no exception text or
repr, and no chained exception (issue 11, hole 6): the Zuora and NetSuite credentials as the dispatcher and the
sync function load them, and the webhook's secret."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aws_lambda_powertools.utilities import parameters

import dispatcher_handler
import sync_handler
from sandbox.driver import LambdaContext
from tests.captured_logs import CapturedLog, captured_connector_logs
from zuora_netsuite import wiring
from zuora_netsuite.adapters import credentials
from zuora_netsuite.adapters.credentials import SecretMisconfigured
from zuora_netsuite.models.webhook import WebhookSecret

SECRET = "Zx9-VERY-PRIVATE-value-0042"
NUMBER = 987654321012  # a secret mistakenly stored as a number
ZUORA_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:zuora-AbCdEf"
NETSUITE_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:netsuite-AbCdEf"
WEBHOOK_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf"

ZUORA_OK = {"client_id": "zuora-client", "client_secret": SECRET}
NETSUITE_OK = {"consumer_key": SECRET, "consumer_secret": SECRET, "token_id": SECRET, "token_secret": SECRET}
WEBHOOK_OK = {"hmac_key": SECRET}

# (what is wrong, the secret's raw SecretString, a field or phrase the error must name)
MISCONFIGURATIONS: dict[str, list[tuple[str, str, str]]] = {
    "zuora": [
        ("not JSON", '{"client_id": "zuora-client", "client_secret": ' + SECRET + "}", "not valid JSON"),
        ("not an object", json.dumps(SECRET), "not an object"),
        ("a key missing", json.dumps({"client_id": SECRET}), "client_secret: Field required"),
        ("a wrong type", json.dumps({"client_id": "zuora-client", "client_secret": NUMBER}), "client_secret"),
        ("a wrong nested type", json.dumps({"client_id": [SECRET], "client_secret": SECRET}), "client_id"),
    ],
    "netsuite": [
        ("not JSON", json.dumps(NETSUITE_OK)[:-1].replace('"', "'"), "not valid JSON"),
        ("not an object", json.dumps([SECRET]), "not an object"),
        ("a key missing", json.dumps({k: v for k, v in NETSUITE_OK.items() if k != "token_secret"}), "token_secret"),
        ("a wrong type", json.dumps({**NETSUITE_OK, "token_id": NUMBER}), "token_id"),
    ],
    "webhook": [
        ("not JSON", "hmac_key=" + SECRET, "not valid JSON"),
        ("a wrong type", json.dumps({"hmac_key": NUMBER}), "hmac_key"),
        ("too short", json.dumps({"hmac_key": SECRET[:10]}), "hmac_key"),
    ],
}
CASES = [(secret, *case) for secret, cases in MISCONFIGURATIONS.items() for case in cases]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[CapturedLog]:
    """The connector's JSON log lines (Powertools' logger does not propagate to caplog), and caplog's too."""
    caplog.set_level(logging.DEBUG)
    with captured_connector_logs("DEBUG") as captured:
        yield captured
        captured.lines.extend(r.getMessage() for r in caplog.records)


@pytest.fixture
def secrets_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Secrets Manager as Powertools Parameters reads it: ARN -> SecretString (set per test)."""
    stored: dict[str, str] = {
        ZUORA_ARN: json.dumps(ZUORA_OK),
        NETSUITE_ARN: json.dumps(NETSUITE_OK),
        WEBHOOK_ARN: json.dumps(WEBHOOK_OK),
    }

    def get_secret(name: str, **_: Any) -> str:
        return stored[name]

    monkeypatch.setattr(parameters, "get_secret", get_secret)  # the module credentials.py reads through
    for name, value in {
        "STATE_TABLE_NAME": "state",
        "SYNC_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/sync",
        "SYNC_DLQ_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/dlq",
        "ZUORA_BASE_URL": "https://rest.test.zuora.com",
        "ZUORA_SECRET_ARN": ZUORA_ARN,
        "NETSUITE_ACCOUNT_ID": "1234567_SB1",
        "NETSUITE_SECRET_ARN": NETSUITE_ARN,
        "WEBHOOK_SECRET_ARN": WEBHOOK_ARN,
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    wiring.reset()
    yield stored
    wiring.reset()


def _when_the_function_starts(secret: str) -> Callable[[], object]:
    """What first reads each secret in production: the dispatcher (Zuora), the sync function (NetSuite), the
    webhook's secret loader (its handler's answer is tested in tests/unit/webhook)."""
    if secret == "zuora":
        return lambda: dispatcher_handler.handler({}, LambdaContext("dispatcher"))
    if secret == "netsuite":
        return lambda: sync_handler.handler({"Records": []}, LambdaContext("sync"))
    return lambda: wiring.load_webhook_secret(WEBHOOK_ARN)


def _everything_said_about(error: BaseException) -> str:
    """Each text a log, the Lambda runtime or a debugger shows of the error, its causes and contexts included."""
    parts = ["".join(traceback.format_exception(error)), str(error), repr(error)]
    link: BaseException | None = error
    while link is not None:
        parts += [str(link), repr(link), repr(getattr(link, "doc", "")), repr(link.args)]
        link = link.__cause__ or link.__context__
    return "\n".join(parts)


@pytest.mark.parametrize(("secret", "problem", "raw", "named"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_a_misconfigured_secret_is_named_with_its_problem_and_never_its_value(
    secrets_manager: dict[str, str], logs: CapturedLog, secret: str, problem: str, raw: str, named: str
):
    # Given a secret whose value is misconfigured
    arn = {"zuora": ZUORA_ARN, "netsuite": NETSUITE_ARN, "webhook": WEBHOOK_ARN}[secret]
    secrets_manager[arn] = raw

    # When the function that needs it starts
    with pytest.raises((SecretMisconfigured, wiring.WebhookMisconfigured)) as raised:
        _when_the_function_starts(secret)()

    # Then the error names the secret's ARN and what is wrong
    error = raised.value
    assert arn in str(error)
    assert named in str(error)
    # And the value is in no exception text (chained ones included) and no log line
    said = _everything_said_about(error) + "\n" + logs.text
    for value in (SECRET, SECRET[:10], str(NUMBER)):
        assert value not in said


def test_well_formed_secrets_load_and_their_values_stay_hidden_in_reprs(secrets_manager: dict[str, str]):
    # Given well-formed secrets
    # When they are loaded
    zuora = credentials.load_zuora_credentials(ZUORA_ARN)
    netsuite = credentials.load_netsuite_credentials(NETSUITE_ARN)
    webhook = credentials.read_secret(WEBHOOK_ARN, WebhookSecret, "webhook")

    # Then the values are there for the clients, and absent from every repr
    assert zuora.client_secret.get_secret_value() == SECRET
    assert netsuite.token_secret.get_secret_value() == SECRET
    assert webhook.hmac_key is not None
    assert webhook.hmac_key.get_secret_value() == SECRET
    for loaded in (zuora, netsuite, webhook):
        assert SECRET not in repr(loaded)
        assert SECRET not in str(loaded)

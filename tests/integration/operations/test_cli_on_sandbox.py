"""The operator CLI on a running sandbox as a person uses it: records named by the numbers Zuora shows, and a
`run` whose connector logs go to a file, not the terminal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from connector_cli.main import cli
from sandbox.stack import Sandbox, SandboxOptions
from zuora_netsuite.models.record_types import RecordType


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    options = SandboxOptions(accounts=6, charges=4, invoices=6, retry_delay_seconds=0)
    with Sandbox(options) as started:
        yield started


@pytest.fixture(scope="module")
def endpoints(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sandbox") / "endpoints.json"
    path.write_text(json.dumps(sandbox.endpoints()))
    return path


def cli_run(endpoints: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--sandbox", str(endpoints), *args])


def first(sandbox: Sandbox, zuora_object: str, number_field: str) -> tuple[str, str]:
    row = next(r for r in sandbox.zuora.all(zuora_object) if r.get(number_field))
    return str(row["Id"]), str(row[number_field])


@pytest.mark.parametrize(
    ("record_type", "zuora_object", "number_field"),
    [
        (RecordType.CUSTOMER, "Account", "AccountNumber"),
        (RecordType.ITEM, "ProductRatePlanCharge", "ProductRatePlanChargeNumber"),
        (RecordType.INVOICE, "Invoice", "InvoiceNumber"),
        (RecordType.PAYMENT, "Payment", "PaymentNumber"),
        (RecordType.REFUND, "Refund", "RefundNumber"),
        (RecordType.CREDIT_MEMO, "CreditMemo", "MemoNumber"),
        (RecordType.DEBIT_MEMO, "DebitMemo", "MemoNumber"),
    ],
)
def test_status_takes_the_number_zuora_shows(
    sandbox: Sandbox, endpoints: Path, record_type: RecordType, zuora_object: str, number_field: str
) -> None:
    # Given a record the operator knows by its number in Zuora
    zuora_id, number = first(sandbox, zuora_object, number_field)
    # When they ask for its status by that number
    result = cli_run(endpoints, "--json", "status", record_type.value, number)
    # Then the CLI finds the record: its id, the number, and the Zuora side
    assert result.exit_code == 0, result.output
    status: dict[str, Any] = json.loads(result.stdout)
    assert status["record_id"] == zuora_id
    assert status["number"] == number
    assert status["zuora"] is not None


def test_status_by_id_still_works(sandbox: Sandbox, endpoints: Path) -> None:
    zuora_id, _ = first(sandbox, "Account", "AccountNumber")
    result = cli_run(endpoints, "--json", "status", "customer", zuora_id)
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["record_id"] == zuora_id
    assert status["number"] is None


def test_a_number_nothing_has_is_not_found_and_says_what_was_looked_for(endpoints: Path) -> None:
    result = cli_run(endpoints, "status", "invoice", "INV99999999")
    assert result.exit_code == 3
    assert "no Invoice has Id or InvoiceNumber 'INV99999999'" in result.stderr


def test_reset_takes_a_number(sandbox: Sandbox, endpoints: Path) -> None:
    zuora_id, number = first(sandbox, "Account", "AccountNumber")
    result = cli_run(endpoints, "--json", "reset", "customer", number, "--yes")
    assert result.exit_code == 0, result.output
    assert sandbox.zuora.get("Account", zuora_id) is not None


def test_run_shows_the_report_and_writes_the_connector_logs_to_a_file(sandbox: Sandbox, endpoints: Path) -> None:
    # When the operator runs a cycle on the sandbox
    result = cli_run(endpoints, "run", "--retry-delay", "0")
    # Then the terminal shows the per-type report and where the logs are, and no JSON log line
    assert result.exit_code == 0, result.output
    log_file = endpoints.parent / "connector-run.log"
    assert "connector-run.log" in result.stdout
    for column in ("synced", "unchanged", "errors", "in DLQ"):
        assert column in result.stdout
    assert not [line for line in result.output.splitlines() if line.lstrip().startswith('{"level"')]
    # And the log file holds the connector's JSON lines
    lines = [json.loads(line) for line in log_file.read_text().splitlines() if line.strip()]
    assert lines
    assert all("level" in line and "message" in line for line in lines)

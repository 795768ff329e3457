"""`connector_cli mapping check` / `mapping diff` on a running sandbox: the Zuora client's INVALID_FIELD fault names
the source field the tenant does not have; the diff counts the synced customers a new mapping changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from connector_cli.main import cli
from connector_cli.targets import sandbox_target
from sandbox.stack import Sandbox, SandboxOptions


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxOptions(accounts=4, charges=2, invoices=2, retry_delay_seconds=0)) as started:
        yield started


@pytest.fixture(scope="module")
def endpoints(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sandbox") / "endpoints.json"
    path.write_text(json.dumps(sandbox.endpoints()))
    return path


def cli_run(endpoints: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--sandbox", str(endpoints), *args])


def config_file(endpoints: Path, name: str, config: dict[str, Any]) -> str:
    path = endpoints.parent / name
    path.write_text(json.dumps(config))
    return str(path)


def test_check_names_a_source_field_the_zuora_tenant_does_not_have(endpoints: Path) -> None:
    path = config_file(
        endpoints,
        "bad.json",
        {"field_mappings": {"customer": {"fields": {"custentity_zn_region": {"source": "Account.Segment__c"}}}}},
    )
    result = cli_run(endpoints, "mapping", "check", "--config", path)
    assert result.exit_code == 4, result.output
    assert "field_mappings.customer.fields.custentity_zn_region: Zuora has no field Account.Segment__c" in result.output


def test_check_passes_when_every_source_field_exists(endpoints: Path) -> None:
    path = config_file(
        endpoints, "good.json", {"field_mappings": {"customer": {"fields": {"comments": {"source": "Account.Name"}}}}}
    )
    result = cli_run(endpoints, "mapping", "check", "--config", path)
    assert result.exit_code == 0, result.output


def test_diff_counts_the_synced_customers_a_new_mapping_changes(sandbox: Sandbox, endpoints: Path) -> None:
    # Given a cycle has synced the customers
    assert cli_run(endpoints, "run", "--retry-delay", "0").exit_code == 0
    synced = [r for r in sandbox.zuora.all("Account") if r.get("IntegrationStatus__NS") == "Sync Complete"]
    assert synced
    # When a mapping that puts the account name into comments is compared with the deployed one
    deployed = sandbox_target(endpoints).settings.sync_config.model_dump(mode="json", by_alias=True)
    new = {**deployed, "field_mappings": {"customer": {"fields": {"comments": {"source": "Account.Name"}}}}}
    path = config_file(endpoints, "new.json", new)
    result = cli_run(endpoints, "--json", "mapping", "diff", "--config", path, "--type", "customer")
    # Then every synced customer changes, in comments only
    assert result.exit_code == 0, result.output
    (diff,) = json.loads(result.stdout)
    assert diff["examined"] == len(synced)
    assert diff["writes"] == len(synced)
    assert {tuple(r["fields"]) for r in diff["records"]} == {("comments",)}

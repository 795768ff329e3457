"""`mapping check` and `mapping diff`: a field mapping checked before it is deployed (docs/runbook.md)."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from connector_cli.targets import TargetError
from zuora_netsuite.failures import SyncFailure
from zuora_netsuite.logic.mapping_review import mapping_diff, probe_sources
from zuora_netsuite.mapping.classifications import NetSuiteReferenceData
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.settings import SyncConfig

EXIT_FAILED, EXIT_PROBLEMS = 1, 4
CONFIG_FILE = click.Path(path_type=Path, dir_okay=False, exists=True)


def load_config(path: Path) -> SyncConfig:
    """The sync configuration in a JSON file (the SYNC_CONFIG value); exits 4 naming every problem."""
    try:
        return SyncConfig.model_validate_json(path.read_text())
    except ValidationError as error:
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"])
            click.echo(f"{path}: {where + ': ' if where else ''}{problem['msg']}", err=True)
        sys.exit(EXIT_PROBLEMS)


@click.group()
def mapping() -> None:
    """Check a field mapping (docs/configuration.md, "Field mappings") before deploying it."""


@mapping.command()
@click.option("--config", "config_file", type=CONFIG_FILE, help="A SYNC_CONFIG JSON file (default: the deployed one).")
@click.option("--offline", is_flag=True, help="Validate only; do not ask Zuora whether the source fields exist.")
@click.pass_obj
def check(ctx: Any, config_file: Path | None, offline: bool) -> None:
    """Validate the configuration, then ask Zuora whether every source field exists. Exits 4 on a problem."""
    config = load_config(config_file) if config_file else None
    if offline:
        click.echo("The configuration is valid." if config else "Nothing to check offline without --config.")
        return
    target = ctx.resolve()
    config = config or target.settings.sync_config
    try:
        problems = probe_sources(target.zuora(), config)
    except (SyncFailure, TargetError) as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_FAILED)
    payload = {"valid": not problems, "problems": [dataclasses.asdict(p) for p in problems]}
    if ctx.as_json:
        click.echo(json.dumps(payload, indent=2))
    elif problems:
        for problem in problems:
            click.echo(f"{problem.setting}: {problem.reason}")
    else:
        click.echo(f"The configuration is valid and every source field exists in Zuora ({target.description}).")
    if problems:
        sys.exit(EXIT_PROBLEMS)


@mapping.command()
@click.option("--config", "config_file", type=CONFIG_FILE, required=True, help="The new SYNC_CONFIG JSON file.")
@click.option(
    "--type",
    "record_types",
    type=click.Choice([RecordType.CUSTOMER.value, RecordType.ITEM.value]),
    multiple=True,
    help="customer and/or item (default both).",
)
@click.pass_obj
def diff(ctx: Any, config_file: Path, record_types: tuple[str, ...]) -> None:
    """How many synced customers / items the new configuration changes, and which fields: what the next cycle
    writes once it is deployed. Nothing is written."""
    new = load_config(config_file)
    target = ctx.resolve()
    deployed = target.settings.sync_config
    state, zuora = target.state_store(), target.zuora()
    reference = NetSuiteReferenceData(target.netsuite())
    today = datetime.now(UTC).date()
    try:
        results = [
            mapping_diff(zuora, state, reference, deployed, new, RecordType(t), today)
            for t in record_types or (RecordType.CUSTOMER.value, RecordType.ITEM.value)
        ]
    except SyncFailure as failure:
        click.echo(f"Error: {failure.reason}", err=True)
        sys.exit(EXIT_FAILED)
    if ctx.as_json:
        click.echo(json.dumps([dataclasses.asdict(r) for r in results], default=str, indent=2))
        return
    out = Console()
    for result in results:
        table = Table(title=f"{result.record_type.value}: {result.writes} of {result.examined} synced record(s) change")
        for column in ("record", "Zuora id", "fields that change / failure"):
            table.add_column(column, overflow="fold")
        for record in result.records:
            table.add_row(record.description, record.record_id, record.failure or ", ".join(record.fields))
        out.print(table)

"""`python -m sandbox run` (make run) and `python -m sandbox serve` (make sandbox)."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from sandbox.report import TypeReport, cycle_report
from sandbox.stack import Sandbox, SandboxOptions

LOG_FILE = Path(".sandbox/connector.log")


def _route_connector_logs(path: Path) -> None:
    """The functions log JSON lines to stdout, as on Lambda; here they go to a file so the progress
    bar and the report stay readable."""
    from zuora_netsuite.observability import logger

    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logger.registered_formatter)
    for existing in list(logger.handlers):
        logger.handlers.remove(existing)
    logger.handlers.append(handler)


def _report_table(reports: list[TypeReport], title: str) -> Table:
    table = Table(title=title)
    for column in ("record type", "found", "synced", "unchanged", "warnings", "errors", "in DLQ"):
        table.add_column(column, justify="left" if column == "record type" else "right")
    for r in reports:
        table.add_row(
            r.record_type.value, str(r.found), str(r.synced), str(r.unchanged), str(r.warnings), str(r.errors),
            str(r.in_dlq),
        )  # fmt: skip
    return table


@click.group()
def cli() -> None:
    """The embedded local sandbox: AWS (moto), Zuora and NetSuite simulators, the connector's functions."""


@cli.command()
@click.option("--accounts", default=200, show_default=True, help="Zuora accounts in the generated data set.")
@click.option("--charges", default=60, show_default=True, help="Product rate plan charges in the data set.")
@click.option("--seed", default=7, show_default=True, help="Data set and fault seed.")
@click.option("--cycles", default=1, show_default=True, help="Scheduled cycles to run one after the other.")
@click.option("--netsuite-latency-ms", default=50, show_default=True, help="Added to every NetSuite request.")
@click.option("--netsuite-cap", default=5, show_default=True, help="NetSuite account concurrency limit.")
@click.option("--concurrency", default=4, show_default=True, help="Sync function concurrency (NetSuiteConcurrency).")
def run(
    accounts: int, charges: int, seed: int, cycles: int, netsuite_latency_ms: int, netsuite_cap: int, concurrency: int
) -> None:
    """Start the sandbox, run scheduled sync cycles to completion and print a per-type report."""
    console = Console()
    options = SandboxOptions(
        seed=seed,
        accounts=accounts,
        charges=charges,
        netsuite_latency_seconds=netsuite_latency_ms / 1000,
        netsuite_concurrency_limit=netsuite_cap,
        sync_concurrency=concurrency,
    )
    _route_connector_logs(LOG_FILE)
    with console.status("Starting the sandbox (moto, Zuora and NetSuite simulators)..."):
        sandbox = Sandbox(options).start()
    try:
        console.print(
            f"Sandbox up: {accounts} accounts and {charges} charges in Zuora "
            f"(seed {seed}), NetSuite cap {netsuite_cap}, sync concurrency {concurrency}."
        )
        with sandbox.function_environment():
            assert sandbox.resources is not None
            sqs, table = sandbox.aws.client("sqs"), sandbox.aws.resource("dynamodb").Table(sandbox.resources.table_name)
            for cycle in range(1, cycles + 1):
                started = time.monotonic()
                writes_before = sandbox.netsuite.stats.writes()
                with Progress(
                    TextColumn("[bold]cycle {task.fields[cycle]}[/] {task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=console,
                ) as progress:
                    task = progress.add_task("dispatching", total=None, cycle=cycle)

                    def dispatched(count: int, task_id: TaskID = task) -> None:
                        progress.update(task_id, description="syncing", total=count)

                    def batch_done(count: int, task_id: TaskID = task) -> None:
                        progress.advance(task_id, count)

                    result = sandbox.run_cycle(on_dispatched=dispatched, on_batch=batch_done)
                    progress.update(task, description="done")
                reports = cycle_report(result.summary, table, sqs, sandbox.resources.dlq_url)
                elapsed = time.monotonic() - started
                console.print(_report_table(reports, f"Cycle {cycle}: run {result.run_id} in {elapsed:.1f} s"))
                writes = sandbox.netsuite.stats.writes() - writes_before
                console.print(
                    f"NetSuite writes this cycle: {writes}; sync invocations: {result.drain.invocations}; "
                    f"messages redelivered: {result.drain.retried}"
                )
                for r in reports:
                    for reason in r.reasons:
                        console.print(f"  [yellow]{r.record_type.value}[/]: {reason}")
        console.print(f"Connector logs (JSON lines, as in CloudWatch): {LOG_FILE}")
    finally:
        sandbox.stop()


@cli.command()
@click.option("--accounts", default=200, show_default=True)
@click.option("--charges", default=60, show_default=True)
@click.option("--seed", default=7, show_default=True)
def serve(accounts: int, charges: int, seed: int) -> None:
    """Start the sandbox in the foreground and print its endpoints and credentials as one JSON line."""
    sandbox = Sandbox(SandboxOptions(seed=seed, accounts=accounts, charges=charges)).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo(json.dumps(sandbox.endpoints()), nl=True)
    sys.stdout.flush()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()


if __name__ == "__main__":
    cli()

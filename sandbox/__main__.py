"""`python -m sandbox run` (make run) and `python -m sandbox serve` (make sandbox)."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from sandbox.chaos_cli import chaos
from sandbox.report import cycle_report, report_table
from sandbox.shutdown import exit_after
from sandbox.stack import Sandbox, SandboxOptions
from sandbox.zuora_mutations import cancel_a_synced_invoice

LOG_FILE = Path(".sandbox/connector.log")
ENDPOINTS_FILE = Path(".sandbox/endpoints.json")


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


def _print_reconciliation(console: Console, expected_invalid: set[str]) -> None:
    """Zuora versus NetSuite per transaction type and currency, open AR and unapplied amounts per customer, and the
    records that differ (invalid ones); amounts whole whatever the terminal's width (connector_cli/reconcile_view)."""
    from connector_cli import reconcile_view as view
    from zuora_netsuite import wiring
    from zuora_netsuite.logic.reconciliation import reconcile
    from zuora_netsuite.settings import load_settings

    result = reconcile(wiring.zuora_client(), wiring.netsuite_client(), load_settings().sync_config)
    view.print_totals(console, result, "Reconciliation: Zuora versus NetSuite")
    view.print_balances_summary(console, result)
    unexpected = [d for d in result.differences if d.zuora_id not in expected_invalid]
    console.print(
        f"{len(result.differences)} record(s) differ: "
        + ("all of them invalid records of the data set, with their reasons:" if not unexpected else
           f"[red]{len(unexpected)} of them are not among the data set's invalid records[/]:")
    )  # fmt: skip
    shown = (unexpected or result.differences)[:10]
    view.print_differences(console, shown, f"{len(shown)} of {len(result.differences)} shown")


def dataset_options(command: Callable[..., None]) -> Callable[..., None]:
    """The data set options `run` and `serve` share, so `make sandbox` serves what `make run` syncs."""
    for option in reversed(
        (
            click.option(
                "--accounts", default=200, show_default=True, help="Zuora accounts in the generated data set."
            ),
            click.option("--charges", default=60, show_default=True, help="Product rate plan charges in the data set."),
            click.option("--seed", default=7, show_default=True, help="Data set (and, for run, fault) seed."),
            click.option(
                "--invoices", default=80, show_default=True, help="Invoices (with payments, memos, refunds) to add."
            ),
            click.option(
                "--legacy-tenant",
                is_flag=True,
                help="A Zuora tenant without Invoice Settlement (InvoicePayment, no memos); the connector set so.",
            ),
        )
    ):
        command = option(command)
    return command


@click.group()
def cli() -> None:
    """The embedded local sandbox: AWS (moto), Zuora and NetSuite simulators, the connector's functions."""


@cli.command()
@dataset_options
@click.option("--cycles", default=1, show_default=True, help="Scheduled cycles to run one after the other.")
@click.option("--netsuite-latency-ms", default=50, show_default=True, help="Added to every NetSuite request.")
@click.option("--netsuite-cap", default=5, show_default=True, help="NetSuite account concurrency limit.")
@click.option("--concurrency", default=4, show_default=True, help="Sync function concurrency (NetSuiteConcurrency).")
@click.option(
    "--after-sync/--no-after-sync",
    default=True,
    show_default=True,
    help="Then cancel one synced invoice in Zuora (as a user in the UI) and run one more cycle: its credit memo "
    "reaches NetSuite (after_sync.canceled_invoice). Invoice Settlement tenants, with invoices.",
)
def run(
    accounts: int,
    charges: int,
    seed: int,
    cycles: int,
    netsuite_latency_ms: int,
    netsuite_cap: int,
    concurrency: int,
    invoices: int,
    legacy_tenant: bool,
    after_sync: bool,
) -> None:
    """Start the sandbox, run scheduled sync cycles to completion and print a per-type report."""
    console = Console()
    options = SandboxOptions(
        invoices=invoices,
        seed=seed,
        accounts=accounts,
        charges=charges,
        netsuite_latency_seconds=netsuite_latency_ms / 1000,
        netsuite_concurrency_limit=netsuite_cap,
        sync_concurrency=concurrency,
        legacy_tenant=legacy_tenant,
    )
    _route_connector_logs(LOG_FILE)
    with console.status("Starting the sandbox (moto, Zuora and NetSuite simulators)..."):
        sandbox = Sandbox(options).start()
    try:
        console.print(
            f"Sandbox up: {accounts} accounts and {charges} charges in Zuora "
            f"(seed {seed}), NetSuite cap {netsuite_cap}, sync concurrency {concurrency}; "
            + ("a legacy tenant without Invoice Settlement (no memos)." if legacy_tenant else "Invoice Settlement on.")
        )
        with sandbox.function_environment():
            for cycle in range(1, cycles + 1):
                _run_cycle(console, sandbox, str(cycle))
            if after_sync and invoices > 0 and not legacy_tenant:
                cancelled = cancel_a_synced_invoice(sandbox.zuora)
                if cancelled is not None:
                    number = (sandbox.zuora.get("Invoice", cancelled) or {}).get("InvoiceNumber", cancelled)
                    console.print(f"Invoice {number} cancelled in Zuora after it synced (unposted, then Canceled).")
                    _run_cycle(console, sandbox, "after-sync")
            if invoices > 0:
                _print_reconciliation(console, set(sandbox.dataset.expected_reasons))
        console.print(f"Connector logs (JSON lines, as in CloudWatch): {LOG_FILE}")
    finally:
        sandbox.stop()


def _run_cycle(console: Console, sandbox: Sandbox, cycle: str) -> None:
    """One scheduled cycle to completion, with a progress bar, then its per-type report."""
    assert sandbox.resources is not None
    sqs, table = sandbox.aws.client("sqs"), sandbox.aws.resource("dynamodb").Table(sandbox.resources.table_name)
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
    console.print(report_table(reports, f"Cycle {cycle}: run {result.run_id} in {elapsed:.1f} s"))
    writes = sandbox.netsuite.stats.writes() - writes_before
    console.print(
        f"NetSuite writes this cycle: {writes}; sync invocations: {result.drain.invocations}; "
        f"messages redelivered: {result.drain.retried}"
    )
    for r in reports:
        for reason in r.reasons:
            console.print(f"  [yellow]{r.record_type.value}[/]: {reason}")


SHUTDOWN_GRACE_SECONDS = 20.0  # after SIGTERM / SIGINT, the process ends within this, whatever still waits
EXIT_SHUTDOWN_OVERRAN = 70  # the watchdog ended the process: a shutdown step overran (see the warning logged)


@cli.command()
@dataset_options
def serve(accounts: int, charges: int, seed: int, invoices: int, legacy_tenant: bool) -> None:
    """Start the sandbox in the foreground and print its endpoints and credentials as one JSON line. It serves
    the data set `make run` syncs: accounts, charges and (unless --invoices 0) invoices, debit and credit memos,
    payments and refunds; Invoice Settlement on unless --legacy-tenant.

    SIGTERM or SIGINT (Ctrl-C) stops it: each shutdown step is bounded (sandbox/shutdown.py), and a watchdog
    ends the process SHUTDOWN_GRACE_SECONDS after the signal whatever still waits; a second signal ends it at
    once."""
    # The handler only records the signal: Python runs it on the main thread between two bytecodes, so a handler
    # that takes a lock (Event.set() takes its Condition's, a plain Lock) deadlocks when the signal lands while
    # the main thread holds that same lock (inside Event.wait()): a futex wait that nothing ends.
    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        if received:  # asked twice: now
            os._exit(128 + signum)
        received.append(signum)

    # Before start(): a signal while it starts stops the sandbox as soon as it is up, never half-started (as a
    # KeyboardInterrupt in the middle of start() would leave it).
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    options = SandboxOptions(
        seed=seed, accounts=accounts, charges=charges, invoices=invoices, legacy_tenant=legacy_tenant
    )
    sandbox = Sandbox(options).start()
    try:
        click.echo(json.dumps(sandbox.endpoints()), nl=True)
        sys.stdout.flush()
        ENDPOINTS_FILE.parent.mkdir(parents=True, exist_ok=True)
        ENDPOINTS_FILE.write_text(json.dumps(sandbox.endpoints()))  # read by `python -m connector_cli --sandbox`
        while not received:
            time.sleep(0.2)  # a signal interrupts the sleep; its handler runs, and the loop sees it
    finally:
        exit_after(SHUTDOWN_GRACE_SECONDS, EXIT_SHUTDOWN_OVERRAN)  # armed once nothing waits on a lock
        sandbox.stop()


cli.add_command(chaos)  # python -m sandbox chaos (make chaos): the fault suite, sandbox/chaos.py

if __name__ == "__main__":
    cli()

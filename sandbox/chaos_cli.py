"""`python -m sandbox chaos` (make chaos): the fault suite of sandbox/chaos.py with its printed tables; exits 1
when a record was lost, duplicated, wrong or left without its reason."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import click
from rich.console import Console

from sandbox.chaos import ChaosOptions, print_report, run_chaos

LOG_FILE = Path(".sandbox/chaos.log")


@click.command()
@click.option("--seed", default=7, show_default=True, help="Data set and fault plan seed.")
@click.option("--accounts", default=150, show_default=True)
@click.option("--charges", default=40, show_default=True)
@click.option("--invoices", default=100, show_default=True, help="Invoices (with payments, memos, refunds).")
@click.option("--netsuite-cap", default=5, show_default=True, help="NetSuite account concurrency limit.")
@click.option("--concurrency", default=8, show_default=True, help="Sync containers (above the cap: 429s).")
@click.option("--kills", default=3, show_default=True, help="Sync containers killed after a NetSuite commit.")
def chaos(
    seed: int, accounts: int, charges: int, invoices: int, netsuite_cap: int, concurrency: int, kills: int
) -> None:
    """Inject every fault of docs/reliability.md on the sandbox and check that nothing was lost or duplicated."""
    console = Console(width=None if sys.stdout.isatty() else 160)  # a log file gets the whole table
    LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    LOG_FILE.write_text("")
    # The functions' logs (this process and the containers) go to the file; the driver's crash reports too.
    file_handler = logging.FileHandler(LOG_FILE, mode="a", encoding="utf-8")
    for name in ("zuora_netsuite", "sandbox.driver"):
        logging.getLogger(name).addHandler(file_handler)
        logging.getLogger(name).propagate = False
    from zuora_netsuite.observability import logger

    for existing in list(logger.handlers):
        logger.handlers.remove(existing)
    logger.handlers.append(file_handler)

    options = ChaosOptions(
        seed=seed,
        accounts=accounts,
        charges=charges,
        invoices=invoices,
        netsuite_cap=netsuite_cap,
        sync_concurrency=concurrency,
        sync_kills=kills,
        log_file=LOG_FILE,
    )
    started = time.monotonic()
    with console.status("starting") as status:

        def step(description: str) -> None:
            console.log(description)
            status.update(description)

        report = run_chaos(options, on_step=step)
    print_report(console, report)
    console.print(f"Connector logs (JSON lines): {LOG_FILE}; {time.monotonic() - started:.0f} s in all")
    sys.exit(0 if report.passed else 1)

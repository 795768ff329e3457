"""`zuora-netsuite [--stack NAME | --sandbox [FILE]] [--json] COMMAND`.

Exit codes (scripts can rely on them):

| code | meaning                                                                  |
| 0    | done; nothing failed                                                     |
| 1    | done, but something failed (a replayed message not moved), or an error   |
| 2    | usage error (bad option or argument)                                     |
| 3    | the record was not found                                                 |
| 4    | problems found: `errors --check` (records in error), `reconcile` (differences), `mapping check` |
| 5    | refused (e.g. reset while the record is syncing); nothing changed         |
| 6    | the command is not available in this version                             |
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import re
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

import boto3
import click
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from connector_cli import reconcile_view as view
from connector_cli.link import link_payload, render_link
from connector_cli.mapping_commands import mapping
from connector_cli.targets import SANDBOX_ENDPOINTS, Target, TargetError, sandbox_target, stack_target
from connector_cli.zuora_numbers import ZuoraKey, resolve, resolve_any
from sandbox.report import TypeReport, report_table
from zuora_netsuite.failures import SyncFailure
from zuora_netsuite.logic.linking import Linker, Match
from zuora_netsuite.logic.recovery import RecordReset, ResetRefused
from zuora_netsuite.logic.replay import DeadLetterReplay, current_errors
from zuora_netsuite.mapping import mappings_for
from zuora_netsuite.mapping.base import SourceRecord
from zuora_netsuite.models.record_types import DEPENDENCY_ORDER, RECORD_TYPES, RecordType, external_id
from zuora_netsuite.models.replay import ReplayItem, ReplayRequest
from zuora_netsuite.models.state import RecordState

EXIT_OK, EXIT_FAILED, EXIT_NOT_FOUND, EXIT_ERRORS_FOUND, EXIT_REFUSED, EXIT_UNAVAILABLE = 0, 1, 3, 4, 5, 6
RECORD_TYPE = click.Choice([t.value for t in RecordType], case_sensitive=False)
DURATION = re.compile(r"^(\d+)\s*([smhdw])$")
RUN_LOG_NAME = "connector-run.log"
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Context(BaseModel):
    model_config = {"arbitrary_types_allowed": True}

    stack: str | None
    sandbox: Path | None
    region: str | None
    as_json: bool
    target: Target | None = None

    def resolve(self) -> Target:
        if self.target is None:
            try:
                if self.stack:
                    self.target = stack_target(self.stack, self.region)
                else:
                    self.target = sandbox_target(self.sandbox or SANDBOX_ENDPOINTS)
            except TargetError as error:
                fail(str(error), EXIT_FAILED)
        return self.target


def route_connector_logs(level: int) -> None:
    """The connector logs JSON lines to stdout (as on Lambda); in the CLI stdout is for results: logs go to
    stderr, warnings and above unless --verbose."""
    from zuora_netsuite.observability import logger

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logger.registered_formatter)
    for existing in list(logger.handlers):
        logger.handlers.remove(existing)
    logger.handlers.append(handler)
    logger.setLevel(level)
    logging.getLogger("zuora_netsuite").setLevel(level)


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def emit(ctx: Context, payload: Any, render: Callable[[Console], None]) -> None:
    """JSON on stdout for scripts, or tables for people."""
    if ctx.as_json:
        click.echo(json.dumps(payload, default=str, indent=2))
    else:
        render(Console())


def parse_duration(value: str | None) -> timedelta | None:
    """`90s`, `30m`, `2h`, `7d`, `1w`."""
    if value is None:
        return None
    match = DURATION.match(value.strip().lower())
    if not match:
        raise click.BadParameter(f"{value!r}: use a number and a unit, e.g. 30m, 2h, 7d")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--stack", envvar="CONNECTOR_STACK", help="Deployed stack name (AWS credentials from the environment).")
@click.option(
    "--sandbox",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Endpoints file of a running sandbox (default {SANDBOX_ENDPOINTS}, written by `make sandbox`).",
)
@click.option("--region", envvar="AWS_REGION", help="AWS region of the stack.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")
@click.option("-v", "--verbose", is_flag=True, help="The connector's INFO logs on stderr (default: warnings only).")
@click.pass_context
def cli(
    click_ctx: click.Context, stack: str | None, sandbox: Path | None, region: str | None, as_json: bool, verbose: bool
) -> None:
    """Operate the Zuora -> NetSuite connector: run a cycle, inspect records and errors, replay, reset."""
    if stack and sandbox:
        raise click.UsageError("--stack and --sandbox are exclusive")
    route_connector_logs(logging.INFO if verbose else logging.WARNING)
    click_ctx.obj = Context(stack=stack, sandbox=sandbox, region=region, as_json=as_json)


# --- run -------------------------------------------------------------------------------------------


@cli.command()
@click.option("--timeout", default=900, show_default=True, help="Seconds to wait for SyncQueue to drain.")
@click.option("--retry-delay", default=1, show_default=True, help="Sandbox only: seconds before a retry.")
@click.option(
    "--drain-only",
    is_flag=True,
    help="Skip the dispatcher: only sync what is on SyncQueue (e.g. replayed messages) until it is empty.",
)
@click.option(
    "--log-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help=f"Where the connector's JSON log lines go (default: {RUN_LOG_NAME} next to the sandbox's endpoints file,"
    " or in the current directory for a stack).",
)
@click.pass_obj
def run(ctx: Context, timeout: int, retry_delay: int, drain_only: bool, log_file: Path | None) -> None:
    """Run one sync cycle now: the dispatcher, then the sync function until SyncQueue is empty. Shows progress and
    a per-type report; the connector's JSON log lines go to a log file (its path is printed)."""
    target = ctx.resolve()
    log_path = log_file or run_log_path(ctx, target)
    route_connector_logs_to_file(log_path)
    summary = run_with_progress(ctx, target, timeout, retry_delay, dispatch=not drain_only)
    errors = current_errors(target.state_store(), list(DEPENDENCY_ORDER))
    dlq_depth = target.queue_depth(target.settings.sync_dlq_url)
    reports = sandbox_cycle_report(target, summary)
    payload = {
        "summary": summary,
        "records_in_error": len(errors),
        "dlq_depth": dlq_depth,
        "log_file": str(log_path),
        **({"report": [dataclasses.asdict(r) for r in reports]} if reports is not None else {}),
    }

    def render(out: Console) -> None:
        title = f"Run {summary.get('run_id')} on {target.description}: {summary.get('status')}"
        out.print(run_table(summary, title) if reports is None else report_table(reports, title))
        for r in reports or []:
            for reason in r.reasons:
                out.print(f"  [yellow]{r.record_type.value}[/]: {reason}")
        out.print(f"Records in error: {len(errors)}; messages on the DLQ: {dlq_depth}")
        if errors:
            out.print("See them with: zuora-netsuite errors")
        out.print(f"Connector logs (JSON lines, as in CloudWatch): {log_path}")

    emit(ctx, payload, render)
    if summary.get("status") not in ("completed", "skipped"):
        sys.exit(EXIT_FAILED)


def run_log_path(ctx: Context, target: Target) -> Path:
    if target.is_sandbox:
        return (ctx.sandbox or SANDBOX_ENDPOINTS).parent / RUN_LOG_NAME
    return Path(RUN_LOG_NAME)


def route_connector_logs_to_file(path: Path) -> None:
    """The connector's JSON lines (every level the CLI logs at) to `path`, so the terminal keeps the progress bar
    and the report."""
    from zuora_netsuite.observability import logger

    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setFormatter(logger.registered_formatter)
    for existing in list(logger.handlers):
        logger.handlers.remove(existing)
        existing.close()
    logger.handlers.append(handler)
    logger.setLevel(logging.INFO)
    logging.getLogger("zuora_netsuite").setLevel(logging.INFO)


def run_with_progress(ctx: Context, target: Target, timeout: int, retry_delay: int, dispatch: bool) -> dict[str, Any]:
    """One cycle with a progress bar on stderr (none with --json); the dispatcher's run summary."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=ctx.as_json,
    ) as progress:
        task = progress.add_task("dispatching", total=None)
        try:
            summary = target.run_cycle(
                on_dispatched=lambda n: progress.update(task, description="syncing", total=n),
                on_synced=lambda n: progress.advance(task, n),
                timeout_seconds=timeout,
                retry_delay_seconds=retry_delay,
                dispatch=dispatch,
            )
        except TargetError as error:
            fail(str(error), EXIT_FAILED)
        progress.update(task, description="done")
    return summary


def sandbox_cycle_report(target: Target, summary: dict[str, Any]) -> list[TypeReport] | None:
    """On the sandbox, the per-type outcome of this run as `make run` reports it (read back from the state table
    and the DLQ); None for a stack (its functions run in AWS: see their logs and `errors`)."""
    if not target.is_sandbox or not summary.get("run_id"):
        return None
    from sandbox.report import cycle_report

    table = boto3.resource("dynamodb", region_name=target.region, endpoint_url=target.aws_endpoint).Table(
        target.settings.state_table_name
    )
    return cycle_report(summary, table, target.client("sqs"), target.settings.sync_dlq_url)


def run_table(summary: dict[str, Any], title: str) -> Table:
    table = Table(title=title)
    for column in ("record type", "found", "enqueued", "note"):
        table.add_column(column, justify="left" if column in ("record type", "note") else "right")
    for t in summary.get("types", []):
        table.add_row(t["record_type"], str(t["found"]), str(t["enqueued"]), t.get("skipped_reason") or "")
    return table


# --- status ----------------------------------------------------------------------------------------


@cli.command()
@click.argument("record_type", type=RECORD_TYPE)
@click.argument("record_id", metavar="ID_OR_NUMBER")
@click.pass_obj
def status(ctx: Context, record_type: str, record_id: str) -> None:
    """A record's connector state, its Zuora integration fields and its NetSuite link. The record is named by
    its Zuora id or by the number Zuora shows (A00000041, INV00000083, CM00000002, P-00000012 ...)."""
    target = ctx.resolve()
    key = resolve_key(target, RecordType(record_type.lower()), record_id)
    rt, zuora_id = key.record_type, key.zuora_id
    state = target.state_store().get(rt, zuora_id)
    try:
        source = mappings_for(target.settings.sync_config.zuora)[rt].fetch(target.zuora(), [zuora_id]).get(zuora_id)
    except SyncFailure as failure:
        fail(f"Zuora: {failure.reason}", EXIT_FAILED)
    if state is None and source is None:
        fail(f"{key.not_found_hint()} in Zuora, nor in the connector's state", EXIT_NOT_FOUND)
    eid = external_id(rt, zuora_id)
    netsuite = netsuite_link(target, rt, eid, state)
    zuora_fields = zuora_status_fields(target, rt, source) if source else None
    payload = {
        "record_type": rt.value,
        "record_id": zuora_id,
        "number": key.number,
        "state": state.model_dump(mode="json") if state else None,
        "zuora": zuora_fields,
        "netsuite": netsuite,
    }
    title = f"{RECORD_TYPES[rt].zuora_object} {key.number or zuora_id}" + (f" (id {zuora_id})" if key.number else "")
    emit(ctx, payload, lambda out: out.print(status_table(title, zuora_fields, state, netsuite, eid)))


def resolve_key(target: Target, record_type: RecordType, given: str) -> ZuoraKey:
    """The record an operator named by id or number (fails with exit 1 when Zuora cannot be asked)."""
    try:
        return resolve(target.zuora(), record_type, given, target.settings.sync_config.zuora.invoice_settlement)
    except SyncFailure as failure:
        fail(f"Zuora: looking up {record_type.value} {given}: {failure.reason}", EXIT_FAILED)


def netsuite_link(target: Target, rt: RecordType, eid: str, state: RecordState | None) -> dict[str, Any] | None:
    """The NetSuite record with this external id: of the type the state names, else of any type `rt` becomes."""
    candidates = (state.netsuite_type,) if state and state.netsuite_type else RECORD_TYPES[rt].netsuite_types
    for netsuite_type in candidates:
        try:
            found = target.netsuite().get_by_external_id(netsuite_type, eid)
        except SyncFailure as failure:
            fail(f"NetSuite: {failure.reason}", EXIT_FAILED)
        if found is not None:
            return {"type": netsuite_type, "id": str(found.get("id")), "external_id": eid}
    return None


def zuora_status_fields(target: Target, rt: RecordType, source: SourceRecord) -> dict[str, Any]:
    zuora_settings = target.settings.sync_config.zuora
    return {
        "IntegrationId__NS": source.integration_id,
        "IntegrationStatus__NS": source.integration_status,
        "error": source.integration_error,  # from the tenant's error field (zuora.error_field), if it has one
        "error_field": zuora_settings.error_field,
        "UpdatedDate": source.updated_date.isoformat(),
        "description": mappings_for(zuora_settings)[rt].describe(source),
    }


def status_table(
    title: str,
    zuora_fields: dict[str, Any] | None,
    state: RecordState | None,
    netsuite: dict[str, Any] | None,
    eid: str,
) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    add_zuora_rows(table, zuora_fields)
    add_state_rows(table, state)
    table.add_row("NetSuite", f"{netsuite['type']} {netsuite['id']} (externalId {eid})" if netsuite else "not found")
    return table


def add_zuora_rows(table: Table, zuora_fields: dict[str, Any] | None) -> None:
    if not zuora_fields:
        table.add_row("Zuora", "[red]not found[/]")
        return
    table.add_row("Zuora", zuora_fields["description"])
    table.add_row("  status", zuora_fields["IntegrationStatus__NS"] or "(blank: never attempted)")
    table.add_row("  integration id", zuora_fields["IntegrationId__NS"] or "-")
    no_field = "(no error field configured: see the connector's state below)"
    table.add_row(
        f"  error ({zuora_fields['error_field']})" if zuora_fields["error_field"] else "  error",
        zuora_fields["error"] or ("-" if zuora_fields["error_field"] else no_field),
    )
    table.add_row("  updated", zuora_fields["UpdatedDate"])


def add_state_rows(table: Table, state: RecordState | None) -> None:
    if not state:
        table.add_row("Connector", "no state (never synced, or reset)")
        return
    table.add_row("Connector", f"last outcome {state.outcome or '-'}, run {state.run_id or '-'}")
    table.add_row("  synced at", str(state.synced_at or "-"))
    if state.error:
        e = state.error
        table.add_row("  error", f"[red]{e.kind.value} {e.code}[/]: {e.message}")
        table.add_row("  error path", e.path or "-")
        table.add_row("  attempts", f"{e.attempts} (first {e.first_failed_at}, last {e.last_failed_at})")


# --- errors ----------------------------------------------------------------------------------------


@cli.command()
@click.option("--type", "types", type=RECORD_TYPE, multiple=True, help="Only these record types (repeatable).")
@click.option("--check", is_flag=True, help=f"Exit with {EXIT_ERRORS_FOUND} when any record is in error.")
@click.pass_obj
def errors(ctx: Context, types: tuple[str, ...], check: bool) -> None:
    """Records currently in error, with the reason, newest first (from the errors-by-type index)."""
    target = ctx.resolve()
    record_types = [RecordType(t.lower()) for t in types] or list(DEPENDENCY_ORDER)
    found = current_errors(target.state_store(), record_types)
    emit(ctx, [error_row(s) for s in found], lambda out: out.print(errors_table(found)))
    if check and found:
        sys.exit(EXIT_ERRORS_FOUND)


def error_row(state: RecordState) -> dict[str, Any]:
    assert state.error is not None
    return {
        "record_type": state.record_type.value,
        "record_id": state.record_id,
        "status": state.status,
        "netsuite_id": state.netsuite_id,
        **state.error.model_dump(mode="json", exclude={"payload_hash"}),
    }


def errors_table(found: list[RecordState]) -> Table:
    table = Table(title=f"{len(found)} record(s) in error")
    for column in ("type", "record id", "kind", "code", "reason", "path", "attempts", "last failed"):
        table.add_column(column, overflow="fold")
    for state in found:
        assert state.error is not None
        e = state.error
        table.add_row(
            state.record_type.value, state.record_id, e.kind.value, e.code, e.message, e.path or "",
            str(e.attempts), e.last_failed_at.strftime("%Y-%m-%d %H:%M:%S"),
        )  # fmt: skip
    return table


# --- replay ----------------------------------------------------------------------------------------


@cli.command()
@click.option("--type", "types", type=RECORD_TYPE, multiple=True, help="Only these record types (repeatable).")
@click.option(
    "--id", "ids", multiple=True, help="Only these Zuora records, by id or number (A00000041, INV00000083; repeatable)."
)
@click.option("--kind", "kinds", type=click.Choice(["transient", "permanent", "dependency"]), multiple=True)
@click.option("--code", "codes", multiple=True, help="Only these failure codes, e.g. VALIDATION, USER_ERROR.")
@click.option("--older-than", help="Only failures at least this old, e.g. 30m, 2h, 7d.")
@click.option("--newer-than", help="Only failures at most this old.")
@click.option("--max", "max_messages", type=click.IntRange(min=1), help="Move at most this many messages.")
@click.option("--dry-run", is_flag=True, help="List what would move; move nothing.")
@click.pass_obj
def replay(
    ctx: Context,
    types: tuple[str, ...],
    ids: tuple[str, ...],
    kinds: tuple[str, ...],
    codes: tuple[str, ...],
    older_than: str | None,
    newer_than: str | None,
    max_messages: int | None,
    dry_run: bool,
) -> None:
    """Move failed messages from SyncDLQ back to SyncQueue (after fixing the data). Their records are synced
    again on the next batch even if unchanged; a message leaves the DLQ only once it is on SyncQueue."""
    target = ctx.resolve()
    request = ReplayRequest(
        record_types=frozenset(RecordType(t.lower()) for t in types),
        record_ids=replay_ids(target, types, ids),
        failure_kinds=frozenset(kinds),
        failure_codes=frozenset(codes),
        older_than=parse_duration(older_than),
        newer_than=parse_duration(newer_than),
        max_messages=max_messages,
        dry_run=dry_run,
    )
    depth = target.queue_depth(target.settings.sync_dlq_url)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        disable=ctx.as_json,
    ) as progress:
        task = progress.add_task("dry run" if dry_run else "replaying", total=depth)

        def advance(outcome: str, item: ReplayItem) -> None:
            progress.advance(task, 1)

        report = DeadLetterReplay(target.dead_letter_queue(), target.state_store()).run(request, advance)

    def render(out: Console) -> None:
        verb = "would move" if dry_run else "moved"
        table = Table(title=f"DLQ replay on {target.description}{' (dry run: nothing moved)' if dry_run else ''}")
        for column in ("outcome", "type", "record id", "kind", "code", "reason", "note"):
            table.add_column(column, overflow="fold")
        for outcome, items in ((verb, report.moved), ("failed", report.failed), ("skipped", report.skipped)):
            for item in items:
                table.add_row(
                    outcome, item.record_type.value if item.record_type else "?", item.record_id or "?",
                    item.failure_kind, item.failure_code, item.reason, item.note or "",
                )  # fmt: skip
        out.print(table)
        out.print(f"{verb}: {len(report.moved)}, skipped: {len(report.skipped)}, failed: {len(report.failed)}")
        if report.moved and not dry_run:
            out.print("They sync with the next batch; follow with: zuora-netsuite errors")

    emit(ctx, report.model_dump(mode="json"), render)
    if not report.ok:
        sys.exit(EXIT_FAILED)


def replay_ids(target: Target, types: tuple[str, ...], given: tuple[str, ...]) -> frozenset[str]:
    """The Zuora ids of `--id` values: numbers are looked up among the `--type` types (all when none)."""
    if not given:
        return frozenset()
    record_types = [RecordType(t.lower()) for t in types] or list(DEPENDENCY_ORDER)
    settlement = target.settings.sync_config.zuora.invoice_settlement
    ids: set[str] = set()
    for text in given:
        try:
            key = resolve_any(target.zuora(), record_types, text, settlement)
        except SyncFailure as failure:
            fail(f"Zuora: looking up {text}: {failure.reason}", EXIT_FAILED)
        ids.add(key.zuora_id if key else text)
    return frozenset(ids)


# --- reset -----------------------------------------------------------------------------------------


@cli.command()
@click.argument("record_type", type=RECORD_TYPE)
@click.argument("record_id", metavar="ID_OR_NUMBER")
@click.option("--sync-now", is_flag=True, help="Enqueue the record at once instead of waiting for the next run.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def reset(ctx: Context, record_type: str, record_id: str, sync_now: bool, yes: bool) -> None:
    """Clear IntegrationId__NS / IntegrationStatus__NS in Zuora and the connector's state: the record syncs as
    new, and re-links to its NetSuite record by external id if that still exists (never a duplicate). The record
    is named by its Zuora id or by the number Zuora shows (A00000041, INV00000083 ...)."""
    target = ctx.resolve()
    key = resolve_key(target, RecordType(record_type.lower()), record_id)
    rt = key.record_type
    if not yes and not ctx.as_json:
        click.confirm(f"Reset {key.label} on {target.description}?", abort=True)
    try:
        result = RecordReset(
            target.zuora(), target.state_store(), target.sync_queue(), target.settings.sync_config.zuora
        ).reset(rt, key.zuora_id, enqueue=sync_now)
    except ResetRefused as refused:
        if "does not exist" in str(refused):
            fail(f"{refused} ({key.not_found_hint()})", EXIT_NOT_FOUND)
        fail(str(refused), EXIT_REFUSED)

    def render(out: Console) -> None:
        out.print(
            f"Reset {key.label}: status was {result.previous_status or '(blank)'}, "
            f"integration id was {result.previous_integration_id or '-'}."
        )
        out.print("Enqueued now." if result.enqueued else "It syncs with the next run (zuora-netsuite run).")

    emit(ctx, result.model_dump(mode="json"), render)


# --- reconcile -------------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write every line, customer balance and difference to this CSV file (exact amounts; '-': stdout only).",
)
@click.pass_obj
def reconcile(ctx: Context, csv_path: Path | None) -> None:
    """Per record type and currency, count and total in Zuora versus NetSuite; per customer and currency, open AR
    and unapplied cash/credit; and every record that differs. Amounts are never cut: a table too wide for the
    terminal is printed one line per row. Exits with 4 when anything differs."""
    try:
        module = importlib.import_module("zuora_netsuite.logic.reconciliation")
    except ModuleNotFoundError:
        fail("reconcile is not available yet: zuora_netsuite.logic.reconciliation does not exist", EXIT_UNAVAILABLE)
    target = ctx.resolve()
    try:
        result = module.reconcile(target.zuora(), target.netsuite(), target.settings.sync_config)
    except SyncFailure as failure:
        fail(failure.reason, EXIT_FAILED)
    payload = {"balanced": result.balanced, **dataclasses.asdict(result)}

    def render(out: Console) -> None:
        view.print_totals(out, result, f"Reconciliation on {target.description}")
        view.print_balances(out, result.balances)
        if result.differences:
            view.print_differences(out, result.differences, f"{len(result.differences)} record(s) differ")
        elif result.balanced:
            out.print("Balanced: Zuora and NetSuite agree.")
        if csv_path is not None:
            out.print(f"CSV: {csv_path}")

    if csv_path is not None and str(csv_path) == "-":
        view.write_csv(sys.stdout, result)
    else:
        if csv_path is not None:
            with csv_path.open("w", encoding="utf-8", newline="") as stream:
                view.write_csv(stream, result)
        emit(ctx, payload, render)
    if not result.balanced:
        sys.exit(EXIT_ERRORS_FOUND)


cli.add_command(mapping)


# --- link ------------------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--type", "types", multiple=True, type=click.Choice(["customer", "item"]), help="Only this type (repeatable)."
)
@click.option("--yes", is_flag=True, help="Adopt every unambiguous match without asking.")
@click.pass_obj
def link(ctx: Context, types: tuple[str, ...], yes: bool) -> None:
    """Go-live: find the NetSuite customer / item that already exists for each Zuora account / charge not linked
    yet (match keys: sync config `linking`), report matched / ambiguous / conflict / unmatched, and adopt the
    matched ones (their NetSuite record gets the connector's external id; nothing is created). Ambiguous and
    conflicting matches are never adopted. With --json and without --yes it only reports."""
    target = ctx.resolve()
    config = target.settings.sync_config
    linker = Linker(target.zuora(), target.netsuite(), target.state_store(), config.linking, config.zuora)
    try:
        matches = [m for t in (types or ("customer", "item")) for m in linker.plan(RecordType(t))]
    except SyncFailure as failure:
        fail(failure.reason, EXIT_FAILED)
    matched = [match for match in matches if match.status == "matched"]
    adopting = bool(matched) and (yes or (not ctx.as_json and _confirm_adoption(ctx, target, matches, matched)))
    adopted = [linker.adopt(match) for match in matched] if adopting else []
    emit(
        ctx,
        link_payload(matches, adopted, adopting=adopting),
        lambda out: render_link(out, target.description, matches, adopted),
    )
    if any(not result.ok for result in adopted):
        sys.exit(EXIT_FAILED)


def _confirm_adoption(ctx: Context, target: Target, matches: list[Match], matched: list[Match]) -> bool:
    render_link(Console(), target.description, matches, [])
    return click.confirm(f"Adopt the {len(matched)} matched record(s) on {target.description}?", default=False)


def main() -> None:
    cli(prog_name="zuora-netsuite")


__all__ = ["cli", "main"]

"""`make bench`: throughput against NetSuite's concurrency bound, requests per record, CPU and memory.

For each NetSuite concurrency cap C and per-request latency L (runs = caps x latencies), a fresh sandbox syncs N
records of a production-like mix (customers, items, and mostly transactions: invoices with items and tax, payments,
credit and debit memos, refunds) with Zuora answering every request after its own latency (300 ms by default): the
dispatcher once, then the queue drained by C concurrent sync containers (worker processes, as Lambda runs them).
The physical bound of any connector is C / L records per second; `throughput_ratio` is how close this one gets.
A second cycle on unchanged data counts the NetSuite requests a rerun makes.

Writes bench/results.json and the table in docs/performance.md (between the BENCH markers)."""

from __future__ import annotations

import json
import logging
import os
import re
import resource
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import boto3
import click

from sandbox.stack import Sandbox, SandboxOptions

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results.json"
PERFORMANCE_DOC = REPO / "docs" / "performance.md"
# SQS calls Lambda's event source mapping makes (the driver plays it), as opposed to the functions' own sends
ESM_OPERATIONS = {"ReceiveMessage", "DeleteMessageBatch", "ChangeMessageVisibilityBatch", "GetQueueAttributes"}


class AwsRequestCounter:
    """Counts AWS API calls made in this process (dispatcher, event source mapping) via botocore's hooks."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        boto3.setup_default_session()
        assert boto3.DEFAULT_SESSION is not None
        boto3.DEFAULT_SESSION.events.register("before-call", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.calls[f"{model.service_model.service_name}:{model.name}"] += 1

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.calls)


@dataclass
class CapResult:
    netsuite_cap: int
    latency_ms: int
    zuora_latency_ms: int
    records: int
    seconds: float
    records_per_s: float
    bound_records_per_s: float
    throughput_ratio: float
    netsuite_requests_per_record: float
    rerun_netsuite_requests: int
    zuora_requests_per_record: float
    zuora_writeback_requests_per_record: float
    sqs_requests_per_record: float
    sqs_function_requests_per_record: float
    dynamodb_requests_per_record: float
    netsuite_429s: int
    netsuite_peak_in_flight: int
    sync_cpu_ms_per_record: float
    dispatch_records_per_s: float
    dispatch_seconds: float
    container_cold_start_ms: float
    messages_redelivered: int
    # records per type in the run (the dispatcher's enqueued count per type)
    record_mix: dict[str, int]
    # CPU of the sync containers and of this process (dispatcher, write-back drain, event source mappings, both
    # simulators) per record; the simulators are included, so this over-counts the connector
    connector_cpu_ms_per_record: float
    # the cores the connector alone would need to run at the bound: sync CPU per record x C / L
    connector_cpu_cores_needed_at_bound: float
    # the first cycle's Zuora requests by method and path (ids as {id}): where zuora_requests_per_record comes from
    zuora_requests_by_kind: dict[str, int]


_ZUORA_ID = re.compile(r"/[0-9a-f]{32}(?=/|$)")


def zuora_requests_by_kind(request_log: list[tuple[str, str, int]]) -> dict[str, int]:
    """Requests per `METHOD /path` with record ids as {id}, most frequent first."""
    kinds = Counter(f"{method} {_ZUORA_ID.sub('/{id}', path)}" for method, path, _ in request_log)
    return dict(kinds.most_common())


def per(count: float, records: int) -> float:
    return round(count / records, 4) if records else 0.0


def total(calls: Counter[str], service: str, *, exclude: set[str] | None = None) -> int:
    return sum(
        n for key, n in calls.items() if key.startswith(f"{service}:") and key.split(":")[1] not in (exclude or set())
    )


def mixed_options(records: int, seed: int, **more: Any) -> SandboxOptions:
    """A production-like backlog of about `records` records: a quarter customers, a few items, the rest transactions
    (`add_transactions` makes about 1.74 records per invoice at this seed: invoices, payments, memos, refunds)."""
    return SandboxOptions(
        seed=seed,
        accounts=max(2, round(records * 0.25)),
        charges=max(6, round(records * 0.04)),  # a handful at least: transactions need valid charges
        invoices=max(1, round(records * 0.3)),
        **more,
    )


def run_at_cap(records: int, latency_ms: int, cap: int, seed: int, zuora_latency_ms: int = 300) -> CapResult:
    counter = AwsRequestCounter()
    options = mixed_options(
        records,
        seed,
        netsuite_latency_seconds=latency_ms / 1000,
        netsuite_concurrency_limit=cap,
        zuora_latency_seconds=zuora_latency_ms / 1000,
        sync_concurrency=cap,
        writeback_batching_window_seconds=5.0,  # template.yaml's WriteBackQueueEventSource
        retry_delay_seconds=1,
        containers=True,
        aws_in_own_process=True,
    )
    with Sandbox(options) as sandbox, sandbox.function_environment():
        started = time.perf_counter()
        own_cpu_started = time.process_time()
        dispatched_at: list[float] = []
        result = sandbox.run_cycle(on_dispatched=lambda _: dispatched_at.append(time.perf_counter()))
        finished = time.perf_counter()
        own_cpu = time.process_time() - own_cpu_started
        calls = counter.snapshot() + sandbox.container_aws_calls
        netsuite, zuora = sandbox.netsuite.stats, sandbox.zuora.stats
        zuora_kinds = zuora_requests_by_kind(list(sandbox.zuora.request_log))
        cpu_seconds = sandbox.sync_cpu_seconds
        cold_starts = sorted(sandbox.cold_starts)
        # A second cycle on unchanged data
        sandbox.run_cycle()
        rerun_requests = sandbox.netsuite.stats.requests_total - netsuite.requests_total
    found = sum(int(t["found"]) for t in result.summary["types"])
    mix = {str(t["record_type"]): int(t["enqueued"]) for t in result.summary["types"] if int(t["enqueued"])}
    dispatch_seconds = dispatched_at[0] - started
    sync_seconds = finished - dispatched_at[0]
    bound = cap / (latency_ms / 1000)
    rate = found / sync_seconds if sync_seconds else 0.0
    sync_cpu_ms = cpu_seconds * 1000 / found if found else 0.0
    return CapResult(
        netsuite_cap=cap,
        latency_ms=latency_ms,
        zuora_latency_ms=zuora_latency_ms,
        records=found,
        seconds=round(sync_seconds, 2),
        records_per_s=round(rate, 2),
        bound_records_per_s=round(bound, 2),
        throughput_ratio=round(rate / bound, 3),
        netsuite_requests_per_record=per(netsuite.requests_total, found),
        rerun_netsuite_requests=rerun_requests,
        zuora_requests_per_record=per(zuora.requests, found),
        zuora_writeback_requests_per_record=per(zuora.update, found),
        sqs_requests_per_record=per(total(calls, "sqs"), found),
        sqs_function_requests_per_record=per(total(calls, "sqs", exclude=ESM_OPERATIONS), found),
        dynamodb_requests_per_record=per(total(calls, "dynamodb"), found),
        netsuite_429s=netsuite.rejected_429,
        netsuite_peak_in_flight=netsuite.peak_in_flight,
        sync_cpu_ms_per_record=round(sync_cpu_ms, 3),
        dispatch_records_per_s=round(found / dispatch_seconds, 1) if dispatch_seconds else 0.0,
        dispatch_seconds=round(dispatch_seconds, 2),
        container_cold_start_ms=round(cold_starts[len(cold_starts) // 2] * 1000, 1) if cold_starts else 0.0,
        messages_redelivered=result.drain.retried,
        record_mix=mix,
        connector_cpu_ms_per_record=round((cpu_seconds + own_cpu) * 1000 / found, 3) if found else 0.0,
        connector_cpu_cores_needed_at_bound=round(sync_cpu_ms * bound / 1000, 3),
        zuora_requests_by_kind=zuora_kinds,
    )


def dispatch_at_scale(
    records: int, seed: int, zuora_latency_ms: int = 300, max_invocations: int = 20
) -> dict[str, Any]:
    """Dispatcher invocations of Lambda's 900 s over a backlog of `records` pending accounts, each resuming from
    the checkpoint the one before left when it stopped at its time budget, until one finishes: time, rate, how
    many invocations it took, and memory."""
    options = SandboxOptions(
        seed=seed,
        accounts=records,
        charges=1,
        zuora_latency_seconds=zuora_latency_ms / 1000,
        aws_in_own_process=True,
    )
    with Sandbox(options) as sandbox, sandbox.function_environment():
        import importlib

        from sandbox.driver import LambdaContext
        from sandbox.stack import lambda_invocation

        handler = lambda_invocation(importlib.import_module("dispatcher_handler"))
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        invocations: list[dict[str, Any]] = []
        while len(invocations) < max_invocations:
            began = time.perf_counter()
            summary = handler({}, LambdaContext("DispatcherFunction", timeout_seconds=900))
            invocations.append(
                {
                    "status": summary["status"],
                    "seconds": round(time.perf_counter() - began, 1),
                    "enqueued": sum(int(t["enqueued"]) for t in summary["types"]),
                }
            )
            if summary["status"] != "stopped":
                break
        seconds = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        queued = sandbox.aws.client("sqs").get_queue_attributes(
            QueueUrl=sandbox.resources.queue_url if sandbox.resources else "",
            AttributeNames=["ApproximateNumberOfMessages"],
        )["Attributes"]["ApproximateNumberOfMessages"]
    enqueued = sum(i["enqueued"] for i in invocations)
    return {
        "backlog_records": records + 1,  # the accounts and the one charge
        "enqueued": enqueued,
        "messages_on_queue": int(queued),
        "invocations": len(invocations),
        "invocation_seconds": [i["seconds"] for i in invocations],
        "seconds": round(seconds, 1),
        "records_per_s": round(enqueued / seconds, 1),
        "zuora_latency_ms": zuora_latency_ms,
        "within_lambda_timeout_900_s": all(i["seconds"] < 900 for i in invocations),
        "process_rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        "status": invocations[-1]["status"],
    }


def cold_start_import_ms() -> float:
    """Importing the sync handler in a fresh interpreter: what a Lambda cold start pays before the handler."""
    code = "import time; t = time.perf_counter(); import sync_handler; print((time.perf_counter() - t) * 1000)"
    samples = []
    for _ in range(5):
        out = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
        )
        samples.append(float(out.stdout.strip()))
    return round(sorted(samples)[len(samples) // 2], 1)


def _mix(mix: dict[str, int]) -> str:
    return ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in mix.items())


def markdown(results: dict[str, Any]) -> str:
    rows = results["runs"]
    lines = [
        "| figure | " + " | ".join(f"C = {r['netsuite_cap']}, L = {r['latency_ms']} ms" for r in rows) + " |",
        "|---" * (len(rows) + 1) + "|",
    ]
    for key in rows[0]:
        if key in ("netsuite_cap", "latency_ms"):
            continue
        if key == "record_mix":
            lines.append(f"| `{key}` | " + " | ".join(_mix(r[key]) for r in rows) + " |")
        elif key == "zuora_requests_by_kind":
            kinds = (", ".join(f"`{kind}` {n}" for kind, n in r.get(key, {}).items()) for r in rows)
            lines.append(f"| `{key}` | " + " | ".join(kinds) + " |")
        else:
            lines.append(f"| `{key}` | " + " | ".join(str(r[key]) for r in rows) + " |")
    lines += [
        "",
        f"`peak_rss_mb` = {results['peak_rss_mb']} (the sandbox process: both simulators, the dispatcher, the "
        f"driver; moto and the containers run in their own), `cold_start_import_ms` = "
        f"{results['cold_start_import_ms']} (median of 5 fresh interpreters "
        f"importing the sync handler); measured {results['measured_at']} on {results['machine']}.",
    ]
    if "scale" in results:
        scale = results["scale"]
        lines += [
            "",
            f"Dispatch at scale (Zuora at {scale['zuora_latency_ms']} ms): a backlog of {scale['backlog_records']} "
            f"pending records was enqueued ({scale['enqueued']} sent, {scale['messages_on_queue']} messages on the "
            f"queue) by {scale['invocations']} dispatcher invocation(s) of Lambda's 900 s, each resuming from the "
            f"checkpoint of the one before ({scale['invocation_seconds']} s), {scale['records_per_s']} records/s; "
            f"last status {scale['status']}; the sandbox process grew by {scale['process_rss_growth_mb']} MB (moto "
            "holding the queued messages included).",
        ]
    return "\n".join(lines)


@click.command()
@click.option("--records", default=1000, show_default=True, help="Records in the data set (production-like mix).")
@click.option("--latencies", default="200,1000", show_default=True, help="NetSuite latencies per request (L, ms).")
@click.option("--caps", default="5,15", show_default=True, help="NetSuite concurrency caps to run (C).")
@click.option("--zuora-latency-ms", default=300, show_default=True, help="Zuora's latency per request.")
@click.option("--seed", default=7, show_default=True)
@click.option(
    "--scale",
    default=20_000,
    show_default=True,
    help="Pending accounts for the dispatch check: invocations of 900 s, each resuming from the checkpoint, until one"
    " finishes (0: skip; the simulator's ZOQL is linear in its data, so 100,000 takes hours here).",
)
@click.option("--out", type=click.Path(path_type=Path), default=RESULTS, show_default=True)
@click.option("--update-docs/--no-update-docs", default=True, show_default=True)
def main(
    records: int,
    latencies: str,
    caps: str,
    zuora_latency_ms: int,
    seed: int,
    scale: int,
    out: Path,
    update_docs: bool,
) -> None:
    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"  # the functions' own logs are not what is measured here
    logging.getLogger("sandbox").setLevel(logging.ERROR)
    results: dict[str, Any] = {"runs": []}
    for cap in (int(c) for c in caps.split(",")):
        for latency_ms in (int(v) for v in latencies.split(",")):
            click.echo(f"C = {cap}, L = {latency_ms} ms, Zuora {zuora_latency_ms} ms, N = {records} ...", err=True)
            outcome = asdict(run_at_cap(records, latency_ms, cap, seed, zuora_latency_ms))
            click.echo(json.dumps(outcome), err=True)
            results["runs"].append(outcome)
    results |= {k: v for k, v in results["runs"][0].items() if k != "netsuite_cap"}  # top level: the first run
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if scale:
        click.echo(f"dispatching a backlog of {scale} records (invocations of 900 s) ...", err=True)
        results["scale"] = dispatch_at_scale(scale, seed, zuora_latency_ms)
        click.echo(json.dumps(results["scale"]), err=True)
    results["cold_start_import_ms"] = cold_start_import_ms()
    results["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results["machine"] = f"{sys.platform}, python {sys.version.split()[0]}, {os.cpu_count()} cores"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    click.echo(table)
    if update_docs and PERFORMANCE_DOC.exists():
        text = PERFORMANCE_DOC.read_text()
        start, end = "<!-- BENCH:START -->", "<!-- BENCH:END -->"
        if start in text and end in text:
            before, rest = text.split(start, 1)
            PERFORMANCE_DOC.write_text(f"{before}{start}\n{table}\n{end}{rest.split(end, 1)[1]}")


if __name__ == "__main__":
    main()

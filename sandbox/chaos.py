"""The fault suite (`make chaos`; a smaller run in tests/e2e/test_chaos.py): one sandbox, every fault of
docs/reliability.md injected on a seeded plan, then the outcome checked record by record.

    report = run_chaos(ChaosOptions(seed=7))
    print_report(Console(), report)
    assert report.passed, report.problems

The sequence (each step on the same sandbox, Lambda containers as worker processes that can be killed):

1. The dispatcher is killed (SIGKILL) right after it sent the first messages of the third record type.
   Checked: the types before it advanced their watermark, that type and the later ones did not.
2. After the dispatcher's run lease expired, two dispatcher runs race, with Zuora answering some queries
   with 429, 503 and lock contention. Then every message on the queue is sent a second time, shuffled
   (duplicate SQS deliveries, on top of the records both runs enqueued).
3. The queue drains through more sync containers than NetSuite's concurrency limit (429s), while NetSuite
   answers a burst of 503s and a random share of 500s, commits some writes but answers after the client's
   timeout, and Zuora fails queries and write-backs (429, 503, lock contention, objects refused), and the
   containers of chosen NetSuite commits are killed the instant NetSuite committed their write.
4. The faults end; the operator replays the transient failures from the DLQ (`replay` with kind transient)
   and the queue drains again.
5. The outcome is checked (`check_outcome`): record by record, and on money - every NetSuite invoice and credit
   memo has the line count and total of its Zuora source (read through SuiteQL, sandbox/netsuite_ledger.py), and
   `reconcile` finds no difference but the invalid records. Timeouts after commit, duplicate deliveries and
   replays re-send transactions; without ?replace= on their sublists NetSuite would append their lines again.
   Then one more scheduled cycle on unchanged data must make no NetSuite write at all.

Time is compressed (ChaosOptions says what each short value stands for on AWS). The fault plan is fixed by
the seed; which record meets which fault depends on thread timing, the outcome must not.
"""

from __future__ import annotations

import json
import os
import queue
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from werkzeug.wrappers import Request, Response

from sandbox.chaos_worker import KILL_DISPATCHER_AT, KILL_HEADER, LOG_FILE
from sandbox.containers import ContainerPool
from sandbox.dataset import ZUORA_ERROR_FIELD, Dataset
from sandbox.driver import DrainStats, LambdaContext
from sandbox.environment import patched_environ
from sandbox.netsuite_ledger import netsuite_shapes, shape_differences, zuora_shapes
from sandbox.netsuite_records import RECORD_RULES
from sandbox.netsuite_simulator import NetSuiteSimulator
from sandbox.report import dlq_messages, record_states
from sandbox.stack import EVENTS, Sandbox, SandboxOptions
from zuora_netsuite import wiring
from zuora_netsuite.adapters.dlq import SqsDeadLetterQueue
from zuora_netsuite.adapters.state import DynamoDbStateStore, state_from_item
from zuora_netsuite.failures import FailureKind
from zuora_netsuite.logic.reconciliation import reconcile
from zuora_netsuite.logic.replay import DeadLetterReplay
from zuora_netsuite.mapping.base import SYNC_COMPLETE
from zuora_netsuite.models.record_types import DEPENDENCY_ORDER, RECORD_TYPES, RecordType, external_id
from zuora_netsuite.models.replay import ReplayRequest
from zuora_netsuite.models.state import RecordState
from zuora_netsuite.settings import load_settings

WORKER_MODULE = "sandbox.chaos_worker"
# Fields of a NetSuite record that point at another record the connector wrote (customer, item, invoice,
# payment, parent customer): compared by the target's external id, since internal ids depend on the order of creation.
RECORD_REFERENCES = frozenset({"entity", "customer", "item", "doc", "createdFrom", "parent"})


@dataclass(frozen=True)
class ChaosOptions:
    seed: int = 7
    accounts: int = 150
    charges: int = 40
    invoices: int = 100  # > 0 adds invoices, payments, memos and refunds (about 2.2 records per invoice)
    netsuite_cap: int = 5  # NetSuite's account-wide concurrency limit
    sync_concurrency: int = 8  # sync containers: above the cap, so NetSuite answers 429
    netsuite_latency_seconds: float = 0.02
    # Compressed time. On AWS: the queue's visibility timeout (360 s), the sync function's record lease
    # (RECORD_LEASE_SECONDS, 300 s), the dispatcher's run lease (RUN_LEASE_SECONDS, 900 s: its timeout) and the
    # HTTP read timeout (HTTP_TIMEOUT_SECONDS, 30 s). The ratios that matter are kept: a killed worker's record
    # lease ends before its message is delivered again, and NetSuite answers later than the client waits.
    retry_delay_seconds: int = 3
    record_lease_seconds: int = 2
    run_lease_seconds: int = 3
    http_timeout_seconds: float = 1.0
    max_receive_count: int = 5  # the template's default
    # The fault plan.
    netsuite_503_burst: int = 25
    netsuite_error_rate: float = 0.03  # share of NetSuite requests answered 500
    netsuite_timeouts_after_commit: int = 6
    zuora_query_faults: int = 1  # of each kind (429, 503, lock contention) on action/query, twice
    zuora_writeback_faults: int = 2  # of each kind (429, 503, lock contention) on action/update
    zuora_objects_refused: int = 5  # objects action/update refuses on their own (LOCK_COMPETITION)
    zuora_error_rate: float = 0.01  # share of Zuora /v1 requests answered 500
    sync_kills: int = 2  # sync containers killed right after NetSuite committed their write
    kill_commits: tuple[int, int] = (5, 40)  # ... drawn among these NetSuite commits of the drain (from, to)
    duplicate_share: float = 1.0  # share of the queued messages sent a second time (seeded choice)
    reference_run: bool = True  # compare NetSuite with a fault-free run of the same data set
    log_file: Path | None = None  # the functions' log lines (else: stdout of this process and the containers)


@dataclass
class FaultRow:
    fault: str
    injected: str  # how many, as the vendors or the sandbox counted them
    response: str  # what the connector did about it
    ok: bool = True
    note: str = ""


@dataclass
class TypeOutcome:
    record_type: RecordType
    source: int = 0  # records in Zuora the connector is responsible for (excluded ones left out)
    valid: int = 0
    invalid: int = 0
    synced: int = 0  # exactly once in NetSuite, Sync Complete in Zuora and in DynamoDB
    errors: int = 0  # permanent error with the expected reason in Zuora, DynamoDB and the DLQ
    dlq_only: int = 0  # only in the DLQ (retries exhausted, not replayed)
    duplicates: int = 0  # valid records found more than once in NetSuite
    wrong_data: int = 0  # NetSuite content differs from the fault-free run
    wrong_amounts: int = 0  # invoices / memos whose NetSuite line count or total differs from Zuora (SuiteQL)
    unaccounted: int = 0

    @property
    def balanced(self) -> bool:
        return self.source == self.synced + self.errors + self.dlq_only and not self.unaccounted


@dataclass
class ChaosReport:
    options: ChaosOptions
    faults: list[FaultRow] = field(default_factory=list)
    types: list[TypeOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    reconciliation: str = ""  # what `reconcile` said after the incident

    @property
    def passed(self) -> bool:
        return not self.problems and all(f.ok for f in self.faults)


# --- Lambda containers that can be killed --------------------------------------------------------------------


class KillableContainers:
    """`size` sync containers, each its own worker process. A container that dies fails its invocation (the
    event source mapping delivers the batch again, as Lambda does after a crash) and is replaced by a fresh one:
    the other containers keep running. (One ProcessPoolExecutor per container: a shared pool would break as
    a whole when one worker dies.)"""

    def __init__(self, size: int, environment: Mapping[str, str]) -> None:
        self._environment = dict(environment)
        self._free: queue.Queue[ContainerPool | None] = queue.Queue()
        for _ in range(size):
            self._free.put(None)  # started on first use
        self.killed = 0
        self._lock = threading.Lock()

    def handler(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        container = self._free.get() or ContainerPool(1, self._environment)
        try:
            return container.invoke(WORKER_MODULE, event, context).response
        except BrokenProcessPool as crashed:
            container.shutdown()
            container = ContainerPool(1, self._environment)
            with self._lock:
                self.killed += 1
            raise RuntimeError("the sync container was killed mid-batch") from crashed
        finally:
            self._free.put(container)

    def shutdown(self) -> None:
        while not self._free.empty():
            container = self._free.get_nowait()
            if container is not None:
                container.shutdown()


def invoke_dispatcher(environment: Mapping[str, str], *, kill_at: RecordType | None = None) -> dict[str, Any] | None:
    """One dispatcher run in its own container; None when the container was killed."""
    env = {**environment, **({KILL_DISPATCHER_AT: kill_at.value} if kill_at else {})}
    event = json.loads((EVENTS / "dispatcher_schedule.json").read_text())
    with ContainerPool(1, env) as container:
        try:
            return container.invoke(
                WORKER_MODULE, event, LambdaContext("DispatcherFunction", timeout_seconds=900)
            ).response
        except BrokenProcessPool:
            return None
        except Exception as error:  # a function error: the next scheduled run starts over
            return {"status": "failed", "error": str(error)}


class CommitKills:
    """Kills the container whose write is NetSuite's n-th committed write (n in `commits`), the instant NetSuite's
    answer reaches it (sandbox/chaos_worker.py): after the NetSuite write, before state and write-back."""

    def __init__(self, netsuite: NetSuiteSimulator, commits: set[int]) -> None:
        self.commits = commits
        self.signalled = 0
        self._netsuite = netsuite
        self._committed = 0
        self._lock = threading.Lock()
        self._original: Callable[..., tuple[Response, float]] = netsuite._write_response
        setattr(netsuite, "_write_response", self._write_response)  # noqa: B010  (an instance hook)

    def _write_response(self, request: Request, *args: Any) -> tuple[Response, float]:
        response, delay = self._original(request, *args)  # raises (nothing committed) when the write is refused
        with self._lock:
            self._committed += 1
            kill = self._committed in self.commits
            self.signalled += kill
        if kill:
            response.headers[KILL_HEADER] = "1"
        return response, delay

    def disarm(self) -> None:
        vars(self._netsuite).pop("_write_response", None)


# --- the run -------------------------------------------------------------------------------------------------


@contextmanager
def _environment(overrides: Mapping[str, str]) -> Iterator[None]:
    with patched_environ(overrides):
        load_settings.cache_clear()
        try:
            yield
        finally:
            load_settings.cache_clear()


def _sandbox_options(options: ChaosOptions, *, faults: bool) -> SandboxOptions:
    return SandboxOptions(
        seed=options.seed,
        accounts=options.accounts,
        charges=options.charges,
        invoices=options.invoices,
        netsuite_concurrency_limit=options.netsuite_cap,
        netsuite_latency_seconds=options.netsuite_latency_seconds if faults else 0.0,
        sync_concurrency=options.sync_concurrency if faults else min(4, options.netsuite_cap - 1) or 1,
        retry_delay_seconds=options.retry_delay_seconds if faults else 0,
        max_receive_count=options.max_receive_count,
    )


def reference_snapshot(options: ChaosOptions) -> dict[str, list[tuple[str, Any]]]:
    """NetSuite after a fault-free cycle of the same data set (threads, no kills)."""
    with Sandbox(_sandbox_options(options, faults=False)) as sandbox, sandbox.function_environment():
        sandbox.run_cycle()
        return netsuite_snapshot(sandbox.netsuite)


def run_chaos(options: ChaosOptions, on_step: Callable[[str], None] | None = None) -> ChaosReport:
    started = time.monotonic()
    step = on_step or (lambda _: None)
    report = ChaosReport(options)
    reference = None
    if options.reference_run:
        step("fault-free reference run")
        reference = reference_snapshot(options)
    rng = random.Random(options.seed)
    with Sandbox(_sandbox_options(options, faults=True)) as sandbox, sandbox.function_environment():
        overrides = {
            "RECORD_LEASE_SECONDS": str(options.record_lease_seconds),
            "RUN_LEASE_SECONDS": str(options.run_lease_seconds),
            "HTTP_TIMEOUT_SECONDS": str(options.http_timeout_seconds),
            **({LOG_FILE: str(options.log_file.resolve())} if options.log_file else {}),
        }
        with _environment(overrides):
            _run_faults(sandbox, options, rng, report, reference, step)
    report.seconds = time.monotonic() - started
    return report


def _run_faults(
    sandbox: Sandbox,
    options: ChaosOptions,
    rng: random.Random,
    report: ChaosReport,
    reference: dict[str, list[tuple[str, Any]]] | None,
    step: Callable[[str], None],
) -> None:
    environment = dict(os.environ)
    netsuite = sandbox.netsuite

    # 1. The dispatcher killed mid-run.
    report.faults += dispatch_killed(sandbox, environment, step).rows

    # 2. Two dispatcher runs racing, with Zuora query faults; then every message delivered twice.
    time.sleep(options.run_lease_seconds + 1.5)  # the killed run's lease expires (it never released it)
    step("two dispatcher runs racing (Zuora query faults)")
    racing = dispatch_racing(sandbox, options, rng, environment)
    report.faults += racing.rows
    # 3. and 4. The drain under faults, then the incident is over: the transient failures replayed, drained again.
    step(f"draining through {options.sync_concurrency} containers, NetSuite cap {options.netsuite_cap}, faults on")
    drained = drain_under_faults(sandbox, options, rng, environment, step)
    report.faults += drained.rows

    # 5. The outcome, then a scheduled cycle on unchanged data.
    step("checking the outcome")
    check_outcome(sandbox, report, reference)
    step("one more scheduled cycle on unchanged data")
    writes_before = netsuite.stats.writes()
    rerun = sandbox.run_cycle()
    rewrites = netsuite.stats.writes() - writes_before
    report.faults.append(
        FaultRow(
            "rerun on unchanged data",
            f"{sum(int(t['enqueued']) for t in rerun.summary['types'])} records dispatched",
            f"{rewrites} NetSuite writes",
            ok=rewrites == 0,
        )
    )


@dataclass
class FaultedStep:
    """What one step of the plan injected and how the connector answered (the report's rows), and whether the
    step went as planned."""

    rows: list[FaultRow]

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)


def dispatch_killed(
    sandbox: Sandbox, environment: Mapping[str, str], step: Callable[[str], None] | None = None
) -> FaultedStep:
    """The dispatcher killed (SIGKILL) right after it sent the first messages of the third record type present:
    the types before it advanced their watermark, that type and the later ones did not."""
    assert sandbox.resources is not None
    state = DynamoDbStateStore(sandbox.resources.table_name)
    enabled = load_settings().sync_config.enabled_in_order()
    present = [t for t in enabled if sandbox.dataset.zuora_objects.get(RECORD_TYPES[t].zuora_object)]
    kill_type = present[min(2, len(present) - 1)]
    if step:
        step(f"dispatcher killed after its first messages of {kill_type.value}")
    killed_run = invoke_dispatcher(environment, kill_at=kill_type)
    enqueued_before_kill = _queue_depth(sandbox.aws.client("sqs"), sandbox.resources.queue_url)
    watermarks = {t: state.get_watermark(t) for t in present}
    before = present[: present.index(kill_type)]
    wrong = [t.value for t in before if watermarks[t] is None] + [
        t.value for t in present[present.index(kill_type) :] if watermarks[t] is not None
    ]
    return FaultedStep(
        [
            FaultRow(
                "dispatcher killed mid-run (SIGKILL)",
                "1 kill" if killed_run is None else "not killed",
                f"{enqueued_before_kill} messages enqueued before the kill; watermarks advanced: "
                f"{', '.join(t.value for t in present if watermarks[t]) or 'none'}; "
                "the next run (after the run lease) enqueues the rest",
                ok=killed_run is None and not wrong,
                note=f"watermark wrong for {', '.join(wrong)}" if wrong else "",
            )
        ]
    )


def dispatch_racing(
    sandbox: Sandbox, options: ChaosOptions, rng: random.Random, environment: Mapping[str, str]
) -> FaultedStep:
    """Two dispatcher runs racing (each in its own container), with Zuora answering some queries with 429, 503 and
    lock contention; the schedule's next ticks until one completed. Then a seeded share of the queued messages is
    sent a second time, all shuffled (duplicate SQS deliveries)."""
    assert sandbox.resources is not None
    for status in (429, 503):
        sandbox.zuora.fail_next(options.zuora_query_faults, status=status, path_prefix="/v1/action/query")
    sandbox.zuora.lock_contention_next(options.zuora_query_faults, path_prefix="/v1/action/query")
    zuora_before = sandbox.zuora.stats.faults_injected
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda _: invoke_dispatcher(environment), range(2)))
    statuses = Counter(str((run or {}).get("status", "killed")) for run in runs)
    retries = 0
    while not statuses.get("completed") and retries < 2:  # the schedule's next tick
        retries += 1
        statuses[str((invoke_dispatcher(environment) or {}).get("status", "killed"))] += 1
    zuora_faults = sandbox.zuora.stats.faults_injected - zuora_before
    sqs = sandbox.aws.client("sqs")
    duplicated = _duplicate_messages(sqs, sandbox.resources.queue_url, rng, options.duplicate_share)
    return FaultedStep(
        [
            FaultRow(
                "second dispatcher run racing the first",
                "2 concurrent runs" + (f" + {retries} scheduled" if retries else "") + f", {zuora_faults} Zuora faults",
                ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) + " (one run lease at a time)",
                ok=bool(statuses.get("completed")) and statuses.get("killed", 0) == 0,
            ),
            FaultRow(
                "duplicate SQS deliveries",
                f"{duplicated} messages sent twice",
                "record lease + upsert by external id + unchanged-payload skip",
            ),
        ]
    )


def drain_under_faults(
    sandbox: Sandbox,
    options: ChaosOptions,
    rng: random.Random,
    environment: Mapping[str, str],
    step: Callable[[str], None] | None = None,
    containers: KillableContainers | None = None,
) -> FaultedStep:
    """The queue drained through more sync containers than NetSuite's cap (429s) while NetSuite answers a burst
    of 503s and a share of 500s and commits some writes after the client's timeout, Zuora fails queries and
    write-backs, and containers are killed the instant NetSuite committed their write. Then the incident ends:
    faults off, the transient failures replayed from the DLQ (the runbook's `replay --kind transient`), the queue
    drained again. `containers`: the caller's, kept warm for its next drain (else new ones, shut down after)."""
    assert sandbox.resources is not None
    sqs = sandbox.aws.client("sqs")
    netsuite = sandbox.netsuite
    zuora_before = sandbox.zuora.stats.faults_injected
    netsuite.fail_next(options.netsuite_503_burst, status=503)
    netsuite.error_rate = options.netsuite_error_rate
    netsuite.timeout_after_commit(
        options.netsuite_timeouts_after_commit, delay_seconds=options.http_timeout_seconds * 1.5
    )
    for status in (429, 503):
        sandbox.zuora.fail_next(options.zuora_query_faults, status=status, path_prefix="/v1/action/query")
        sandbox.zuora.fail_next(options.zuora_writeback_faults, status=status, path_prefix="/v1/action/update")
    sandbox.zuora.lock_contention_next(options.zuora_query_faults, path_prefix="/v1/action/query")
    sandbox.zuora.lock_contention_next(options.zuora_writeback_faults, path_prefix="/v1/action/update")
    sandbox.zuora.lock_competition_objects_next(options.zuora_objects_refused)
    sandbox.zuora.set_error_rate(options.zuora_error_rate, status=500, path_prefix="/v1/")
    kill_at = set(rng.sample(range(*options.kill_commits), options.sync_kills)) if options.sync_kills else set()
    commit_kills = CommitKills(netsuite, kill_at)
    own_containers = containers is None
    containers = containers or KillableContainers(options.sync_concurrency, environment)
    killed_before = containers.killed
    try:
        first = _drain(sandbox, containers, options)
        faulted = netsuite.stats
        zuora_faults = sandbox.zuora.stats.faults_injected - zuora_before
        netsuite.error_rate = 0.0
        sandbox.zuora.clear_faults()
        in_dlq = len(dlq_messages(sqs, sandbox.resources.dlq_url))
        if step:
            step("replaying the transient failures from the DLQ")
        replayed = DeadLetterReplay(
            dlq=SqsDeadLetterQueue(sandbox.resources.dlq_url, sandbox.resources.queue_url, sqs=sqs),
            state=DynamoDbStateStore(sandbox.resources.table_name),
        ).run(ReplayRequest(failure_kinds=frozenset({FailureKind.TRANSIENT.value})))
        second = _drain(sandbox, containers, options)
    finally:
        commit_kills.disarm()
        if own_containers:
            containers.shutdown()
    killed = containers.killed - killed_before
    redelivered = first.retried + second.retried
    return FaultedStep(
        [
            FaultRow(
                f"NetSuite 429 (sync concurrency {options.sync_concurrency} > cap {options.netsuite_cap})",
                f"{faulted.rejected_429} answers",
                f"client backoff; peak in flight {faulted.peak_in_flight}; {redelivered} messages redelivered by SQS",
            ),
            FaultRow(
                "NetSuite 5xx (burst, then a random share)",
                f"{faulted.errors_by_code.get('UNEXPECTED_ERROR', 0)} answers",
                "retried by the client, then by SQS",
            ),
            FaultRow(
                "NetSuite timeout after commit",
                f"{options.netsuite_timeouts_after_commit} writes",
                "retried as PUT by external id: an update, no second record",
            ),
            FaultRow(
                "Zuora 429 / 5xx / lock contention (query and write-back)",
                f"{zuora_faults} answers, {options.zuora_objects_refused} objects refused",
                "retried by the client; failed write-backs redeliver the message",
            ),
            FaultRow(
                "sync container killed after the NetSuite write",
                f"{killed} kills (at commits {sorted(kill_at)})",
                f"batch redelivered; record lease expired; in-progress record found by external id "
                f"({first.handler_errors} invocations lost)",
                ok=killed == commit_kills.signalled == len(kill_at),
            ),
            FaultRow(
                "DLQ after the incident",
                f"{in_dlq} messages",
                f"{len(replayed.moved)} transient ones replayed, {len(replayed.failed)} failed to move",
                ok=replayed.ok,
            ),
        ]
    )


def _drain(sandbox: Sandbox, containers: KillableContainers, options: ChaosOptions) -> DrainStats:
    # The sandbox was started with the run's sync concurrency and retry delay (_sandbox_options, faults=True).
    assert sandbox.options.sync_concurrency == options.sync_concurrency
    assert sandbox.options.retry_delay_seconds == options.retry_delay_seconds
    return sandbox.drain_with_writebacks(sandbox.sync_event_source_mapping(containers.handler))


def _queue_depth(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def _duplicate_messages(sqs: Any, url: str, rng: random.Random, share: float) -> int:
    """A seeded `share` of the messages on the queue put back twice, all shuffled (an at-least-once queue may
    deliver any message more than once). Returns how many were duplicated."""
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            break
        messages += batch
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
        )
    twice = set(rng.sample(range(len(messages)), round(len(messages) * share)))
    entries = [
        {"MessageBody": m["Body"], "MessageAttributes": m.get("MessageAttributes", {})}
        for index, m in enumerate(messages)
        for _ in range(2 if index in twice else 1)
    ]
    rng.shuffle(entries)
    for start in range(0, len(entries), 10):
        chunk = entries[start : start + 10]
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), **e} for i, e in enumerate(chunk)])
    return len(twice)


# --- the outcome -----------------------------------------------------------------------------------------------


def netsuite_snapshot(netsuite: NetSuiteSimulator) -> dict[str, list[tuple[str, Any]]]:
    """External id -> [(NetSuite record type, fields)], references to other records by their external id."""
    records = {record_type: netsuite.records(record_type) for record_type in RECORD_RULES}
    eid_of = {str(r["id"]): str(r["externalId"]) for rows in records.values() for r in rows if r.get("externalId")}

    def normalise(value: Any, name: str = "") -> Any:
        if isinstance(value, dict):
            if name in RECORD_REFERENCES and "id" in value and str(value["id"]) in eid_of:
                return {"externalId": eid_of[str(value["id"])]}
            return {k: normalise(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [normalise(v, name) for v in value]
        return value

    snapshot: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for record_type, rows in records.items():
        for row in rows:
            fields = {k: normalise(v, k) for k, v in row.items() if k not in ("id", "externalId")}
            snapshot[str(row.get("externalId") or f"(no external id) {record_type} {row['id']}")].append(
                (record_type, fields)
            )
    return dict(snapshot)


def _expected(dataset: Dataset, record_type: RecordType) -> tuple[list[str], dict[str, str], set[str]]:
    """(ids, invalid id -> what its reason must say, excluded ids) of one record type in the data set (none of a type
    derived from another type's object: an invoice's cancellation)."""
    ids = (
        dataset.ids(RECORD_TYPES[record_type].zuora_object)
        if dataset.zuora_objects.get(RECORD_TYPES[record_type].zuora_object) and RECORD_TYPES[record_type].writes_back
        else []
    )
    reasons = {**dataset.expected_invalid, **dataset.expected_reasons}
    excluded = dataset.expected_excluded | dataset.expected_transactions_excluded
    return ids, {i: reasons[i] for i in ids if i in reasons}, {i for i in ids if i in excluded}


def check_outcome(
    sandbox: Sandbox, report: ChaosReport, reference: dict[str, list[tuple[str, Any]]] | None = None
) -> None:
    """Per record type: every valid record exactly once in NetSuite with the data of a fault-free run, linked in
    Zuora and DynamoDB; every invalid one in permanent error with its reason in Zuora, DynamoDB and the DLQ;
    source = synced + errors + DLQ. Adds a TypeOutcome per type and a line to `problems` per broken promise."""
    assert sandbox.resources is not None
    table = sandbox.aws.resource("dynamodb").Table(sandbox.resources.table_name)
    states: dict[str, RecordState] = {}
    for item in record_states(table):
        read = state_from_item(item)
        states[f"{read.record_type.value}:{read.record_id}"] = read
    dead: dict[str, list[str]] = defaultdict(list)
    for message in dlq_messages(sandbox.aws.client("sqs"), sandbox.resources.dlq_url):
        body = json.loads(message["Body"])
        request = body.get("request", body)  # a dead letter wraps the request; SQS' own move does not
        reason = body.get("reason") or message.get("MessageAttributes", {}).get("failure_reason", {}).get(
            "StringValue", ""
        )
        dead[f"{request['record_type']}:{request['record_id']}"].append(str(reason))
    in_netsuite = netsuite_snapshot(sandbox.netsuite)
    problems = report.problems
    netsuite_client = wiring.netsuite_client()  # the proof on money goes through NetSuite's API: SuiteQL
    expected_shapes = zuora_shapes(sandbox.dataset.zuora_objects)
    found_shapes = netsuite_shapes(netsuite_client)

    for record_type in DEPENDENCY_ORDER:
        ids, invalid, excluded = _expected(sandbox.dataset, record_type)
        if not ids:
            continue
        zuora_object = RECORD_TYPES[record_type].zuora_object
        outcome = TypeOutcome(record_type)
        for record_id in ids:
            key = f"{record_type.value}:{record_id}"
            eid = external_id(record_type, record_id)
            found = in_netsuite.get(eid, [])
            zuora = sandbox.zuora.get(zuora_object, record_id) or {}
            record_state = states.get(key)
            if record_id in excluded:
                if found:
                    problems.append(f"{key}: excluded in Zuora but in NetSuite")
                continue
            outcome.source += 1
            if record_id in invalid:
                outcome.invalid += 1
                expected = invalid[record_id].lower()
                why = []
                if found:
                    why.append("in NetSuite")
                if not str(zuora.get("IntegrationStatus__NS", "")).startswith("Error"):
                    why.append(f"Zuora status {zuora.get('IntegrationStatus__NS')!r}")
                if expected not in str(zuora.get(ZUORA_ERROR_FIELD, "")).lower():
                    why.append(f"Zuora error {zuora.get(ZUORA_ERROR_FIELD)!r} lacks {expected!r}")
                error = record_state.error if record_state else None
                if error is None or error.kind is FailureKind.TRANSIENT or expected not in error.message.lower():
                    why.append(f"DynamoDB error {error.message if error else None!r}")
                if not any(expected in reason.lower() for reason in dead.get(key, [])):
                    why.append("no dead letter with the reason")
                if why:
                    problems.append(f"{key} (invalid: {invalid[record_id]}): " + "; ".join(why))
                    outcome.dlq_only += bool(dead.get(key)) and not found
                    outcome.unaccounted += not dead.get(key) or bool(found)
                else:
                    outcome.errors += 1
                continue
            outcome.valid += 1
            if len(found) > 1:
                outcome.duplicates += 1
                problems.append(f"{key}: {len(found)} records in NetSuite")
            why = []
            if not found:
                why.append("not in NetSuite")
            elif reference is not None and found[:1] != reference.get(eid, [])[:1]:
                outcome.wrong_data += 1
                why.append(f"NetSuite holds {found[0]}, a fault-free run wrote {reference.get(eid)}")
            netsuite_id = None
            if found:
                netsuite_record = sandbox.netsuite.get_by_external_id(found[0][0], eid) or {}
                netsuite_id = netsuite_record.get("id")
            money = shape_differences(expected_shapes, found_shapes, [eid]) if found else []
            if money:
                outcome.wrong_amounts += 1
                why += money
            if zuora.get("IntegrationStatus__NS") != SYNC_COMPLETE or zuora.get("IntegrationId__NS") != netsuite_id:
                why.append(
                    f"Zuora says {zuora.get('IntegrationStatus__NS')!r} / {zuora.get('IntegrationId__NS')!r}"
                    f" (NetSuite id {netsuite_id!r})"
                )
            if record_state is None or record_state.netsuite_id != netsuite_id or record_state.error is not None:
                why.append(f"DynamoDB says {record_state.netsuite_id if record_state else None!r}")
            if why:
                problems.append(f"{key}: " + "; ".join(why))
                if found:
                    outcome.unaccounted += 1
                elif dead.get(key):
                    outcome.dlq_only += 1
                else:
                    outcome.unaccounted += 1
            else:
                outcome.synced += 1
        if not outcome.balanced:
            problems.append(
                f"{record_type.value}: source {outcome.source} != synced {outcome.synced} + errors {outcome.errors}"
                f" + DLQ {outcome.dlq_only} ({outcome.unaccounted} unaccounted)"
            )
        if outcome.dlq_only:
            problems.append(f"{record_type.value}: {outcome.dlq_only} valid record(s) left in the DLQ after the replay")
        report.types.append(outcome)

    _check_reconciliation(sandbox, report)
    if reference is not None:
        extra = sorted(set(in_netsuite) - set(reference))
        if extra:
            problems.append(f"{len(extra)} NetSuite record(s) a fault-free run does not have: {extra[:5]}")
        per_type = Counter(t for rows in in_netsuite.values() for t, _ in rows)
        expected_per_type = Counter(t for rows in reference.values() for t, _ in rows)
        if per_type != expected_per_type:
            problems.append(
                f"NetSuite record counts {dict(per_type)} differ from a fault-free run {dict(expected_per_type)}"
            )


def _check_reconciliation(sandbox: Sandbox, report: ChaosReport) -> None:
    """`reconcile` (the operator's command) must agree to the cent: its only differences are invalid records,
    which are not in NetSuite."""
    result = reconcile(wiring.zuora_client(), wiring.netsuite_client(), load_settings().sync_config)
    invalid = set(sandbox.dataset.expected_invalid) | set(sandbox.dataset.expected_reasons)
    unexpected = [d for d in result.differences if d.zuora_id not in invalid or d.netsuite_amount is not None]
    report.reconciliation = (
        f"reconcile: {len(result.lines)} type/currency lines, {len(result.differences)} differences "
        f"({len(result.differences) - len(unexpected)} invalid records not in NetSuite, {len(unexpected)} others)"
    )
    for difference in unexpected[:10]:
        report.problems.append(
            f"reconcile: {difference.record_type.value} {difference.number} ({difference.currency}): "
            f"Zuora {difference.zuora_amount}, NetSuite {difference.netsuite_amount}: {difference.reason}"
        )


# --- the printed report ----------------------------------------------------------------------------------------


def print_report(console: Console, report: ChaosReport) -> None:
    faults = Table(title=f"Faults injected (seed {report.options.seed})")
    for column in ("fault", "injected", "what the connector did", "ok"):
        faults.add_column(column)
    for row in report.faults:
        mark = "[green]ok[/]" if row.ok else f"[red]FAILED[/] {row.note}"
        faults.add_row(row.fault, row.injected, row.response, mark)
    console.print(faults)
    outcomes = Table(
        title="Outcome per record type, after the drain and the DLQ replay: source = synced + errors + DLQ"
    )
    columns = (
        "record type", "source", "valid", "invalid", "synced", "errors", "DLQ", "duplicates", "wrong data",
        "lines/total != Zuora", "ok",
    )  # fmt: skip
    for column in columns:
        outcomes.add_column(column, justify="left" if column == "record type" else "right")
    for t in report.types:
        good = (
            t.balanced
            and not t.duplicates
            and not t.wrong_data
            and not t.wrong_amounts
            and t.synced == t.valid
            and t.errors == t.invalid
        )
        outcomes.add_row(
            t.record_type.value, str(t.source), str(t.valid), str(t.invalid), str(t.synced), str(t.errors),
            str(t.dlq_only), str(t.duplicates), str(t.wrong_data), str(t.wrong_amounts),
            "[green]ok[/]" if good else "[red]FAILED[/]",
        )  # fmt: skip
    console.print(outcomes)
    if report.reconciliation:
        console.print(report.reconciliation)
    for problem in report.problems[:20]:
        console.print(f"[red]problem[/] {problem}")
    if len(report.problems) > 20:
        console.print(f"... and {len(report.problems) - 20} more problems")
    verdict = "[green]PASSED[/]" if report.passed else "[red]FAILED[/]"
    console.print(f"Chaos {verdict}: {sum(t.source for t in report.types)} records in {report.seconds:.0f} s")


__all__ = [
    "ChaosOptions",
    "ChaosReport",
    "CommitKills",
    "FaultRow",
    "FaultedStep",
    "KillableContainers",
    "TypeOutcome",
    "check_outcome",
    "dispatch_killed",
    "dispatch_racing",
    "drain_under_faults",
    "netsuite_snapshot",
    "print_report",
    "run_chaos",
]

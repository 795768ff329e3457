"""The embedded local sandbox: AWS on moto, the Zuora and NetSuite simulators loaded with a generated
data set, and the connector's own handlers invoked as Lambda would invoke them."""

from __future__ import annotations

import importlib
import itertools
import json
import logging
import os
import secrets
import sys
import threading
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from sandbox.api_gateway import LocalApiGateway, function_handler
from sandbox.aws import ACCOUNT, AWS_ENV, REGION, AwsResources, LocalAws
from sandbox.aws_calls import invoked_as
from sandbox.containers import ContainerPool
from sandbox.dataset import PAYMENT_TERMS, ZUORA_ERROR_FIELD, Dataset, generate_dataset
from sandbox.dataset_books import (
    BOOKS_PAYMENTS_CONFIG,
    BOOKS_TAX_CODES,
    REV_REC_TEMPLATE_CHARGE_NAME,
    REV_REC_TEMPLATE_ID,
)
from sandbox.dataset_netsuite import PreexistingData, preexisting_records
from sandbox.dataset_transactions import add_transactions
from sandbox.driver import (
    DrainStats,
    Handler,
    LambdaContext,
    SqsEventSourceMapping,
    sync_event_source_mapping,
    writeback_event_source_mapping,
)
from sandbox.environment import patched_environ
from sandbox.netsuite_account import AccountConfiguration
from sandbox.netsuite_simulator import NetSuiteSimulator, closed_periods_before
from sandbox.shutdown import bounded
from sandbox.zuora_callouts import ZuoraCallouts, connector_templates
from sandbox.zuora_simulator import SYNCED_OBJECTS, ZuoraSimulator
from zuora_netsuite.models.record_types import DEPENDENCY_ORDER, RECORD_TYPES, RecordType

STACK_NAME = "zuora-netsuite-sandbox"
CONTAINERS_STOP_SECONDS = 15.0  # invocations still running in the sync containers may finish within this
# What template.yaml's references resolved to in each sandbox started in this process (small dicts, kept after
# the sandbox stops): the e2e suite's permission check resolves the roles' policies with them.
STARTED_STACKS: list[dict[str, str]] = []
# moto keeps one set of AWS backends per process: each sandbox gets its own stack name, so two sandboxes
# in one process (tests) never share a table or a queue.
_stack_numbers = itertools.count(1)
NETSUITE_ACCOUNT = "1234567_SB1"
EVENTS = Path(__file__).resolve().parent.parent / "events"


# What a tenant without Invoice Settlement is configured with (docs/configuration.md): no memo types.
# A legacy tenant (no Invoice Settlement) has no memos: those types are left out.
LEGACY_TENANT_TYPES = [t.value for t in DEPENDENCY_ORDER if t not in (RecordType.DEBIT_MEMO, RecordType.CREDIT_MEMO)]


@dataclass
class SandboxOptions:
    seed: int = 7
    accounts: int = 200
    charges: int = 60
    netsuite_latency_seconds: float = 0.0
    netsuite_concurrency_limit: int = 5
    zuora_latency_seconds: float = 0.0
    sync_concurrency: int = 4  # the template's NetSuiteConcurrency default: the cap minus one
    retry_delay_seconds: int = 1
    zuora_page_size: int = 2000
    max_receive_count: int | None = None  # None: the template's default
    # Run each concurrent sync invocation in its own worker process (a Lambda container), as Lambda does;
    # False runs them on threads of this process (faster to start, what most tests use).
    containers: bool = False
    # Serve AWS (moto) from a process of its own instead of this one (benchmarks: one Python process cannot
    # serve AWS, both simulators and the driver at the rates a benchmark asks for).
    aws_in_own_process: bool = False
    log_file: Path | None = None  # connector logs go here instead of stdout
    # The write-back function's batching window (template: 5 s; 1 s keeps the tests' cycles short)
    writeback_batching_window_seconds: float = 1.0
    invoices: int = 0  # > 0: add transactions (sandbox/dataset_transactions.py) to the generated data set
    # A Zuora tenant without Invoice Settlement: InvoicePayment through Actions, no memos; the connector is
    # configured so (zuora.invoice_settlement false, the memo types disabled).
    legacy_tenant: bool = False
    # Go-live (sandbox/dataset_netsuite.py): NetSuite customers and items that exist without the connector's
    # external id (some ambiguous, conflicting ones), entered with these fields (a mandatory custom field of the
    # account's preferred form); ``Sandbox.preexisting`` says what the linking must report.
    preexisting_netsuite: bool = False
    preexisting_customer_fields: dict[str, str] = field(default_factory=dict)
    sync_config_extra: dict[str, Any] = field(default_factory=dict)  # merged over the sandbox's sync config
    # The sync queue delivered in a random order: each drain shuffles what waits on it (sandbox/driver.py
    # shuffle_queue), seeded so that a failure can be replayed. None: the order the dispatcher sent.
    shuffle_seed: int | None = None


@dataclass
class Credentials:
    zuora_client_id: str = field(default_factory=lambda: str(uuid.uuid4()))  # Zuora's OAuth client ids are UUIDs
    zuora_client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    netsuite_consumer_key: str = field(default_factory=lambda: secrets.token_hex(32))
    netsuite_consumer_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    netsuite_token_id: str = field(default_factory=lambda: secrets.token_hex(32))
    netsuite_token_secret: str = field(default_factory=lambda: secrets.token_hex(32))


@dataclass
class CycleResult:
    run_id: str
    summary: dict[str, Any]
    drain: DrainStats


class Sandbox:
    def __init__(self, options: SandboxOptions | None = None, dataset: Dataset | None = None) -> None:
        self.options = options or SandboxOptions()
        self.dataset = dataset or generate_dataset(
            seed=self.options.seed, accounts=self.options.accounts, charges=self.options.charges
        )
        if dataset is None and self.options.invoices > 0:
            add_transactions(
                self.dataset, invoices=self.options.invoices, invoice_settlement=not self.options.legacy_tenant
            )
        self.tax_item_id: str | None = None  # the NetSuite item tax lines go to (seeded on start)
        # Issue 13 (books): a NetSuite tax item per Zuora tax code of the books cases, and the discount item
        self.tax_items_by_code: dict[str, str] = {}
        self.discount_item_id: str | None = None
        self.preexisting: PreexistingData | None = (
            preexisting_records(
                self.dataset, seed=self.options.seed, customer_fields=self.options.preexisting_customer_fields
            )
            if self.options.preexisting_netsuite
            else None
        )
        self.credentials = Credentials()
        self.aws = LocalAws(own_process=self.options.aws_in_own_process)
        self.zuora = ZuoraSimulator(
            self.credentials.zuora_client_id,
            self.credentials.zuora_client_secret,
            page_size=self.options.zuora_page_size,
            latency_seconds=self.options.zuora_latency_seconds,
            seed=self.options.seed,
            invoice_settlement=not self.options.legacy_tenant,
            # The tenant's administrator created a __c field for the connector's error reasons on every synced
            # object (docs/configuration.md, zuora.error_field).
            custom_fields={object_type: [ZUORA_ERROR_FIELD] for object_type in SYNCED_OBJECTS},
        )
        self.netsuite = NetSuiteSimulator(
            NETSUITE_ACCOUNT,
            self.credentials.netsuite_consumer_key,
            self.credentials.netsuite_consumer_secret,
            self.credentials.netsuite_token_id,
            self.credentials.netsuite_token_secret,
            reference_data=self.dataset.netsuite_reference,
            concurrency_limit=self.options.netsuite_concurrency_limit,
            latency_seconds=self.options.netsuite_latency_seconds,
            seed=self.options.seed,
            closed_period=(
                closed_periods_before(self.dataset.closed_period_before) if self.dataset.closed_period_before else None
            ),
            # The connector names the bank account of every refund (sync config payments.refund_account_rules).
            account=AccountConfiguration(refund_account_required=True),
        )
        number = next(_stack_numbers)
        self.stack_name = STACK_NAME if number == 1 else f"{STACK_NAME}-{number}"
        self.resources: AwsResources | None = None
        self._containers: ContainerPool | None = None
        self._container_lock = threading.Lock()
        self.sync_cpu_seconds = 0.0  # CPU time inside sync invocations run in containers
        self.cold_starts: list[float] = []  # seconds each container took to import the sync handler
        self.container_aws_calls: Counter[str] = Counter()  # AWS API calls made inside containers
        self.writeback_stats = DrainStats()  # the write-back function's event source mapping, last drain
        self.shuffled_messages = 0  # messages the sync drains delivered in a shuffled order (options.shuffle_seed)
        self._saved_env: dict[str, str | None] = {}
        # The webhook (docs/webhooks.md): its secret, the local API Gateway, Zuora's callouts (off until enabled).
        self.webhook_hmac_key = secrets.token_urlsafe(32)
        self.webhook_secret_arn = ""
        self.api: LocalApiGateway | None = None
        self.callouts: ZuoraCallouts | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        # Metrics are disabled here (no CloudWatch), so Powertools finds none to publish and warns about it on
        # every invocation: noise in the sandbox only.
        warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
        self.aws.start()
        self.zuora.load(self.dataset)
        self.zuora.start()
        self.netsuite.start()
        self.tax_item_id = self.netsuite.seed_record(
            "serviceSaleItem",
            {
                "itemId": "Sales Tax (Zuora)",
                "incomeAccount": {"id": self.dataset.income_account_id},
                # OneWorld: shared with the root subsidiary and every subsidiary below it
                "subsidiary": {"items": [{"id": self.dataset.netsuite_reference["subsidiary"][0]["id"]}]},
                "includeChildren": True,
            },
            external_id="sandbox-sales-tax",
        )
        self._seed_books_items()
        if self.preexisting is not None:
            self.preexisting.load(self.netsuite)
        overrides = {}
        if self.options.max_receive_count is not None:
            overrides["MaxReceiveCount"] = str(self.options.max_receive_count)
        self.resources = self.aws.create_stack_resources(
            stack_name=self.stack_name,
            zuora_secret={
                "client_id": self.credentials.zuora_client_id,
                "client_secret": self.credentials.zuora_client_secret,
            },
            netsuite_secret={
                "consumer_key": self.credentials.netsuite_consumer_key,
                "consumer_secret": self.credentials.netsuite_consumer_secret,
                "token_id": self.credentials.netsuite_token_id,
                "token_secret": self.credentials.netsuite_token_secret,
            },
            overrides=overrides,
        )
        self.webhook_secret_arn = self.aws.client("secretsmanager").create_secret(
            Name=f"{self.stack_name}/webhook", SecretString=json.dumps({"hmac_key": self.webhook_hmac_key})
        )["ARN"]
        _new_containers()  # a new stack: no adapter cached for a previous sandbox's endpoints
        STARTED_STACKS.append(self.template_values())
        webhook = function_handler("webhook", "webhook_handler")
        self.api = LocalApiGateway(webhook, environment=self._webhook_environment)
        self.api.start()
        return self

    def _seed_books_items(self) -> None:
        """The NetSuite items the books configuration names (issue 13): one tax item per Zuora tax code of the books
        cases (sandbox/dataset_books.py) and the discount item discount charges' lines go to."""
        shared = {
            "incomeAccount": {"id": self.dataset.income_account_id},
            "subsidiary": {"items": [{"id": self.dataset.netsuite_reference["subsidiary"][0]["id"]}]},
            "includeChildren": True,
        }
        for code in BOOKS_TAX_CODES:
            self.tax_items_by_code[code] = self.netsuite.seed_record(
                "serviceSaleItem", {"itemId": f"Tax {code} (Zuora)", **shared}, external_id=f"sandbox-tax-{code}"
            )
        self.discount_item_id = self.netsuite.seed_record(
            "serviceSaleItem", {"itemId": "Discount (Zuora)", **shared}, external_id="sandbox-discount"
        )

    def _books_config(self) -> dict[str, Any]:
        books: dict[str, Any] = {}
        if self.tax_items_by_code:
            books["tax"] = {"items_by_code": self.tax_items_by_code}
        if self.discount_item_id:
            books["discount_item_id"] = self.discount_item_id
        ratable = [
            str(charge["Id"])
            for charge in self.dataset.zuora_objects.get("ProductRatePlanCharge", [])
            if charge.get("Name") == REV_REC_TEMPLATE_CHARGE_NAME
        ]
        if ratable:
            books["revenue"] = {"templates": dict.fromkeys(ratable, REV_REC_TEMPLATE_ID)}
        return books

    def stop(self) -> None:
        if self._containers is not None:
            bounded("sync containers", self._containers.shutdown, CONTAINERS_STOP_SECONDS)
            self._containers = None
        if self.callouts is not None:
            self.callouts.stop()
            self.zuora.change_listeners.remove(self.callouts.on_change)
            self.callouts = None
        if self.api is not None:
            self.api.stop()
        self.netsuite.stop()
        self.zuora.stop()
        self.aws.stop()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what the functions and users see ----------------------------------------------------------

    @property
    def sync_config(self) -> dict[str, Any]:
        root_subsidiary = self.dataset.netsuite_reference["subsidiary"][0]["fullname"]
        return {
            "item_income_account_id": self.dataset.income_account_id,
            "classification_defaults": {"subsidiary": root_subsidiary},
            # The simulated account is OneWorld: items are shared with the root subsidiary and all below it, so
            # customers of every subsidiary can be invoiced for them.
            "item_subsidiaries": [root_subsidiary],
            "item_include_children": True,
            "zuora": {"error_field": ZUORA_ERROR_FIELD, "invoice_settlement": not self.options.legacy_tenant},
            # Zuora payment terms -> NetSuite terms (the data set has a NetSuite term for each).
            "payment_terms": PAYMENT_TERMS,
            **({"tax_item_id": self.tax_item_id} if self.tax_item_id else {}),
            **self._books_config(),
            **({"enabled_types": LEGACY_TENANT_TYPES} if self.options.legacy_tenant else {}),
            "payments": BOOKS_PAYMENTS_CONFIG,  # deposit accounts and payment methods (sandbox/dataset_books.py)
            **self.options.sync_config_extra,
        }

    def function_env(self) -> dict[str, str]:
        """The environment template.yaml gives every function, pointed at the sandbox."""
        assert self.resources is not None, "start() the sandbox first"
        return {
            **AWS_ENV,
            "AWS_ENDPOINT_URL": self.resources.endpoint,
            "STATE_TABLE_NAME": self.resources.table_name,
            "SYNC_QUEUE_URL": self.resources.queue_url,
            "SYNC_DLQ_URL": self.resources.dlq_url,
            "WRITEBACK_QUEUE_URL": self.resources.writeback_queue_url,
            "ZUORA_BASE_URL": self.zuora.base_url,
            "ZUORA_SECRET_ARN": self.resources.zuora_secret_arn,
            "NETSUITE_ACCOUNT_ID": NETSUITE_ACCOUNT,
            "NETSUITE_BASE_URL": self.netsuite.base_url,
            "NETSUITE_SECRET_ARN": self.resources.netsuite_secret_arn,
            "SYNC_CONFIG": json.dumps(self.sync_config),
            "POWERTOOLS_SERVICE_NAME": "zuora-netsuite-connector",
            "POWERTOOLS_METRICS_NAMESPACE": "ZuoraNetSuiteConnector",
            "POWERTOOLS_METRICS_DISABLED": "true",  # no CloudWatch here: EMF lines would only flood stdout
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO"),
            "WEBHOOK_SECRET_ARN": self.webhook_secret_arn,
            "WEBHOOK_AUTH_SCHEME": "hmac",
            "WEBHOOK_SIGNATURE_HEADER": "X-Zuora-Signature",
            "WEBHOOK_SIGNATURE_ENCODING": "base64",
        }

    def _webhook_environment(self) -> dict[str, str]:
        """The webhook function's environment, for the local API Gateway's invocations."""
        return self.function_env()

    def template_values(self) -> dict[str, str]:
        """What template.yaml's references resolve to in this sandbox, as a deployment's values would be
        ("Ref:<name>", "<Resource>.Arn"): the permission test evaluates the roles' policies against them."""
        assert self.resources is not None, "start() the sandbox first"
        resources = self.resources
        return {
            "Ref:AWS::Region": REGION,
            "Ref:AWS::AccountId": ACCOUNT,
            "Ref:AWS::Partition": "aws",
            "Ref:AWS::URLSuffix": "amazonaws.com",
            "Ref:AWS::NoValue": "AWS::NoValue",
            "Ref:ZuoraSecretArn": resources.zuora_secret_arn,
            "Ref:NetSuiteSecretArn": resources.netsuite_secret_arn,
            # The sandbox gives the webhook a secret of its own, as the WebhookSecretArn parameter would.
            "Ref:WebhookSecretArn": self.webhook_secret_arn,
            "IntegrationStateTable.Arn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{resources.table_name}",
            "SyncQueue.Arn": resources.queue_arn,
            "SyncDLQ.Arn": resources.dlq_arn,
            "WriteBackQueue.Arn": resources.writeback_queue_arn,
            "WriteBackDLQ.Arn": resources.writeback_dlq_arn,
        }

    # The template's conditions as the sandbox deploys it (its own webhook secret is passed in, not created).
    TEMPLATE_CONDITIONS: ClassVar[dict[str, bool]] = {"CreateWebhookSecret": False}

    @property
    def api_url(self) -> str:
        """Base URL of the local API Gateway (POST /webhooks/zuora, POST /sync/{type}/{id})."""
        assert self.api is not None, "start() the sandbox first"
        return self.api.base_url

    def enable_callouts(self, **options: Any) -> ZuoraCallouts:
        """Point Zuora's callout notifications at the local API, with the callout templates docs/webhooks.md
        describes (one per synced object, HMAC-signed): every change in the Zuora simulator, a user's edit() or
        an API update (the connector's own write-backs included), is POSTed to /webhooks/zuora.
        options: ZuoraCallouts' (settings=CalloutSettings(...), shuffle_seed=...)."""
        if self.callouts is None:
            objects = tuple(info.zuora_object for info in RECORD_TYPES.values())
            templates = connector_templates(f"{self.api_url}/webhooks/zuora", self.webhook_hmac_key, objects)
            self.callouts = ZuoraCallouts(templates, **options)
            self.zuora.change_listeners.append(self.callouts.on_change)
        return self.callouts

    def drain_sync_queue(self) -> DrainStats:
        """What the SQS event source mapping does: the sync function until the queue is empty, no dispatcher run.
        Call inside `function_environment()`."""
        return self.drain_with_writebacks(self.sync_event_source_mapping())

    def drain_with_writebacks(
        self, sync_mapping: SqsEventSourceMapping, *, on_batch: Callable[[int], None] | None = None
    ) -> DrainStats:
        """The sync queue drained by `sync_mapping` while the write-back function drains the write-back queue
        alongside (as Lambda runs both event source mappings); returns once both queues are empty. The write-back
        mapping's figures are kept in `writeback_stats`."""
        sync_done = threading.Event()
        writebacks = self.writeback_event_source_mapping()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="writeback-esm") as pool:
            drained = pool.submit(writebacks.drain, until=sync_done.is_set)
            try:
                stats = sync_mapping.drain(on_batch=on_batch)
            finally:
                sync_done.set()
                self.shuffled_messages += sync_mapping.shuffled
            self.writeback_stats = drained.result()
        return stats

    def writeback_event_source_mapping(self) -> SqsEventSourceMapping:
        """WriteBackQueue -> the write-back function, in this process."""
        assert self.resources is not None, "start() the sandbox first"
        handler = lambda_invocation(importlib.import_module(_function_module("writeback", "writeback_handler")))
        return writeback_event_source_mapping(
            self.aws.client("sqs"),
            self.resources.writeback_queue_url,
            self.resources.writeback_queue_arn,
            handler,
            retry_delay_seconds=self.options.retry_delay_seconds,
            batching_window_seconds=self.options.writeback_batching_window_seconds,
        )

    def sync_event_source_mapping(self, handler: Handler | None = None) -> SqsEventSourceMapping:
        """SyncQueue -> the sync function (`handler`; by default the sync handler, in containers if the options
        say so), at the options' concurrency and retry delay."""
        assert self.resources is not None, "start() the sandbox first"
        if handler is None:
            handler = (
                self._in_containers
                if self.options.containers
                else lambda_invocation(importlib.import_module("sync_handler"))
            )
        return sync_event_source_mapping(
            self.aws.client("sqs"),
            self.resources.queue_url,
            handler,
            queue_arn=self.resources.queue_arn,
            max_concurrency=self.options.sync_concurrency,
            retry_delay_seconds=self.options.retry_delay_seconds,
            shuffle_seed=self.options.shuffle_seed,
        )

    def dispatcher_runs(self) -> int:
        """How many dispatcher runs the state table has a summary of."""
        assert self.resources is not None, "start() the sandbox first"
        table = self.aws.resource("dynamodb").Table(self.resources.table_name)
        scan = table.scan(FilterExpression="begins_with(pk, :run)", ExpressionAttributeValues={":run": "RUN#"})
        return int(scan.get("Count", 0))

    def endpoints(self) -> dict[str, str]:
        """What `make sandbox` prints: enough to point your own tools and the vendors' SDKs at it."""
        assert self.resources is not None, "start() the sandbox first"
        return {
            "aws_endpoint": self.resources.endpoint,
            "aws_region": AWS_ENV["AWS_DEFAULT_REGION"],
            "state_table": self.resources.table_name,
            "sync_queue_url": self.resources.queue_url,
            "sync_dlq_url": self.resources.dlq_url,
            "writeback_queue_url": self.resources.writeback_queue_url,
            "writeback_dlq_url": self.resources.writeback_dlq_url,
            "zuora_url": self.zuora.base_url,
            "zuora_client_id": self.credentials.zuora_client_id,
            "zuora_client_secret": self.credentials.zuora_client_secret,
            "netsuite_url": self.netsuite.base_url,
            "netsuite_account": NETSUITE_ACCOUNT,
            "netsuite_consumer_key": self.credentials.netsuite_consumer_key,
            "netsuite_consumer_secret": self.credentials.netsuite_consumer_secret,
            "netsuite_token_id": self.credentials.netsuite_token_id,
            "netsuite_token_secret": self.credentials.netsuite_token_secret,
            "api_url": self.api_url,
            "webhook_url": f"{self.api_url}/webhooks/zuora",
            "webhook_hmac_key": self.webhook_hmac_key,
            # for the operator CLI (python -m connector_cli --sandbox): the functions' remaining settings
            "zuora_secret_arn": self.resources.zuora_secret_arn,
            "netsuite_secret_arn": self.resources.netsuite_secret_arn,
            "sync_config": json.dumps(self.sync_config),
        }

    @contextmanager
    def function_environment(self) -> Iterator[None]:
        """Set the functions' environment in this process (handlers run in-process) and reset the
        connector's per-container caches, as a fresh Lambda container would start."""
        with patched_environ(self.function_env()):
            _new_containers()
            try:
                yield
            finally:
                _new_containers()

    # --- one scheduled cycle -------------------------------------------------------------------------

    def run_cycle(
        self, *, on_dispatched: Callable[[int], None] | None = None, on_batch: Callable[[int], None] | None = None
    ) -> CycleResult:
        """What EventBridge Scheduler and the SQS event source mapping do: the dispatcher once, then the
        sync function until the queue is empty. Call inside `function_environment()`."""
        assert self.resources is not None, "start() the sandbox first"
        dispatcher_handler = importlib.import_module("dispatcher_handler")
        event = json.loads((EVENTS / "dispatcher_schedule.json").read_text())
        context = LambdaContext("DispatcherFunction", timeout_seconds=900)
        summary: dict[str, Any] = lambda_invocation(dispatcher_handler)(event, context)
        if on_dispatched:
            on_dispatched(sum(int(t["enqueued"]) for t in summary.get("types", [])))
        drain = self.drain_with_writebacks(self.sync_event_source_mapping(), on_batch=on_batch)
        return CycleResult(run_id=summary["run_id"], summary=summary, drain=drain)

    def _in_containers(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """The sync function invoked in one of `sync_concurrency` worker processes (Lambda containers)."""
        if self._containers is None:
            # The containers inherit the functions' environment as it is now (inside function_environment()).
            self._containers = ContainerPool(self.options.sync_concurrency, dict(os.environ))
        invocation = self._containers.invoke("sync_handler", event, context)
        with self._container_lock:
            self.sync_cpu_seconds += invocation.cpu_seconds
            self.container_aws_calls.update(invocation.aws_calls)
            if invocation.cold_start_seconds:
                self.cold_starts.append(invocation.cold_start_seconds)
        return invocation.response


def lambda_invocation(module: Any) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A handler invoked as Lambda would, in this process: Powertools metrics are disabled in the sandbox
    (no CloudWatch), and disabled metrics are never flushed, so they are cleared after each invocation
    (else Powertools prints them once a metric holds 100 values)."""

    def invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
        from zuora_netsuite.observability import metrics

        try:
            with invoked_as(context.function_name):  # its AWS calls are made with that function's role
                response: dict[str, Any] = module.handler(event, context)
            return response
        finally:
            metrics.clear_metrics()

    return invoke


def _function_module(folder: str, module: str) -> str:
    """`module`'s name, its function folder (functions/<folder>) on the path as Lambda has it."""
    task_root = str(Path(__file__).resolve().parent.parent / "functions" / folder)
    if task_root not in sys.path:
        sys.path.append(task_root)
    return module


def _new_containers() -> None:
    """What a new Lambda container starts without: the connector's settings, adapters and cached secrets.
    (Imported here, not at the top: the connector's logger and tracer read the functions' environment when
    first imported.)"""
    from zuora_netsuite import wiring

    wiring.reset()

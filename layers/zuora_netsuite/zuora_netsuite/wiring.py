"""Builds every function's adapters from settings and secrets: the dispatcher's, the sync function's, the
webhook's and the replay function's. What a Lambda container keeps between warm invocations is built once and
cached here (`_per_container`); `reset()` forgets all of it, as a new container would start without it (the
sandbox and the tests call it). Handlers take what they need from here and nowhere else.

The webhook's secret is read through Powertools Parameters with caching on every request (not cached here), so a
rotated secret is picked up within credentials.SECRET_CACHE_SECONDS without a redeploy."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from aws_lambda_powertools.utilities import parameters

from zuora_netsuite.adapters.credentials import load_netsuite_credentials, load_zuora_credentials
from zuora_netsuite.adapters.http import TimeBudget
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.adapters.queue import SqsSyncQueue
from zuora_netsuite.adapters.state import DynamoDbStateStore
from zuora_netsuite.adapters.writeback_queue import SqsWriteBackQueue
from zuora_netsuite.adapters.zuora.client import ZuoraClient
from zuora_netsuite.logic.sync import RecordSync
from zuora_netsuite.mapping.classifications import NetSuiteReferenceData
from zuora_netsuite.observability import add_netsuite_throttled
from zuora_netsuite.settings import ConnectorSettings, StackResources, load_settings

# What only the dispatcher, the replay, the webhook or the write-back function needs is imported in its builder
# below, on that function's first use: importing the sync handler (a cold start of the busiest function) loads
# none of it (tests/unit/test_cold_start_imports.py).
if TYPE_CHECKING:
    from zuora_netsuite.logic.dispatch import Dispatcher
    from zuora_netsuite.logic.replay import DeadLetterReplay
    from zuora_netsuite.logic.webhook.auth import HmacScheme
    from zuora_netsuite.logic.webhook.intake import CalloutIntake, ManualSyncTrigger
    from zuora_netsuite.logic.writeback_drain import WriteBackDrain
    from zuora_netsuite.models.webhook import WebhookSecret, WebhookSettings

Built = TypeVar("Built")

# The cache_clear of every builder decorated with _per_container: what reset() forgets.
_PER_CONTAINER_CACHES: list[Callable[[], None]] = []


def _per_container(build: Callable[[], Built]) -> Callable[[], Built]:
    """`build` runs once per container; reset() forgets what it built."""
    cached = lru_cache(maxsize=1)(build)
    _PER_CONTAINER_CACHES.append(cached.cache_clear)
    return cached


def reset() -> None:
    """Forget everything a container keeps: what this module built, the settings, and the secrets Powertools
    Parameters caches (a new Lambda container has none of them)."""
    for cache_clear in _PER_CONTAINER_CACHES:
        cache_clear()
    load_settings.cache_clear()
    parameters.clear_caches()  # type: ignore[no-untyped-call]  # Powertools leaves it untyped


# --- what every function reaches: the state table and the queues ------------------------------------------------


@_per_container
def stack_resources() -> StackResources:
    return StackResources.from_environment()


@_per_container
def state_store() -> DynamoDbStateStore:
    return DynamoDbStateStore(stack_resources().state_table_name)


@_per_container
def sync_queue() -> SqsSyncQueue:
    resources = stack_resources()
    return SqsSyncQueue(resources.sync_queue_url, resources.sync_dlq_url)


@_per_container
def writeback_queue() -> SqsWriteBackQueue:
    return SqsWriteBackQueue(stack_resources().writeback_queue_url or "")


# --- the vendors' clients (dispatcher, sync function, operator CLI) ---------------------------------------------


@_per_container
def time_budget() -> TimeBudget:
    """The container's time budget, shared by its Zuora and NetSuite clients; runs during a sync invocation."""
    return TimeBudget()


def build_zuora_client(settings: ConnectorSettings, budget: TimeBudget | None = None) -> ZuoraClient:
    """A Zuora client from the settings and the Zuora secret they name (also used by the operator CLI)."""
    credentials = load_zuora_credentials(settings.zuora_secret_arn)
    return ZuoraClient(
        settings.zuora_base_url,
        credentials.client_id,
        credentials.client_secret.get_secret_value(),
        timeout=settings.http_timeout_seconds,
        budget=budget,
    )


def build_netsuite_client(settings: ConnectorSettings, budget: TimeBudget | None = None) -> NetSuiteClient:
    """A NetSuite client from the settings and the NetSuite secret they name (also used by the operator CLI)."""
    credentials = load_netsuite_credentials(settings.netsuite_secret_arn)
    return NetSuiteClient(
        settings.netsuite_rest_url,
        settings.netsuite_account_id,
        credentials.consumer_key.get_secret_value(),
        credentials.consumer_secret.get_secret_value(),
        credentials.token_id.get_secret_value(),
        credentials.token_secret.get_secret_value(),
        timeout=settings.http_timeout_seconds,
        budget=budget,
    )


@_per_container
def zuora_client() -> ZuoraClient:
    return build_zuora_client(load_settings(), time_budget())


@_per_container
def netsuite_client() -> NetSuiteClient:
    return build_netsuite_client(load_settings(), time_budget())


@_per_container
def reference_data() -> NetSuiteReferenceData:
    return NetSuiteReferenceData(netsuite_client())


# --- the dispatcher and the sync function -----------------------------------------------------------------------


def dispatcher() -> Dispatcher:
    from zuora_netsuite.logic.dispatch import Dispatcher  # the dispatcher's only

    settings = load_settings()
    return Dispatcher(
        zuora=zuora_client(),
        state=state_store(),
        queue=sync_queue(),
        config=settings.sync_config,
        lease_seconds=settings.run_lease_seconds,
        budget=time_budget(),  # runs during a dispatch_invocation: the run stops before its deadline
    )


@contextmanager
def dispatch_invocation(remaining_seconds: float) -> Iterator[TimeBudget]:
    """One dispatcher invocation: the container's time budget (its Zuora client's too) runs from the invocation's
    remaining time, less what the end of a run needs (logic/dispatch.py END_OF_RUN_RESERVE_SECONDS)."""
    from zuora_netsuite.logic.dispatch import END_OF_RUN_RESERVE_SECONDS  # the dispatcher's only

    budget = time_budget()
    budget.start(remaining_seconds, reserve=END_OF_RUN_RESERVE_SECONDS)
    try:
        yield budget
    finally:
        budget.stop()


def record_sync(worker_id: str) -> RecordSync:
    """A fresh RecordSync per batch (its write-back buffer and prefetch cache are per batch)."""
    settings = load_settings()
    return RecordSync(
        zuora=zuora_client(),
        netsuite=netsuite_client(),
        state=state_store(),
        queue=sync_queue(),
        reference=reference_data(),
        config=settings.sync_config,
        worker_id=worker_id,
        lease_seconds=settings.record_lease_seconds,
        # no write-back queue in the stack (deployed before it): the sync writes to Zuora itself
        writeback_queue=writeback_queue() if settings.writeback_queue_url else None,
    )


@_per_container
def writeback_drain() -> WriteBackDrain:
    """The write-back function's logic: Zuora's client (without the sync's time budget) and the state table."""
    from zuora_netsuite.logic.writeback_drain import WriteBackDrain  # the write-back function's only

    settings = load_settings()
    return WriteBackDrain(
        zuora=build_zuora_client(settings), state=state_store(), error_field=settings.sync_config.zuora.error_field
    )


@contextmanager
def sync_invocation(remaining_seconds: float) -> Iterator[TimeBudget]:
    """One sync invocation on the container's shared clients: their time budget runs from the invocation's
    remaining time (less SYNC_TIME_RESERVE_SECONDS) until the batch is done, and the NetSuite 429s the batch met
    are published once it is."""
    netsuite = netsuite_client()
    throttled_before = netsuite.stats.throttled_429
    budget = time_budget()
    budget.start(remaining_seconds, reserve=load_settings().sync_time_reserve_seconds)
    try:
        yield budget
    finally:
        budget.stop()
    add_netsuite_throttled(netsuite.stats.throttled_429 - throttled_before)


# --- the replay function ----------------------------------------------------------------------------------------


@_per_container
def dead_letter_replay() -> DeadLetterReplay:
    from zuora_netsuite.adapters.dlq import SqsDeadLetterQueue  # the replay function's only
    from zuora_netsuite.logic.replay import DeadLetterReplay

    resources = stack_resources()
    return DeadLetterReplay(
        dlq=SqsDeadLetterQueue(resources.sync_dlq_url, resources.sync_queue_url), state=state_store()
    )


# --- the webhook ------------------------------------------------------------------------------------------------


class WebhookMisconfigured(Exception):
    """The webhook secret does not hold what the configured scheme needs (an operator's fix, not the caller's)."""


@_per_container
def webhook_settings() -> WebhookSettings:
    from zuora_netsuite.models.webhook import WebhookSettings  # the webhook's only

    return WebhookSettings.from_environment()


def load_webhook_secret(secret_arn: str) -> WebhookSecret:
    from zuora_netsuite.adapters.credentials import SecretMisconfigured, read_secret
    from zuora_netsuite.models.webhook import WebhookSecret  # the webhook's only

    try:
        secret = read_secret(secret_arn, WebhookSecret, "webhook")
    except SecretMisconfigured as error:  # its message names the ARN and the fields, never a value
        raise WebhookMisconfigured(str(error)) from None
    scheme = webhook_settings().auth_scheme
    if not secret.usable_for(scheme):
        needed = "hmac_key" if scheme == "hmac" else "username and password"
        raise WebhookMisconfigured(f"the webhook secret has no {needed} for WEBHOOK_AUTH_SCHEME={scheme}")
    return secret


def hmac_scheme(config: WebhookSettings) -> HmacScheme:
    from zuora_netsuite.logic.webhook.auth import HmacScheme  # the webhook's only

    return HmacScheme(
        header=config.signature_header,
        data_fields=config.data_fields,
        value=config.hmac_value,
        encoding=config.signature_encoding,
        timestamp_field=config.timestamp_field or None,
        max_age=config.max_age,
    )


def callout_intake() -> CalloutIntake:
    """Built per callout: the secret is read (through Powertools' cache) each time, so a rotation is seen."""
    from zuora_netsuite.logic.webhook.auth import CalloutAuthenticator  # the webhook's only
    from zuora_netsuite.logic.webhook.intake import CalloutIntake

    config = webhook_settings()
    return CalloutIntake(
        authenticator=CalloutAuthenticator(
            scheme=config.auth_scheme,
            secret=load_webhook_secret(config.secret_arn),
            hmac_scheme=hmac_scheme(config),
        ),
        state=state_store(),
        queue=sync_queue(),
        max_body_bytes=config.max_body_bytes,
        dedupe_window=config.dedupe_window,
    )


def manual_sync_trigger() -> ManualSyncTrigger:
    from zuora_netsuite.logic.webhook.intake import ManualSyncTrigger  # the webhook's only

    return ManualSyncTrigger(queue=sync_queue())

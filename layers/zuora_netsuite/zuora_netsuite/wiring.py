"""Builds the real adapters from settings and secrets, once per container (warm invocations reuse them)."""

from __future__ import annotations

from functools import lru_cache

from zuora_netsuite.adapters.credentials import load_netsuite_credentials, load_zuora_credentials
from zuora_netsuite.adapters.http import TimeBudget
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.adapters.queue import SqsSyncQueue
from zuora_netsuite.adapters.state import DynamoDbStateStore
from zuora_netsuite.adapters.zuora.client import ZuoraClient
from zuora_netsuite.logic.dispatch import Dispatcher
from zuora_netsuite.logic.sync import RecordSync
from zuora_netsuite.mapping.classifications import NetSuiteReferenceData
from zuora_netsuite.settings import ConnectorSettings, load_settings


@lru_cache(maxsize=1)
def state_store() -> DynamoDbStateStore:
    return DynamoDbStateStore(load_settings().state_table_name)


@lru_cache(maxsize=1)
def sync_queue() -> SqsSyncQueue:
    settings = load_settings()
    return SqsSyncQueue(settings.sync_queue_url, settings.sync_dlq_url)


@lru_cache(maxsize=1)
def time_budget() -> TimeBudget:
    """The container's time budget, shared by its Zuora and NetSuite clients; started by the sync handler."""
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


@lru_cache(maxsize=1)
def zuora_client() -> ZuoraClient:
    return build_zuora_client(load_settings(), time_budget())


@lru_cache(maxsize=1)
def netsuite_client() -> NetSuiteClient:
    return build_netsuite_client(load_settings(), time_budget())


@lru_cache(maxsize=1)
def reference_data() -> NetSuiteReferenceData:
    return NetSuiteReferenceData(netsuite_client())


def dispatcher() -> Dispatcher:
    settings = load_settings()
    return Dispatcher(
        zuora=zuora_client(),
        state=state_store(),
        queue=sync_queue(),
        config=settings.sync_config,
        lease_seconds=settings.run_lease_seconds,
    )


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
    )

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox.dataset import ZUORA_ERROR_FIELD
from tests.fakes import FakeNetSuite, FakeQueue, FakeStateStore, FakeZuora
from zuora_netsuite.logic.sync import RecordSync
from zuora_netsuite.mapping.classifications import NetSuiteReferenceData
from zuora_netsuite.settings import ClassificationDefaults, SyncConfig, ZuoraTenant

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

REFERENCE = {
    "subsidiary": [{"id": "1", "fullname": "Parent Co"}, {"id": "2", "fullname": "Parent Co : Europe"}],
    "department": [{"id": "10", "fullname": "Sales"}],
    "classification": [{"id": "20", "fullname": "SaaS : Subscriptions"}],
    "location": [{"id": "30", "fullname": "HQ"}],
    "currency": [{"id": "1", "symbol": "USD"}, {"id": "2", "symbol": "EUR"}],
}


def account(record_id: str = "a" * 32, **fields: Any) -> dict[str, Any]:
    row = {
        "Id": record_id,
        "AccountNumber": "A00000001",
        "Name": "Acme Corp",
        "Status": "Active",
        "Currency": "USD",
        "UpdatedDate": "2026-11-20T10:00:00.000+00:00",
        "CreatedDate": "2026-11-01T10:00:00.000+00:00",
    }
    row.update(fields)
    return {k: v for k, v in row.items() if v is not None}


def plan(record_id: str = "p" * 32, **fields: Any) -> dict[str, Any]:
    row = {"Id": record_id, "Name": "Pro", "EffectiveStartDate": "2025-01-01", "EffectiveEndDate": "2030-01-01"}
    row.update(fields)
    return {k: v for k, v in row.items() if v is not None}


def charge(record_id: str = "c" * 32, **fields: Any) -> dict[str, Any]:
    row = {
        "Id": record_id,
        "Name": "Pro Monthly",
        "ChargeType": "Recurring",
        "ChargeModel": "Flat Fee Pricing",
        "ProductRatePlanId": "p" * 32,
        "ItemType__NS": "Service",
        "UpdatedDate": "2026-11-20T10:00:00.000+00:00",
        "CreatedDate": "2026-11-01T10:00:00.000+00:00",
    }
    row.update(fields)
    return {k: v for k, v in row.items() if v is not None}


class World:
    """Given: a Zuora tenant, a NetSuite account, the state table and the queues, all in memory."""

    def __init__(self) -> None:
        self.zuora = FakeZuora()
        self.netsuite = FakeNetSuite(REFERENCE)
        self.state = FakeStateStore()
        self.queue = FakeQueue()
        self.config = SyncConfig(
            classification_defaults=ClassificationDefaults(subsidiary="Parent Co"),
            item_income_account_id="400",
            zuora=ZuoraTenant(error_field=ZUORA_ERROR_FIELD),
        )
        self.reference = NetSuiteReferenceData(self.netsuite)

    def record_sync(self, worker: str = "worker-1") -> RecordSync:
        return RecordSync(
            zuora=self.zuora,
            netsuite=self.netsuite,
            state=self.state,
            queue=self.queue,
            reference=self.reference,
            config=self.config,
            worker_id=worker,
            clock=lambda: NOW,
        )


@pytest.fixture
def world() -> World:
    return World()

"""`mapping check` / `mapping diff` before a deploy: every configured Zuora source field asked of the tenant with
the sync's own query; the synced customers a new mapping changes counted exactly as the next cycle writes them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sandbox.dataset import ZUORA_ERROR_FIELD
from sandbox.zuora_simulator import SYNCED_OBJECTS, schema_with_custom_fields
from tests.unit.logic.conftest import NOW
from tests.unit.transactions.conftest import ACCOUNT_ID, Ledger, account
from tests.unit.transactions.conftest import sync_config as config
from zuora_netsuite.logic.dispatch import Dispatcher
from zuora_netsuite.logic.mapping_review import mapping_diff, probe_sources
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.settings import SyncConfig

OTHER_ID = "b" * 32


@pytest.fixture(autouse=True)
def zuora_custom_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    custom = {object_type: [ZUORA_ERROR_FIELD] for object_type in SYNCED_OBJECTS}
    custom["Account"] = [*custom["Account"], "Region__c"]
    monkeypatch.setattr("tests.fakes.ZUORA_SCHEMA", schema_with_custom_fields(custom))


def region(**extra: Any) -> dict[str, Any]:
    return {"customer": {"fields": {"custentity_zn_region": {"source": "Account.Region__c", **extra}}}}


def test_a_source_field_the_tenant_does_not_have_is_named_with_its_setting(ledger: Ledger) -> None:
    checked = config(
        field_mappings={
            **region(),
            "invoice": {"fields": {"custbody_po": {"source": "Invoice.PONumber__c"}}},
        }
    )
    problems = probe_sources(ledger.zuora, checked)
    assert [(p.setting, p.source) for p in problems] == [
        ("field_mappings.invoice.fields.custbody_po", "Invoice.PONumber__c")
    ]
    assert "Zuora has no field Invoice.PONumber__c" in problems[0].reason
    assert "INVALID_FIELD" in problems[0].reason


def sync_all(ledger: Ledger) -> None:
    for record_id in (ACCOUNT_ID, OTHER_ID):
        record_sync = ledger.record_sync()
        request = SyncRequest(record_type=RecordType.CUSTOMER, record_id=record_id, run_id="run")
        assert record_sync.sync(request, "m") in (SyncOutcome.SYNCED, SyncOutcome.UNCHANGED)
        record_sync.write_backs.flush()


def dispatch(ledger: Ledger, deployed: SyncConfig, run_id: str) -> None:
    Dispatcher(zuora=ledger.zuora, state=ledger.state, queue=ledger.queue, config=deployed, clock=lambda: NOW).run(
        run_id
    )


def test_the_diff_counts_exactly_the_customers_the_next_cycle_writes(ledger: Ledger) -> None:
    # Given two synced customers, one in EMEA and one with no region
    ledger.zuora.get("Account", ACCOUNT_ID)["Region__c"] = "EMEA"
    ledger.zuora.put("Account", account(OTHER_ID, AccountNumber="A00000002"))
    sync_all(ledger)
    dispatch(ledger, ledger.config, "r1")  # the deployed mapping's digest stored with the watermark
    ledger.queue.sent.clear()
    writes_before = len(ledger.netsuite.writes)
    # When a region mapping is compared with the deployed configuration (no default: a blank region is left out)
    new = config(field_mappings=region(value_map={"EMEA": {"id": "3"}}))
    result = mapping_diff(
        ledger.zuora, ledger.state, ledger.reference, ledger.config, new, RecordType.CUSTOMER, date(2026, 11, 23)
    )
    # Then one customer changes, in custentity_zn_region; nothing was written
    assert (result.examined, result.writes) == (2, 1)
    assert [(r.record_id, r.fields) for r in result.records] == [(ACCOUNT_ID, ["custentity_zn_region"])]
    assert len(ledger.netsuite.writes) == writes_before
    # And when it is deployed, the next cycle writes exactly that one
    ledger.config = new
    dispatch(ledger, new, "r2")
    assert {r.record_id for r in ledger.queue.sent if r.record_type is RecordType.CUSTOMER} == {ACCOUNT_ID, OTHER_ID}
    for request in list(ledger.queue.sent):
        record_sync = ledger.record_sync()
        record_sync.sync(request, "m2")
        record_sync.write_backs.flush()
    customers_written = [eid for kind, eid, _ in ledger.netsuite.writes[writes_before:] if kind == "customer"]
    assert customers_written == [f"zuora-account-{ACCOUNT_ID}"]


def test_a_record_the_new_mapping_cannot_map_is_listed_with_its_reason(ledger: Ledger) -> None:
    ledger.zuora.get("Account", ACCOUNT_ID)["Region__c"] = "APAC"
    ledger.zuora.put("Account", account(OTHER_ID, AccountNumber="A00000002"))
    sync_all(ledger)
    new = config(field_mappings=region(value_map={"EMEA": {"id": "3"}}))
    result = mapping_diff(
        ledger.zuora, ledger.state, ledger.reference, ledger.config, new, RecordType.CUSTOMER, date(2026, 11, 23)
    )
    assert result.writes == 0
    assert [r.record_id for r in result.records] == [ACCOUNT_ID]
    assert 'Account.Region__c "APAC" has no NetSuite value' in (result.records[0].failure or "")

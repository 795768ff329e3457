"""The fault suite, small: every fault of docs/reliability.md on one sandbox (sandbox/chaos.py), then the outcome
record by record. `make chaos` runs the same with a bigger data set and prints the tables."""

from __future__ import annotations

import pytest

from sandbox.chaos import ChaosOptions, ChaosReport, FaultRow, run_chaos
from zuora_netsuite.models.record_types import RecordType

pytestmark = pytest.mark.slow

OPTIONS = ChaosOptions(  # small and quick: few containers (each one's cold start costs CPU), short waits
    seed=13,
    accounts=30,
    charges=10,
    invoices=20,
    netsuite_cap=2,
    sync_concurrency=4,
    retry_delay_seconds=2,
    record_lease_seconds=1,
    run_lease_seconds=2,
    netsuite_503_burst=10,
    netsuite_timeouts_after_commit=3,
    sync_kills=2,
    duplicate_share=0.5,
)


@pytest.fixture(scope="module")
def report() -> ChaosReport:
    # Given a tenant with customers, items and transactions (some invalid), and every fault of the plan:
    # the dispatcher killed mid-run, two dispatchers racing, each message delivered twice, NetSuite 429s above
    # its cap, 5xx and timeouts after commit, Zuora 429/5xx/lock contention on query and write-back, and sync
    # containers killed right after NetSuite committed their write
    # When the queue drains, the transient failures are replayed from the DLQ and the outcome is read back
    return run_chaos(OPTIONS)


def fault(report: ChaosReport, name: str) -> FaultRow:
    [row] = [row for row in report.faults if row.fault.startswith(name)]
    return row


def test_every_fault_of_the_plan_was_injected(report: ChaosReport) -> None:
    assert fault(report, "dispatcher killed").injected == "1 kill"
    assert fault(report, "sync container killed").injected.startswith(f"{OPTIONS.sync_kills} kills")
    assert not fault(report, "NetSuite 429").injected.startswith("0 ")
    assert not fault(report, "NetSuite 5xx").injected.startswith("0 ")
    assert not fault(report, "Zuora 429").injected.startswith("0 ")
    assert not fault(report, "duplicate SQS deliveries").injected.startswith("0 ")


def test_every_valid_record_is_in_netsuite_exactly_once_with_the_data_of_a_fault_free_run(report: ChaosReport) -> None:
    assert {t.record_type for t in report.types} >= {RecordType.CUSTOMER, RecordType.ITEM, RecordType.INVOICE}
    for outcome in report.types:
        assert outcome.duplicates == 0, outcome
        assert outcome.wrong_data == 0, outcome
        assert outcome.synced == outcome.valid, outcome


def test_every_invalid_record_has_its_reason_and_nothing_is_lost(report: ChaosReport) -> None:
    for outcome in report.types:
        assert outcome.errors == outcome.invalid, outcome
        assert outcome.source == outcome.synced + outcome.errors + outcome.dlq_only, outcome
        assert outcome.unaccounted == 0, outcome
    assert report.problems == []


def test_the_killed_dispatcher_left_the_watermarks_of_types_it_had_not_finished(report: ChaosReport) -> None:
    row = fault(report, "dispatcher killed")
    assert row.ok, row
    assert "watermarks advanced: customer, item;" in row.response


def test_a_rerun_after_the_faults_writes_nothing_to_netsuite(report: ChaosReport) -> None:
    row = fault(report, "rerun on unchanged data")
    assert row.response == "0 NetSuite writes"
    assert report.passed, [f for f in report.faults if not f.ok]


def test_every_invoice_and_credit_memo_has_the_lines_and_total_of_its_zuora_source(report: ChaosReport) -> None:
    # Timeouts after commit, duplicate deliveries and the replay re-sent transactions: none gained a line
    transactions = [t for t in report.types if t.record_type in (RecordType.INVOICE, RecordType.CREDIT_MEMO)]
    assert transactions, report.types
    assert all(t.synced > 0 for t in transactions), transactions
    for outcome in report.types:
        assert outcome.wrong_amounts == 0, outcome
    # And the operator's reconcile agrees to the cent: its only differences are the invalid records
    assert report.reconciliation.endswith(" 0 others)"), report.reconciliation

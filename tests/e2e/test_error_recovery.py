"""The operator's loop on the sandbox, through the CLI: find the failed records, understand why, fix them in
Zuora, replay them, and watch every one reach Sync Complete with no duplicate and nothing lost. Plus a crash
after the NetSuite write (recovered without a duplicate) and a reset that re-links instead of duplicating."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from connector_cli.main import cli
from sandbox.stack import Sandbox, SandboxOptions
from zuora_netsuite.adapters.state import DynamoDbStateStore
from zuora_netsuite.models.record_types import RecordType, external_id

pytestmark = pytest.mark.slow

CLIENT_ATTEMPTS = 4  # the NetSuite client's attempts per write (NetSuiteClient max_attempts)
NETSUITE_TYPES = ("customer", "serviceSaleItem", "nonInventorySaleItem", "inventoryItem")
ZUORA_OBJECTS = {RecordType.CUSTOMER: "Account", RecordType.ITEM: "ProductRatePlanCharge"}
# What a finance person would change in Zuora to fix each fault the data set plants.
FIXES: dict[str, Any] = {
    "Subsidiary__NS": None,  # blank: the configured default subsidiary applies
    "Department__NS": None,
    "Class__NS": None,
    "Location__NS": None,
    "Currency": "USD",
    "Name": "Fixed Name Ltd",
    "CustomerType__NS": "Company",
    "ItemType__NS": "Service",
}


class Operator:
    """Runs `python -m connector_cli --sandbox <endpoints> --json ...` as an operator would."""

    def __init__(self, endpoints: Path) -> None:
        self.endpoints = endpoints
        self.runner = CliRunner()

    def __call__(self, *args: str, expect: int = 0) -> Any:
        result = self.runner.invoke(cli, ["--sandbox", str(self.endpoints), "--json", *args])
        assert result.exit_code == expect, (result.output, result.exception)
        try:
            return json.loads(result.stdout) if result.stdout.strip() else None
        except json.JSONDecodeError as error:
            raise AssertionError(f"not JSON: {result.stdout[-2000:]}") from error


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    options = SandboxOptions(accounts=40, charges=12, retry_delay_seconds=0, max_receive_count=2)
    with Sandbox(options) as started:
        yield started


@pytest.fixture(scope="module")
def operator(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Operator:
    endpoints = tmp_path_factory.mktemp("sandbox") / "endpoints.json"
    endpoints.write_text(json.dumps(sandbox.endpoints()))
    return Operator(endpoints)


def record_type_of(sandbox: Sandbox, record_id: str) -> RecordType:
    return RecordType.CUSTOMER if sandbox.zuora.get("Account", record_id) else RecordType.ITEM


def netsuite_records_by_external_id(sandbox: Sandbox) -> Counter[str]:
    return Counter(r["externalId"] for t in NETSUITE_TYPES for r in sandbox.netsuite.records(t) if r.get("externalId"))


def dlq_depth(sandbox: Sandbox) -> int:
    assert sandbox.resources is not None
    attributes = sandbox.aws.client("sqs").get_queue_attributes(
        QueueUrl=sandbox.resources.dlq_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_failed_records_are_listed_fixed_replayed_and_synced_without_duplicates(sandbox: Sandbox, operator: Operator):
    # Given a first cycle: the data set's invalid records fail validation (permanent errors)
    operator("run", "--retry-delay", "0")
    invalid = dict(sandbox.dataset.expected_invalid)
    assert invalid
    # And a second cycle in which three accounts, edited in Zuora since, meet a NetSuite that answers 503 to
    # every write of theirs: each delivery fails after the client's retries, and after maxReceiveCount (2)
    # deliveries SQS moves them to the DLQ
    synced_accounts = [
        a["Id"]
        for a in sandbox.zuora.all("Account")
        if a.get("IntegrationStatus__NS") == "Sync Complete" and a.get("CustomerType__NS") != "Individual"
    ]
    transient = synced_accounts[:3]
    for record_id in transient:
        sandbox.zuora.edit("Account", record_id, Name=f"Renamed {record_id[:6]}")
    failed_writes = len(transient) * 2 * CLIENT_ATTEMPTS
    errors_before = sandbox.netsuite.stats.errors_by_code.get("UNEXPECTED_ERROR", 0)
    sandbox.netsuite.fail_next(failed_writes, status=503, methods=["PUT"])
    operator("run", "--retry-delay", "0")
    assert sandbox.netsuite.stats.errors_by_code.get("UNEXPECTED_ERROR", 0) - errors_before == failed_writes

    # When the operator lists the errors
    errors = operator("errors")

    # Then exactly the failed records are listed, each with a reason a person can act on
    listed = {e["record_id"]: e for e in errors}
    assert set(listed) == set(invalid) | set(transient)
    for record_id, field in invalid.items():
        assert listed[record_id]["kind"] == "permanent"
        assert field.lower() in listed[record_id]["message"].lower()
    for record_id in transient:
        assert listed[record_id]["kind"] == "transient"
        assert "503" in listed[record_id]["message"]
    # And the invalid ones carry the error status in Zuora too
    for record_id in invalid:
        row = sandbox.zuora.get(ZUORA_OBJECTS[record_type_of(sandbox, record_id)], record_id)
        assert row is not None
        assert row["IntegrationStatus__NS"].startswith("Error Creating")
    # And every one of them is on the DLQ
    assert dlq_depth(sandbox) == len(listed)

    # When the operator does a dry run of the replay
    dry_run = operator("replay", "--dry-run")

    # Then it lists every message and moves nothing
    assert {item["record_id"] for item in dry_run["moved"]} == set(listed)
    assert dlq_depth(sandbox) == len(listed)
    assert {e["record_id"] for e in operator("errors")} == set(listed)

    # When the data is fixed in Zuora and the operator replays, then lets the queue drain
    for record_id, field in invalid.items():
        if field == "Country":  # the fault is the account's bill-to contact's country
            sandbox.zuora.edit("Contact", sandbox.zuora.get("Account", record_id)["BillToId"], Country="United States")
            continue
        sandbox.zuora.edit(ZUORA_OBJECTS[record_type_of(sandbox, record_id)], record_id, **{field: FIXES[field]})
    replayed = operator("replay")
    operator("run", "--drain-only", "--retry-delay", "0")

    # Then everything moved, nothing failed, and no record is in error any more
    assert {item["record_id"] for item in replayed["moved"]} == set(listed)
    assert replayed["failed"] == []
    assert operator("errors") == []
    assert dlq_depth(sandbox) == 0
    # And every replayed record is Sync Complete in Zuora, linked to exactly one NetSuite record
    in_netsuite = netsuite_records_by_external_id(sandbox)
    for record_id in listed:
        record_type = record_type_of(sandbox, record_id)
        status = operator("status", record_type.value, record_id)
        assert status["zuora"]["IntegrationStatus__NS"] == "Sync Complete"
        assert status["netsuite"]["id"] == status["zuora"]["IntegrationId__NS"]
        assert in_netsuite[external_id(record_type, record_id)] == 1
    # And the transient ones carry the name edited in Zuora
    for record_id in transient:
        customer = sandbox.netsuite.get_by_external_id("customer", external_id(RecordType.CUSTOMER, record_id))
        assert customer is not None
        assert customer["companyName"] == f"Renamed {record_id[:6]}"
    # And nothing was lost or duplicated: every record that should sync is in NetSuite exactly once
    dataset = sandbox.dataset
    expected = dataset.expected_synced("Account") | dataset.expected_synced("ProductRatePlanCharge") | set(invalid)
    assert {eid for eid, n in in_netsuite.items() if n == 1} >= {
        external_id(record_type_of(sandbox, rid), rid) for rid in expected
    }
    assert max(in_netsuite.values()) == 1


def test_a_dry_run_on_an_empty_dlq_moves_nothing(sandbox: Sandbox, operator: Operator):
    # Given no message on the DLQ (the previous test replayed them all)
    assert dlq_depth(sandbox) == 0
    # When the operator replays with a dry run
    report = operator("replay", "--dry-run")
    # Then nothing is listed, nothing fails
    assert report == {"dry_run": True, "moved": [], "skipped": [], "failed": []}


def test_a_record_crashed_in_creating_after_its_netsuite_write_is_recovered_without_duplicate(
    sandbox: Sandbox, operator: Operator, monkeypatch: pytest.MonkeyPatch
):
    # Given a tenant in sync (so the only customer write of the next cycle is the new account's)
    operator("run", "--retry-delay", "0")
    # And a new account, and a sync that dies right after NetSuite committed its customer (before the
    # connector recorded anything): Zuora is left in "Creating Customer"
    record_id = sandbox.zuora.put(
        "Account", {"AccountNumber": "CRASH-1", "Name": "Crash Test Inc", "Status": "Active", "Currency": "USD"}
    )
    real_save = DynamoDbStateStore.save
    crashes = []

    def save_then_crash(self: DynamoDbStateStore, state: Any, **options: Any) -> Any:
        if state.record_id == record_id and state.netsuite_id and not crashes:
            crashes.append(sandbox.zuora.get("Account", record_id))
            raise RuntimeError("Lambda container lost after the NetSuite write")
        return real_save(self, state, **options)

    monkeypatch.setattr(DynamoDbStateStore, "save", save_then_crash)
    customer_writes_before = sandbox.netsuite.stats.writes("customer")

    # When the cycle runs (SQS delivers the message again after the crash)
    operator("run", "--retry-delay", "0")

    # Then the crash happened with the record marked in progress in Zuora
    assert crashes
    assert crashes[0]["IntegrationStatus__NS"] == "Creating Customer"
    # And the retry found the customer by external id: one customer, linked, Sync Complete
    eid = external_id(RecordType.CUSTOMER, record_id)
    assert netsuite_records_by_external_id(sandbox)[eid] == 1
    customer = sandbox.netsuite.get_by_external_id("customer", eid)
    assert customer is not None
    row = sandbox.zuora.get("Account", record_id)
    assert row is not None
    assert row["IntegrationStatus__NS"] == "Sync Complete"
    assert row["IntegrationId__NS"] == customer["id"]
    # And it was recovered, not written again: the crashed attempt's create is the only customer write (a retry
    # that simply upserts again also ends with one linked customer, so only this tells recovery happened)
    assert sandbox.netsuite.stats.writes("customer") - customer_writes_before == 1


def test_reset_then_a_cycle_relinks_the_netsuite_record_instead_of_duplicating(sandbox: Sandbox, operator: Operator):
    # Given a synced account
    record_id = next(a["Id"] for a in sandbox.zuora.all("Account") if a.get("IntegrationStatus__NS") == "Sync Complete")
    eid = external_id(RecordType.CUSTOMER, record_id)
    customer = sandbox.netsuite.get_by_external_id("customer", eid)
    assert customer is not None

    # When the operator resets it
    result = operator("reset", "customer", record_id, "--yes")

    # Then Zuora's integration fields and the connector's state are cleared
    assert result["previous_integration_id"] == customer["id"]
    row = sandbox.zuora.get("Account", record_id)
    assert row is not None
    assert "IntegrationId__NS" not in row
    assert "IntegrationStatus__NS" not in row
    assert operator("status", "customer", record_id)["state"] is None

    # When the next cycle runs
    operator("run", "--retry-delay", "0")

    # Then the same NetSuite customer is linked again: no duplicate
    assert netsuite_records_by_external_id(sandbox)[eid] == 1
    row = sandbox.zuora.get("Account", record_id)
    assert row is not None
    assert row["IntegrationStatus__NS"] == "Sync Complete"
    assert row["IntegrationId__NS"] == customer["id"]


def test_status_of_an_unknown_record_exits_with_not_found(operator: Operator):
    # When the operator asks for a record that exists nowhere
    operator("status", "customer", "doesnotexist", expect=3)
    # Then the exit code says "not found" (3), which scripts can test


def test_reconcile_reports_zuora_against_netsuite_with_an_exit_code_scripts_can_test(operator: Operator):
    # When the operator reconciles after the cycles above
    runner_result = operator.runner.invoke(cli, ["--sandbox", str(operator.endpoints), "--json", "reconcile"])

    # Then it answers JSON with the per-type lines, and exit code 0 exactly when Zuora and NetSuite agree
    report = json.loads(runner_result.stdout)
    assert {"balanced", "lines", "differences"} <= report.keys()
    assert runner_result.exit_code == (0 if report["balanced"] else 4)

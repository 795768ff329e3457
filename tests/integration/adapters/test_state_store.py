"""The DynamoDB integration-state store against moto, with the table exactly as template.yaml defines it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from sandbox.aws import TEMPLATE, TemplateResolver
from zuora_netsuite.adapters.state import DynamoDbStateStore
from zuora_netsuite.failures import FailureKind
from zuora_netsuite.models.messages import DispatchCheckpoint, RunSummary
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import RecordError, RecordState, SyncOutcome
from zuora_netsuite.ports import StaleStateError

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoDbStateStore]:
    from cfnlint.decode import cfn_yaml

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        table = TemplateResolver(cfn_yaml.loads(TEMPLATE.read_text()), "test", {}, {}).resource("IntegrationStateTable")
        boto3.client("dynamodb").create_table(
            TableName=table["TableName"],
            BillingMode=table["BillingMode"],
            AttributeDefinitions=table["AttributeDefinitions"],
            KeySchema=table["KeySchema"],
            GlobalSecondaryIndexes=table["GlobalSecondaryIndexes"],
        )
        yield DynamoDbStateStore(table["TableName"])


def new_state(record_id: str = "a1") -> RecordState:
    return RecordState(record_type=RecordType.CUSTOMER, record_id=record_id, external_id=f"zuora-account-{record_id}")


def error(message: str = "Subsidiary__NS unknown") -> RecordError:
    return RecordError(
        kind=FailureKind.PERMANENT, code="VALIDATION", message=message, first_failed_at=NOW, last_failed_at=NOW
    )


def test_state_round_trips_with_its_error_and_status(store: DynamoDbStateStore) -> None:
    saved = store.save(new_state().model_copy(update={"status": "Error Creating Customer", "error": error()}))
    loaded = store.get(RecordType.CUSTOMER, "a1")
    assert loaded == saved
    assert loaded is not None
    assert loaded.version == 1
    assert loaded.error is not None


def test_a_write_over_a_newer_version_is_refused(store: DynamoDbStateStore) -> None:
    # Given two workers read the same version
    first = store.save(new_state())
    store.save(first.model_copy(update={"netsuite_id": "101"}))
    # When the slower one writes what it read
    with pytest.raises(StaleStateError):
        store.save(first.model_copy(update={"netsuite_id": "999"}))
    # Then the newer data stays
    loaded = store.get(RecordType.CUSTOMER, "a1")
    assert loaded is not None
    assert loaded.netsuite_id == "101"


def test_current_errors_are_listed_per_type_from_the_index_and_leave_it_when_fixed(store: DynamoDbStateStore) -> None:
    failing = store.save(new_state("bad").model_copy(update={"error": error()}))
    store.save(new_state("good").model_copy(update={"outcome": SyncOutcome.SYNCED}))
    assert [s.record_id for s in store.errors(RecordType.CUSTOMER)] == ["bad"]
    store.save(failing.model_copy(update={"error": None, "outcome": SyncOutcome.SYNCED}))
    assert list(store.errors(RecordType.CUSTOMER)) == []


def test_a_record_lease_is_exclusive_until_released(store: DynamoDbStateStore) -> None:
    assert store.acquire_record_lease(RecordType.CUSTOMER, "a1", "w1", 300)
    assert not store.acquire_record_lease(RecordType.CUSTOMER, "a1", "w2", 300)
    store.release_record_lease(RecordType.CUSTOMER, "a1", "w1")
    assert store.acquire_record_lease(RecordType.CUSTOMER, "a1", "w2", 300)


def test_an_expired_lease_can_be_taken_over(store: DynamoDbStateStore) -> None:
    assert store.acquire_run_lease("run-1", -1)  # already expired
    assert store.acquire_run_lease("run-2", 900)
    assert not store.acquire_run_lease("run-3", 900)


def test_a_lease_does_not_hide_the_record_state(store: DynamoDbStateStore) -> None:
    store.acquire_record_lease(RecordType.CUSTOMER, "a1", "w1", 300)
    assert store.get(RecordType.CUSTOMER, "a1") is None  # a lease alone is not a state
    store.save(new_state())
    assert store.get(RecordType.CUSTOMER, "a1") is not None


def test_a_watermark_only_moves_forward(store: DynamoDbStateStore) -> None:
    store.advance_watermark(RecordType.ITEM, NOW)
    store.advance_watermark(RecordType.ITEM, NOW - timedelta(hours=1))
    assert store.get_watermark(RecordType.ITEM) == NOW


def test_the_mapping_digest_is_kept_with_the_watermark_it_was_reached_under(store: DynamoDbStateStore) -> None:
    assert store.get_mapping_digest(RecordType.CUSTOMER) is None
    store.advance_watermark(RecordType.CUSTOMER, NOW, mapping_digest="d1")
    store.advance_watermark(RecordType.CUSTOMER, NOW - timedelta(hours=1), mapping_digest="old")
    assert store.get_mapping_digest(RecordType.CUSTOMER) == "d1"
    store.advance_watermark(RecordType.CUSTOMER, NOW, mapping_digest="d2")  # the same instant, a new mapping
    assert store.get_mapping_digest(RecordType.CUSTOMER) == "d2"
    assert store.get_watermark(RecordType.CUSTOMER) == NOW


def test_run_summaries_are_kept(store: DynamoDbStateStore) -> None:
    summary = RunSummary(run_id="r1", started_at=NOW, status="completed")
    store.save_run_summary(summary)
    assert store.get_run_summary("r1") == summary


def test_the_lease_comes_with_the_state_and_the_final_write_releases_it(store: DynamoDbStateStore) -> None:
    # Given a synced record
    store.save(new_state().model_copy(update={"netsuite_id": "101"}))
    # When a worker leases it, it reads the state in the same request
    acquired, state = store.lease_record(RecordType.CUSTOMER, "a1", "w1", 300)
    assert acquired
    assert state is not None
    assert state.netsuite_id == "101"
    assert store.lease_record(RecordType.CUSTOMER, "a1", "w2", 300) == (False, None)
    # And its state write releases the lease: the next worker gets it
    store.save(state.model_copy(update={"outcome": SyncOutcome.UNCHANGED}), release_lease_of="w1")
    assert store.lease_record(RecordType.CUSTOMER, "a1", "w2", 300)[0]


def test_a_write_that_releases_someone_elses_lease_is_refused(store: DynamoDbStateStore) -> None:
    store.save(new_state())
    assert store.lease_record(RecordType.CUSTOMER, "a1", "w2", 300)[0]
    loaded = store.get(RecordType.CUSTOMER, "a1")
    assert loaded is not None
    with pytest.raises(StaleStateError):
        store.save(loaded, release_lease_of="w1")


def test_many_states_are_read_in_one_go(store: DynamoDbStateStore) -> None:
    for n in range(120):
        store.save(new_state(f"r{n}"))
    found = store.get_many([(RecordType.CUSTOMER, f"r{n}") for n in range(125)])
    assert len(found) == 120
    assert found[(RecordType.CUSTOMER, "r7")].record_id == "r7"


def test_a_dispatch_checkpoint_keeps_every_chunk_of_ids_sent_until_cleared(store: DynamoDbStateStore) -> None:
    # Given no checkpoint, then one started by a run that sends 150 chunks of 200 ids (more than one BatchGetItem)
    assert store.get_checkpoint(RecordType.INVOICE) is None
    started = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    checkpoint = DispatchCheckpoint(
        record_type=RecordType.INVOICE, run_id="run-1", since=started - timedelta(hours=1), started_at=started
    )
    sent = [[f"{chunk:04d}{n:028x}" for n in range(200)] for chunk in range(150)]
    for chunk in sent:
        checkpoint = store.add_to_checkpoint(checkpoint, chunk)

    # When the next run reads it
    stored = store.get_checkpoint(RecordType.INVOICE)

    # Then it has where the listing started and every id sent
    assert stored == checkpoint
    assert stored is not None
    assert stored.chunks == 150
    assert store.checkpoint_ids(stored) == {record_id for chunk in sent for record_id in chunk}
    # And once cleared there is none
    store.clear_checkpoint(RecordType.INVOICE)
    assert store.get_checkpoint(RecordType.INVOICE) is None

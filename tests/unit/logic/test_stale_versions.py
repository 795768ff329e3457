"""Never older data over newer: a batch's records are prefetched from Zuora before each record's lease is taken,
so another worker (the webhook, a second schedule run) may sync a newer version in between. Under the lease the
sync compares Zuora's UpdatedDate with the one stored for the version last synced (docs/architecture.md, "Sync")."""

from __future__ import annotations

from tests.unit.logic.conftest import World, account
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import SyncOutcome

ACCOUNT_ID = "a" * 32
V1 = "2026-11-20T10:00:00.000+00:00"
V2 = "2026-11-21T10:00:00.000+00:00"


def request(source: str = "schedule") -> SyncRequest:
    return SyncRequest.model_validate(
        {"record_type": RecordType.CUSTOMER, "record_id": ACCOUNT_ID, "source": source, "run_id": "run-1"}
    )


def companies(world: World) -> list[str]:
    return [body["companyName"] for _, _, body in world.netsuite.writes]


def test_a_version_prefetched_before_a_newer_one_synced_is_not_written_over_it(world: World) -> None:
    # Given worker A prefetched version 1 of an account for its batch
    world.zuora.put("Account", account(ACCOUNT_ID, Name="Acme v1", UpdatedDate=V1))
    worker_a = world.record_sync("worker-a")
    worker_a.prefetch([request()])
    # And meanwhile the account was renamed and worker B (a webhook) synced version 2
    world.zuora.get("Account", ACCOUNT_ID).update(Name="Acme v2", UpdatedDate=V2)
    worker_b = world.record_sync("worker-b")
    assert worker_b.sync(request("webhook"), "m-b") is SyncOutcome.SYNCED
    assert worker_b.write_backs.flush() == set()
    # When worker A gets to the record
    outcome = worker_a.sync(request(), "m-a")
    assert worker_a.write_backs.flush() == set()
    # Then it read the record again under its lease: NetSuite keeps version 2, nothing older was written
    assert outcome is SyncOutcome.UNCHANGED
    assert companies(world) == ["Acme v2"]
    state = world.state.get(RecordType.CUSTOMER, ACCOUNT_ID)
    assert state is not None
    assert state.zuora_updated_at is not None
    assert state.zuora_updated_at.isoformat(timespec="milliseconds") == V2


def test_an_older_version_answered_by_zuora_itself_is_skipped(world: World) -> None:
    # Given version 2 of an account is synced
    world.zuora.put("Account", account(ACCOUNT_ID, Name="Acme v2", UpdatedDate=V2))
    worker = world.record_sync()
    assert worker.sync(request(), "m1") is SyncOutcome.SYNCED
    # When Zuora then answers an older version (a lagging read)
    world.zuora.get("Account", ACCOUNT_ID).update(Name="Acme v1", UpdatedDate=V1)
    outcome = world.record_sync().sync(request(), "m2")
    # Then nothing is written over the newer version
    assert outcome is SyncOutcome.UNCHANGED
    assert companies(world) == ["Acme v2"]

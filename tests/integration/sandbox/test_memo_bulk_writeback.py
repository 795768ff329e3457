"""Credit and debit memo write-backs through Zuora's bulk PUT (50 memos a request) on the Zuora simulator: the
write-back function's batch of final statuses costs one request per 50 memos, a memo Zuora refuses is redelivered
alone, and a memo hit by lock contention is sent again on its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from sandbox.zuora_simulator import ZuoraSimulator
from tests.fakes import FakeStateStore
from zuora_netsuite.adapters.zuora.client import ZuoraClient
from zuora_netsuite.logic.writeback import update_zuora_objects
from zuora_netsuite.logic.writeback_drain import WriteBackDrain
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.writeback import WriteBackMessage

SYNCED_AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def tenant() -> Iterator[tuple[ZuoraSimulator, ZuoraClient]]:
    client_id, secret = str(uuid.uuid4()), "secret-" + uuid.uuid4().hex
    with ZuoraSimulator(client_id, secret) as sim:
        client = ZuoraClient(sim.base_url, client_id, secret, max_attempts=3, sleep=lambda _: None)
        yield sim, client
        client.close()


def _memos(sim: ZuoraSimulator, object_type: str, count: int) -> list[str]:
    return [
        sim.put(object_type, {"MemoNumber": f"{object_type[:2]}-{n}", "Status": "Posted", "TotalAmount": 5})
        for n in range(count)
    ]


def _final(record_type: RecordType, zuora_object: str, memo_id: str) -> WriteBackMessage:
    return WriteBackMessage(
        record_type=record_type,
        record_id=memo_id,
        zuora_object=zuora_object,
        integration_status="Sync Complete",
        sync_date=SYNCED_AT,
        integration_id=f"ns-{memo_id[-6:]}",
    )


def test_given_61_credit_memos_one_deleted_when_the_drain_writes_them_then_two_requests_and_only_it_is_redelivered(
    tenant: tuple[ZuoraSimulator, ZuoraClient],
) -> None:
    sim, client = tenant
    # Given 60 credit memos synced, and one more whose memo was deleted in Zuora meanwhile
    memo_ids = _memos(sim, "CreditMemo", 60)
    gone = "8a8aa0f98fffffff0190000000000001"
    delivered = [(f"m-{n}", _final(RecordType.CREDIT_MEMO, "CreditMemo", i)) for n, i in enumerate([*memo_ids, gone])]
    sim.reset_stats()
    # When the write-back function writes the batch
    redeliver = WriteBackDrain(client, FakeStateStore()).write(delivered)
    # Then two bulk requests carried the 61 memos
    assert sim.stats.update == 2
    assert [path for method, path, _ in sim.request_log if method == "PUT"] == ["/v1/credit-memos/bulk"] * 2
    # And every memo that exists carries its final status, its NetSuite id and TransferredToAccounting = Yes
    for memo_id in memo_ids:
        record = sim.get("CreditMemo", memo_id)
        assert record["IntegrationStatus__NS"] == "Sync Complete"
        assert record["IntegrationId__NS"] == f"ns-{memo_id[-6:]}"
        assert record["TransferredToAccounting"] == "Yes"
    # And only the deleted memo's message goes back to the queue
    assert redeliver == {"m-60"}


def test_given_lock_contention_on_one_debit_memo_when_marked_then_only_it_is_sent_again_and_all_are_marked(
    tenant: tuple[ZuoraSimulator, ZuoraClient],
) -> None:
    sim, client = tenant
    memo_ids = _memos(sim, "DebitMemo", 3)
    sim.lock_competition_objects_next(1)  # the first memo of the next update answers lock contention
    sim.reset_stats()
    marks = [{"Id": memo_id, "IntegrationStatus__NS": "Creating Debit Memo"} for memo_id in memo_ids]
    results = update_zuora_objects(client, "DebitMemo", marks)
    assert [r.success for r in results] == [True, True, True]
    assert sim.stats.update == 2  # the three memos, then the one that met lock contention
    assert all(sim.get("DebitMemo", i)["TransferredToAccounting"] == "Processing" for i in memo_ids)

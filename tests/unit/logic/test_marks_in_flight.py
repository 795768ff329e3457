"""The dispatcher's marks of a chunk of 200 records are four action/update requests of 50: sent together (at most
MARK_CONCURRENCY at once), not one Zuora round trip after the other; every record is marked once."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from tests.fakes import FakeZuora
from tests.unit.logic.conftest import account
from zuora_netsuite.logic.marks import MARK_CHUNK, MARK_CONCURRENCY, mark_in_progress
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.zuora import ZuoraAccount, ZuoraUpdateResult


class ZuoraAnsweringOnlyInCompany(FakeZuora):
    """A Zuora whose action/update answers only once MARK_CONCURRENCY requests are in flight together (a barrier):
    requests sent one after the other never get past the first."""

    def __init__(self) -> None:
        super().__init__()
        self.together = threading.Barrier(MARK_CONCURRENCY, timeout=30)

    def update(self, object_type: str, objects: Sequence[Mapping[str, Any]]) -> list[ZuoraUpdateResult]:
        self.together.wait()
        return super().update(object_type, objects)


def test_a_chunk_of_200_records_is_marked_with_four_requests_in_flight_together() -> None:
    # Given 200 new accounts the dispatcher read as one chunk
    zuora = ZuoraAnsweringOnlyInCompany()
    ids = [f"{n:032x}" for n in range(MARK_CHUNK * MARK_CONCURRENCY)]
    for record_id in ids:
        zuora.put("Account", account(record_id))
    requests = [SyncRequest(record_type=RecordType.CUSTOMER, record_id=record_id) for record_id in ids]
    sources = {(RecordType.CUSTOMER, i): ZuoraAccount.model_validate(account(i)) for i in ids}

    # When they are marked in progress
    mark_in_progress(zuora, requests, sources, {})

    # Then four requests of 50 went out together (the barrier let them through), and each record is marked once
    assert sorted(len(objects) for _, objects in zuora.updates) == [MARK_CHUNK] * MARK_CONCURRENCY
    marked = [o["Id"] for _, objects in zuora.updates for o in objects]
    assert sorted(marked) == sorted(ids)
    assert {zuora.get("Account", i)["IntegrationStatus__NS"] for i in ids} == {"Creating Customer"}

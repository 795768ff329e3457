"""The connector's SuiteQL reading against the NetSuite simulator with a lowered result cap.

NetSuite stops a SuiteQL query at 100,000 results and offset paging is stable only with a unique ORDER BY
(Oracle NetSuite help, "Executing SuiteQL Queries Through REST Web Services",
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_157909186990.html). The simulator's cap is
lowered to 10 here so that a small table stands for a big account; the client is told the same cap.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from sandbox.netsuite_simulator import SAMPLE_REFERENCE_DATA, NetSuiteSimulator
from zuora_netsuite.adapters.netsuite import NetSuiteClient
from zuora_netsuite.adapters.netsuite.suiteql import keyset_rows
from zuora_netsuite.failures import FailureKind, NetSuiteError

ACCOUNT = "1234567_SB1"
KEYS = tuple(uuid.uuid4().hex for _ in range(4))
CAP = 10
CUSTOMERS = 23


@pytest.fixture(scope="module")
def sim() -> Iterator[NetSuiteSimulator]:
    simulator = NetSuiteSimulator(ACCOUNT, *KEYS, reference_data=SAMPLE_REFERENCE_DATA, suiteql_max_results=CAP, seed=7)
    simulator.start()
    for n in range(CUSTOMERS):
        body = {"companyName": f"Keyset Co {n}", "isPerson": False, "subsidiary": {"id": "1"}}
        simulator.seed_record("customer", body, external_id=f"zuora-account-{n}")
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def client(sim: NetSuiteSimulator) -> Iterator[NetSuiteClient]:
    netsuite = NetSuiteClient(
        sim.base_url, ACCOUNT, *KEYS, timeout=5, suiteql_page_size=2, suiteql_result_cap=CAP, sleep=lambda _: None
    )
    try:
        yield netsuite
    finally:
        netsuite.close()


def test_keyset_paging_reads_a_table_bigger_than_the_cap_each_row_once_in_id_order(client: NetSuiteClient):
    # Given more customers than one SuiteQL query may return
    # When they are read by key, in chunks below the cap
    rows = list(keyset_rows(client, columns=("id", "externalid"), table="customer", chunk_rows=4))
    # Then every customer came exactly once, in ascending internal id
    ids = [int(row["id"]) for row in rows]
    assert len(ids) == CUSTOMERS
    assert ids == sorted(set(ids))
    assert {row["externalid"] for row in rows} == {f"zuora-account-{n}" for n in range(CUSTOMERS)}


def test_keyset_paging_keeps_the_callers_filters(client: NetSuiteClient):
    # Given customers whose external ids end in 1 or not
    # When only those ending in 1 are read
    rows = list(
        keyset_rows(
            client, columns=("id", "externalid"), table="customer", where=("externalid LIKE '%1'",), chunk_rows=4
        )
    )
    # Then exactly those came back
    assert sorted(row["externalid"] for row in rows) == ["zuora-account-1", "zuora-account-11", "zuora-account-21"]


def test_one_offset_paged_query_past_the_cap_fails_instead_of_answering_part_of_the_table(client: NetSuiteClient):
    # Given an ordered query whose result is bigger than the cap
    # When it is read with plain offset paging
    with pytest.raises(NetSuiteError) as caught:
        list(client.suiteql("SELECT id FROM customer ORDER BY id"))
    # Then the client refuses to pass a truncated result off as complete
    assert caught.value.code == "SUITEQL_RESULT_CAP"
    assert caught.value.kind is FailureKind.PERMANENT


def test_a_multi_page_query_without_order_by_is_refused(client: NetSuiteClient):
    # Given a query with no ORDER BY, whose rows the simulator (like NetSuite) may order differently per page
    # When it needs a second page
    with pytest.raises(NetSuiteError) as caught:
        list(client.suiteql("SELECT id FROM customer WHERE id < 110"))
    # Then the client stops before it could skip or repeat rows
    assert caught.value.code == "SUITEQL_UNORDERED"

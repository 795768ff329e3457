"""SuiteQL through REST as the connector pages it: limit <= 1000, offset a multiple of the limit, ORDER BY for a
stable order, LIKE and ``id >`` for keyset paging. Runs on any account: the rows are customers the test creates."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.rest import first_error, signed_session, suiteql
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.adapters.netsuite.suiteql import keyset_rows

ROWS = 3


@pytest.fixture(scope="module")
def run_prefix(netsuite_target: NetSuiteTarget) -> Iterator[str]:
    """Three customers whose external ids share a prefix unique to this run."""
    prefix = netsuite_target.external_id("suiteql") + "-"
    client = netsuite_target.client()
    try:
        for n in range(ROWS):
            body = {"companyName": f"Contract SuiteQL Co {n}", "subsidiary": {"id": "1"}}
            client.upsert("customer", f"{prefix}{n}", body)
        yield prefix
    finally:
        client.close()


def ordered_query(prefix: str) -> str:
    return f"SELECT id, externalid FROM customer WHERE externalid LIKE '{prefix}%' ORDER BY id"  # noqa: S608


def test_a_page_holds_at_most_1000_rows(netsuite_target: NetSuiteTarget):
    """Oracle NetSuite help, "Executing SuiteQL Queries Through REST Web Services"
    (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_157909186990.html) and "Collection
    Paging" (section_156414087576): results come in pages of at most 1000."""
    # Given a query asking for 1001 rows a page
    # When it is sent
    response = suiteql(signed_session(netsuite_target), netsuite_target, "SELECT id FROM subsidiary", limit=1001)
    # Then NetSuite refuses the limit
    assert response.status_code == 400
    assert first_error(response)["o:errorCode"] in {"INVALID_PARAMETER", "USER_ERROR"}


def test_the_offset_is_a_multiple_of_the_limit(netsuite_target: NetSuiteTarget):
    """Oracle NetSuite help, "Collection Paging" (section_156414087576) pages by limit; integrators report an
    offset that is not a multiple of the limit refused (docs/contract-tests.md: the simulator refuses it)."""
    # Given a query whose offset falls inside a page
    # When it is sent
    response = suiteql(signed_session(netsuite_target), netsuite_target, "SELECT id FROM subsidiary", limit=2, offset=1)
    # Then NetSuite refuses it
    assert response.status_code == 400


def test_ordered_offset_paging_returns_each_row_once_in_order(netsuite_target: NetSuiteTarget, run_prefix: str):
    """Oracle NetSuite help, "Using SuiteQL with SuiteTalk REST Web Services" (section_158394344595): paging
    needs a unique sort order to avoid duplicate or missing results; with ORDER BY id, limit 1 pages are stable."""
    # Given the run's customers, read one per page in id order by the connector's client
    client = NetSuiteClient(
        netsuite_target.rest_url,
        netsuite_target.account_id,
        netsuite_target.consumer_key,
        netsuite_target.consumer_secret,
        netsuite_target.token_id,
        netsuite_target.token_secret,
        suiteql_page_size=1,
    )
    try:
        # When the ordered query is paged through
        rows = list(client.suiteql(ordered_query(run_prefix)))
    finally:
        client.close()
    # Then every customer came once, ascending, in one request per row (and a last one at most)
    ids = [int(row["id"]) for row in rows]
    assert ids == sorted(set(ids))
    assert sorted(row["externalid"] for row in rows) == [f"{run_prefix}{n}" for n in range(ROWS)]
    assert client.stats.suiteql == ROWS


def test_keyset_paging_by_id_reads_the_same_rows(netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, run_prefix):
    """Oracle NetSuite help, "Executing SuiteQL Queries Through REST Web Services" (section_157909186990): at most
    100,000 results a query; ``WHERE ... AND id > <last> ORDER BY id`` in chunks reads any number of rows."""
    # Given the run's customers
    # When they are read by key, two per query
    rows = list(
        keyset_rows(
            netsuite,
            columns=("id", "externalid"),
            table="customer",
            where=(f"externalid LIKE '{run_prefix}%'",),
            chunk_rows=2,
        )
    )
    # Then each came once, in id order, over two queries
    ids = [int(row["id"]) for row in rows]
    assert ids == sorted(set(ids))
    assert len(ids) == ROWS
    assert netsuite.stats.suiteql == 2


def test_like_matches_the_prefix_only(netsuite_target: NetSuiteTarget, run_prefix: str):
    """Oracle NetSuite help, "SuiteQL Syntax and Examples"
    (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156257790831.html): SuiteQL takes
    SQL-92 / Oracle SQL conditions, LIKE with % included; the filter the reconciliation uses on external ids."""
    # Given a prefix no record has
    other = f"zncontract-none-{uuid.uuid4().hex[:8]}"
    session = signed_session(netsuite_target)
    # When the run's prefix and the other one are queried
    hits = suiteql(session, netsuite_target, ordered_query(run_prefix)).json()
    none = suiteql(session, netsuite_target, ordered_query(other)).json()
    # Then only the run's customers match
    assert hits["totalResults"] == ROWS
    assert none["totalResults"] == 0

"""SuiteQL limits a real account shows only with 100,000 rows or by chance: the result cap and an unordered
result whose order changes between pages. Checked against the simulator (its cap lowered for the test and
restored after); the connector's handling is tested in tests/integration/sandbox/test_suiteql_keyset_paging.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.netsuite_simulator import NetSuiteSimulator
from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.rest import first_error, signed_session, simulator, simulator_only, suiteql

pytestmark = simulator_only

CAP = 4


@pytest.fixture
def capped(netsuite_target: NetSuiteTarget) -> Iterator[NetSuiteSimulator]:
    """The simulator with its SuiteQL cap lowered to 4 and at least 6 customers to query."""
    fake = simulator(netsuite_target)
    for n in range(6):
        fake.seed_record(
            "customer",
            {"companyName": f"Contract Cap Co {n}", "subsidiary": {"id": "1"}},
            external_id=netsuite_target.external_id(f"cap-{n}"),
        )
    cap = fake.suiteql_max_results
    fake.suiteql_max_results = CAP
    try:
        yield fake
    finally:
        fake.suiteql_max_results = cap


def test_a_result_stops_at_the_cap_and_an_offset_past_it_is_refused(netsuite_target: NetSuiteTarget, capped):
    """Oracle NetSuite help, "Executing SuiteQL Queries Through REST Web Services"
    (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_157909186990.html): "you can return a
    maximum of 100,000 results"; "Collection Paging" (section_156414087576): at most 100,000 without SuiteAnalytics
    Connect. The documentation is silent on what the page at the cap says: the simulator answers hasMore false
    (the result silently ends) and refuses an offset at or past the cap."""
    session = signed_session(netsuite_target)
    query = "SELECT id FROM customer ORDER BY id"
    # When the last page below the cap and the page at the cap are asked for
    last = suiteql(session, netsuite_target, query, limit=2, offset=2)
    past = suiteql(session, netsuite_target, query, limit=2, offset=CAP)
    # Then the result ends at the cap although the table is bigger, and an offset past it is an error
    assert last.status_code == 200
    assert last.json()["hasMore"] is False
    assert last.json()["totalResults"] == CAP
    assert past.status_code == 400
    assert first_error(past)["o:errorCode"] == "INVALID_PARAMETER"


def test_without_order_by_the_row_order_changes_between_requests(netsuite_target: NetSuiteTarget, capped):
    """Oracle NetSuite help, "Using SuiteQL with SuiteTalk REST Web Services" (section_158394344595): without a
    unique sort order paging returns duplicate or missing results. The simulator answers an unordered query in an
    order that changes per request (seeded), so a client that pages without ORDER BY is caught."""
    session = signed_session(netsuite_target)
    # When the same unordered query is sent several times
    orders = {
        tuple(row["id"] for row in suiteql(session, netsuite_target, "SELECT id FROM customer").json()["items"])
        for _ in range(6)
    }
    # Then it did not come back in one stable order
    assert len(orders) > 1

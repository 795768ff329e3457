"""NetSuite REST errors a real account shows only by chance: a record changed or locked by a workflow while the
connector writes it, and requests over the account's concurrency cap. Checked against the simulator's fault
injection (a real account cannot be made to show them on demand); the simulator's knobs are restored after each
test. The connector's classification of these answers is unit-tested in
tests/unit/clients/test_netsuite_error_classification.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from sandbox.netsuite_simulator import NetSuiteSimulator
from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.rest import first_error, signed_session, simulator, simulator_only
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient

pytestmark = simulator_only


@pytest.fixture
def sim(netsuite_target: NetSuiteTarget) -> Iterator[NetSuiteSimulator]:
    fake = simulator(netsuite_target)
    limit, rate = fake.concurrency_limit, fake.over_cap_invalid_login_rate
    try:
        yield fake
    finally:
        fake.concurrency_limit, fake.over_cap_invalid_login_rate = limit, rate


def customer(name: str) -> dict[str, object]:
    return {"companyName": name, "subsidiary": {"id": "1"}}


def test_a_record_changed_in_the_meantime_is_a_user_error_with_the_reason_in_the_detail(
    netsuite_target: NetSuiteTarget, sim: NetSuiteSimulator, netsuite: NetSuiteClient
):
    """Oracle NetSuite help, "Error Handling in REST Web Services"
    (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html): ``o:errorCode`` is
    the category (here USER_ERROR), the reason only in ``detail`` ("Record has been changed"). A retry succeeds."""
    eid = netsuite_target.external_id("customer-changed")
    session = signed_session(netsuite_target)
    url = f"{netsuite_target.rest_url}/record/v1/customer/eid:{eid}"
    # Given someone saves the record while the next two writes are under way
    sim.fail_next_record_changed(2)
    # When it is written by hand, then by the connector
    raw = session.put(url, json=customer("Contract Changed Co"), timeout=10)
    internal_id = netsuite.upsert("customer", eid, customer("Contract Changed Co"))
    # Then the raw answer is 400 USER_ERROR saying so, and the connector's retry wrote the record
    assert raw.status_code == 400
    assert first_error(raw)["o:errorCode"] == "USER_ERROR"
    assert "Record has been changed" in first_error(raw)["detail"]
    assert netsuite.stats.retries == 1
    assert internal_id


def test_a_record_locked_by_a_workflow_is_a_user_error_and_the_write_goes_through_later(
    netsuite_target: NetSuiteTarget, sim: NetSuiteSimulator, netsuite: NetSuiteClient
):
    """Oracle NetSuite help, "Error Handling in REST Web Services" (section_156570709583); the detail text is
    the one integrators report: "This record has been locked by a user defined workflow"."""
    eid = netsuite_target.external_id("customer-locked")
    session = signed_session(netsuite_target)
    # Given a workflow holds the record for the next two writes
    sim.fail_next_workflow_locked(2)
    # When it is written by hand, then by the connector
    raw = session.put(
        f"{netsuite_target.rest_url}/record/v1/customer/eid:{eid}", json=customer("Contract Locked Co"), timeout=10
    )
    netsuite.upsert("customer", eid, customer("Contract Locked Co"))
    # Then the raw answer says so as a USER_ERROR, and the connector's retry got through
    assert raw.status_code == 400
    assert first_error(raw)["o:errorCode"] == "USER_ERROR"
    assert "locked by a user defined workflow" in first_error(raw)["detail"]
    assert netsuite.get_by_external_id("customer", eid) is not None


@contextmanager
def slot_held(target: NetSuiteTarget, sim: NetSuiteSimulator, seconds: float) -> Iterator[threading.Thread]:
    """A write that keeps its concurrency slot for ``seconds`` after committing (a slow request), under way."""
    sim.timeout_after_commit(1, seconds)
    holder_eid = target.external_id("customer-slow")

    def slow_write() -> None:
        signed_session(target).put(
            f"{target.rest_url}/record/v1/customer/eid:{holder_eid}", json=customer("Contract Slow Co"), timeout=30
        )

    holder = threading.Thread(target=slow_write)
    holder.start()
    try:
        while sim.stats.in_flight == 0 and holder.is_alive():
            threading.Event().wait(0.005)
        yield holder
    finally:
        holder.join(timeout=30)


def subsidiaries(target: NetSuiteTarget) -> requests.Response:
    return signed_session(target).post(
        f"{target.rest_url}/query/v1/suiteql",
        json={"q": "SELECT id FROM subsidiary ORDER BY id"},
        headers={"Prefer": "transient"},
        timeout=30,
    )


def test_over_the_concurrency_cap_requests_are_refused_with_429(
    netsuite_target: NetSuiteTarget, sim: NetSuiteSimulator
):
    """Oracle NetSuite help, "Web Services and RESTlet Concurrency Governance"
    (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1500275531.html) and "Concurrency
    Governance and Session Management" (subsect_1559222360): one account-wide cap on concurrent requests; a
    request over it is rejected (REST: 429 Too Many Requests)."""
    # Given an account that takes one request at a time, and a slow request holding that slot
    sim.concurrency_limit = 1
    with slot_held(netsuite_target, sim, 1.0):
        # When two more requests arrive meanwhile
        answers = [subsidiaries(netsuite_target) for _ in range(2)]
    # Then both are refused with 429 in NetSuite's error format, and served once the slot is free
    assert [a.status_code for a in answers] == [429, 429]
    assert answers[0].json()["title"] == "Too Many Requests"
    assert first_error(answers[0])["o:errorCode"] == "CONCURRENCY_LIMIT_EXCEEDED"
    assert subsidiaries(netsuite_target).status_code == 200


def test_over_the_cap_some_requests_are_answered_401_invalid_login_and_the_connector_still_writes(
    netsuite_target: NetSuiteTarget, sim: NetSuiteSimulator
):
    """Integrators report bursts over the concurrency cap answered 401 INVALID_LOGIN (the credentials being fine);
    Oracle's "Web Services and RESTlet Concurrency Governance" (section_1500275531) only says an error is thrown.
    The connector tolerates two such answers before it calls a 401 permanent."""
    # Given an account that answers every over-cap request 401, and a slow request holding its only slot
    sim.concurrency_limit, sim.over_cap_invalid_login_rate = 1, 1.0
    eid = netsuite_target.external_id("customer-burst")
    with slot_held(netsuite_target, sim, 1.0) as holder:
        # When a request arrives meanwhile, and then the connector writes (waiting out its backoff until the slot
        # is free)
        raw = subsidiaries(netsuite_target)
        client = NetSuiteClient(
            netsuite_target.rest_url,
            netsuite_target.account_id,
            netsuite_target.consumer_key,
            netsuite_target.consumer_secret,
            netsuite_target.token_id,
            netsuite_target.token_secret,
            sleep=lambda _: holder.join(timeout=30),
        )
        try:
            client.upsert("customer", eid, customer("Contract Burst Co"))
        finally:
            client.close()
    # Then the raw request got 401 INVALID_LOGIN, and the connector's tolerated 401 retry wrote the record
    assert raw.status_code == 401
    assert first_error(raw)["o:errorCode"] == "INVALID_LOGIN"
    assert client.stats.auth_retries == 1
    assert sim.get_by_external_id("customer", eid) is not None

"""Where the NetSuite contract tests run: the sandbox's NetSuite simulator, or a real NetSuite sandbox account.

A real account is used when NETSUITE_CONTRACT_ACCOUNT_ID, NETSUITE_CONTRACT_CONSUMER_KEY,
NETSUITE_CONTRACT_CONSUMER_SECRET, NETSUITE_CONTRACT_TOKEN_ID and NETSUITE_CONTRACT_TOKEN_SECRET are set
(docs/contract-tests.md). Every record the tests create carries an external id starting with
CONTRACT_PREFIX, so they can be found and removed (docs/contract-tests.md says how).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from sandbox.netsuite_simulator import SAMPLE_REFERENCE_DATA, NetSuiteSimulator
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient

if TYPE_CHECKING:  # money_records imports this module: the fixture imports it when it runs
    from tests.contract.netsuite.entity_records import Records
    from tests.contract.netsuite.money_records import Rest

CONTRACT_PREFIX = "zncontract-"

REAL_ACCOUNT_VARIABLES = (
    "NETSUITE_CONTRACT_ACCOUNT_ID",
    "NETSUITE_CONTRACT_CONSUMER_KEY",
    "NETSUITE_CONTRACT_CONSUMER_SECRET",
    "NETSUITE_CONTRACT_TOKEN_ID",
    "NETSUITE_CONTRACT_TOKEN_SECRET",
)


@dataclass(frozen=True)
class NetSuiteTarget:
    """A NetSuite account to check: its REST endpoint and token-based-auth credentials."""

    rest_url: str
    account_id: str
    consumer_key: str
    consumer_secret: str
    token_id: str
    token_secret: str
    simulator: NetSuiteSimulator | None  # None on a real account

    @property
    def is_real(self) -> bool:
        return self.simulator is None

    def client(self) -> NetSuiteClient:
        return NetSuiteClient(
            self.rest_url,
            self.account_id,
            self.consumer_key,
            self.consumer_secret,
            self.token_id,
            self.token_secret,
            max_attempts=3,
        )

    def external_id(self, name: str) -> str:
        """A unique, recognisable external id for a record a test creates."""
        return f"{CONTRACT_PREFIX}{name}-{uuid.uuid4().hex[:12]}"


def real_account_configured() -> bool:
    return all(os.environ.get(name) for name in REAL_ACCOUNT_VARIABLES)


def _rest_url(account_id: str) -> str:
    host = account_id.lower().replace("_", "-")
    return os.environ.get("NETSUITE_CONTRACT_REST_URL") or f"https://{host}.suitetalk.api.netsuite.com/services/rest"


@pytest.fixture(scope="session")
def netsuite_target() -> Iterator[NetSuiteTarget]:
    if real_account_configured():
        account_id = os.environ["NETSUITE_CONTRACT_ACCOUNT_ID"]
        yield NetSuiteTarget(
            rest_url=_rest_url(account_id),
            account_id=account_id,
            consumer_key=os.environ["NETSUITE_CONTRACT_CONSUMER_KEY"],
            consumer_secret=os.environ["NETSUITE_CONTRACT_CONSUMER_SECRET"],
            token_id=os.environ["NETSUITE_CONTRACT_TOKEN_ID"],
            token_secret=os.environ["NETSUITE_CONTRACT_TOKEN_SECRET"],
            simulator=None,
        )
        return
    account_id = "1234567_SB1"
    keys = [uuid.uuid4().hex + uuid.uuid4().hex for _ in range(4)]
    simulator = NetSuiteSimulator(account_id, *keys, reference_data=SAMPLE_REFERENCE_DATA)
    rest_url = simulator.start()
    try:
        yield NetSuiteTarget(rest_url, account_id, *keys, simulator=simulator)
    finally:
        simulator.stop()


@pytest.fixture
def netsuite(netsuite_target: NetSuiteTarget) -> Iterator[NetSuiteClient]:
    """The connector's own NetSuite client, pointed at the target."""
    client = netsuite_target.client()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def rest(netsuite_target: NetSuiteTarget) -> Iterator[Rest]:
    """Signed REST calls the connector's client does not make (PATCH, GET by internal id)."""
    from tests.contract.netsuite.money_records import Rest

    client = Rest(netsuite_target)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def records(netsuite_target: NetSuiteTarget) -> Iterator[Records]:
    """Signed create / PATCH / GET / SuiteQL calls for customers and items (entity_records.py)."""
    from tests.contract.netsuite.entity_records import Records

    client = Records(netsuite_target)
    try:
        yield client
    finally:
        client.close()

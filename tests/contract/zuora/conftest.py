"""Where the Zuora contract tests run: the sandbox's Zuora simulator, or a real Zuora tenant.

A real tenant is used when ZUORA_CONTRACT_BASE_URL, ZUORA_CONTRACT_CLIENT_ID, ZUORA_CONTRACT_CLIENT_SECRET and
ZUORA_CONTRACT_ACCOUNT_ID are set (docs/contract-tests.md). Writes are confined to that one designated test
account (and, on an Invoice Settlement tenant, to memos of that account).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from sandbox.zuora_simulator import ZuoraSimulator
from zuora_netsuite.adapters.zuora.client import ZuoraClient

REAL_TENANT_VARIABLES = (
    "ZUORA_CONTRACT_BASE_URL",
    "ZUORA_CONTRACT_CLIENT_ID",
    "ZUORA_CONTRACT_CLIENT_SECRET",
    "ZUORA_CONTRACT_ACCOUNT_ID",
)


@dataclass(frozen=True)
class ZuoraTarget:
    """A Zuora tenant to check: its endpoint, OAuth client and the one account the tests may write to."""

    base_url: str
    client_id: str
    client_secret: str
    test_account_id: str
    simulator: ZuoraSimulator | None  # None on a real tenant

    @property
    def is_real(self) -> bool:
        return self.simulator is None

    def client(self) -> ZuoraClient:
        return ZuoraClient(self.base_url, self.client_id, self.client_secret, max_attempts=3)


def real_tenant_configured() -> bool:
    return all(os.environ.get(name) for name in REAL_TENANT_VARIABLES)


@pytest.fixture(scope="session")
def zuora_target() -> Iterator[ZuoraTarget]:
    if real_tenant_configured():
        yield ZuoraTarget(
            base_url=os.environ["ZUORA_CONTRACT_BASE_URL"],
            client_id=os.environ["ZUORA_CONTRACT_CLIENT_ID"],
            client_secret=os.environ["ZUORA_CONTRACT_CLIENT_SECRET"],
            test_account_id=os.environ["ZUORA_CONTRACT_ACCOUNT_ID"],
            simulator=None,
        )
        return
    client_id, client_secret = str(uuid.uuid4()), "contract-secret-" + uuid.uuid4().hex
    simulator = ZuoraSimulator(client_id, client_secret)
    simulator.start()
    account_id = simulator.put(
        "Account",
        {"AccountNumber": "CONTRACT-1", "Name": "Contract Test Account", "Status": "Active", "Currency": "USD"},
    )
    # An active account has a bill-to and a sold-to contact (test_contacts_and_hierarchy.py)
    bill_to, sold_to = (
        simulator.put("Contact", {"AccountId": account_id, **contact})
        for contact in (
            {"FirstName": "Ada", "LastName": "Contract", "WorkEmail": "ada@example.com", "Country": "United States"},
            {"FirstName": "Bo", "LastName": "Contract", "City": "London", "Country": "United Kingdom"},
        )
    )
    simulator.edit("Account", account_id, BillToId=bill_to, SoldToId=sold_to, PaymentTerm="Net 30")
    try:
        yield ZuoraTarget(simulator.base_url, client_id, client_secret, account_id, simulator)
    finally:
        simulator.stop()


@pytest.fixture
def zuora(zuora_target: ZuoraTarget) -> Iterator[ZuoraClient]:
    """The connector's own Zuora client, pointed at the target."""
    client = zuora_target.client()
    try:
        yield client
    finally:
        client.close()

"""The Zuora simulator's two tenant profiles, through the connector's client: Invoice Settlement (the default) and a
legacy tenant (InvoicePayment through Actions, no memos, the Invoice Settlement resources answer 'not enabled')."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from sandbox.zuora_simulator import ZuoraSimulator
from zuora_netsuite.adapters.zuora.client import ZuoraClient
from zuora_netsuite.failures import ZuoraError


@pytest.fixture
def legacy() -> Iterator[tuple[ZuoraSimulator, ZuoraClient]]:
    client_id, secret = str(uuid.uuid4()), "secret-" + uuid.uuid4().hex
    with ZuoraSimulator(client_id, secret, invoice_settlement=False) as sim:
        client = ZuoraClient(sim.base_url, client_id, secret, max_attempts=1)
        yield sim, client
        client.close()


@pytest.fixture
def settlement() -> Iterator[tuple[ZuoraSimulator, ZuoraClient]]:
    client_id, secret = str(uuid.uuid4()), "secret-" + uuid.uuid4().hex
    with ZuoraSimulator(client_id, secret) as sim:
        client = ZuoraClient(sim.base_url, client_id, secret, max_attempts=1)
        yield sim, client
        client.close()


def test_a_legacy_tenant_serves_invoice_payments_through_zoql(legacy: tuple[ZuoraSimulator, ZuoraClient]) -> None:
    sim, client = legacy
    sim.put("InvoicePayment", {"Id": "ip1", "InvoiceId": "i1", "PaymentId": "p1", "Amount": 10})
    rows = list(client.query("select Id, Amount from InvoicePayment where PaymentId = 'p1'"))
    assert [row["Id"] for row in rows] == ["ip1"]


@pytest.mark.parametrize(
    "path",
    ["/object-query/credit-memos", "/v1/payments/p1/parts", "/v1/refunds/r1/parts", "/v1/credit-memos/cm1"],
)
def test_a_legacy_tenant_answers_that_invoice_settlement_is_not_enabled(
    legacy: tuple[ZuoraSimulator, ZuoraClient], path: str
) -> None:
    _, client = legacy
    with pytest.raises(ZuoraError, match="Invoice Settlement feature is not enabled") as refused:
        client.rest_get(path)
    assert refused.value.code.endswith("10")


def test_a_legacy_tenant_has_no_memo_objects_for_actions(legacy: tuple[ZuoraSimulator, ZuoraClient]) -> None:
    _, client = legacy
    with pytest.raises(ZuoraError, match="CreditMemo"):
        list(client.query("select Id from CreditMemo"))
    with pytest.raises(ZuoraError, match="not enabled"):
        client.update_memo("credit-memos", "cm1", {"transferredToAccounting": "Yes"})


def test_an_invoice_settlement_tenant_refuses_memo_updates_and_part_objects_through_actions(
    settlement: tuple[ZuoraSimulator, ZuoraClient],
) -> None:
    sim, client = settlement
    memo = sim.put("CreditMemo", {"MemoNumber": "CM1", "Status": "Posted", "TotalAmount": 5})
    with pytest.raises(ZuoraError, match="Invoice Settlement"):
        client.update("CreditMemo", [{"Id": memo, "IntegrationStatus__NS": "Sync Complete"}])
    with pytest.raises(ZuoraError, match="invalid object type"):
        list(client.query("select Id from PaymentPart"))
    # Object Query serves payments on both profiles; a wrong cursor is refused
    with pytest.raises(ZuoraError, match="cursor"):
        client.rest_get("/object-query/payments", [("cursor", "not-a-cursor")])

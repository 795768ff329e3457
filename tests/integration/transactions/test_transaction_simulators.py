"""The connector's own clients against the simulators: memo write-back by REST, NetSuite's transaction checks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from sandbox.netsuite_simulator import SAMPLE_REFERENCE_DATA, NetSuiteSimulator, closed_periods_before
from sandbox.zuora_simulator import ZuoraSimulator
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.adapters.zuora.client import ZuoraClient
from zuora_netsuite.failures import NetSuiteError
from zuora_netsuite.logic.writeback import update_zuora_objects

KEYS = ("ck", "cs", "tid", "ts")


@pytest.fixture
def zuora() -> Iterator[tuple[ZuoraSimulator, ZuoraClient]]:
    client_id = str(uuid.uuid4())  # Zuora's OAuth client ids are UUIDs
    sim = ZuoraSimulator(client_id, "secret")
    with sim:
        client = ZuoraClient(sim.base_url, client_id, "secret")
        yield sim, client
        client.close()


@pytest.fixture
def netsuite() -> Iterator[tuple[NetSuiteSimulator, NetSuiteClient]]:
    sim = NetSuiteSimulator(
        "1234567_SB1",
        *KEYS,
        reference_data=SAMPLE_REFERENCE_DATA,
        closed_period=closed_periods_before(date(2025, 1, 1)),
    )
    with sim as base_url:
        client = NetSuiteClient(base_url, "1234567_SB1", *KEYS, max_attempts=1)
        yield sim, client
        client.close()


def test_credit_memo_write_back_goes_through_the_bulk_memo_put(zuora: tuple[ZuoraSimulator, ZuoraClient]) -> None:
    # Given a credit memo in Zuora (which action/update refuses)
    sim, client = zuora
    memo_id = sim.put("CreditMemo", {"AccountId": "a1", "MemoNumber": "CM1", "Status": "Posted", "TotalAmount": 10})
    # When the connector writes its integration fields back
    [result] = update_zuora_objects(
        client, "CreditMemo", [{"Id": memo_id, "IntegrationStatus__NS": "Sync Complete", "IntegrationId__NS": "77"}]
    )
    # Then PUT /v1/credit-memos/bulk set them, with TransferredToAccounting = Yes
    assert result.success
    stored = sim.get("CreditMemo", memo_id) or {}
    assert (stored["IntegrationId__NS"], stored["TransferredToAccounting"]) == ("77", "Yes")
    assert ("PUT", "/v1/credit-memos/bulk", 200) in sim.request_log


def test_netsuite_refuses_to_apply_more_than_the_open_balance_and_closed_periods(
    netsuite: tuple[NetSuiteSimulator, NetSuiteClient],
) -> None:
    # Given a customer, an item and an invoice of 100.10 in NetSuite
    sim, client = netsuite
    sim.seed_record("customer", {"companyName": "Acme", "subsidiary": {"id": "1"}, "currency": {"id": "1"}}, "c1")
    sim.seed_record(
        "serviceSaleItem",
        {"itemId": "Pro", "incomeAccount": {"id": "54"}, "subsidiary": {"items": [{"id": "1"}]}},
        "i1",
    )
    line = {"item": {"externalId": "i1"}, "amount": Decimal("100.10")}
    invoice = {"entity": {"externalId": "c1"}, "currency": {"id": "1"}, "tranDate": date(2025, 3, 1)}
    invoice_id = client.upsert("invoice", "inv1", {**invoice, "item": {"items": [line]}})
    payment = {"customer": {"externalId": "c1"}, "currency": {"id": "1"}, "tranDate": date(2025, 3, 2)}
    # When a payment applies 60.05 and another one 40.06 (one cent more than what is left)
    client.upsert("customerPayment", "p1", {**payment, "payment": Decimal("60.05"),
                  "apply": {"items": [{"doc": {"id": invoice_id}, "amount": Decimal("60.05")}]}})  # fmt: skip
    with pytest.raises(NetSuiteError, match=r"open balance \(40\.05\)"):
        client.upsert("customerPayment", "p2", {**payment, "payment": Decimal("40.06"),
                      "apply": {"items": [{"doc": {"id": invoice_id}, "amount": Decimal("40.06")}]}})  # fmt: skip
    # And an invoice dated in a closed period is refused for good
    with pytest.raises(NetSuiteError, match="is closed") as closed:
        client.upsert("invoice", "inv2", {**invoice, "tranDate": date(2024, 12, 31), "item": {"items": [line]}})
    assert not closed.value.is_transient
    # Then the invoice's total is exact, as the connector sent it
    assert sim.get_by_external_id("invoice", "inv1")["total"] == 100.1  # type: ignore[index]

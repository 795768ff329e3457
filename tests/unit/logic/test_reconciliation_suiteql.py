"""Reconciliation's NetSuite side: only the connector's transactions, ordered by id, paged by key.

A SuiteQL query returns at most 100,000 results and offset paging is stable only with a unique ORDER BY
(Oracle NetSuite help, "Executing SuiteQL Queries Through REST Web Services",
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_157909186990.html).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from sandbox.netsuite_suiteql import parse
from tests.fakes import FakeZuora
from zuora_netsuite.logic.reconciliation import reconcile
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.settings import SyncConfig


class SuiteQLTables:
    """NetSuite's SuiteQL over in-memory tables (the simulator's engine), recording every query."""

    def __init__(self, tables: dict[str, list[dict[str, str]]]) -> None:
        self.tables = tables
        self.queries: list[str] = []

    def upsert(self, record_type: str, external_id: str, body: Any) -> str:
        raise AssertionError("reconciliation never writes")

    def get_by_external_id(self, record_type: str, external_id: str) -> dict[str, Any] | None:
        raise AssertionError("reconciliation reads through SuiteQL only")

    def suiteql(self, query: str) -> Iterator[dict[str, Any]]:
        self.queries.append(query)
        parsed = parse(query)
        return iter(parsed.run(self.tables.get(parsed.table, [])))


def transaction(internal_id: int, external_id: str, kind: str, total: str) -> dict[str, str]:
    return {"id": str(internal_id), "externalid": external_id, "type": kind, "foreigntotal": total, "currency": "1"}


def test_reconciliation_reads_only_the_connectors_transactions_in_id_order():
    # Given one posted Zuora invoice, synced, and a NetSuite account holding it among others' transactions
    zuora = FakeZuora(
        {
            "Account": [{"Id": "A1", "Currency": "USD"}],
            "Invoice": [
                {
                    "Id": "I1",
                    "AccountId": "A1",
                    "Amount": "120.50",
                    "InvoiceNumber": "INV-1",
                    "Status": "Posted",
                    "InvoiceDate": "2026-01-05",
                    "TransferredToAccounting": "Yes",
                    "IntegrationId__NS": "305",
                }
            ],
        }
    )
    netsuite = SuiteQLTables(
        {
            "currency": [{"id": "1", "symbol": "USD"}],
            "transaction": [
                transaction(301, "shopify-order-77", "CustInvc", "999.00"),
                transaction(302, "zuora-invoice-OLD", "Journal", "5.00"),
                transaction(305, "zuora-invoice-I1", "CustInvc", "120.50"),
            ],
        }
    )
    config = SyncConfig(enabled_types=frozenset({RecordType.CUSTOMER, RecordType.ITEM, RecordType.INVOICE}))
    # When Zuora and NetSuite are reconciled
    result = reconcile(zuora, netsuite, config)
    # Then the invoice balances, and nothing of other integrations or other record types was counted
    assert result.balanced
    [line] = result.lines
    assert (line.zuora_count, line.netsuite_count, line.netsuite_total) == (1, 1, Decimal("120.50"))
    # and every SuiteQL query was ordered by id; the transaction scan filtered to the connector's ids and types
    assert all(query.endswith("ORDER BY id") for query in netsuite.queries)
    [scan] = [q for q in netsuite.queries if "FROM transaction" in q]
    assert "externalid LIKE 'zuora-%'" in scan
    assert "type IN ('CustCred', 'CustInvc', 'CustPymt', 'CustRfnd')" in scan

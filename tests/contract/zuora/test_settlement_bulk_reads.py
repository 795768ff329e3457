"""Object Query reads of many memos and refunds in one call, instead of one REST GET per record.

Pages:
- https://developer.zuora.com/v1-api-reference/api/operation/queryCreditMemos/ : filterable `id`, expandable
  `creditmemoapplications`; the answer's schema (ExpandedCreditMemo in Zuora's OpenAPI description, as the generated
  zuora-sdk has it) has `transferredToAccounting`, `reasonCode` and the custom fields at the top level.
- https://developer.zuora.com/docs/guides/expand-filter-fields-sort/ : expanded lists are truncated at `pageSize`
  (at most 99 rows a record can be read this way).
- https://developer.zuora.com/v1-api-reference/api/operation/queryRefundApplications/ : filterable `refundid`; an
  application names `refundId`, `paymentId` or `creditMemoId`, and `applyAmount`.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.contract.zuora.conftest import ZuoraTarget
from tests.contract.zuora.settlement_data import SettlementRecords, rest, settlement_records
from zuora_netsuite.adapters.zuora.client import ZuoraClient

MISSING = "8a8aa0f98fffffff0190000000000002"


@pytest.fixture
def records(zuora_target: ZuoraTarget, zuora: ZuoraClient) -> SettlementRecords:
    return settlement_records(zuora_target, zuora)


def _by_document(rows: list[dict[str, object]], amount_field: str, *targets: str) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for row in rows:
        target = next((str(row[t]) for t in targets if row.get(t)), None)
        if target is not None:
            totals[target] = totals.get(target, Decimal(0)) + Decimal(str(row[amount_field]))
    return totals


def test_given_credit_memos_listed_by_id_with_applications_expanded_then_they_match_each_memos_rest_reads(
    zuora_target: ZuoraTarget, zuora: ZuoraClient, records: SettlementRecords
) -> None:
    memo_path = f"/v1/credit-memos/{records.credit_memo_id}"
    before = rest(zuora_target, "GET", memo_path).json()
    zuora.update_memos("credit-memos", [{"id": records.credit_memo_id, "transferredToAccounting": "Processing"}])
    try:
        # When the credit memo and an id that does not exist are read in one Object Query, applications expanded
        params = [("filter[]", f"id.IN:[{records.credit_memo_id},{MISSING}]"), ("expand[]", "creditmemoapplications"),
                  ("pageSize", "99")]  # fmt: skip
        answer = rest(zuora_target, "GET", "/object-query/credit-memos", params=params)
        assert answer.status_code == 200
        [row] = answer.json()["data"]  # Then only the memo that exists is listed
        rest_memo = rest(zuora_target, "GET", memo_path).json()
        # And it carries what the REST resource says, transfer status and custom fields included
        assert row["id"] == records.credit_memo_id
        assert row["memoNumber"] == rest_memo["number"]
        assert Decimal(str(row["totalAmount"])) == Decimal(str(rest_memo["amount"]))
        assert row["transferredToAccounting"] == rest_memo["transferredToAccounting"] == "Processing"
        assert row.get("IntegrationStatus__NS") == rest_memo.get("IntegrationStatus__NS")
        # And the listing's fields[] may name the transfer status (the dispatcher lists pending memos so)
        fields = [
            ("filter[]", f"id.EQ:{records.credit_memo_id}"),
            ("fields[]", "id,updatedDate,transferredToAccounting"),
        ]
        [listed] = rest(zuora_target, "GET", "/object-query/credit-memos", params=fields).json()["data"]
        assert listed["transferredToAccounting"] == "Processing"
        # And its applications add up, per invoice or debit memo, to the applied parts of GET .../parts
        applications = row["creditMemoApplications"]
        assert all(a["creditMemoId"] == records.credit_memo_id for a in applications)
        parts = rest(zuora_target, "GET", f"{memo_path}/parts").json()["parts"]
        assert _by_document(applications, "amount", "invoiceId", "debitMemoId") == _by_document(
            parts, "amount", "invoiceId", "debitMemoId"
        )
    finally:
        transfer = before.get("transferredToAccounting") or "No"
        zuora.update_memos("credit-memos", [{"id": records.credit_memo_id, "transferredToAccounting": transfer}])


def test_given_a_refund_when_its_applications_are_listed_by_refund_id_then_they_match_its_parts(
    zuora_target: ZuoraTarget, records: SettlementRecords
) -> None:
    # When the applications of the refund and of an id that does not exist are listed in one IN filter
    params = [("filter[]", f"refundid.IN:[{records.refund_id},{MISSING}]"),
              ("fields[]", "id,refundId,paymentId,creditMemoId,applyAmount"), ("pageSize", "99")]  # fmt: skip
    answer = rest(zuora_target, "GET", "/object-query/refund-applications", params=params)
    assert answer.status_code == 200
    rows = answer.json()["data"]
    # Then each names the refund and the payment or credit memo it draws from
    assert rows
    assert all(row["refundId"] == records.refund_id for row in rows)
    assert all(row.get("paymentId") or row.get("creditMemoId") for row in rows)
    # And per source they add up to GET /v1/refunds/{key}/parts
    parts = rest(zuora_target, "GET", f"/v1/refunds/{records.refund_id}/parts").json()["parts"]
    assert _by_document(rows, "applyAmount", "paymentId", "creditMemoId") == _by_document(
        parts, "amount", "paymentId", "creditMemoId"
    )

"""Invoice Settlement: credit and debit memos updated in bulk, 50 memos a request, each memo on its own
("Update credit memos" / "Update debit memos": PUT /v1/credit-memos/bulk, PUT /v1/debit-memos/bulk).

https://developer.zuora.com/v1-api-reference/api/operation/PUT_UpdateCreditMemos/
https://developer.zuora.com/v1-api-reference/api/operation/PUT_UpdateDebitMemos/
"You can update a maximum of 50 credit memos in one single request ... The credit memos that are updated are each in
separate database transactions. If the update of one credit memo fails, other credit memos can still be updated
successfully." Body `{"memos": [{"id", ...}]}`; answer `{"memos": [...], "success": true}` with the memo (`success:
true`) or `{id, objectIndex, reasons, success: false}` per memo. The NetSuite package fields (IntegrationId__NS,
IntegrationStatus__NS, SyncDate__NS) and transferredToAccounting are among the updatable fields (the request schema).

Needs a tenant with Invoice Settlement and the test account's memos of tests/contract/zuora/settlement_data.py.
"""

from __future__ import annotations

import pytest

from tests.contract.zuora.conftest import ZuoraTarget
from tests.contract.zuora.settlement_data import SettlementRecords, rest, settlement_records
from zuora_netsuite.adapters.zuora.client import ZuoraClient

UNKNOWN_MEMO = "8a8aa0f98fffffff0190000000000000"


@pytest.fixture
def records(zuora_target: ZuoraTarget, zuora: ZuoraClient) -> SettlementRecords:
    return settlement_records(zuora_target, zuora)


def test_given_a_credit_memo_and_an_unknown_memo_when_put_in_bulk_then_the_memo_is_updated_and_the_other_fails_alone(
    zuora_target: ZuoraTarget, records: SettlementRecords
) -> None:
    path = f"/v1/credit-memos/{records.credit_memo_id}"
    before = rest(zuora_target, "GET", path).json()
    # When one bulk request carries the credit memo's integration fields and a memo that does not exist
    memos = [
        {"id": records.credit_memo_id, "transferredToAccounting": "Processing",
         "IntegrationStatus__NS": "Updating Credit Memo"},
        {"id": UNKNOWN_MEMO, "IntegrationStatus__NS": "Updating Credit Memo"},
    ]  # fmt: skip
    answer = rest(zuora_target, "PUT", "/v1/credit-memos/bulk", json={"memos": memos})
    body = answer.json()
    try:
        # Then the request succeeds as a whole, with one entry per memo
        assert answer.status_code == 200
        assert body["success"] is True
        assert len(body["memos"]) == 2
        updated = next(m for m in body["memos"] if m.get("id") == records.credit_memo_id)
        failed = next(m for m in body["memos"] if m.get("success") is False)
        # And the credit memo was updated (read back)
        assert updated["success"] is True
        after = rest(zuora_target, "GET", path).json()
        assert after["transferredToAccounting"] == "Processing"
        assert after["IntegrationStatus__NS"] == "Updating Credit Memo"
        # And the unknown memo failed on its own, with its position and a reason
        assert failed["objectIndex"] == 1
        assert failed["reasons"]
        assert failed["reasons"][0]["code"]
    finally:  # the values are put back as they were
        restore = {"id": records.credit_memo_id,
                   "transferredToAccounting": before.get("transferredToAccounting") or "No",
                   "IntegrationStatus__NS": before.get("IntegrationStatus__NS") or ""}  # fmt: skip
        rest(zuora_target, "PUT", "/v1/credit-memos/bulk", json={"memos": [restore]})


def test_given_a_debit_memo_when_the_client_writes_it_back_in_bulk_then_a_read_returns_the_fields(
    zuora_target: ZuoraTarget, zuora: ZuoraClient, records: SettlementRecords
) -> None:
    path = f"/v1/debit-memos/{records.debit_memo_id}"
    before = rest(zuora_target, "GET", path).json()
    # When the connector's client writes the debit memo's status through the bulk PUT
    memo = {"id": records.debit_memo_id, "transferredToAccounting": "Processing",
            "IntegrationStatus__NS": "Creating Debit Memo"}  # fmt: skip
    try:
        results = zuora.update_memos("debit-memos", [memo])
        # Then its one result is a success and the memo carries the fields
        assert [(r.id, r.success) for r in results] == [(records.debit_memo_id, True)]
        after = rest(zuora_target, "GET", path).json()
        assert after["transferredToAccounting"] == "Processing"
        assert after["IntegrationStatus__NS"] == "Creating Debit Memo"
    finally:
        zuora.update_memos(
            "debit-memos",
            [{"id": records.debit_memo_id, "transferredToAccounting": before.get("transferredToAccounting") or "No",
              "IntegrationStatus__NS": before.get("IntegrationStatus__NS")}],
        )  # fmt: skip


def test_given_51_memos_when_put_in_bulk_then_the_request_is_refused_and_nothing_changes(
    zuora_target: ZuoraTarget, records: SettlementRecords
) -> None:
    """The page allows at most 50 memos a request; what Zuora answers above that is not stated: a 4xx with
    `success: false` and no memo updated, the stricter reading (docs/contract-tests.md)."""
    path = f"/v1/credit-memos/{records.credit_memo_id}"
    before = rest(zuora_target, "GET", path).json()
    memos = [{"id": records.credit_memo_id, "IntegrationStatus__NS": "Error Updating Credit Memo"}]
    memos += [{"id": f"{UNKNOWN_MEMO[:-2]}{n:02d}"} for n in range(50)]
    answer = rest(zuora_target, "PUT", "/v1/credit-memos/bulk", json={"memos": memos})
    assert 400 <= answer.status_code < 500
    assert answer.json()["success"] is False
    assert rest(zuora_target, "GET", path).json().get("IntegrationStatus__NS") == before.get("IntegrationStatus__NS")

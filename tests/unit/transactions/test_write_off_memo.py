"""A write-off credit memo (issue 13): Zuora creates it applied to the written-off invoice, reason code "Write-off"
(https://developer.zuora.com/v1-api-reference/api/operation/PUT_WriteOffInvoice). With `after_sync.write_off_item_id`
its charge lines go to that (bad-debt) item instead of the charges' revenue items; other memos are untouched."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.transactions.conftest import Ledger
from tests.unit.transactions.test_invoice_sync import sync
from tests.unit.transactions.test_payment_and_memo_sync import FIRST, MEMO_ID, credit_memo, memo_item
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import SyncOutcome
from zuora_netsuite.settings import AfterSyncConfig

BAD_DEBT_ITEM = "777"


def _synced_memo(ledger: Ledger, reason_code: str) -> dict[str, Any]:
    # Given an invoice of 100 written off in Zuora: a credit memo of 100 applied to it, with its reason code
    ledger.add_invoice(FIRST, amounts=(100,), Amount=100)
    ledger.zuora.put("CreditMemo", credit_memo(ReferredInvoiceId=FIRST, AppliedAmount=100, TotalAmount=100,
                                               ReasonCode=reason_code))  # fmt: skip
    ledger.zuora.put("CreditMemoItem", memo_item("CreditMemo", MEMO_ID, 100))
    ledger.zuora.put("CreditMemoPart", {"Id": "cp1", "CreditMemoId": MEMO_ID, "InvoiceId": FIRST, "Amount": 100})
    # When the credit memo syncs
    assert sync(ledger, RecordType.CREDIT_MEMO, MEMO_ID) is SyncOutcome.SYNCED
    record_type, _, body = ledger.netsuite.writes[-1]
    assert record_type == "creditMemo"
    memo: dict[str, Any] = body
    return memo


@pytest.mark.parametrize("reason_code", ["Write-off", "write-off"])
def test_with_a_bad_debt_item_a_write_off_memo_goes_to_it_and_still_closes_the_invoice(
    ledger: Ledger, reason_code: str
) -> None:
    ledger.config = ledger.config.model_copy(update={"after_sync": AfterSyncConfig(write_off_item_id=BAD_DEBT_ITEM)})
    body = _synced_memo(ledger, reason_code)
    # Then its line is on the bad-debt item, for the whole amount, and it is applied to the invoice in full
    assert [(line["item"], line["amount"]) for line in body["item"]["items"]] == [({"id": BAD_DEBT_ITEM}, 100)]
    invoice_id = ledger.netsuite.records["invoice"][f"zuora-invoice-{FIRST}"]["id"]
    assert body["apply"]["items"] == [{"doc": {"id": invoice_id}, "apply": True, "amount": 100}]


def test_other_credit_memos_and_unconfigured_write_offs_keep_the_charges_items(ledger: Ledger) -> None:
    # Given a bad-debt item configured, a credit memo with another reason code stays on the charge's item
    ledger.config = ledger.config.model_copy(update={"after_sync": AfterSyncConfig(write_off_item_id=BAD_DEBT_ITEM)})
    body = _synced_memo(ledger, "Correcting invoice error")
    assert [line["item"] for line in body["item"]["items"]] != [{"id": BAD_DEBT_ITEM}]
    assert body["item"]["items"][0]["item"]["externalId"].startswith("zuora-charge-")


def test_without_a_bad_debt_item_a_write_off_memo_keeps_the_charges_items(ledger: Ledger) -> None:
    body = _synced_memo(ledger, "Write-off")
    assert body["item"]["items"][0]["item"]["externalId"].startswith("zuora-charge-")

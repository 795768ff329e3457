"""Credit and debit memos and refunds read from Zuora in bulk (Object Query, 50 records a request), never one REST
GET per record: memos with their applications expanded, refunds' sources from their applications; a credit memo
whose expanded applications may be truncated falls back to its `/parts`."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import cast

from tests.unit.transactions.conftest import ACCOUNT_ID, PAYMENT_ID, STAMP, Ledger, payment
from tests.unit.transactions.test_payment_and_memo_sync import credit_memo, memo_item
from zuora_netsuite.mapping import mappings_for
from zuora_netsuite.mapping.transaction import TransactionSource
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.settings import ZuoraTenant

SINCE = datetime(2026, 1, 1, tzinfo=UTC)


def _memo_id(n: int) -> str:
    return f"{n:032x}"


def _invoice_id(n: int) -> str:
    return f"e{n:031x}"


def test_sixty_pending_credit_memos_are_listed_and_read_in_a_few_object_queries_with_their_applications(
    ledger: Ledger,
) -> None:
    # Given 60 posted credit memos, each applied 10 to one invoice and 5 to another (in two applications)
    for n in range(60):
        ledger.zuora.put("CreditMemo", credit_memo(Id=_memo_id(n), MemoNumber=f"CM{n:05d}"))
        ledger.zuora.put("CreditMemoItem", memo_item("CreditMemo", _memo_id(n), 30))
        for part, (invoice, amount) in enumerate([(1, 10), (2, 3), (2, 2)]):
            ledger.zuora.put(
                "CreditMemoPart",
                {"Id": f"{_memo_id(n)[2:]}p{part}", "CreditMemoId": _memo_id(n), "InvoiceId": _invoice_id(invoice),
                 "Amount": amount, **STAMP},
            )  # fmt: skip
    mapping = mappings_for(ZuoraTenant())[RecordType.CREDIT_MEMO]
    # When the dispatcher lists the pending ones and reads them
    pending = [str(row["Id"]) for row in mapping.pending(ledger.zuora, SINCE)]
    sources = mapping.fetch(ledger.zuora, pending)
    # Then all 60 were found and read without a single REST GET of a memo or of its parts
    assert len(pending) == 60
    assert len(sources) == 60
    assert not [path for path in ledger.zuora.gets if path.startswith("/v1/")]
    assert ledger.zuora.gets.count("/object-query/credit-memos") == 1 + 2  # the listing; 60 ids in two IN lists
    # And each memo applies 10 to the first invoice and 5 (3 + 2) to the second
    memo = cast(TransactionSource, sources[_memo_id(7)])
    assert {a.invoice_id: a.amount for a in memo.applications} == {_invoice_id(1): 10, _invoice_id(2): 5}
    assert memo.record.integration_status is None


def test_a_credit_memo_with_99_applications_or_more_is_read_from_its_parts(ledger: Ledger) -> None:
    # Given a credit memo applied to 120 invoices (more than an expanded list shows)
    ledger.zuora.put("CreditMemo", credit_memo(TotalAmount=120))
    memo_id = str(credit_memo()["Id"])
    for n in range(120):
        ledger.zuora.put(
            "CreditMemoPart",
            {"Id": f"p{n:031x}", "CreditMemoId": memo_id, "InvoiceId": _invoice_id(n), "Amount": 1, **STAMP},
        )
    # When it is read
    source = cast(
        TransactionSource, mappings_for(ZuoraTenant())[RecordType.CREDIT_MEMO].fetch(ledger.zuora, [memo_id])[memo_id]
    )
    # Then every one of its 120 applications is there, from GET /v1/credit-memos/{id}/parts
    assert len(source.applications) == 120
    assert f"/v1/credit-memos/{memo_id}/parts" in ledger.zuora.gets


def test_refunds_draw_from_their_applications_read_for_many_refunds_at_once(ledger: Ledger) -> None:
    # Given a payment and a credit memo, and three refunds: of the payment, of the memo, and of both
    ledger.zuora.put("Payment", payment(Amount=Decimal("100")))
    ledger.zuora.put("CreditMemo", credit_memo())
    memo_id = str(credit_memo()["Id"])
    refunds = {name: f"{n}" * 32 for n, name in ((7, "payment"), (8, "memo"), (9, "both"))}
    drawn = {"payment": [("PaymentId", PAYMENT_ID, 10)], "memo": [("CreditMemoId", memo_id, 4)],
             "both": [("PaymentId", PAYMENT_ID, 6), ("CreditMemoId", memo_id, 5)]}  # fmt: skip
    for name, refund_id in refunds.items():
        total = sum(amount for _, _, amount in drawn[name])
        ledger.zuora.put(
            "Refund",
            {"Id": refund_id, "AccountId": ACCOUNT_ID, "RefundNumber": f"R-{name}", "RefundDate": "2026-11-12",
             "Status": "Processed", "Type": "External", "Amount": total, **STAMP},
        )  # fmt: skip
        for n, (field, source_id, amount) in enumerate(drawn[name]):
            ledger.zuora.put(
                "RefundPart",
                {"Id": f"{refund_id[:-1]}{n}", "RefundId": refund_id, field: source_id, "Amount": amount, **STAMP},
            )
    # When the three refunds are read
    sources = mappings_for(ZuoraTenant())[RecordType.REFUND].fetch(ledger.zuora, list(refunds.values()))
    # Then each draws from what its applications name, with the credit memo's number, in bulk reads only
    both = cast(TransactionSource, sources[refunds["both"]])
    assert sorted(both.refund_sources) == sorted(
        [(RecordType.PAYMENT, PAYMENT_ID, Decimal(6)), (RecordType.CREDIT_MEMO, memo_id, Decimal(5))]
    )
    assert cast(TransactionSource, sources[refunds["memo"]]).refund_sources == (
        (RecordType.CREDIT_MEMO, memo_id, Decimal(4)),
    )
    assert both.invoice_numbers[memo_id] == "CM00001"
    assert ledger.zuora.gets.count("/object-query/refund-applications") == 1
    assert not [path for path in ledger.zuora.gets if path.startswith(("/v1/refunds/", "/v1/credit-memos/"))]

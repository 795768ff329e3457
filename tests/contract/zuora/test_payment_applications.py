"""Object Query's payment applications: what payments were applied to, for many payments in one call.

Page: https://developer.zuora.com/v1-api-reference/api/operation/queryPaymentApplications (filterable: id,
updateddate, effectivedate, accountid, paymentid, applicationgroupid; pageSize 1..99). Field names of an
application (`paymentId`, `invoiceId`, `debitMemoId`, `applyAmount`) as the Payment Application data source names
them; the most values an `IN` list takes is not documented: the simulator takes 50 (docs/contract-tests.md).
"""

from __future__ import annotations

from decimal import Decimal

from tests.contract.zuora.conftest import ZuoraTarget
from tests.contract.zuora.settlement_data import SettlementRecords, rest, settlement_records
from zuora_netsuite.adapters.zuora.client import ZuoraClient


def applications(target: ZuoraTarget, payment_filter: str) -> tuple[int, dict[str, object]]:
    params = [
        ("filter[]", payment_filter),
        ("fields[]", "id,paymentId,invoiceId,debitMemoId,applyAmount"),
        ("pageSize", "99"),
    ]
    response = rest(target, "GET", "/object-query/payment-applications", params=params)
    return response.status_code, response.json()


def test_given_an_applied_payment_when_its_applications_are_listed_by_payment_id_then_they_match_its_parts(
    zuora_target: ZuoraTarget, zuora: ZuoraClient
) -> None:
    records: SettlementRecords = settlement_records(zuora_target, zuora)
    # When the applications of the payment and of an id that does not exist are listed in one IN filter
    status, body = applications(zuora_target, f"paymentid.IN:[{records.payment_id},NOSUCHPAYMENT]")
    # Then each names the payment and an invoice or debit memo, and per document they add up to its parts
    assert status == 200
    rows = body["data"]
    assert isinstance(rows, list)
    assert rows
    assert all(row["paymentId"] == records.payment_id for row in rows)
    assert all(row.get("invoiceId") or row.get("debitMemoId") for row in rows)
    listed: dict[str, Decimal] = {}
    for row in rows:
        target = str(row.get("invoiceId") or row.get("debitMemoId"))
        listed[target] = listed.get(target, Decimal(0)) + Decimal(str(row["applyAmount"]))
    parts = rest(zuora_target, "GET", f"/v1/payments/{records.payment_id}/parts").json()["parts"]
    expected = {
        str(part.get("invoiceId") or part.get("debitMemoId")): Decimal(str(part["amount"]))
        for part in parts
        if part.get("invoiceId") or part.get("debitMemoId")
    }
    assert listed == expected


def test_given_a_field_that_is_not_filterable_when_listing_payment_applications_then_zuora_answers_400(
    zuora_target: ZuoraTarget,
) -> None:
    """Only the listed fields filter; invoiceid is not one of them."""
    status, body = applications(zuora_target, "invoiceid.EQ:anything")
    assert status == 400
    assert body.get("reasons")

"""Invoice Settlement: Actions refuse memo objects; credit and debit memos, their items and parts, payment and refund
parts are REST resources in Zuora's shapes (camelCase, `success: true`, custom fields at the top level by API name).

Needs a tenant with Invoice Settlement and the test account's records of tests/contract/zuora/settlement_data.py.
"""

from __future__ import annotations

import pytest

from tests.contract.zuora.conftest import ZuoraTarget
from tests.contract.zuora.settlement_data import SettlementRecords, rest, settlement_records
from zuora_netsuite.adapters.zuora.client import ZuoraClient
from zuora_netsuite.failures import ZuoraError


@pytest.fixture
def records(zuora_target: ZuoraTarget, zuora: ZuoraClient) -> SettlementRecords:
    return settlement_records(zuora_target, zuora)


@pytest.mark.parametrize("zuora_object", ["CreditMemo", "DebitMemo", "CreditMemoItem", "InvoicePayment"])
def test_given_invoice_settlement_when_actions_query_a_memo_or_invoice_payment_object_then_zuora_refuses(
    zuora: ZuoraClient, zuora_object: str
) -> None:
    """https://docs.zuora.com/en/zuora-billing/bill-your-customer/invoice-settlement/get-started-with-invoice-settlement/known-limitations-in-invoice-settlement/invoice-settlement-api-impacts
    : with Invoice Settlement, Actions (query, queryMore, update...) are deprecated for credit and debit memo objects,
    and InvoicePayment / RefundInvoicePayment are legacy. The page gives no error text: the simulator answers an
    error (never an empty list), the stricter reading."""
    # When a ZOQL query asks for the object, then Zuora answers an error, not an empty page
    with pytest.raises(ZuoraError) as refused:
        list(zuora.query(f"select Id from {zuora_object}"))  # noqa: S608
    assert refused.value.http_status is not None
    assert 400 <= refused.value.http_status < 500


def test_given_a_credit_memo_when_read_by_id_or_number_then_its_rest_shape_has_custom_fields_at_the_top_level(
    zuora_target: ZuoraTarget, records: SettlementRecords
) -> None:
    """https://developer.zuora.com/v1-api-reference/api/operation/GET_CreditMemo/ : GET /v1/credit-memos/{creditMemoKey}
    (ID or number) answers camelCase fields (number, accountId, amount, taxAmount, status, referredInvoiceId,
    transferredToAccounting, updatedDate 'YYYY-MM-DD HH:MM:SS'), `success: true`, custom fields by API name."""
    # When the credit memo is read by its id and by its number
    by_id = rest(zuora_target, "GET", f"/v1/credit-memos/{records.credit_memo_id}")
    by_number = rest(zuora_target, "GET", f"/v1/credit-memos/{records.credit_memo_number}")
    # Then both answer the same memo in Zuora's shape
    assert by_id.status_code == 200
    body = by_id.json()
    assert body["success"] is True
    assert body["id"] == records.credit_memo_id == by_number.json()["id"]
    assert body["number"] == records.credit_memo_number
    assert body["accountId"] == records.account_id
    assert body["status"] == "Posted"
    for name in ("amount", "taxAmount", "appliedAmount", "referredInvoiceId", "transferredToAccounting", "updatedDate"):
        assert name in body
    assert len(body["updatedDate"]) == len("2017-03-01 10:08:43")
    # And the connector package's custom fields come at the top level by API name
    assert "IntegrationStatus__NS" in body
    assert "customFields" not in body


def test_given_a_debit_memo_when_read_then_it_answers_in_zuoras_shape(
    zuora_target: ZuoraTarget, records: SettlementRecords
) -> None:
    """https://developer.zuora.com/v1-api-reference/api/operation/GET_DebitMemo/ :
    GET /v1/debit-memos/{debitMemoKey}."""
    body = rest(zuora_target, "GET", f"/v1/debit-memos/{records.debit_memo_id}").json()
    assert body["success"] is True
    assert body["id"] == records.debit_memo_id
    assert {"number", "accountId", "amount", "status", "transferredToAccounting"} <= set(body)


def test_given_an_unknown_memo_key_when_read_then_zuora_answers_its_error_format(zuora_target: ZuoraTarget) -> None:
    """https://developer.zuora.com/docs/guides/error-handling/ : `success: false` with `reasons[{code, message}]`,
    the code 8 digits (category 40: object not found)."""
    response = rest(zuora_target, "GET", "/v1/credit-memos/" + "0" * 32)
    body = response.json()
    assert body["success"] is False
    code = str(body["reasons"][0]["code"])
    assert len(code) == 8
    assert code.endswith("40")
    assert body["reasons"][0]["message"]


def test_given_a_credit_memo_with_two_items_when_its_items_are_paged_by_one_then_next_page_leads_to_the_second(
    zuora_target: ZuoraTarget, zuora: ZuoraClient, records: SettlementRecords
) -> None:
    """https://developer.zuora.com/v1-api-reference/api/operation/GET_CreditMemoItems/ and
    https://developer.zuora.com/docs/guides/pagination/ : `pageSize` (at most 40), `nextPage` while rows remain."""
    # When the items are asked one a page
    first = rest(zuora_target, "GET", f"/v1/credit-memos/{records.credit_memo_id}/items", params={"pageSize": 1})
    body = first.json()
    # Then one item comes with a nextPage, and following it (as the client does) yields every item
    assert body["success"] is True
    assert len(body["items"]) == 1
    assert body["nextPage"]
    items = list(zuora.rest_get_pages(f"/v1/credit-memos/{records.credit_memo_id}/items", "items", page_size=1))
    assert len(items) >= 2
    assert len({item["id"] for item in items}) == len(items)


def test_given_a_partly_applied_credit_memo_when_its_parts_are_read_then_they_name_the_invoice_and_the_amounts(
    zuora_target: ZuoraTarget, records: SettlementRecords
) -> None:
    """https://developer.zuora.com/v1-api-reference/api/operation/GET_CreditMemoParts/ : parts applied to invoices or
    debit memos (invoiceId / debitMemoId, amount) and an unapplied part (both null)."""
    body = rest(zuora_target, "GET", f"/v1/credit-memos/{records.credit_memo_id}/parts").json()
    assert body["success"] is True
    applied = [part for part in body["parts"] if part.get("invoiceId") == records.invoice_id]
    assert applied
    assert all(part["amount"] > 0 for part in body["parts"])
    assert all({"id", "amount", "invoiceId", "debitMemoId"} <= set(part) for part in body["parts"])


def test_given_an_applied_payment_when_its_parts_are_read_then_each_part_names_an_invoice_or_debit_memo(
    zuora_target: ZuoraTarget, records: SettlementRecords
) -> None:
    """https://developer.zuora.com/v1-api-reference/api/operation/GET_PaymentParts/ :
    GET /v1/payments/{paymentKey}/parts."""
    body = rest(zuora_target, "GET", f"/v1/payments/{records.payment_id}/parts").json()
    assert body["success"] is True
    assert body["parts"]
    assert all({"id", "amount", "invoiceId", "debitMemoId"} <= set(part) for part in body["parts"])
    assert any(part["invoiceId"] or part["debitMemoId"] for part in body["parts"])


def test_given_a_refund_when_its_parts_are_read_then_each_part_names_its_payment_or_credit_memo(
    zuora_target: ZuoraTarget, records: SettlementRecords
) -> None:
    """https://developer.zuora.com/v1-api-reference/api/operation/GET_RefundParts/ : GET /v1/refunds/{refundKey}/parts
    (paymentId or creditMemoId, amount)."""
    body = rest(zuora_target, "GET", f"/v1/refunds/{records.refund_id}/parts").json()
    assert body["success"] is True
    assert body["parts"]
    assert all(part.get("paymentId") or part.get("creditMemoId") for part in body["parts"])


def test_given_a_credit_memo_when_its_transfer_status_and_integration_fields_are_put_then_a_read_returns_them(
    zuora_target: ZuoraTarget, zuora: ZuoraClient, records: SettlementRecords
) -> None:
    """https://developer.zuora.com/v1-api-reference/api/operation/PUT_UpdateCreditMemo/ : transferredToAccounting
    (Processing, Yes, No, Error, Ignore) and the NetSuite package fields (IntegrationStatus__NS...) are updatable."""
    path = f"/v1/credit-memos/{records.credit_memo_id}"
    before = rest(zuora_target, "GET", path).json()
    # When the connector's client sets them through PUT
    fields = {"transferredToAccounting": "Processing", "IntegrationStatus__NS": "Creating Credit Memo"}
    zuora.update_memo("credit-memos", records.credit_memo_id, fields)
    after = rest(zuora_target, "GET", path).json()
    # Then the memo carries them
    assert after["transferredToAccounting"] == "Processing"
    assert after["IntegrationStatus__NS"] == "Creating Credit Memo"
    # And an invalid transfer status is refused
    refused = rest(zuora_target, "PUT", path, json={"transferredToAccounting": "Maybe"}).json()
    assert refused["success"] is False
    # (the values are put back as they were)
    zuora.update_memo(
        "credit-memos",
        records.credit_memo_id,
        {"transferredToAccounting": before.get("transferredToAccounting") or "No",
         "IntegrationStatus__NS": before.get("IntegrationStatus__NS") or ""},
    )  # fmt: skip

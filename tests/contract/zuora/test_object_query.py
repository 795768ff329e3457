"""Object Query: `GET /object-query/{resource}` with filter[] (ANDed), fields[], sort[], pageSize 1..99 and cursor
paging, field names in camelCase, Zuora's error format for what it refuses.

Pages: https://developer.zuora.com/docs/guides/expand-filter-fields-sort/ (operators, AND, no OR, `EQ:null`,
YYYY-MM-DD dates without quotes), https://developer.zuora.com/docs/guides/pagination/ (pageSize at most 99, nextPage
absent on the last page), https://developer.zuora.com/v1-api-reference/api/operation/queryCreditMemos/ (the
filterable fields of credit memos, 400 for a pageSize outside 1..99).
"""

from __future__ import annotations

import pytest

from tests.contract.zuora.conftest import ZuoraTarget
from tests.contract.zuora.settlement_data import SettlementRecords, rest, settlement_records
from zuora_netsuite.adapters.zuora.client import ZuoraClient


@pytest.fixture
def records(zuora_target: ZuoraTarget, zuora: ZuoraClient) -> SettlementRecords:
    return settlement_records(zuora_target, zuora)


def query(target: ZuoraTarget, resource: str, params: list[tuple[str, str]]) -> tuple[int, dict[str, object]]:
    response = rest(target, "GET", f"/object-query/{resource}", params=params)
    return response.status_code, response.json()


def test_given_filters_on_two_fields_when_listing_credit_memos_then_both_must_hold(
    zuora_target: ZuoraTarget, records: SettlementRecords
) -> None:
    """Multiple filters in one call are combined with AND; Object Query has no OR operator."""
    account = f"accountid.EQ:{records.account_id}"
    # When the account's posted memos are asked, and the account's memos with an impossible status
    # (a page of 99: other tests' write-offs add credit memos to the account, and the default page is 10)
    status, posted = query(
        zuora_target, "credit-memos", [("filter[]", account), ("filter[]", "status.EQ:Posted"), ("pageSize", "99")]
    )
    _, none = query(zuora_target, "credit-memos", [("filter[]", account), ("filter[]", "status.EQ:NoSuchStatus")])
    # Then the first lists the memo (camelCase fields) and the second nothing: both filters apply
    assert status == 200
    data = posted["data"]
    assert isinstance(data, list)
    assert records.credit_memo_id in {row["id"] for row in data}
    assert all(row["accountId"] == records.account_id and row["status"] == "Posted" for row in data)
    assert {"memoNumber", "memoDate", "totalAmount"} <= set(data[0])
    assert none["data"] == []


@pytest.mark.parametrize(
    ("operator_filter", "expected"),
    [
        ("memonumber.SW:{prefix}", True),
        ("memonumber.IN:[{number},NO-SUCH-MEMO]", True),
        ("memonumber.NE:{number}", False),
        ("totalamount.GE:0", True),
        ("totalamount.LT:0", False),
        ("memodate.GE:2000-01-01", True),
        ("memodate.LE:2000-01-01", False),
        ("invoiceid.EQ:null", False),
    ],
)
def test_given_an_operator_when_filtering_credit_memos_then_the_memo_is_found_or_not(
    zuora_target: ZuoraTarget, records: SettlementRecords, operator_filter: str, expected: bool
) -> None:
    """Operators EQ, NE, LT, GT, LE, GE, SW (text), IN ([a,b]); null is written `EQ:null`; dates YYYY-MM-DD unquoted.
    The memo fixture was created from an invoice, so `invoiceid.EQ:null` does not match it."""
    text = operator_filter.format(prefix=records.credit_memo_number[:2], number=records.credit_memo_number)
    # (every test's fixture adds a memo to the account: ask for the largest page, so the memo is on it whatever
    # the ids' order)
    params = [("filter[]", f"accountid.EQ:{records.account_id}"), ("filter[]", text), ("pageSize", "99")]
    status, body = query(zuora_target, "credit-memos", params)
    assert status == 200
    data = body["data"]
    assert isinstance(data, list)
    assert (records.credit_memo_id in {row["id"] for row in data}) is expected


@pytest.mark.parametrize("page_size", ["0", "100", "ten"])
def test_given_a_page_size_outside_1_to_99_when_listing_then_zuora_answers_400(
    zuora_target: ZuoraTarget, page_size: str
) -> None:
    """If the specified pageSize is less than 1 or greater than 99, Zuora returns a 400 error."""
    status, body = query(zuora_target, "credit-memos", [("pageSize", page_size)])
    assert status == 400
    assert body.get("success") is False or body.get("reasons")


@pytest.mark.parametrize(
    "bad_filter",
    ["status.XX:Posted", "status:Posted", "nosuchfield.EQ:1", "memodate.GE:'2026-01-01'", "status.GT:Posted"],
)
def test_given_a_malformed_or_unsupported_filter_when_listing_then_zuora_answers_an_error_not_everything(
    zuora_target: ZuoraTarget, bad_filter: str
) -> None:
    """Only the documented operators, on the operation's filterable fields; LT/GT compare numbers and dates; dates are
    not quoted. The pages do not give the error text: the simulator answers 400 with `reasons` (the stricter)."""
    status, body = query(zuora_target, "credit-memos", [("filter[]", bad_filter)])
    assert 400 <= status < 500
    assert "data" not in body


def test_given_more_rows_than_a_page_when_following_next_page_as_cursor_then_every_row_comes_once(
    zuora_target: ZuoraTarget, zuora: ZuoraClient, records: SettlementRecords
) -> None:
    """pageSize rows a page; `nextPage` is sent back as `cursor`; the last page has no `nextPage`."""
    params = [("filter[]", f"accountid.EQ:{records.account_id}"), ("pageSize", "1"), ("sort[]", "id.ASC")]
    status, first = query(zuora_target, "payments", params)
    assert status == 200
    every = list(
        zuora.object_query(
            "payments", filters=[f"accountid.EQ:{records.account_id}"], fields=("id",), sort="id.ASC", page_size=1
        )
    )
    ids = [row["id"] for row in every]
    assert len(ids) == len(set(ids))
    assert records.payment_id in ids
    if len(ids) > 1:
        assert first["nextPage"]
    else:
        assert "nextPage" not in first


def test_given_fields_when_listing_then_only_those_fields_come_back(
    zuora_target: ZuoraTarget, records: SettlementRecords
) -> None:
    """`fields[]` limits the fields of each record (case-insensitive names; the answer keeps Zuora's spelling)."""
    status, body = query(
        zuora_target,
        "credit-memos",
        [("filter[]", f"id.EQ:{records.credit_memo_id}"), ("fields[]", "id,memonumber,IntegrationStatus__NS")],
    )
    assert status == 200
    data = body["data"]
    assert isinstance(data, list)
    assert data
    assert set(data[0]) <= {"id", "memoNumber", "IntegrationStatus__NS"}
    assert data[0]["memoNumber"] == records.credit_memo_number


def test_given_memo_items_when_filtered_by_their_memo_then_they_carry_the_charge(
    zuora_target: ZuoraTarget, records: SettlementRecords
) -> None:
    """https://developer.zuora.com/v1-api-reference/api/operation/queryCreditMemoItems/ : filterable by creditmemoid;
    each item has productRatePlanChargeId, chargeName, amount (what the connector maps to NetSuite lines)."""
    status, body = query(
        zuora_target, "credit-memo-items", [("filter[]", f"creditmemoid.IN:[{records.credit_memo_id}]")]
    )
    assert status == 200
    data = body["data"]
    assert isinstance(data, list)
    assert len(data) >= 2
    assert all(row["creditMemoId"] == records.credit_memo_id for row in data)
    assert all({"productRatePlanChargeId", "chargeName", "amount"} <= set(row) for row in data)


def test_given_a_memo_key_when_retrieved_with_its_items_expanded_then_the_items_come_inside_the_memo(
    zuora_target: ZuoraTarget, records: SettlementRecords
) -> None:
    """https://developer.zuora.com/v1-api-reference/api/operation/queryCreditMemoByKey/ : GET
    /object-query/credit-memos/{key} (ID or number), `expand[]=creditmemoitems` adds the memo's items."""
    response = rest(
        zuora_target,
        "GET",
        f"/object-query/credit-memos/{records.credit_memo_number}",
        params=[("expand[]", "creditmemoitems")],
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == records.credit_memo_id
    items = body["creditMemoItems"]
    assert len(items) >= 2
    assert all(item["creditMemoId"] == records.credit_memo_id for item in items)

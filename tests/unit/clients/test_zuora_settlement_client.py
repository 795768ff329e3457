"""ZuoraClient's Invoice Settlement calls against a faked transport: v1 lists followed through `nextPage` (an
absolute URL or a path), Object Query through `cursor`, and `success: false` as an error."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from tests.unit.clients.test_zuora_client import BASE, SECRET, add_token
from zuora_netsuite.adapters.zuora import ZuoraClient
from zuora_netsuite.failures import ZuoraError


@pytest.fixture
def client() -> ZuoraClient:
    return ZuoraClient(BASE, "client-id", SECRET, sleep=lambda _: None, max_attempts=2)


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        add_token(mock)
        yield mock


def test_v1_pages_are_followed_through_next_page_whether_absolute_or_a_path(
    client: ZuoraClient, api: responses.RequestsMock
) -> None:
    # Given three pages of parts, the first pointing on with an absolute URL, the second with a path
    url = f"{BASE}/v1/payments/P-1/parts"
    pages = [
        ({"pageSize": "40"}, {"nextPage": "https://rest.zuora.com/v1/payments/P-1/parts?page=2&pageSize=40"}),
        ({"page": "2", "pageSize": "40"}, {"nextPage": "/v1/payments/P-1/parts?page=3&pageSize=40"}),
        ({"page": "3", "pageSize": "40"}, {}),
    ]
    for (query, more), part in zip(pages, "abc", strict=True):
        body = {"parts": [{"id": part}], "success": True, **more}
        api.get(url, match=[responses.matchers.query_param_matcher(query)], json=body)
    # When every part is read, then all three pages were asked of the configured host, in order
    assert [p["id"] for p in client.rest_get_pages("/v1/payments/P-1/parts", "parts")] == ["a", "b", "c"]


def test_object_query_sends_filters_fields_and_sort_and_follows_the_cursor(
    client: ZuoraClient, api: responses.RequestsMock
) -> None:
    url = f"{BASE}/object-query/credit-memos"
    api.get(url, json={"data": [{"id": "1"}], "nextPage": "CURSOR-2"})
    api.get(url, json={"data": [{"id": "2"}]})
    rows = list(
        client.object_query(
            "credit-memos", filters=["status.EQ:Posted", "memodate.GE:2026-01-01"], fields=("id", "updatedDate"),
            sort="id.ASC",
        )
    )  # fmt: skip
    assert [row["id"] for row in rows] == ["1", "2"]
    first, second = (parse_qs(urlsplit(call.request.url or "").query) for call in api.calls[1:])
    assert first["filter[]"] == ["status.EQ:Posted", "memodate.GE:2026-01-01"]
    assert first["fields[]"] == ["id,updatedDate"]
    assert first["sort[]"] == ["id.ASC"]
    assert first["pageSize"] == ["99"]
    assert "cursor" not in first
    assert second["cursor"] == ["CURSOR-2"]
    assert second["filter[]"] == first["filter[]"]


def test_success_false_on_a_rest_resource_is_an_error_with_zuoras_code(
    client: ZuoraClient, api: responses.RequestsMock
) -> None:
    api.get(
        f"{BASE}/v1/credit-memos/CM-1",
        json={"success": False, "reasons": [{"code": 50000040, "message": "Cannot find entity by key: 'CM-1'."}]},
    )
    with pytest.raises(ZuoraError, match="Cannot find entity") as error:
        client.rest_get("/v1/credit-memos/CM-1")
    assert error.value.code == "50000040"


def test_an_object_query_page_size_above_99_is_refused_before_sending(client: ZuoraClient) -> None:
    with pytest.raises(ValueError, match="1 to 99"):
        list(client.object_query("payments", page_size=100))

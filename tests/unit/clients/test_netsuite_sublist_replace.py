"""The NetSuite client's upsert with ?replace=: the sublists a transaction owns are replaced, never appended to."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from zuora_netsuite.adapters.netsuite import NetSuiteClient
from zuora_netsuite.failures import NetSuiteError

BASE = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest"
INVOICE_URL = f"{BASE}/record/v1/invoice/eid:zuora-invoice-1"
SECRETS = ("ck", "cs", "tk", "ts")


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_an_upsert_naming_sublists_to_replace_sends_them_comma_separated_in_the_replace_parameter(api):
    # Given NetSuite accepts an invoice upsert
    api.add(responses.PUT, INVOICE_URL, status=204, headers={"Location": f"{BASE}/record/v1/invoice/7"})
    client = NetSuiteClient(BASE, "1234567-sb1", *SECRETS)
    # When the invoice is upserted replacing its item and apply sublists
    internal_id = client.upsert("invoice", "zuora-invoice-1", {"item": {"items": []}}, replace=["item", "apply"])
    # Then the PUT carries ?replace=item,apply (and is signed with it), and the id comes from Location
    assert internal_id == "7"
    query = parse_qs(urlsplit(api.calls[0].request.url).query)
    assert query == {"replace": ["item,apply"]}


def test_an_upsert_without_sublists_to_replace_sends_no_replace_parameter(api):
    api.add(responses.PUT, INVOICE_URL, status=204, headers={"Location": f"{BASE}/record/v1/invoice/7"})
    NetSuiteClient(BASE, "1234567-sb1", *SECRETS).upsert("invoice", "zuora-invoice-1", {})
    assert urlsplit(api.calls[0].request.url).query == ""


def test_a_sublist_name_that_is_not_a_name_is_refused_before_anything_is_sent(api):
    with pytest.raises(NetSuiteError) as refused:
        NetSuiteClient(BASE, "1234567-sb1", *SECRETS).upsert("invoice", "zuora-invoice-1", {}, replace=["item&x=1"])
    assert refused.value.code == "INVALID_SUBLIST"
    assert not refused.value.is_transient
    assert len(api.calls) == 0

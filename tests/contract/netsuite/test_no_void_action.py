"""REST web services have no void (issue 13): a transaction cancelled in Zuora after it synced is reversed in NetSuite
by a credit memo applied to the invoice, never by voiding it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.contract.netsuite.conftest import NetSuiteTarget
from tests.contract.netsuite.money_records import Rest, new_customer, new_invoice, new_item
from zuora_netsuite.adapters.http import json_bytes
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient


@pytest.mark.parametrize("action", ["void", "cancel"])
def test_given_an_open_invoice_when_a_void_record_action_is_posted_then_rest_refuses_it_and_nothing_changes(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, rest: Rest, action: str
) -> None:
    """Oracle NetSuite help, "Record Actions" (section_156631158782,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156631158782.html): REST offers "the same
    record actions supported by SuiteScript", and for an invoice those are only markforgrouping,
    removeinvoicefromgroup and unmarkforgrouping (section_1516982564,
    https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1516982564.html). Voiding is SuiteScript's
    `transaction.void` (section_4483109897), not a REST action: `POST .../invoice/{id}/!void` is a client error and
    the invoice stays open."""
    # Given an open invoice of 90
    customer = new_customer(netsuite_target, netsuite, "no-void")
    item = new_item(netsuite_target, netsuite)
    invoice_id, _, _ = new_invoice(netsuite_target, netsuite, customer, item, [Decimal("90.00")])
    # When a void action is posted on it
    response = rest.session.post(
        f"{rest.base_url}/record/v1/invoice/{invoice_id}/!{action}",
        data=json_bytes({}),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        timeout=60,
    )
    # Then REST refuses it and the invoice is still open for its whole amount
    assert 400 <= response.status_code < 500, response.text
    assert Decimal(str(rest.get("invoice", invoice_id)["amountRemaining"])) == Decimal("90")

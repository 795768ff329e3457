"""Tax codes on transaction lines, as the account's tax setup asks.

Oracle NetSuite help, "Sales Tax Item" (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0814121722.html):
"REST web services do not support legacy tax features. To work with taxation through REST web services, you must
have the SuiteTax feature enabled." Under SuiteTax (and non-US legacy tax) every item line carries a tax code;
a line without one is refused with USER_ERROR (the "Please enter value(s) for: ..." of a missing required field,
"Company-Wide Preferences", https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N3422217.html).
A US account with tax on a tax item line (the simulator's default) needs none.

On the simulator both set-ups are checked; on a real account the one NETSUITE_CONTRACT_TAX_CODES_REQUIRED names.
"""

from __future__ import annotations

import pytest

from tests.contract.netsuite.account_setup import (
    PARENT_SUBSIDIARY,
    REAL,
    REAL_TAX_CODES_REQUIRED,
    TAX_CODE,
    customer,
    invoice_body,
    item,
    item_line,
    simulated_account,
)
from tests.contract.netsuite.conftest import NetSuiteTarget
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.failures import NetSuiteError

SETUPS = [REAL_TAX_CODES_REQUIRED] if REAL else [True, False]


@pytest.mark.parametrize("required", SETUPS, ids=lambda r: "tax-codes-required" if r else "no-tax-codes")
def test_given_the_accounts_tax_setup_when_a_line_has_no_tax_code_then_it_is_refused_only_where_codes_are_required(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, required: bool
):
    with simulated_account(netsuite_target) as account:
        if account is not None:
            account.tax_codes_required = required  # what the account's tax setup says
        # Given a customer and an item of the same subsidiary
        buyer = customer(netsuite_target, netsuite, PARENT_SUBSIDIARY)
        sold = item(netsuite_target, netsuite, [PARENT_SUBSIDIARY], include_children=True)
        # When an invoice line without a tax code is written
        without_code = invoice_body(buyer, [item_line(sold, tax_codes_required=False)])
        invoice_eid = netsuite_target.external_id("invoice")
        if required:
            with pytest.raises(NetSuiteError) as refused:
                netsuite.upsert("invoice", invoice_eid, without_code)
            # Then it is refused for good, naming the line's tax code
            assert not refused.value.is_transient
            assert refused.value.path == "item.items[0].taxCode"
            # And the same line with a tax code is accepted
            netsuite.upsert("invoice", invoice_eid, invoice_body(buyer, [item_line(sold, tax_codes_required=True)]))
            invoice = netsuite.get_by_external_id("invoice", invoice_eid) or {}
            lines = (invoice.get("item") or {}).get("items") or []
            assert [str((line.get("taxCode") or {}).get("id")) for line in lines] == [TAX_CODE]
        else:
            # Then it is accepted
            netsuite.upsert("invoice", invoice_eid, without_code)
            assert netsuite.get_by_external_id("invoice", invoice_eid) is not None


def test_given_a_tax_code_that_does_not_exist_when_a_line_uses_it_then_the_reference_is_refused(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
):
    # Given a customer and an item of the same subsidiary
    buyer = customer(netsuite_target, netsuite, PARENT_SUBSIDIARY)
    sold = item(netsuite_target, netsuite, [PARENT_SUBSIDIARY], include_children=True)
    # When a line names a tax code id that does not exist
    line = {**item_line(sold, tax_codes_required=False), "taxCode": {"id": "987654321"}}
    with pytest.raises(NetSuiteError) as refused:
        netsuite.upsert("invoice", netsuite_target.external_id("invoice"), invoice_body(buyer, [line]))
    # Then NetSuite refuses the reference, naming the line's tax code
    assert not refused.value.is_transient
    assert refused.value.path == "item.items[0].taxCode"

"""Auto-generated numbers: whether NetSuite keeps, replaces or refuses the number a write sends.

Oracle NetSuite help, "Set Auto-Generated Numbers"
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N252198.html): entity types are numbered only
when enabled; "Auto-generated numbers are always enabled for transaction and document types". "Using Auto-Generated
Numbering for Transactions" (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N547392.html):
clearing Allow Override ensures "the number cannot be edited"; "Overwrite Entity and CRM Record Type Numbers"
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/bridgehead_4340447524.html): with Allow Override a
number can be entered instead of the generated one. Whether a number sent without Allow Override is dropped or
refused is not documented: the simulator can do either (docs/contract-tests.md).

On the simulator every mode is checked; on a real account the modes NETSUITE_CONTRACT_NUMBERING_CUSTOMER and
NETSUITE_CONTRACT_NUMBERING_INVOICE name.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.contract.netsuite.account_setup import (
    PARENT_SUBSIDIARY,
    REAL,
    REAL_TAX_CODES_REQUIRED,
    customer,
    invoice_body,
    item,
    item_line,
    real_numbering,
    simulated_account,
)
from tests.contract.netsuite.conftest import NetSuiteTarget
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.failures import NetSuiteError

CASES = (
    [("customer", real_numbering("customer", "manual")), ("invoice", real_numbering("invoice", "allow_override"))]
    if REAL
    else [
        ("customer", "manual"),
        ("customer", "ignore"),
        ("customer", "reject"),
        ("invoice", "allow_override"),
        ("invoice", "ignore"),
        ("invoice", "reject"),
    ]
)
NUMBER_FIELD = {"customer": "entityId", "invoice": "tranId"}


def _body(target: NetSuiteTarget, netsuite: NetSuiteClient, record_type: str) -> dict[str, Any]:
    if record_type == "customer":
        return {"companyName": "Contract Numbering Co", "subsidiary": {"id": PARENT_SUBSIDIARY}}
    buyer = customer(target, netsuite, PARENT_SUBSIDIARY)
    sold = item(target, netsuite, [PARENT_SUBSIDIARY], include_children=True)
    return invoice_body(buyer, [item_line(sold, tax_codes_required=REAL and REAL_TAX_CODES_REQUIRED)])


@pytest.mark.parametrize(("record_type", "mode"), CASES, ids=[f"{t}-{m}" for t, m in CASES])
def test_given_the_numbering_of_a_type_when_a_write_sends_its_own_number_then_netsuite_keeps_replaces_or_refuses_it(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient, record_type: str, mode: str
):
    with simulated_account(netsuite_target) as account:
        if account is not None:
            account.numbering[record_type] = mode  # type: ignore[assignment]  # Setup > Company > Auto-Generated Numbers
        # Given a write that sends its own number
        number_field = NUMBER_FIELD[record_type]
        sent = f"ZN{uuid.uuid4().hex[:10].upper()}"
        body = _body(netsuite_target, netsuite, record_type)
        external_id = netsuite_target.external_id(record_type)
        # When it is written
        if mode == "reject":
            with pytest.raises(NetSuiteError) as refused:
                netsuite.upsert(record_type, external_id, {**body, number_field: sent})
            # Then it is refused for good, naming the number field
            assert not refused.value.is_transient
            assert refused.value.path == number_field
            # And without a number the record is accepted and numbered by NetSuite
            netsuite.upsert(record_type, external_id, body)
            stored = (netsuite.get_by_external_id(record_type, external_id) or {}).get(number_field)
            assert stored
            return
        netsuite.upsert(record_type, external_id, {**body, number_field: sent})
        stored = (netsuite.get_by_external_id(record_type, external_id) or {}).get(number_field)
        # Then the number is kept where overriding is allowed, else NetSuite's own replaces it
        if mode in ("manual", "allow_override"):
            assert stored == sent
        else:
            assert stored
            assert stored != sent

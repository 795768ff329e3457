"""Custom forms: the form of a write validates it, and a form may make custom fields mandatory.

Oracle NetSuite help, "Forms in SOAP Web Services"
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N3439676.html): the form named in
``customForm`` (its internal id) is used for validation; "Defining Preferred Forms"
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N2873968.html): without one, the preferred
form is used. "Company-Wide Preferences"
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N3422217.html): with Disable Mandatory
Custom Field Validation off, omitting a mandatory custom field "returns a USER_ERROR with instructions to provide
value for the field".

On the simulator the account's preferred customer form makes custentity_zn_region mandatory (set up below, as an
administrator would); on a real account NETSUITE_CONTRACT_CUSTOMER_FORM_ID / _FIELD / _VALUE name such a form.
"""

from __future__ import annotations

import os

import pytest

from sandbox.netsuite_account import CustomForm
from tests.contract.netsuite.account_setup import PARENT_SUBSIDIARY, REAL, simulated_account
from tests.contract.netsuite.conftest import NetSuiteTarget
from zuora_netsuite.adapters.netsuite.client import NetSuiteClient
from zuora_netsuite.failures import NetSuiteError

FORM_ID = os.environ.get("NETSUITE_CONTRACT_CUSTOMER_FORM_ID", "" if REAL else "145")
FIELD = os.environ.get("NETSUITE_CONTRACT_CUSTOMER_FORM_FIELD", "custentity_zn_region")
VALUE = os.environ.get("NETSUITE_CONTRACT_CUSTOMER_FORM_VALUE", "EMEA")
SIMULATED_FORM = CustomForm("145", "customer", "Zuora Customer Form", mandatory={FIELD: "Region"})


def test_given_a_form_with_a_mandatory_custom_field_when_a_customer_omits_it_then_it_is_refused_until_it_is_given(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
):
    with simulated_account(netsuite_target) as account:
        if account is not None:
            account.add_form(SIMULATED_FORM, preferred=True)
        # Given a customer body written through the form, without the form's mandatory custom field
        body = {"companyName": "Contract Form Co", "subsidiary": {"id": PARENT_SUBSIDIARY}}
        if FORM_ID:
            body["customForm"] = {"id": FORM_ID}
        external_id = netsuite_target.external_id("customer")
        if not FORM_ID:  # a real account without such a form: nothing is mandatory
            netsuite.upsert("customer", external_id, body)
            assert netsuite.get_by_external_id("customer", external_id) is not None
            return
        # When it is written
        with pytest.raises(NetSuiteError) as refused:
            netsuite.upsert("customer", external_id, body)
        # Then NetSuite refuses it for good, naming the field
        assert not refused.value.is_transient
        assert (refused.value.code, refused.value.path) == ("USER_ERROR", FIELD)
        # And with the field it is accepted, on that form
        netsuite.upsert("customer", external_id, {**body, FIELD: VALUE})
        record = netsuite.get_by_external_id("customer", external_id) or {}
        assert (str((record.get("customForm") or {}).get("id")), record.get(FIELD)) == (FORM_ID, VALUE)


def test_given_the_preferred_form_when_a_write_names_no_form_then_the_preferred_form_validates_it(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
):
    with simulated_account(netsuite_target) as account:
        if account is not None:
            account.add_form(SIMULATED_FORM, preferred=True)
        # Given a customer body that names no form and omits the custom field
        body = {"companyName": "Contract Preferred Form Co", "subsidiary": {"id": PARENT_SUBSIDIARY}}
        external_id = netsuite_target.external_id("customer")
        if REAL:  # which form is preferred for the token's role is the account's business: it must accept a form
            netsuite.upsert("customer", external_id, {**body, FIELD: VALUE} if FORM_ID else body)
            assert netsuite.get_by_external_id("customer", external_id) is not None
            return
        # When it is written
        with pytest.raises(NetSuiteError) as refused:
            netsuite.upsert("customer", external_id, body)
        # Then the preferred form's mandatory field is asked for
        assert refused.value.path == FIELD


def test_given_a_form_id_that_does_not_exist_when_a_write_names_it_then_the_reference_is_refused(
    netsuite_target: NetSuiteTarget, netsuite: NetSuiteClient
):
    # Given a customer body naming a form that does not exist
    body = {
        "companyName": "Contract No Form Co",
        "subsidiary": {"id": PARENT_SUBSIDIARY},
        "customForm": {"id": "987654"},
    }
    # When it is written
    with pytest.raises(NetSuiteError) as refused:
        netsuite.upsert("customer", netsuite_target.external_id("customer"), body)
    # Then NetSuite refuses it for good, naming customForm
    assert not refused.value.is_transient
    assert (refused.value.path or "").lower() == "customform"

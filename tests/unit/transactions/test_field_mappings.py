"""Field mapping as configuration (docs/configuration.md, "Field mappings"): a Zuora field (standard, `__c`) or a
constant into a NetSuite field, with value maps and defaults; the built-in payment terms mapping as a default of the
same mechanism; a bad mapping refused at load naming the field; a value without a mapping fails the record naming
the setting; the mapping's digest changes exactly when what it sends changes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from sandbox.dataset import ZUORA_ERROR_FIELD
from sandbox.zuora_simulator import SYNCED_OBJECTS, schema_with_custom_fields
from tests.unit.transactions.conftest import ACCOUNT_ID, INVOICE_ID, Ledger
from tests.unit.transactions.conftest import sync_config as config
from tests.unit.transactions.conftest import sync_record as sync
from zuora_netsuite.failures import NetSuiteError
from zuora_netsuite.mapping.field_mapping import mapping_digest
from zuora_netsuite.models.messages import SyncRequest
from zuora_netsuite.models.netsuite_account import explain
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import SyncOutcome

REGION = {
    "source": "Account.Region__c",
    "value_map": {"EMEA": {"id": "3"}, "Americas": {"id": "1"}},
}


@pytest.fixture(autouse=True)
def zuora_custom_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tenant has Account.Region__c and Invoice.PONumber__c (created by its administrator)."""
    custom = {object_type: [ZUORA_ERROR_FIELD] for object_type in SYNCED_OBJECTS}
    custom["Account"] = [*custom["Account"], "Region__c"]
    custom["Invoice"] = [*custom["Invoice"], "PONumber__c"]
    monkeypatch.setattr("tests.fakes.ZUORA_SCHEMA", schema_with_custom_fields(custom))


def written(ledger: Ledger, record_type: str) -> dict[str, Any]:
    return next(body for kind, _, body in reversed(ledger.netsuite.writes) if kind == record_type)


def reason(ledger: Ledger, zuora_object: str, record_id: str) -> str:
    return str(ledger.zuora.get(zuora_object, record_id)[ZUORA_ERROR_FIELD])


def set_account(ledger: Ledger, **fields: Any) -> None:
    ledger.zuora.get("Account", ACCOUNT_ID).update(fields)


# --- a bad mapping is refused when the configuration loads, naming the field ------------------------------------


@pytest.mark.parametrize(
    ("mappings", "message"),
    [
        (
            {"customer": {"fields": {"custentity_zn_region": {"source": "Acount.Region__c"}}}},
            'field_mappings.customer.fields.custentity_zn_region: source "Acount.Region__c": a customer mapping '
            "reads Account / BillTo / SoldTo, not Acount",
        ),
        (
            {"customer": {"fields": {"custentity_zn_region": {"source": "Region__c"}}}},
            'field_mappings.customer.fields.custentity_zn_region: source "Region__c" is not "<Zuora object>.<field>"',
        ),
        (
            {"customer": {"fields": {"subsidiary": {"constant": "1"}}}},
            "field_mappings.customer.fields.subsidiary: subsidiary is set by the connector",
        ),
        (
            {"customer": {"fields": {"custbody_po": {"source": "Account.Region__c"}}}},
            "field_mappings.customer.fields.custbody_po: a customer takes only custentity... custom fields",
        ),
        (
            {"customer": {"fields": {"shoeSize": {"source": "Account.Region__c"}}}},
            "field_mappings.customer.fields.shoeSize: shoeSize is not a customer field a mapping may set",
        ),
        (
            {"customer": {"line_fields": {"custcol_region": {"constant": "x"}}}},
            "field_mappings.customer.line_fields.custcol_region: a customer has no item lines",
        ),
        (
            {"invoice": {"fields": {"custbody_po": {"source": "Invoice.PONumber__c", "constant": "x"}}}},
            "give exactly one of source",
        ),
    ],
)
def test_an_invalid_mapping_fails_at_load_naming_the_field(mappings: dict[str, Any], message: str) -> None:
    # Given a field mapping with a mistake / When the configuration loads / Then the error names the field
    with pytest.raises(ValidationError) as error:
        config(field_mappings=mappings)
    assert message in str(error.value)


def test_a_field_in_both_constant_fields_and_field_mappings_is_refused_naming_both() -> None:
    with pytest.raises(ValidationError) as error:
        config(
            constant_fields={"customer": {"custentity_zn_region": "1"}},
            field_mappings={"customer": {"fields": {"custentity_zn_region": REGION}}},
        )
    assert "field_mappings.customer: custentity_zn_region is also in constant_fields.customer" in str(error.value)


# --- the mapped values in NetSuite -------------------------------------------------------------------------------


def test_a_zuora_custom_field_fills_a_mandatory_custom_field_through_its_value_map(ledger: Ledger) -> None:
    # Given Account.Region__c mapped to custentity_zn_region through a value map, and an account in EMEA
    ledger.config = config(
        custom_forms={"customer": "55"}, field_mappings={"customer": {"fields": {"custentity_zn_region": REGION}}}
    )
    set_account(ledger, Region__c="emea ")
    # When the customer syncs
    assert sync(ledger, RecordType.CUSTOMER, ACCOUNT_ID) is SyncOutcome.SYNCED
    # Then the NetSuite customer has the region's NetSuite id, on the configured form, and the field was fetched
    body = written(ledger, "customer")
    assert body["custentity_zn_region"] == {"id": "3"}
    assert body["customForm"] == {"id": "55"}
    assert any("Region__c" in query and query.startswith("select") for query in ledger.zuora.queries)


def test_a_value_without_a_mapping_fails_the_record_naming_the_setting(ledger: Ledger) -> None:
    # Given the region map without APAC and no default
    ledger.config = config(field_mappings={"customer": {"fields": {"custentity_zn_region": REGION}}})
    set_account(ledger, Region__c="APAC")
    # When the customer syncs
    assert sync(ledger, RecordType.CUSTOMER, ACCOUNT_ID) is SyncOutcome.WARNING
    # Then nothing is written and the reason says which value and where to map it
    assert ledger.netsuite.writes == []
    text = reason(ledger, "Account", ACCOUNT_ID)
    assert 'Account.Region__c "APAC" has no NetSuite value' in text
    assert "field_mappings.customer.fields.custentity_zn_region.value_map" in text


def test_a_default_is_sent_for_a_blank_or_unmapped_value(ledger: Ledger) -> None:
    ledger.config = config(
        field_mappings={"customer": {"fields": {"custentity_zn_region": {**REGION, "default": {"id": "9"}}}}}
    )
    set_account(ledger, Region__c="APAC")
    assert sync(ledger, RecordType.CUSTOMER, ACCOUNT_ID) is SyncOutcome.SYNCED
    assert written(ledger, "customer")["custentity_zn_region"] == {"id": "9"}


def test_a_configured_field_overrides_the_built_in_one(ledger: Ledger) -> None:
    # Given companyName mapped from the account number instead of the account name
    ledger.config = config(
        field_mappings={"customer": {"fields": {"companyName": {"source": "Account.AccountNumber"}}}}
    )
    # When the customer syncs / Then companyName is the account number
    assert sync(ledger, RecordType.CUSTOMER, ACCOUNT_ID) is SyncOutcome.SYNCED
    assert written(ledger, "customer")["companyName"] == "A00000001"


def test_payment_terms_are_the_built_in_mapping_of_customer_terms(ledger: Ledger) -> None:
    # Given Zuora payment terms mapped to NetSuite term ids
    ledger.config = config(payment_terms={"Net 30": "2", "Due Upon Receipt": "4"})
    set_account(ledger, PaymentTerm="Net 30")
    # When the customer syncs / Then its terms are the term's NetSuite id
    assert sync(ledger, RecordType.CUSTOMER, ACCOUNT_ID) is SyncOutcome.SYNCED
    assert written(ledger, "customer")["terms"] == {"id": "2"}


def test_a_payment_term_without_a_netsuite_term_names_payment_terms(ledger: Ledger) -> None:
    ledger.config = config(payment_terms={"Net 30": "2"})
    set_account(ledger, PaymentTerm="Net 45")
    assert sync(ledger, RecordType.CUSTOMER, ACCOUNT_ID) is SyncOutcome.WARNING
    text = reason(ledger, "Account", ACCOUNT_ID)
    assert '"Net 45" has no NetSuite' in text  # one reason, from the customer mapping or the field mapping
    assert "payment_terms" in text


def test_no_payment_terms_configured_sends_no_terms(ledger: Ledger) -> None:
    set_account(ledger, PaymentTerm="Net 30")
    assert sync(ledger, RecordType.CUSTOMER, ACCOUNT_ID) is SyncOutcome.SYNCED
    assert "terms" not in written(ledger, "customer")


def test_an_invoice_custom_field_into_a_custbody_field_and_a_line_field_on_every_line(ledger: Ledger) -> None:
    # Given Invoice.PONumber__c into custbody_po, and a constant custcol on every line
    ledger.config = config(
        field_mappings={
            "invoice": {
                "fields": {"custbody_po": {"source": "Invoice.PONumber__c"}},
                "line_fields": {"custcol_channel": {"constant": "web"}},
            }
        }
    )
    ledger.add_invoice(amounts=(60, 40), PONumber__c="PO-7731")
    # When the invoice syncs
    assert sync(ledger, RecordType.INVOICE, INVOICE_ID) is SyncOutcome.SYNCED
    # Then the PO number is on the invoice and the channel on each line
    body = written(ledger, "invoice")
    assert body["custbody_po"] == "PO-7731"
    lines = body["item"]["items"]
    assert len(lines) >= 2
    assert all(line["custcol_channel"] == "web" for line in lines)


# --- what the NetSuite account asks, explained ----------------------------------------------------------------


def test_a_mandatory_custom_field_refusal_names_field_mappings() -> None:
    refusal = NetSuiteError(
        "Please enter value(s) for: Region.", code="USER_ERROR", path="custentity_zn_region", http_status=400
    )
    text = explain(refusal, "customer").reason
    assert "field_mappings.<record type>.fields.custentity_zn_region" in text
    assert "constant_fields.customer" in text


# --- the digest: what re-syncs a record type when its mapping changes -------------------------------------------


def test_the_mapping_digest_changes_exactly_when_what_is_sent_changes() -> None:
    base = config(field_mappings={"customer": {"fields": {"custentity_zn_region": REGION}}})
    same = config(field_mappings={"customer": {"fields": {"custentity_zn_region": dict(REGION)}}})
    other_map = config(
        field_mappings={"customer": {"fields": {"custentity_zn_region": {**REGION, "default": {"id": "9"}}}}}
    )
    new_form = config(
        custom_forms={"customer": "55"}, field_mappings={"customer": {"fields": {"custentity_zn_region": REGION}}}
    )
    digest = mapping_digest(base, RecordType.CUSTOMER)
    assert mapping_digest(same, RecordType.CUSTOMER) == digest
    assert mapping_digest(other_map, RecordType.CUSTOMER) != digest
    assert mapping_digest(new_form, RecordType.CUSTOMER) != digest
    # A customer mapping change leaves the other record types' digests alone
    assert mapping_digest(base, RecordType.ITEM) == mapping_digest(config(), RecordType.ITEM)


def test_a_source_field_zuora_does_not_have_fails_the_record_naming_field_mappings(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a mapping that reads Account.Territory__c, a field this tenant does not have
    monkeypatch.setattr("tests.fakes.ZUORA_SCHEMA", schema_with_custom_fields({"Account": [ZUORA_ERROR_FIELD]}))
    ledger.config = config(
        field_mappings={"customer": {"fields": {"custentity_territory": {"source": "Account.Territory__c"}}}}
    )
    # When the customer syncs
    record_sync = ledger.record_sync()
    outcome = record_sync.sync(SyncRequest(record_type=RecordType.CUSTOMER, record_id=ACCOUNT_ID, run_id="r"), "m1")
    # Then it fails permanently, the reason naming the mapping's field and the command that checks them
    assert outcome is SyncOutcome.ERROR
    assert ledger.netsuite.writes == []
    state = ledger.state.get(RecordType.CUSTOMER, ACCOUNT_ID)
    assert state is not None
    assert state.error is not None
    assert "field_mappings: Zuora refuses a field they read (Account.Territory__c)" in state.error.message
    assert "mapping check" in state.error.message


def test_a_bill_to_contact_field_is_read_with_the_contact(ledger: Ledger) -> None:
    # Given the bill-to contact's NickName mapped to the customer's comments
    ledger.zuora.put("Contact", {"Id": "d" * 32, "AccountId": ACCOUNT_ID, "FirstName": "Ada", "LastName": "Byron",
                                 "NickName": "Countess", "Country": "United States"})  # fmt: skip
    set_account(ledger, BillToId="d" * 32)
    ledger.config = config(field_mappings={"customer": {"fields": {"comments": {"source": "BillTo.NickName"}}}})
    # When the customer syncs / Then comments has the contact's NickName, selected with the contact
    assert sync(ledger, RecordType.CUSTOMER, ACCOUNT_ID) is SyncOutcome.SYNCED
    assert written(ledger, "customer")["comments"] == "Countess"
    assert any(query.startswith("select") and "NickName" in query and "from Contact" in query
               for query in ledger.zuora.queries)  # fmt: skip

"""The error reason goes to Zuora only into the tenant's own __c field (settings.ZuoraTenant.error_field), and a
field is cleared with fieldsToNull (action/update) or JSON null (a memo's REST resource), never with ""."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from tests.fakes import FakeQueue, FakeStateStore, FakeZuora
from zuora_netsuite.logic.recovery import RecordReset
from zuora_netsuite.logic.writeback import WriteBack, WriteBackBuffer
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.settings import SyncConfig, ZuoraTenant

AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
A1, M1 = "a" * 32, "m" * 32


def failed(zuora_object: str, record_id: str, reason: str | None) -> WriteBack:
    return WriteBack(zuora_object, record_id, "Error Creating Customer", AT, integration_error=reason)


def test_given_no_error_field_when_a_record_fails_then_zuora_gets_the_status_but_no_reason_field():
    # Given a tenant without an error-reason field (the default)
    zuora = FakeZuora({"Account": [{"Id": A1}]})
    buffer = WriteBackBuffer(zuora, error_field=SyncConfig().zuora.error_field)
    # When a failure is written back
    buffer.add("m1", failed("Account", A1, "Name is blank"))
    assert buffer.flush() == set()
    # Then only the package's fields are sent: nothing Zuora would have to know about
    [(_, [sent])] = zuora.updates
    assert set(sent) == {"Id", "IntegrationStatus__NS", "SyncDate__NS"}


def test_given_an_error_field_when_a_record_fails_then_syncs_then_the_reason_is_set_then_nulled_not_emptied():
    zuora = FakeZuora({"Account": [{"Id": A1}]})
    buffer = WriteBackBuffer(zuora, error_field="IntegrationError__c")
    buffer.add("m1", failed("Account", A1, "x" * 300))
    buffer.flush()
    assert zuora.get("Account", A1)["IntegrationError__c"] == "x" * 255  # Zuora's text fields hold 255
    # When it later syncs
    buffer.add("m2", WriteBack("Account", A1, "Sync Complete", AT, integration_id="42"))
    buffer.flush()
    # Then the reason is cleared with fieldsToNull, not with an empty string
    sent = zuora.updates[-1][1][0]
    assert sent["fieldsToNull"] == ["IntegrationError__c"]
    assert "" not in sent.values()
    assert "IntegrationError__c" not in zuora.get("Account", A1)


def test_given_a_credit_memo_when_its_reason_is_cleared_then_the_rest_body_sends_it_as_null():
    zuora = FakeZuora({"CreditMemo": [{"Id": M1, "IntegrationError__c": "old reason"}]})
    buffer = WriteBackBuffer(zuora, error_field="IntegrationError__c")
    buffer.add("m1", WriteBack("CreditMemo", M1, "Sync Complete", AT, integration_id="7"))
    assert buffer.flush() == set()
    [(_, [body])] = zuora.updates
    assert body["IntegrationError__c"] is None
    assert body["transferredToAccounting"] == "Yes"
    assert "fieldsToNull" not in body
    assert "IntegrationError__c" not in zuora.get("CreditMemo", M1)


def test_given_an_error_field_when_an_operator_resets_a_record_then_id_status_and_reason_are_nulled():
    zuora = FakeZuora(
        {"Account": [{"Id": A1, "Status": "Active", "UpdatedDate": "2026-11-01T00:00:00.000+00:00",
                      "IntegrationId__NS": "42", "IntegrationStatus__NS": "Error Updating Customer",
                      "IntegrationError__c": "NetSuite said no"}]}
    )  # fmt: skip
    RecordReset(zuora, FakeStateStore(), FakeQueue(), ZuoraTenant(error_field="IntegrationError__c")).reset(
        RecordType.CUSTOMER, A1
    )
    assert zuora.updates[-1] == (
        "Account",
        [{"Id": A1, "fieldsToNull": ["IntegrationId__NS", "IntegrationStatus__NS", "IntegrationError__c"]}],
    )
    assert {"IntegrationId__NS", "IntegrationStatus__NS", "IntegrationError__c"}.isdisjoint(zuora.get("Account", A1))


@pytest.mark.parametrize("name", ["IntegrationError__NS", "IntegrationError", "__c", "Integration Error__c"])
def test_given_an_error_field_that_is_not_a_custom_field_name_when_configured_then_the_setting_is_refused(name: str):
    with pytest.raises(ValidationError, match="error_field"):
        SyncConfig.model_validate({"zuora": {"error_field": name}})

"""POST /v1/action/update: unknown fields are ignored, fieldsToNull clears, at most 50 objects a call.

Writes only the designated test account, and only its standard Notes field (restored at the end).
https://developer.zuora.com/v1-api-reference/api/operation/Action_POSTupdate/
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.contract.zuora.actions import action, query
from tests.contract.zuora.conftest import ZuoraTarget


def notes(target: ZuoraTarget) -> str | None:
    response = query(target, f"select Id, Notes from Account where Id = '{target.test_account_id}'")  # noqa: S608
    assert response.status_code == 200, response.text
    [record] = response.json()["records"]
    return record.get("Notes")  # null fields are left out of the answer


@pytest.fixture
def account_notes(zuora_target: ZuoraTarget) -> Iterator[str | None]:
    before = notes(zuora_target)
    yield before
    restore = {"Id": zuora_target.test_account_id, **({"Notes": before} if before else {"fieldsToNull": ["Notes"]})}
    action(zuora_target, "update", {"type": "Account", "objects": [restore]})


def test_given_a_field_the_object_does_not_have_when_updating_then_it_is_ignored_and_the_rest_is_saved(
    zuora_target: ZuoraTarget, account_notes: str | None
):
    """Action_POSTupdate: "Zuora ignores unrecognized fields in update calls ... No error message is returned for
    unrecognized fields." (the connector relies on it: a write-back never fails for a field a tenant lacks)."""
    account = zuora_target.test_account_id
    body = {"type": "Account", "objects": [{"Id": account, "Notes": "zncontract unknown field", "NoSuchField__c": "x"}]}
    response = action(zuora_target, "update", body)
    assert response.status_code == 200, response.text
    assert response.json() == [{"Id": account, "Success": True}]
    assert notes(zuora_target) == "zncontract unknown field"


def test_given_fields_to_null_when_updating_then_the_field_is_cleared(
    zuora_target: ZuoraTarget, account_notes: str | None
):
    """Action_POSTupdate's zObject: `fieldsToNull` "Used to set a list of fields to null"."""
    account = zuora_target.test_account_id
    assert action(zuora_target, "update", {"type": "Account", "objects": [{"Id": account, "Notes": "x"}]}).ok
    response = action(
        zuora_target, "update", {"type": "Account", "objects": [{"Id": account, "fieldsToNull": ["Notes"]}]}
    )
    assert response.status_code == 200, response.text
    assert response.json()[0]["Success"] is True
    assert notes(zuora_target) is None


def test_given_51_objects_when_updating_then_the_call_is_refused_and_nothing_changes(
    zuora_target: ZuoraTarget, account_notes: str | None
):
    """Action_POSTupdate: "A maximum of 50 objects are supported in a single call"."""
    objects = [{"Id": zuora_target.test_account_id, "Notes": "zncontract 51"}] * 51
    response = action(zuora_target, "update", {"type": "Account", "objects": objects})
    assert response.status_code != 200 or not all(result.get("Success") for result in response.json())
    assert notes(zuora_target) == account_notes


def test_given_reject_unknown_fields_when_updating_with_one_then_400_unrecognised_fields(
    zuora_target: ZuoraTarget, account_notes: str | None
):
    """Action_POSTupdate, query parameter rejectUnknownFields: "Zuora returns a 400 response if the request body
    contains unknown fields. The body of the 400 response is: { "message": "Error - unrecognised fields" }"."""
    body = {"type": "Account", "objects": [{"Id": zuora_target.test_account_id, "NoSuchField__c": "x"}]}
    response = action(zuora_target, "update", body, params={"rejectUnknownFields": "true"})
    assert response.status_code == 400
    assert response.json() == {"message": "Error - unrecognised fields"}


def updated_date(target: ZuoraTarget) -> str:
    response = query(target, f"select Id, UpdatedDate from Account where Id = '{target.test_account_id}'")  # noqa: S608
    assert response.status_code == 200, response.text
    [record] = response.json()["records"]
    return str(record["UpdatedDate"])


def test_given_an_api_update_when_the_object_is_read_again_then_its_updated_date_has_moved(
    zuora_target: ZuoraTarget, account_notes: str | None
):
    """Zuora's pages do not say whether an update through the API moves `UpdatedDate`; the simulator takes the
    stricter reading (it does, so the connector's own write-back looks like a change: docs/contract-tests.md) and
    this test shows which a real tenant does. The connector's hold on records in error must be right either way.
    Object fields: https://developer.zuora.com/v1-api-reference/api/operation/Action_POSTupdate/"""
    before = updated_date(zuora_target)
    time.sleep(1.1)  # UpdatedDate has a resolution of one second
    body = {"type": "Account", "objects": [{"Id": zuora_target.test_account_id, "Notes": "zncontract updated date"}]}
    assert action(zuora_target, "update", body).json() == [{"Id": zuora_target.test_account_id, "Success": True}]
    assert updated_date(zuora_target) > before

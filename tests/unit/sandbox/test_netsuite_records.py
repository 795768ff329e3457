"""Validation of NetSuite record bodies by the simulator's per-type rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from sandbox.netsuite_errors import NetSuiteApiError
from sandbox.netsuite_records import RECORD_RULES, validate_and_merge

EXISTING: dict[str, set[str]] = {
    "subsidiary": {"1", "2"},
    "account": {"54"},
    "currency": {"1"},
    "customer": {"101"},
    "item": {"102"},
}


def resolve(table: str, ref: Mapping[str, Any]) -> tuple[str, str] | None:
    key = str(ref.get("id") if ref.get("id") is not None else ref.get("externalId"))
    return (key, f"{table} {key}") if key in EXISTING.get(table, set()) else None


def write(record_type: str, body: dict[str, Any], existing: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    return validate_and_merge(RECORD_RULES[record_type], body, existing, resolve, **kw)


def error_of(record_type: str, body: dict[str, Any], existing: dict[str, Any] | None = None) -> NetSuiteApiError:
    with pytest.raises(NetSuiteApiError) as error:
        write(record_type, body, existing)
    assert error.value.status == 400
    return error.value


COMPANY = {"companyName": "Acme", "isPerson": False, "subsidiary": {"id": "1"}}
ITEM = {"itemId": "Gold plan", "incomeAccount": {"id": "54"}, "subsidiary": {"items": [{"id": "1"}]}}


def test_references_are_stored_resolved_as_netsuite_returns_them():
    stored = write("customer", {**COMPANY, "currency": {"id": 1}})
    assert stored["subsidiary"] == {"id": "1", "refName": "subsidiary 1"}
    assert stored["currency"] == {"id": "1", "refName": "currency 1"}


def test_a_reference_to_nothing_is_a_user_error_naming_the_field_in_detail_and_path():
    error = error_of("customer", {**COMPANY, "subsidiary": {"id": "9"}})
    assert (error.code, error.path) == ("USER_ERROR", "subsidiary")
    assert "Invalid Field Value 9 for the following field: subsidiary" in error.detail


def test_a_reference_in_a_sublist_names_the_line_in_its_path():
    body = {"entity": {"id": "101"}, "item": {"items": [{"item": {"id": "102"}}, {"item": {"externalId": "nope"}}]}}
    error = error_of("invoice", body)
    assert (error.code, error.path) == ("USER_ERROR", "item.items[1].item")


def test_item_subsidiaries_are_a_multi_select_checked_one_by_one():
    error = error_of("serviceSaleItem", {**ITEM, "subsidiary": {"items": [{"id": "1"}, {"id": "3"}]}})
    assert (error.code, error.path) == ("USER_ERROR", "subsidiary.items[1]")


def test_a_reference_that_is_not_an_object_is_a_user_error():
    error = error_of("customer", {**COMPANY, "subsidiary": "1"})
    assert (error.code, error.path) == ("USER_ERROR", "subsidiary")


def test_a_company_needs_a_company_name_and_a_person_a_first_and_last_name():
    assert error_of("customer", {"isPerson": False, "subsidiary": {"id": "1"}}).path == "companyName"
    error = error_of("customer", {"isPerson": True, "firstName": "Ada", "subsidiary": {"id": "1"}})
    assert (error.code, error.path) == ("USER_ERROR", "lastName")
    assert write("customer", {"isPerson": True, "firstName": "Ada", "lastName": "L", "subsidiary": {"id": "1"}})


def test_a_new_customer_needs_a_subsidiary():
    error = error_of("customer", {"companyName": "Acme"})
    assert (error.code, error.path) == ("USER_ERROR", "subsidiary")


def test_an_existing_customer_keeps_its_subsidiary():
    existing = write("customer", COMPANY)
    error = error_of("customer", {"subsidiary": {"id": "2"}}, existing)
    assert (error.code, error.path) == ("USER_ERROR", "subsidiary")
    # sending the same subsidiary again, or none, is fine
    assert write("customer", {"subsidiary": {"id": "1"}, "companyName": "Acme 2"}, existing)["companyName"] == "Acme 2"


def test_updates_merge_and_null_clears_a_field():
    existing = write("customer", {**COMPANY, "email": "a@example.com"})
    merged = write("customer", {"email": None, "isInactive": True}, existing)
    assert "email" not in merged
    assert merged["isInactive"] is True
    assert merged["companyName"] == "Acme"


def test_items_need_an_item_id_of_at_most_60_characters_and_an_income_account():
    assert write("serviceSaleItem", {**ITEM, "itemId": "x" * 60})
    error = error_of("serviceSaleItem", {**ITEM, "itemId": "x" * 61})
    assert (error.code, error.path) == ("USER_ERROR", "itemId")
    assert "60" in error.detail
    assert error_of("inventoryItem", {"itemId": "x"}).path == "incomeAccount"
    assert error_of("nonInventorySaleItem", {"incomeAccount": {"id": "54"}}).path == "itemId"


def test_unknown_fields_are_refused_unless_property_validation_is_relaxed():
    error = error_of("customer", {**COMPANY, "favouriteColour": "blue"})
    assert (error.code, error.path) == ("USER_ERROR", "favouriteColour")
    relaxed = write("customer", {**COMPANY, "favouriteColour": "blue"}, strict_property_names=False)
    assert "favouriteColour" not in relaxed


def test_custom_fields_and_read_only_keys_are_accepted():
    stored = write("customer", {**COMPANY, "custentity_zuora_id": "A-1", "links": [], "id": "5"})
    assert stored["custentity_zuora_id"] == "A-1"
    assert "links" not in stored
    assert "id" not in stored


def test_wrong_json_types_are_user_errors():
    assert error_of("customer", {**COMPANY, "isInactive": "false"}).path == "isInactive"
    assert error_of("customer", {**COMPANY, "companyName": 5}).path == "companyName"

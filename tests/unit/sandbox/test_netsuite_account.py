"""The simulated account's configuration rules (sandbox/netsuite_account.py) on record bodies."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.netsuite_account import AccountConfiguration, AccountRules, CustomForm, item_available
from sandbox.netsuite_errors import NetSuiteApiError

SUBSIDIARIES = {"1": "Parent", "2": "Parent : Europe", "3": "Parent : Europe : UK", "4": "Parent : US"}


def lookup(records: dict[tuple[str, str], dict[str, Any]]) -> Any:
    return lambda family, internal_id: records.get((family, internal_id))


def test_include_children_shares_an_item_with_every_level_below_the_listed_subsidiary() -> None:
    europe = {"subsidiary": {"items": [{"id": "2"}]}, "includeChildren": True}
    assert item_available(europe, "3", SUBSIDIARIES)  # a child of Europe
    assert item_available(europe, "2", SUBSIDIARIES)
    assert not item_available(europe, "4", SUBSIDIARIES)  # a sibling
    assert not item_available(europe, "1", SUBSIDIARIES)  # the parent
    assert not item_available({**europe, "includeChildren": False}, "3", SUBSIDIARIES)


def test_a_form_mandatory_column_field_is_asked_for_on_the_line_that_lacks_it() -> None:
    # Given a preferred invoice form making custcol_channel mandatory
    config = AccountConfiguration(one_world=False)
    config.add_form(CustomForm("171", "invoice", "Zuora Invoice", {"custcol_channel": "Channel"}), preferred=True)
    rules = AccountRules(config)
    merged: dict[str, Any] = {"item": {"items": [{"custcol_channel": "web"}, {"amount": 1}]}}
    # When a new invoice's second line lacks it
    with pytest.raises(NetSuiteApiError) as refused:
        rules.check("invoice", merged, None, lookup({}), SUBSIDIARIES)
    # Then NetSuite names the field on that line
    assert (refused.value.code, refused.value.details[0].path) == ("USER_ERROR", "item.items[1].custcol_channel")
    assert refused.value.details[0].detail == "Please enter value(s) for: Channel."


def test_a_form_named_in_the_body_validates_instead_of_the_preferred_one() -> None:
    # Given a preferred customer form with a mandatory field, and another form without
    config = AccountConfiguration()
    config.add_form(CustomForm("145", "customer", "Zuora Customer", {"custentity_region": "Region"}), preferred=True)
    config.add_form(CustomForm("-2", "customer", "Standard Customer Form"))
    rules = AccountRules(config)
    # When a new customer names the standard form and omits the field
    body, stored = rules.prepare("customer", {"companyName": "Acme", "customForm": {"id": "-2"}}, None)
    merged = {**body, **stored}
    rules.check("customer", merged, None, lookup({}), SUBSIDIARIES)
    # Then it is accepted, on the standard form
    assert merged["customForm"] == {"id": "-2", "refName": "Standard Customer Form"}


def test_generated_numbers_follow_each_other_per_record_type() -> None:
    rules = AccountRules(AccountConfiguration(one_world=False))
    numbers = []
    for _ in range(2):
        merged: dict[str, Any] = {"item": {"items": []}}
        rules.check("invoice", merged, None, lookup({}), SUBSIDIARIES)
        numbers.append(merged["tranId"])
    assert numbers == ["INV00001", "INV00002"]

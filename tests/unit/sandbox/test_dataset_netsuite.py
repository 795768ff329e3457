"""Pre-existing NetSuite customers and items for the go-live linking (sandbox/dataset_netsuite.py), and the
simulator's name rules they lean on (sandbox/netsuite_entities.py)."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import pytest

from sandbox.dataset import generate_dataset
from sandbox.dataset_netsuite import FOREIGN_EXTERNAL_ID_PREFIX, preexisting_records
from sandbox.netsuite_account import AccountConfiguration, CustomForm
from sandbox.netsuite_errors import NetSuiteApiError
from sandbox.netsuite_simulator import SAMPLE_REFERENCE_DATA, NetSuiteSimulator


def simulator(reference: dict[str, list[dict[str, str]]], account: AccountConfiguration | None = None) -> Any:
    keys = [uuid.uuid4().hex for _ in range(4)]
    return NetSuiteSimulator("1234567_SB1", *keys, reference_data=reference, account=account)


def with_contacts(dataset: Any) -> Any:
    """Give every account a bill-to contact; two accounts share an email (so neither can be told apart by it)."""
    contacts = []
    for index, account in enumerate(dataset.accounts):
        contact_id = f"c{index:031d}"
        email = "shared@example.com" if index < 2 else f"billing{index}@example.com"
        contacts.append({"Id": contact_id, "AccountId": account["Id"], "WorkEmail": email})
        account["BillToId"] = contact_id
    dataset.zuora_objects["Contact"] = contacts
    return dataset


def test_the_records_load_into_netsuite_and_say_what_a_linker_must_find() -> None:
    # Given a data set with bill-to contacts and a preferred customer form with a mandatory field
    dataset = with_contacts(generate_dataset(seed=11, accounts=80, charges=40))
    config = AccountConfiguration()
    config.add_form(CustomForm("145", "customer", "Go-live Form", {"custentity_zn_region": "Region"}), preferred=True)
    netsuite = simulator(dataset.netsuite_reference, config)
    # When the pre-existing records are made and entered as a user would (validated)
    data = preexisting_records(dataset, seed=3, customer_fields={"custentity_zn_region": "Other"})
    data.load(netsuite)
    # Then there are matched, ambiguous and conflicting accounts and charges
    statuses = Counter(data.expected_links.values())
    assert statuses["matched"] >= 2
    assert statuses["ambiguous"] == 5
    assert statuses["conflict"] == 2
    customers = netsuite.records("customer")
    entity_ids = {c["entityId"] for c in customers}
    accounts = {a["Id"]: a for a in dataset.accounts}
    charges = {c["Id"]: c for c in dataset.charges}
    for zuora_id, status in data.expected_links.items():
        if zuora_id in accounts:
            number = accounts[zuora_id]["AccountNumber"]
            # matched and conflict: a customer with the account number; ambiguous: none, two by email
            assert (number in entity_ids) == (status != "ambiguous")
        else:
            assert zuora_id in charges
    # And the ambiguous customers share the account's bill-to email, two by two; the conflict has another eid
    emails = Counter(c.get("email") for c in customers if c.get("email"))
    assert set(emails.values()) == {2}
    assert "shared@example.com" not in emails
    [conflict] = [c for c in customers if c.get("externalId")]
    assert conflict["externalId"].startswith(FOREIGN_EXTERNAL_ID_PREFIX)
    # And none of them carries the connector's external id
    assert not any(str(r.get("externalId", "")).startswith("zuora-") for r in customers)


def test_the_same_seed_gives_the_same_records() -> None:
    dataset = generate_dataset(seed=5, accounts=40, charges=20)
    first = preexisting_records(dataset, seed=1)
    second = preexisting_records(dataset, seed=1)
    assert first.records == second.records
    assert first.expected_links == second.expected_links
    # Without contacts no customer can be ambiguous by email
    dataset.zuora_objects["Contact"] = []
    first = preexisting_records(dataset, seed=1)
    assert "ambiguous" not in {
        first.expected_links[a["Id"]] for a in dataset.accounts if a["Id"] in first.expected_links
    }


def test_a_second_customer_with_the_same_customer_id_in_other_case_is_refused() -> None:
    netsuite = simulator(SAMPLE_REFERENCE_DATA)
    netsuite.seed_record("customer", {"entityId": "A0001", "companyName": "One", "subsidiary": {"id": "1"}})
    with pytest.raises(NetSuiteApiError) as refused:
        netsuite.seed_record("customer", {"entityId": "a0001", "companyName": "Two", "subsidiary": {"id": "1"}})
    assert refused.value.details[0].path == "entityId"
    # unless the account's knob is off
    netsuite.unique_names = False
    netsuite.seed_record("customer", {"entityId": "a0001", "companyName": "Two", "subsidiary": {"id": "1"}})

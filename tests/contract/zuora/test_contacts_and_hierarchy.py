"""An account's Bill To / Sold To contacts, payment term and parent, read with ZOQL as the connector reads them.

Zuora SOAP object reference, Account field descriptions
(https://docs.zuora.com/en/zuora-platform/integration/apis/soap-api/soap-api-object-reference/account/field-descriptions):
``BillToId``, ``SoldToId`` (contact ids), ``ParentId`` (the parent account), ``PaymentTerm`` (the name of one of the
tenant's payment terms). Contact (https://docs.zuora.com/zuora-platform/integration/apis/soap-api/soap-api-object-reference/contact):
"An Account object requires a contact for the BillToId and SoldToId fields before the account can be active";
its fields (.../contact/field-descriptions): AccountId, FirstName, LastName, WorkEmail, WorkPhone, Address1, Address2,
City, State, PostalCode, Country, County. Read-only: the designated test account must be Active.
"""

from __future__ import annotations

from tests.contract.zuora.actions import fault_code, query
from tests.contract.zuora.conftest import ZuoraTarget

CONTACT_FIELDS = (
    "Id, AccountId, FirstName, LastName, WorkEmail, WorkPhone, Address1, Address2, City, State, PostalCode, Country"
)


def test_given_an_active_account_when_querying_its_contacts_and_term_then_bill_to_and_sold_to_are_set(
    zuora_target: ZuoraTarget,
):
    """Account field descriptions + Contact page (module docstring): an active account has both contact ids."""
    # When the designated (active) account is queried for the fields the connector reads
    response = query(
        zuora_target,
        "select Id, Status, BillToId, SoldToId, ParentId, PaymentTerm from Account "  # noqa: S608
        f"where Id = '{zuora_target.test_account_id}'",
    )
    # Then it answers one account with a Bill To and a Sold To contact id
    assert response.status_code == 200, response.text
    [account] = response.json()["records"]
    assert account["Status"] == "Active"
    assert account.get("BillToId")
    assert account.get("SoldToId")
    assert isinstance(account.get("PaymentTerm", ""), str)


def test_given_the_contact_ids_when_querying_contacts_by_id_then_they_belong_to_the_account(zuora_target: ZuoraTarget):
    """Contact field descriptions (module docstring): Contact is queryable and filterable by Id; AccountId names the
    account; Country is shown by name ("Example: United States",
    .../merge-fields-for-invoices/bill-to-contact-fields)."""
    # Given the account's contact ids
    [account] = query(
        zuora_target,
        f"select BillToId, SoldToId from Account where Id = '{zuora_target.test_account_id}'",  # noqa: S608
    ).json()["records"]
    ids = sorted({account["BillToId"], account["SoldToId"]})
    # When the contacts are queried the way the connector batches them (Id = 'a' or Id = 'b')
    condition = " or ".join(f"Id = '{contact_id}'" for contact_id in ids)
    response = query(zuora_target, f"select {CONTACT_FIELDS} from Contact where {condition}")  # noqa: S608
    # Then each comes back once, belonging to the account
    assert response.status_code == 200, response.text
    contacts = response.json()["records"]
    assert sorted(contact["Id"] for contact in contacts) == ids
    assert {contact["AccountId"] for contact in contacts} == {zuora_target.test_account_id}
    for contact in contacts:
        assert len(contact.get("Country") or "Country name") > 3  # a name, not an ISO code


def test_given_an_account_when_querying_its_children_by_parent_id_then_the_query_is_accepted(
    zuora_target: ZuoraTarget,
):
    """Account field descriptions: ParentId can be queried and filtered (customer hierarchy, five levels:
    https://docs.zuora.com/en/zuora-billing/manage-accounts-subscriptions-and-non-subscriptions/manage-customer-accounts/create-customer-accounts/basic-information-and-contacts-for-customer-accounts/field-descriptions)."""
    response = query(
        zuora_target,
        f"select Id, ParentId from Account where ParentId = '{zuora_target.test_account_id}'",  # noqa: S608
    )
    assert response.status_code == 200, response.text
    assert all(child["ParentId"] == zuora_target.test_account_id for child in response.json()["records"])


def test_given_the_contact_object_when_querying_a_connector_package_field_then_it_is_unknown(
    zuora_target: ZuoraTarget,
):
    """NetSuite Connector package custom fields exist only on the objects it syncs, and Contact is not one
    (https://docs.zuora.com/zuora-platform/integration/integration-hub/billing-connector-for-netsuite-gl/netsuite-connector-custom-fields/zuora-custom-fields)."""
    response = query(zuora_target, "select Id, IntegrationId__NS from Contact")
    assert response.status_code == 400
    assert fault_code(response) == "INVALID_FIELD"

"""NetSuite records that exist before the connector goes live: customers and items entered by hand over the years,
without the connector's external id, for the go-live linking to find (issue 12).

``preexisting_records(dataset)`` picks, deterministically from the data set and a seed:

* matched customers: about ``share`` of the accounts a first run would create (valid, pending, never linked), each
  with a NetSuite customer whose Customer ID (``entityId``) is the account number, in the account's currency and
  subsidiary;
* ambiguous customers: accounts whose bill-to contact's email two NetSuite customers share (their Customer IDs match
  no account). Needs the data set's Contact objects (``Account.BillToId`` -> ``Contact.WorkEmail``); without
  contacts there are none;
* one conflict: a customer whose Customer ID is an account number but that already carries another system's
  external id (never adopted);
* matched items: about ``share`` of the charges a first run would create, each with an item whose name
  (``itemId``) is the connector's item name for the charge, of the charge's item type;
* ambiguous items: charges whose name two NetSuite items have as display name (their item names match nothing);
* one item conflict: an item named as the connector names a charge, but of another item type.

``expected_links`` says what a correct linker reports for each Zuora Id: ``matched``, ``ambiguous`` or ``conflict``
(every other pending record is ``unmatched``). ``load(simulator)`` enters the records as a user would
(``NetSuiteSimulator.seed_record``: validated, the account's forms and mandatory fields apply, so
``customer_fields`` must fill a mandatory custom field when the preferred form has one).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sandbox.dataset import _SUBSIDIARY_FOR_CURRENCY, Dataset
from zuora_netsuite.mapping.item import item_id
from zuora_netsuite.models.netsuite import ITEM_TYPE_BY_ZUORA_VALUE
from zuora_netsuite.models.zuora import ZuoraProductRatePlan, ZuoraProductRatePlanCharge

LinkStatus = Literal["matched", "ambiguous", "conflict"]
FOREIGN_EXTERNAL_ID_PREFIX = "legacy-crm-"  # another integration's external id on the conflicting customer
AMBIGUOUS_CUSTOMER_PAIRS = 3
AMBIGUOUS_ITEM_PAIRS = 2
NAME_MAX = 32  # NetSuite's firstName / lastName


@dataclass(frozen=True)
class PreexistingRecord:
    record_type: str  # "customer", "serviceSaleItem", ...
    body: dict[str, Any]
    external_id: str | None = None  # only the conflicting customer has one (another system's)
    zuora_id: str | None = None  # the Zuora record it was made for (None: a decoy of an ambiguous pair)


@dataclass
class PreexistingData:
    records: list[PreexistingRecord] = field(default_factory=list)
    expected_links: dict[str, LinkStatus] = field(default_factory=dict)
    internal_ids: list[str] = field(default_factory=list)  # after load(), in the order of records

    def load(self, simulator: Any) -> list[str]:
        """Enter every record in the NetSuite simulator (``seed_record``); returns their internal ids."""
        self.internal_ids = [
            str(simulator.seed_record(record.record_type, record.body, record.external_id)) for record in self.records
        ]
        return list(self.internal_ids)

    def ids_for(self, status: LinkStatus) -> set[str]:
        return {zuora_id for zuora_id, linked in self.expected_links.items() if linked == status}


def _by_name(rows: list[dict[str, str]], name: str) -> str | None:
    return next((row["id"] for row in rows if name in (row.get("fullname"), row.get("name"), row.get("symbol"))), None)


def _pending_unlinked(dataset: Dataset, object_type: str) -> list[dict[str, Any]]:
    """Records a first run would create: valid, not excluded, never linked (no Integration ID)."""
    synced = dataset.expected_synced(object_type)
    return [
        record
        for record in dataset.zuora_objects.get(object_type, [])
        if record["Id"] in synced
        and not record.get("IntegrationId__NS")
        and record["Id"] not in dataset.expected_inactive
    ]


def _customer_body(
    dataset: Dataset, account: Mapping[str, Any], entity_id: str, extra: Mapping[str, Any]
) -> dict[str, Any]:
    reference = dataset.netsuite_reference
    currency = str(account.get("Currency") or "USD")
    subsidiary_name = account.get("Subsidiary__NS") or _SUBSIDIARY_FOR_CURRENCY.get(currency, "")
    subsidiary = _by_name(reference["subsidiary"], str(subsidiary_name)) or reference["subsidiary"][0]["id"]
    body: dict[str, Any] = {"entityId": entity_id, "subsidiary": {"id": subsidiary}}
    currency_id = _by_name(reference["currency"], currency)
    if currency_id is not None:
        body["currency"] = {"id": currency_id}
    name = str(account.get("Name") or entity_id).strip()
    if account.get("CustomerType__NS") == "Individual":
        first, _, last = name.partition(" ")
        body.update(
            isPerson=True, firstName=first[:NAME_MAX] or "Unknown", lastName=last[:NAME_MAX] or first[:NAME_MAX]
        )
    else:
        body.update(isPerson=False, companyName=name[:83])
    return {**body, **extra}


def _bill_to_emails(dataset: Dataset) -> dict[str, str]:
    """Account Id -> its bill-to contact's WorkEmail (when the data set has contacts)."""
    contacts = {contact["Id"]: contact for contact in dataset.zuora_objects.get("Contact", [])}
    emails: dict[str, str] = {}
    for account in dataset.zuora_objects.get("Account", []):
        email = (contacts.get(str(account.get("BillToId"))) or {}).get("WorkEmail")
        if email:
            emails[account["Id"]] = str(email)
    return emails


def preexisting_records(
    dataset: Dataset,
    *,
    seed: int = 0,
    share: float = 0.1,
    customer_fields: Mapping[str, Any] | None = None,
) -> PreexistingData:
    """The NetSuite records a company going live already has (module docstring)."""
    rng = random.Random(f"netsuite-preexisting-{dataset.seed}-{seed}")
    extra = dict(customer_fields or {})
    data = PreexistingData()
    _customers(dataset, rng, share, extra, data)
    _items(dataset, rng, share, data)
    return data


def _customers(
    dataset: Dataset, rng: random.Random, share: float, extra: Mapping[str, Any], data: PreexistingData
) -> None:
    accounts = _pending_unlinked(dataset, "Account")
    rng.shuffle(accounts)
    emails = _bill_to_emails(dataset)
    # Emails must be unique among the accounts used (else a "matched" one would also be ambiguous by email).
    email_owners: dict[str, int] = {}
    for email in emails.values():
        email_owners[email.casefold()] = email_owners.get(email.casefold(), 0) + 1
    taken: set[str] = set()

    if accounts:
        conflict = accounts.pop()
        data.records.append(
            PreexistingRecord(
                "customer",
                _customer_body(dataset, conflict, str(conflict["AccountNumber"]), extra),
                external_id=f"{FOREIGN_EXTERNAL_ID_PREFIX}{rng.randrange(10**6):06d}",
                zuora_id=conflict["Id"],
            )
        )
        data.expected_links[conflict["Id"]] = "conflict"
        taken.add(conflict["Id"])

    ambiguous = [
        account
        for account in accounts
        if account["Id"] in emails and email_owners[emails[account["Id"]].casefold()] == 1
    ][:AMBIGUOUS_CUSTOMER_PAIRS]
    for pair, account in enumerate(ambiguous, start=1):
        email = emails[account["Id"]]
        for decoy in ("a", "b"):
            body = _customer_body(dataset, account, f"LEGACY-C{pair:03d}{decoy}", extra)
            data.records.append(PreexistingRecord("customer", {**body, "email": email}))
        data.expected_links[account["Id"]] = "ambiguous"
        taken.add(account["Id"])

    matched = [account for account in accounts if account["Id"] not in taken]
    for account in matched[: max(1, round(len(matched) * share))] if matched else []:
        body = _customer_body(dataset, account, str(account["AccountNumber"]), extra)
        data.records.append(PreexistingRecord("customer", body, zuora_id=account["Id"]))
        data.expected_links[account["Id"]] = "matched"


def _items(dataset: Dataset, rng: random.Random, share: float, data: PreexistingData) -> None:
    plans = {plan["Id"]: plan for plan in dataset.zuora_objects.get("ProductRatePlan", [])}
    charges = _pending_unlinked(dataset, "ProductRatePlanCharge")
    rng.shuffle(charges)
    item_types = sorted({item_type.value for item_type in ITEM_TYPE_BY_ZUORA_VALUE.values()})

    def name_and_type(charge: Mapping[str, Any]) -> tuple[str, str]:
        plan = plans.get(str(charge.get("ProductRatePlanId")))
        model = ZuoraProductRatePlanCharge.model_validate(charge)
        name = item_id(model, ZuoraProductRatePlan.model_validate(plan) if plan else None)
        item_type = ITEM_TYPE_BY_ZUORA_VALUE[str(charge["ItemType__NS"]).strip().lower()].value
        return name, item_type

    def body(name: str, **extra: Any) -> dict[str, Any]:
        return {
            "itemId": name,
            "incomeAccount": {"id": dataset.income_account_id},
            "subsidiary": {"items": [{"id": dataset.netsuite_reference["subsidiary"][0]["id"]}]},
            "includeChildren": True,
            **extra,
        }

    if charges:
        conflict = charges.pop()
        name, item_type = name_and_type(conflict)
        other_type = next(candidate for candidate in item_types if candidate != item_type)
        data.records.append(PreexistingRecord(other_type, body(name), zuora_id=conflict["Id"]))
        data.expected_links[conflict["Id"]] = "conflict"

    display_names = [str(charge.get("Name") or "") for charge in charges]
    ambiguous = [charge for charge in charges if display_names.count(str(charge.get("Name") or "")) == 1][
        :AMBIGUOUS_ITEM_PAIRS
    ]
    for pair, charge in enumerate(ambiguous, start=1):
        _, item_type = name_and_type(charge)
        for decoy in ("a", "b"):
            data.records.append(
                PreexistingRecord(item_type, body(f"Legacy item {pair:03d}{decoy}", displayName=charge["Name"]))
            )
        data.expected_links[charge["Id"]] = "ambiguous"

    matched = [charge for charge in charges if charge["Id"] not in data.expected_links]
    for charge in matched[: max(1, round(len(matched) * share))] if matched else []:
        name, item_type = name_and_type(charge)
        data.records.append(PreexistingRecord(item_type, body(name), zuora_id=charge["Id"]))
        data.expected_links[charge["Id"]] = "matched"

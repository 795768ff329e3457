"""A deterministic, realistic Zuora data set plus the NetSuite reference data it refers to.

``generate_dataset(seed)`` always returns the same objects for the same seed and sizes. Besides the
Zuora objects (ready for ``ZuoraSimulator.load``) it says what a correct connector must do with them:

- ``expected_invalid``: record Id -> the Zuora field name at fault (``"Subsidiary__NS"``, ``"Currency"``,
  ``"Name"``, ``"ItemType__NS"``...); the connector's validation reason should mention it
  (compare case-insensitively). Each invalid record has exactly one fault and is otherwise pending.
- ``expected_excluded``: records the dispatcher must not pick up (SynctoNetSuite__NS = "No", Draft,
  IntegrationStatus__NS = "Ignore", Canceled and never synced).
- ``expected_inactive``: charges whose rate plan has expired; they sync as inactive items.
- ``custom_fields``: the ``__c`` fields the data set's objects carry (``Account.Region__c``); ``ZuoraSimulator.load``
  declares them.

Every account has a bill-to Contact (about 30 % a distinct sold-to one; country by *name*, as Zuora keeps it; one
contact in a country that does not exist, its account in ``expected_invalid`` with ``"Country"``); about 10 % of
the valid active accounts are children of another one (``ParentId``, depth 1); ``PaymentTerm`` is one of
``PAYMENT_TERMS``, each a NetSuite term in the reference data's ``term`` list. Contacts, hierarchy and regions draw
from their own random stream: the rest of the data set is what it was without them.

All timestamps are in the past, before ``DATASET_NOW`` (UTC).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox.zoql import format_datetime

# The __c field the sandbox tenant's administrator created for the connector's error reasons (on every synced
# object; sandbox/stack.py declares it on the Zuora simulator and configures zuora.error_field with it).
ZUORA_ERROR_FIELD = "IntegrationError__c"
DATASET_NOW = datetime(2026, 11, 1, 9, 0, 0, tzinfo=UTC)  # every generated timestamp is before this

# ------------------------------------------------------------------------- NetSuite reference data


def _tree(paths: list[str]) -> list[dict[str, str]]:
    return [
        {"id": str(index), "name": path.split(" : ")[-1], "fullname": path} for index, path in enumerate(paths, start=1)
    ]


SUBSIDIARIES = [
    "Parent Company",
    "Parent Company : US Inc",
    "Parent Company : Canada Ltd",
    "Parent Company : Europe",
    "Parent Company : Europe : UK Ltd",
    "Parent Company : Europe : Germany GmbH",
    "Parent Company : APAC Pty",
]
DEPARTMENTS = [
    "Sales",
    "Sales : Enterprise",
    "Sales : Mid-Market",
    "Sales : SMB",
    "Marketing",
    "Professional Services",
    "Professional Services : Consulting",
]
CLASSES = [
    "Americas",
    "Americas : North America",
    "Americas : North America : Eastern",
    "Americas : North America : Western",
    "Americas : LATAM",
    "EMEA",
    "EMEA : UK and Ireland",
    "EMEA : DACH",
    "APAC",
    "APAC : ANZ",
]
LOCATIONS = ["Headquarters", "Headquarters : Boston", "London", "Berlin", "Sydney", "Toronto"]
NETSUITE_CURRENCIES = [
    ("USD", "US Dollar"),
    ("GBP", "British Pound"),
    ("CAD", "Canadian Dollar"),
    ("EUR", "Euro"),
    ("AUD", "Australian Dollar"),
    ("JPY", "Japanese Yen"),
]
INCOME_ACCOUNTS = [
    ("4000", "Sales"),
    ("4100", "Revenue : Subscription Revenue"),
    ("4200", "Revenue : Usage Revenue"),
    ("4300", "Revenue : Professional Services Revenue"),
]

# Values NetSuite does not have (each makes a record invalid).
UNKNOWN_VALUES: dict[str, list[str]] = {
    "Subsidiary__NS": ["Parent Company : Atlantis Holdings", "Parent Company : Mars Colony Inc"],
    "Department__NS": ["Sales : Lunar", "Research : Quantum"],
    "Class__NS": ["Americas : Antarctica", "EMEA : Narnia"],
    "Location__NS": ["Warehouse Z", "Headquarters : Gotham"],
    "Currency": ["CHF", "XAF"],
    "CustomerType__NS": ["Partnership", "Government Agency"],
    "ItemType__NS": ["Kit", "Assembly"],
}

# --------------------------------------------------------------------------------- Zuora vocabulary

_COMPANY_FIRST = [
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell",
    "Cyberdyne", "Aperture", "Wonka", "Gringotts", "Oceanic", "Massive", "Dunder", "Prestige", "Sterling",
    "Pied Piper", "Blue Sun", "Monarch", "Nakatomi", "Virtucon", "Zorg", "Bluth", "Ollivander", "Kaiju",
]  # fmt: skip
_COMPANY_SECOND = [
    "Analytics", "Logistics", "Dynamics", "Labs", "Systems", "Foods", "Media", "Energy", "Robotics",
    "Health", "Capital", "Software", "Ventures", "Networks", "Biotech", "Outfitters", "Aerospace",
]  # fmt: skip
_COMPANY_SUFFIX = {
    "USD": ["Inc.", "LLC", "Corp."],
    "CAD": ["Ltd.", "Inc."],
    "EUR": ["GmbH", "SAS", "B.V.", "S.p.A."],
    "GBP": ["Ltd", "plc"],
    "AUD": ["Pty Ltd"],
    "JPY": ["K.K.", "G.K."],
    "CHF": ["AG"],
    "XAF": ["SARL"],
}
_FIRST_NAMES = ["Jane", "John", "Amelia", "Oliver", "Yuki", "Lukas", "Chloé", "Mateo", "Priya", "Noah", "Sofia"]
_LAST_NAMES = ["Smith", "Müller", "Tanaka", "Dubois", "Rossi", "García", "Patel", "Johnson", "O'Brien", "Kim"]
_CURRENCY_WEIGHTS = [("USD", 45), ("EUR", 20), ("GBP", 12), ("CAD", 10), ("AUD", 8), ("JPY", 5)]
_SUBSIDIARY_FOR_CURRENCY = {
    "USD": "Parent Company : US Inc",
    "CAD": "Parent Company : Canada Ltd",
    "EUR": "Parent Company : Europe : Germany GmbH",
    "GBP": "Parent Company : Europe : UK Ltd",
    "AUD": "Parent Company : APAC Pty",
    "JPY": "Parent Company : APAC Pty",
}
_PRODUCTS = [
    ("Analytics Cloud", "SKU-ANL", "Software"),
    ("Data Pipeline", "SKU-DPL", "Software"),
    ("Edge Gateway", "SKU-EGW", "Hardware"),
    ("Support Plans", "SKU-SUP", "Services"),
    ("Training", "SKU-TRN", "Services"),
    ("API Platform", "SKU-API", "Software"),
    ("Storage", "SKU-STO", "Software"),
    ("Sensors", "SKU-SNS", "Hardware"),
]
_PLAN_TIERS = ["Starter", "Professional", "Enterprise", "Legacy 2023", "Legacy 2024"]
_CHARGE_KINDS: list[tuple[str, str, str, str | None, str | None]] = [
    # (name, ChargeType, ChargeModel, BillingPeriod, UOM)
    ("Subscription Fee", "Recurring", "Flat Fee Pricing", "Month", None),
    ("Annual License", "Recurring", "Per Unit Pricing", "Annual", "Seat"),
    ("Setup Fee", "OneTime", "Flat Fee Pricing", None, None),
    ("API Calls", "Usage", "Tiered Pricing", "Month", "Call"),
    ("Storage Overage", "Usage", "Volume Pricing", "Month", "GB"),
    ("Onboarding", "OneTime", "Per Unit Pricing", None, "Hour"),
    ("Device", "OneTime", "Per Unit Pricing", None, "Each"),
    ("Premium Support", "Recurring", "Flat Fee Pricing", "Quarter", None),
]
_ITEM_TYPE_FOR_CATEGORY = {"Software": "Service", "Services": "Service", "Hardware": "Inventory"}


@dataclass
class Dataset:
    """Zuora objects for ZuoraSimulator.load, NetSuite reference data, and the expected outcomes."""

    seed: int
    zuora_objects: dict[str, list[dict[str, Any]]]
    netsuite_reference: dict[str, list[dict[str, str]]]
    income_account_id: str
    expected_invalid: dict[str, str] = field(default_factory=dict)
    expected_excluded: set[str] = field(default_factory=set)
    expected_inactive: set[str] = field(default_factory=set)
    # Transactions (sandbox/dataset_transactions.py): Id -> text the failure reason must contain; records the
    # dispatcher must not pick up; transactions dated before this day are in a closed NetSuite period.
    expected_reasons: dict[str, str] = field(default_factory=dict)
    expected_transactions_excluded: set[str] = field(default_factory=set)
    closed_period_before: date | None = None
    custom_fields: dict[str, list[str]] = field(default_factory=dict)

    @property
    def accounts(self) -> list[dict[str, Any]]:
        return self.zuora_objects["Account"]

    @property
    def charges(self) -> list[dict[str, Any]]:
        return self.zuora_objects["ProductRatePlanCharge"]

    def ids(self, object_type: str) -> list[str]:
        return [str(record["Id"]) for record in self.zuora_objects[object_type]]

    def expected_synced(self, object_type: str) -> set[str]:
        """Ids a correct first run syncs: neither invalid nor excluded."""
        skip = set(self.expected_invalid) | self.expected_excluded
        return {record_id for record_id in self.ids(object_type) if record_id not in skip}


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used_names: set[str] = set()

    def new_id(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def timestamp(self, earliest: datetime, latest: datetime = DATASET_NOW) -> datetime:
        span = int((latest - earliest).total_seconds())
        return earliest + timedelta(seconds=self.rng.randint(0, max(0, span - 1)))

    def created_updated(self) -> tuple[datetime, datetime]:
        created = self.timestamp(datetime(2023, 1, 1, tzinfo=UTC), DATASET_NOW - timedelta(days=30))
        updated = self.timestamp(created, DATASET_NOW - timedelta(hours=1))
        return created, updated

    def _unique(self, make: Callable[[], str]) -> str:
        name = make()
        for _ in range(10):
            if name not in self.used_names:
                break
            name = make()
        base, number = name, 2
        while name in self.used_names:
            name, number = f"{base} {number}", number + 1
        self.used_names.add(name)
        return name

    def company_name(self, currency: str) -> str:
        return self._unique(
            lambda: (
                f"{self.rng.choice(_COMPANY_FIRST)} {self.rng.choice(_COMPANY_SECOND)} "
                f"{self.rng.choice(_COMPANY_SUFFIX[currency])}"
            )
        )

    def person_name(self) -> str:
        return self._unique(lambda: f"{self.rng.choice(_FIRST_NAMES)} {self.rng.choice(_LAST_NAMES)}")

    def currency(self) -> str:
        codes = [code for code, _ in _CURRENCY_WEIGHTS]
        weights = [weight for _, weight in _CURRENCY_WEIGHTS]
        return self.rng.choices(codes, weights)[0]


def _netsuite_reference() -> dict[str, list[dict[str, str]]]:
    return {
        "subsidiary": _tree(SUBSIDIARIES),
        "department": _tree(DEPARTMENTS),
        "classification": _tree(CLASSES),
        "location": _tree(LOCATIONS),
        "currency": [
            {"id": str(index), "symbol": code, "name": name}
            for index, (code, name) in enumerate(NETSUITE_CURRENCIES, start=1)
        ],
        "account": [
            *(
                {"id": str(100 + index), "acctnumber": number, "fullname": fullname, "accttype": "Income"}
                for index, (number, fullname) in enumerate(INCOME_ACCOUNTS, start=1)
            ),
            # Where payments are deposited and refunds paid from (sandbox/dataset_books.py, BOOKS_PAYMENTS_CONFIG)
            *(dict(row) for row in BANK_ACCOUNTS),
        ],
        "paymentmethod": [dict(row) for row in NETSUITE_PAYMENT_METHODS],
        # Revenue recognition templates (issue 13: revenue.templates; sandbox/dataset_books.py REV_REC_TEMPLATE_ID)
        "revrecschedule": [{"id": "3", "name": "Monthly, Even Periods"}],
        "term": [{"id": term_id, "name": name} for name, term_id in NETSUITE_TERMS.items()],
    }


# NetSuite bank accounts and payment methods of the simulated account (issue 13: deposit rules).
BANK_ACCOUNTS: tuple[dict[str, str], ...] = (
    {"id": "1", "acctnumber": "1000", "fullname": "Checking", "accttype": "Bank"},
    {"id": "2", "acctnumber": "1010", "fullname": "Checking EUR", "accttype": "Bank"},
    {"id": "3", "acctnumber": "1020", "fullname": "Stripe Clearing", "accttype": "Bank"},
)
NETSUITE_PAYMENT_METHODS: tuple[dict[str, str], ...] = (
    {"id": "1", "name": "Cash"},
    {"id": "2", "name": "Check"},
    {"id": "5", "name": "VISA"},
    {"id": "8", "name": "ACH"},
    {"id": "9", "name": "Wire Transfer"},
)


def _every_nth(count: int, share: float, offset: int) -> list[int]:
    """About share * count indexes spread over 0..count-1, starting at offset."""
    wanted = max(1, round(count * share))
    step = count / wanted
    return sorted({(offset + int(i * step)) % count for i in range(wanted)})


_ACCOUNT_FAULTS = [
    "Subsidiary__NS",
    "Currency",
    "Department__NS",
    "Name",
    "Class__NS",
    "CustomerType__NS",
    "Location__NS",
]
_ACCOUNT_EXCLUSIONS = ["SynctoNetSuite__NS", "Draft", "Ignore", "CanceledNeverSynced"]
_CHARGE_FAULTS = ["ItemType__NS:missing", "ItemType__NS", "Class__NS"]


def _accounts(gen: _Generator, count: int, dataset: Dataset) -> list[dict[str, Any]]:
    invalid_at = _every_nth(count, 0.08, offset=3)
    excluded_at = [i for i in _every_nth(count, 0.08, offset=5) if i not in invalid_at]
    accounts: list[dict[str, Any]] = []
    for index in range(count):
        currency = gen.currency()
        is_person = gen.rng.random() < 0.12
        created, updated = gen.created_updated()
        account: dict[str, Any] = {
            "Id": gen.new_id(),
            "AccountNumber": f"A{index + 1:08d}",
            "Name": gen.person_name() if is_person else gen.company_name(currency),
            "Status": "Canceled" if gen.rng.random() < 0.06 else "Active",
            "Currency": currency,
            "Balance": round(gen.rng.uniform(0, 25_000), 2),
            "BillCycleDay": gen.rng.randint(1, 28),
            "Batch": f"Batch{gen.rng.randint(1, 5)}",
            "PaymentTerm": gen.rng.choice(["Due Upon Receipt", "Net 30", "Net 45", "Net 60"]),
            "AutoPay": gen.rng.random() < 0.4,
            "CreatedDate": format_datetime(created),
            "UpdatedDate": format_datetime(updated),
        }
        roll = gen.rng.random()
        if roll < 0.80:
            account["SynctoNetSuite__NS"] = "Yes"  # else null: not "No", so it syncs
        account["CustomerType__NS"] = "Individual" if is_person else gen.rng.choice(["Company", "Company", None])
        if gen.rng.random() < 0.7:
            account["Subsidiary__NS"] = _SUBSIDIARY_FOR_CURRENCY[currency]
        if gen.rng.random() < 0.4:
            account["Department__NS"] = gen.rng.choice(DEPARTMENTS)
        if gen.rng.random() < 0.4:
            account["Class__NS"] = gen.rng.choice(CLASSES)
        if gen.rng.random() < 0.3:
            account["Location__NS"] = gen.rng.choice(LOCATIONS)
        # Sync history: most never synced, some synced earlier, a few mid-flight or in error.
        history = gen.rng.random()
        if history < 0.25 or account["Status"] == "Canceled":
            sync_date = gen.timestamp(created, updated)
            account["IntegrationId__NS"] = str(gen.rng.randint(1000, 9999))
            account["IntegrationStatus__NS"] = "Sync Complete"
            account["SyncDate__NS"] = format_datetime(sync_date)
        elif history < 0.30:
            account["IntegrationStatus__NS"] = "Creating Customer"
        elif history < 0.34:
            account["IntegrationStatus__NS"] = "Error Creating Customer"
            account[ZUORA_ERROR_FIELD] = "NetSuite timed out"
        accounts.append(account)

    for n, index in enumerate(invalid_at):
        account = accounts[index]
        fault = _ACCOUNT_FAULTS[n % len(_ACCOUNT_FAULTS)]
        # Make it pending and otherwise valid, so validation is what stops it.
        account["Status"] = "Active"
        account["SynctoNetSuite__NS"] = "Yes"
        for name in ("IntegrationId__NS", "IntegrationStatus__NS", "SyncDate__NS", ZUORA_ERROR_FIELD):
            account.pop(name, None)  # never synced: an invalid record cannot have synced before
        if fault == "Name":
            account["Name"] = "" if n % 2 else "   "
        elif fault == "Currency":
            account["Currency"] = UNKNOWN_VALUES["Currency"][n % 2]
            account.pop("Subsidiary__NS", None)
        else:
            account[fault] = UNKNOWN_VALUES[fault][n % 2]
        dataset.expected_invalid[account["Id"]] = fault

    for n, index in enumerate(excluded_at):
        account = accounts[index]
        kind = _ACCOUNT_EXCLUSIONS[n % len(_ACCOUNT_EXCLUSIONS)]
        if kind == "SynctoNetSuite__NS":
            account["SynctoNetSuite__NS"] = "No"
        elif kind == "Draft":
            account["Status"] = "Draft"
            for name in ("IntegrationId__NS", "IntegrationStatus__NS", "SyncDate__NS", ZUORA_ERROR_FIELD):
                account.pop(name, None)
        elif kind == "Ignore":
            account["IntegrationStatus__NS"] = "Ignore"
            account.pop(ZUORA_ERROR_FIELD, None)
        else:
            account["Status"] = "Canceled"
            for name in ("IntegrationId__NS", "IntegrationStatus__NS", "SyncDate__NS", ZUORA_ERROR_FIELD):
                account.pop(name, None)
        dataset.expected_excluded.add(account["Id"])
    return accounts


def _catalog(
    gen: _Generator, charge_count: int, dataset: Dataset
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    products: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    charges: list[dict[str, Any]] = []
    plan_category: dict[str, str] = {}
    expired_plans: set[str] = set()
    for name, sku, category in _PRODUCTS:
        created, updated = gen.created_updated()
        product = {
            "Id": gen.new_id(),
            "Name": name,
            "SKU": sku,
            "Category": category,
            "Description": f"{name} product family",
            "EffectiveStartDate": date(2022, 1, 1).isoformat(),
            "EffectiveEndDate": date(2099, 12, 31).isoformat(),
            "CreatedDate": format_datetime(created),
            "UpdatedDate": format_datetime(updated),
        }
        products.append(product)
        for tier in gen.rng.sample(_PLAN_TIERS, 3):
            created, updated = gen.created_updated()
            start = date(2022 + gen.rng.randint(0, 2), gen.rng.randint(1, 12), 1)
            end = {"Legacy 2023": date(2025, gen.rng.randint(1, 12), 28), "Legacy 2024": date(2027, 12, 31)}.get(
                tier, date(2099, 12, 31)
            )  # Legacy 2023 plans have expired: their charges become inactive items
            plan = {
                "Id": gen.new_id(),
                "Name": f"{name} {tier}",
                "Description": f"{tier} plan of {name}",
                "ProductId": product["Id"],
                "EffectiveStartDate": start.isoformat(),
                "EffectiveEndDate": end.isoformat(),
                "CreatedDate": format_datetime(created),
                "UpdatedDate": format_datetime(updated),
            }
            plans.append(plan)
            plan_category[plan["Id"]] = category
            if end < DATASET_NOW.date():
                expired_plans.add(plan["Id"])

    names: set[str] = set()
    for index in range(charge_count):
        plan = plans[index % len(plans)]
        kinds = _CHARGE_KINDS if plan_category[plan["Id"]] != "Hardware" else _CHARGE_KINDS[2:]
        kind_name, charge_type, model, period, uom = gen.rng.choice(kinds)
        charge_name = f"{plan['Name']} - {kind_name}"
        suffix = 2
        while charge_name in names:
            charge_name = f"{plan['Name']} - {kind_name} {suffix}"
            suffix += 1
        names.add(charge_name)
        created, updated = gen.created_updated()
        category = plan_category[plan["Id"]]
        item_type = _ITEM_TYPE_FOR_CATEGORY[category]
        if charge_type == "Usage" or kind_name == "Setup Fee":
            item_type = gen.rng.choice(["Service", "Non Inventory"])
        charge: dict[str, Any] = {
            "Id": gen.new_id(),
            "ProductRatePlanChargeNumber": f"PRPC-{index + 1:08d}",
            "Name": charge_name,
            "Description": f"{kind_name} for {plan['Name']}",
            "ChargeType": charge_type,
            "ChargeModel": model,
            "ProductRatePlanId": plan["Id"],
            "DefaultQuantity": 1,
            "Taxable": category != "Services",
            "AccountingCode": gen.rng.choice(["4100", "4200", "4300"]),
            "ItemType__NS": item_type,
            "CreatedDate": format_datetime(created),
            "UpdatedDate": format_datetime(updated),
        }
        if period:
            charge["BillingPeriod"] = period
        if uom:
            charge["UOM"] = uom
        if gen.rng.random() < 0.3:
            charge["Class__NS"] = gen.rng.choice(CLASSES)
        if gen.rng.random() < 0.2:
            charge["Department__NS"] = gen.rng.choice(DEPARTMENTS)
        if gen.rng.random() < 0.15:
            charge["Location__NS"] = gen.rng.choice(LOCATIONS)
        if gen.rng.random() < 0.2:
            charge["IntegrationId__NS"] = str(gen.rng.randint(500, 999))
            charge["IntegrationStatus__NS"] = "Sync Complete"
            charge["SyncDate__NS"] = format_datetime(gen.timestamp(created, updated))
        charges.append(charge)

    invalid_at = _every_nth(charge_count, 0.08, offset=2)
    for n, index in enumerate(invalid_at):
        charge = charges[index]
        fault = _CHARGE_FAULTS[n % len(_CHARGE_FAULTS)]
        if fault == "ItemType__NS:missing":
            del charge["ItemType__NS"]
            fault = "ItemType__NS"
        else:
            charge[fault] = UNKNOWN_VALUES[fault][n % 2]
        dataset.expected_invalid[charge["Id"]] = fault

    candidates = [i for i in range(charge_count) if charges[i]["Id"] not in dataset.expected_invalid]
    ignore_at = candidates[len(candidates) // 2] if candidates else None
    for index, charge in enumerate(charges):
        if index == ignore_at:
            charge["IntegrationStatus__NS"] = "Ignore"
            dataset.expected_excluded.add(charge["Id"])
        elif charge["ProductRatePlanId"] in expired_plans and charge["Id"] not in dataset.expected_invalid:
            dataset.expected_inactive.add(charge["Id"])
    return products, plans, charges


# Zuora payment term -> the NetSuite term (reference data "term", internal id) it maps to (configuration
# payment_terms, sandbox/stack.py).
NETSUITE_TERMS = {"Net 15": "1", "Net 30": "2", "Net 60": "3", "Due on receipt": "4", "Net 45": "7"}
PAYMENT_TERMS = {"Due Upon Receipt": "4", "Net 30": "2", "Net 45": "7", "Net 60": "3"}
REGION_FIELD = "Region__c"  # an administrator's __c field on Account (field mapping examples)
REGIONS = ["North America", "EMEA", "APAC", "LATAM"]
INVALID_COUNTRY = "Atlantis"
# Where a contact lives, by the account's currency: (Country as Zuora names it, cities, state or None).
_ADDRESSES: dict[str, list[tuple[str, str, str | None, str]]] = {
    "USD": [("United States", "San Francisco", "CA", "94105"), ("United States", "Boston", "MA", "02110"),
            ("United States", "Austin", "TX", "78701")],
    "CAD": [("Canada", "Toronto", "ON", "M5H 2N2"), ("Canada", "Vancouver", "BC", "V6B 1A1")],
    "EUR": [("Germany", "Berlin", None, "10115"), ("France", "Paris", None, "75001"),
            ("Netherlands", "Amsterdam", None, "1012 AB")],
    "GBP": [("United Kingdom", "London", None, "EC1A 1BB"), ("United Kingdom", "Manchester", None, "M1 1AE")],
    "AUD": [("Australia", "Sydney", "NSW", "2000"), ("Australia", "Melbourne", "VIC", "3000")],
    "JPY": [("Japan", "Tokyo", None, "100-0001")],
}  # fmt: skip
_STREETS = ["Market St", "High Street", "Main Street", "King Street", "Harbour Road", "Station Road"]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return folded.casefold().replace("'", "")


def _contact(rng: random.Random, account: dict[str, Any], index: int, first: str, last: str) -> dict[str, Any]:
    country, city, state, postal_code = rng.choice(_ADDRESSES.get(str(account.get("Currency")), _ADDRESSES["USD"]))
    domain = "".join(ch for ch in _ascii(str(account.get("Name") or "")) if ch.isalnum())[:20] or "example"
    contact: dict[str, Any] = {
        "Id": f"{rng.getrandbits(128):032x}",
        "AccountId": account["Id"],
        "FirstName": first,
        "LastName": last,
        "WorkEmail": _ascii(f"{first}.{last}.{index}@{domain}.example"),
        "WorkPhone": f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        "Address1": f"{rng.randint(1, 400)} {rng.choice(_STREETS)}",
        "City": city,
        "PostalCode": postal_code,
        "Country": country,
        "CreatedDate": account["CreatedDate"],
        "UpdatedDate": account["CreatedDate"],
    }
    if state:
        contact["State"] = state
    if rng.random() < 0.2:
        contact["Address2"] = f"Suite {rng.randint(100, 999)}"
    return contact


def _contacts(seed: int, accounts: list[dict[str, Any]], dataset: Dataset) -> list[dict[str, Any]]:
    """Bill-to (and some sold-to) contacts, the account hierarchy and regions, from their own random stream."""
    rng = random.Random(f"contacts-{seed}")
    contacts: list[dict[str, Any]] = []
    for index, account in enumerate(accounts):
        if account.get("CustomerType__NS") == "Individual" and str(account.get("Name") or "").strip():
            first, _, last = str(account["Name"]).strip().partition(" ")
        else:
            first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        bill_to = _contact(rng, account, index, first, last)
        contacts.append(bill_to)
        account["BillToId"] = account["SoldToId"] = bill_to["Id"]
        if rng.random() < 0.3:
            sold_to = _contact(rng, account, index + len(accounts), rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES))
            contacts.append(sold_to)
            account["SoldToId"] = sold_to["Id"]
        if rng.random() < 0.7:
            account[REGION_FIELD] = rng.choice(REGIONS)
    dataset.custom_fields = {"Account": [REGION_FIELD]}
    _hierarchy(rng, accounts, dataset)
    # One bill-to contact in a country that does not exist: its account fails validation naming Country.
    skip = set(dataset.expected_invalid) | dataset.expected_excluded
    valid = [a for a in accounts if a["Id"] not in skip and not a.get("ParentId")]
    parents = {a.get("ParentId") for a in accounts}
    candidates = [a for a in valid if a["Id"] not in parents and a["Status"] == "Active"]
    if candidates:
        account = candidates[len(candidates) // 3]
        next(c for c in contacts if c["Id"] == account["BillToId"])["Country"] = INVALID_COUNTRY
        dataset.expected_invalid[account["Id"]] = "Country"
    return contacts


def _hierarchy(rng: random.Random, accounts: list[dict[str, Any]], dataset: Dataset) -> None:
    """About 10 % of the valid active accounts become children of another valid active account (depth 1)."""
    skip = set(dataset.expected_invalid) | dataset.expected_excluded
    eligible = [a for a in accounts if a["Id"] not in skip and a["Status"] == "Active"]
    if len(eligible) < 4:
        return
    rng.shuffle(eligible)
    children = eligible[: max(1, round(len(eligible) * 0.1))]
    parents = eligible[len(children) : len(children) + max(1, len(children) // 2)]
    for n, child in enumerate(children):
        child["ParentId"] = parents[n % len(parents)]["Id"]


def generate_dataset(seed: int = 7, accounts: int = 200, charges: int = 60) -> Dataset:
    """A deterministic data set: same seed and sizes, same objects, Ids and expectations."""
    gen = _Generator(seed)
    reference = _netsuite_reference()
    dataset = Dataset(
        seed=seed,
        zuora_objects={},
        netsuite_reference=reference,
        income_account_id=reference["account"][1]["id"],  # Revenue : Subscription Revenue
    )
    account_rows = _accounts(gen, accounts, dataset) if accounts > 0 else []
    products, plans, charge_rows = _catalog(gen, charges, dataset) if charges > 0 else ([], [], [])
    contacts = _contacts(seed, account_rows, dataset) if account_rows else []
    dataset.zuora_objects = {
        "Account": account_rows,
        "Contact": contacts,
        "Product": products,
        "ProductRatePlan": plans,
        "ProductRatePlanCharge": charge_rows,
    }
    return dataset

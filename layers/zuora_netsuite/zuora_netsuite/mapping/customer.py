"""Zuora Account -> NetSuite customer.

| Zuora Account                  | NetSuite customer                                              |
| AccountNumber                  | entityId                                                       |
| Name                           | companyName (Company) / firstName + lastName (Individual)      |
| CustomerType__NS               | isPerson (Individual -> true; blank or Company -> false)        |
| Status                         | isInactive (Canceled -> true)                                  |
| Currency                       | currency (by ISO code; base currency when multi-currency off)  |
| Subsidiary__NS or default      | subsidiary (sent on create only: it cannot change in NetSuite) |
| Department__NS / Class__NS / Location__NS or defaults | department / class / location          |
| Id                             | externalId = zuora-account-<Id>                                |
| BillTo contact WorkEmail / WorkPhone | email / phone                                            |
| BillTo contact FirstName / LastName  | firstName / lastName (Individual; else Name split in two)  |
| BillTo / SoldTo contacts       | addressBook: default billing / default shipping (mapping/addresses.py) |
| ParentId                       | parent (the parent account's customer, synced first)           |
| PaymentTerm                    | terms (through payment_terms: name -> NetSuite term id)         |
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import cast

from zuora_netsuite.adapters.zuora import zoql
from zuora_netsuite.failures import ValidationFailure
from zuora_netsuite.mapping.addresses import address_book
from zuora_netsuite.mapping.base import (
    Mapped,
    MappingContext,
    Parent,
    SourceRecord,
    ZoqlPending,
    fetch_synced,
    netsuite_ids_of,
    pending_status_filter,
    query_where,
)
from zuora_netsuite.mapping.classifications import Classification, ClassificationChoice
from zuora_netsuite.models.netsuite import NetSuiteCustomer, RecordRef
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType, external_id
from zuora_netsuite.models.zuora import ZuoraAccount, ZuoraContact
from zuora_netsuite.ports import ZuoraApi

COMPANY_NAME_MAX = 83  # NetSuite's limit on companyName and entityId
PERSON_NAME_MAX = 32  # NetSuite's limit on firstName and lastName
CUSTOMER_TYPES = {"company": False, "individual": True}
ADDRESS_BOOK = "addressBook"


class CustomerMapping(ZoqlPending):
    record_type = RecordType.CUSTOMER

    def pending_query(self, watermark: datetime, cutover: date | None = None) -> str:
        """Master data has no cutover date: `cutover` is ignored."""
        # Canceled accounts only to inactivate a customer that is already in NetSuite. ZOQL has no parentheses:
        # zoql.all_of spells this out as an OR of ANDs (12 groups, 48 conditions).
        where = zoql.all_of(
            zoql.any_of(
                zoql.eq("Status", "Active"),
                zoql.all_of(zoql.eq("Status", "Canceled"), zoql.not_null("IntegrationId__NS")),
            ),
            zoql.is_null_or_not("SynctoNetSuite__NS", "No"),
            pending_status_filter(watermark),
        )
        return zoql.select("Account", ("Id", "UpdatedDate"), where)

    def fetch(self, zuora: ZuoraApi, ids: Sequence[str]) -> dict[str, SourceRecord]:
        rows = fetch_synced(zuora, self.tenant, "Account", ZuoraAccount.ZOQL_FIELDS, ids)
        accounts = [ZuoraAccount.model_validate(row) for row in rows]
        configured = [f for f in self.tenant.source_fields_of("Contact") if f not in ZuoraContact.ZOQL_FIELDS]
        contacts = fetch_contacts(
            zuora,
            [c for account in accounts for c in (account.bill_to_id, account.sold_to_id) if c],
            (*ZuoraContact.ZOQL_FIELDS, *configured),  # BillTo.X / SoldTo.X field mappings
        )
        return {
            account.id: account.model_copy(
                update={
                    "bill_to": contacts.get(account.bill_to_id or ""),
                    "sold_to": contacts.get(account.sold_to_id or ""),
                }
            )
            for account in accounts
        }

    def parents(self, source: SourceRecord) -> list[Parent]:
        """The parent account (Zuora's customer hierarchy) is in NetSuite before its child."""
        account = cast(ZuoraAccount, source)
        if not account.parent_id or account.parent_id == account.id:
            return []
        return [Parent(RecordType.CUSTOMER, account.parent_id, f"parent account {account.parent_id}")]

    def describe(self, source: SourceRecord) -> str:
        account = cast(ZuoraAccount, source)
        return f"Account {account.account_number or account.id}"

    def map(self, source: SourceRecord, context: MappingContext, *, is_update: bool) -> Mapped:
        account = cast(ZuoraAccount, source)
        problems: list[str] = []
        name = (account.name or "").strip()
        if not name:
            problems.append("Name is blank; NetSuite needs a customer name")
        elif len(name) > COMPANY_NAME_MAX:
            problems.append(f"Name is {len(name)} characters; NetSuite allows at most {COMPANY_NAME_MAX}")
        customer_type = (account.customer_type or "Company").strip().casefold()
        if customer_type not in CUSTOMER_TYPES:
            problems.append(f'CustomerType__NS "{account.customer_type}" is not Company or Individual')
        is_person = CUSTOMER_TYPES.get(customer_type, False)

        currency = _currency(account, context, problems)
        choice = ClassificationChoice(context.reference, context.config.classification_defaults)
        subsidiary = choice.resolve(Classification.SUBSIDIARY, account.subsidiary)
        department = choice.resolve(Classification.DEPARTMENT, account.department)
        class_ = choice.resolve(Classification.CLASS, account.class_)
        location = choice.resolve(Classification.LOCATION, account.location)
        problems += choice.problems
        if subsidiary is None and context.config.one_world and not is_update and not choice.problems:
            problems.append("no subsidiary: set Subsidiary__NS on the account or configure a default subsidiary")
        first, last = _person_names(account, name, problems) if is_person else (None, None)
        addresses = None
        if context.config.customer_addresses != "off":
            addresses = address_book(account, context.config.country_codes, problems)
        terms = _terms(account, context, problems)
        if problems:
            raise ValidationFailure([f"{self.describe(account)}: {p}" for p in problems])
        parent = self._parent(account, context)

        bill_to = account.bill_to
        customer = NetSuiteCustomer(
            externalId=external_id(RecordType.CUSTOMER, account.id),
            entityId=(account.account_number or account.id)[:COMPANY_NAME_MAX],
            isPerson=is_person,
            companyName=None if is_person else name,
            firstName=first,
            lastName=last,
            email=_blank_to_none(bill_to.work_email if bill_to else None),
            phone=_blank_to_none(bill_to.work_phone if bill_to else None),
            parent=parent,
            terms=terms,
            addressBook=addresses,
            isInactive=account.status == "Canceled",
            currency=currency,
            subsidiary=subsidiary,
            department=department,
            **{"class": class_},
            location=location,
        )
        # A customer's subsidiary cannot change in NetSuite: sent on create only. The address book is replaced
        # whole on every write ("sync": NetSuite appends the lines otherwise), or sent on create only.
        create_only = {"subsidiary"}
        replace: tuple[str, ...] = ()
        if addresses is not None and context.config.customer_addresses == "sync":
            replace = (ADDRESS_BOOK,)
        elif addresses is not None:
            create_only.add(ADDRESS_BOOK)
        return Mapped(
            RECORD_TYPES[RecordType.CUSTOMER].netsuite_type,
            customer,
            create_only=frozenset(create_only),
            replace_sublists=replace,
        )

    def _parent(self, account: ZuoraAccount, context: MappingContext) -> RecordRef | None:
        parents = self.parents(account)
        if not parents:
            return None
        return RecordRef(id=netsuite_ids_of(context, parents, self.describe(account))[0])


def fetch_contacts(
    zuora: ZuoraApi, ids: Sequence[str], fields: Sequence[str] = ZuoraContact.ZOQL_FIELDS
) -> dict[str, ZuoraContact]:
    """The contacts with these ids, by id: one ZOQL query per batch of accounts (more past ZOQL's limits)."""
    if not ids:
        return {}
    rows = query_where(zuora, "Contact", fields, "Id", ids)
    contacts = (ZuoraContact.model_validate(row) for row in rows)
    return {contact.id: contact for contact in contacts}


def _blank_to_none(value: str | None) -> str | None:
    return (value or "").strip() or None


def _person_names(account: ZuoraAccount, name: str, problems: list[str]) -> tuple[str | None, str | None]:
    """An individual's first and last name: the bill-to contact's, else the account Name split at its first space."""
    contact = account.bill_to
    first = _blank_to_none(contact.first_name if contact else None)
    last = _blank_to_none(contact.last_name if contact else None)
    fields = ("BillTo FirstName", "BillTo LastName")
    if first is None or last is None:
        head, _, tail = name.partition(" ")
        first, last = head or None, (tail.strip() or head) or None
        fields = ("Name (first word)", "Name (after the first word)")
    for field_name, value in zip(fields, (first, last), strict=True):
        if value is not None and len(value) > PERSON_NAME_MAX:
            problems.append(
                f"{field_name} is {len(value)} characters; NetSuite allows at most {PERSON_NAME_MAX} for an "
                "individual's first and last name"
            )
    return first, last


def _terms(account: ZuoraAccount, context: MappingContext, problems: list[str]) -> RecordRef | None:
    """The NetSuite term of the account's PaymentTerm through payment_terms; nothing when that map is empty."""
    terms = context.config.payment_terms
    term = _blank_to_none(account.payment_term)
    if not terms or term is None:
        return None
    wanted = term.casefold()
    term_id = next((value for key, value in terms.items() if key.strip().casefold() == wanted), None)
    if term_id is None:
        problems.append(f'PaymentTerm "{term}" has no NetSuite term in payment_terms; add it to the configuration')
        return None
    return RecordRef(id=term_id)


def _currency(account: ZuoraAccount, context: MappingContext, problems: list[str]) -> RecordRef | None:
    code = (account.currency or "").strip().upper()
    if not context.config.multi_currency:
        code = context.config.base_currency
    elif not code:
        problems.append("Currency is blank")
        return None
    currency_id = context.reference.currency_id(code)
    if currency_id is None:
        problems.append(
            f'currency "{code}" does not exist in NetSuite; add it in NetSuite or map the account to one that does'
        )
        return None
    return RecordRef(id=currency_id)

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
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import cast

from zuora_netsuite.adapters.zuora import zoql
from zuora_netsuite.failures import ValidationFailure
from zuora_netsuite.mapping.base import (
    Mapped,
    MappingContext,
    SourceRecord,
    ZoqlPending,
    fetch_synced,
    pending_status_filter,
)
from zuora_netsuite.mapping.classifications import Classification, ClassificationChoice
from zuora_netsuite.models.netsuite import NetSuiteCustomer, RecordRef
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType, external_id
from zuora_netsuite.models.zuora import ZuoraAccount
from zuora_netsuite.ports import ZuoraApi

COMPANY_NAME_MAX = 83  # NetSuite's limit on companyName and entityId
CUSTOMER_TYPES = {"company": False, "individual": True}


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
        accounts = (ZuoraAccount.model_validate(row) for row in rows)
        return {account.id: account for account in accounts}

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
        if problems:
            raise ValidationFailure([f"{self.describe(account)}: {p}" for p in problems])

        first, _, last = name.partition(" ")
        customer = NetSuiteCustomer(
            externalId=external_id(RecordType.CUSTOMER, account.id),
            entityId=(account.account_number or account.id)[:COMPANY_NAME_MAX],
            isPerson=is_person,
            companyName=None if is_person else name,
            firstName=first if is_person else None,
            lastName=(last or first) if is_person else None,
            isInactive=account.status == "Canceled",
            currency=currency,
            subsidiary=subsidiary,
            department=department,
            **{"class": class_},
            location=location,
        )
        # A customer's subsidiary cannot change in NetSuite: sent on create only.
        return Mapped(RECORD_TYPES[RecordType.CUSTOMER].netsuite_type, customer, create_only=frozenset({"subsidiary"}))


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

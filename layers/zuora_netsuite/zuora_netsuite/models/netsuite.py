"""NetSuite REST record bodies the connector sends (field names as NetSuite spells them)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


# defer_build: a model is built on its first validation, not at import (issue 14: these modules were the
# largest part of the connector's own import time, and a sync container builds only the record types it meets).
class RecordRef(BaseModel):
    """A NetSuite reference field: {"id": "42"} or {"externalId": "..."}."""

    model_config = ConfigDict(defer_build=True, populate_by_name=True, frozen=True)

    id: str | None = None
    external_id: str | None = Field(default=None, alias="externalId")


class MultiSelectRef(BaseModel):
    """A NetSuite multi-select field, e.g. an item's subsidiaries: {"items": [{"id": "1"}]}."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    items: list[RecordRef]


class NetSuiteRecord(BaseModel):
    """Common shape: the body of PUT /record/v1/{type}/eid:{externalId}."""

    model_config = ConfigDict(defer_build=True, populate_by_name=True, frozen=True)

    external_id: str = Field(alias="externalId")
    is_inactive: bool | None = Field(default=None, alias="isInactive")  # master data only; transactions have none

    def body(self) -> dict[str, Any]:
        """The body NetSuite expects: aliases, nulls left out. Amounts stay Decimal and dates stay dates:
        the NetSuite client encodes them as exact JSON numbers and ISO 8601 (`http.json_bytes`)."""
        return self.model_dump(by_alias=True, exclude_none=True)


class NetSuiteAddress(BaseModel):
    """The addressBookAddress subrecord of a customer's address line (REST API Browser,
    customer-addressBook-addressBookAddress); country is a reference to NetSuite's Country list by ISO alpha-2."""

    model_config = ConfigDict(defer_build=True, populate_by_name=True, frozen=True)

    addressee: str | None = None
    attention: str | None = None
    addr1: str | None = None
    addr2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: RecordRef | None = None
    addr_phone: str | None = Field(default=None, alias="addrPhone")


class NetSuiteAddressLine(BaseModel):
    """A line of the customer's addressBook sublist (customer-addressBookElement)."""

    model_config = ConfigDict(defer_build=True, populate_by_name=True, frozen=True)

    label: str
    default_billing: bool = Field(alias="defaultBilling")
    default_shipping: bool = Field(alias="defaultShipping")
    address: NetSuiteAddress = Field(alias="addressBookAddress")


class NetSuiteAddressBook(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    items: list[NetSuiteAddressLine]


class NetSuiteCustomer(NetSuiteRecord):
    entity_id: str = Field(alias="entityId")
    company_name: str | None = Field(default=None, alias="companyName")
    first_name: str | None = Field(default=None, alias="firstName")
    last_name: str | None = Field(default=None, alias="lastName")
    is_person: bool = Field(alias="isPerson")
    email: str | None = None
    phone: str | None = None
    parent: RecordRef | None = None  # the parent customer (Zuora's ParentId), by internal id
    terms: RecordRef | None = None  # a NetSuite term, by internal id
    address_book: NetSuiteAddressBook | None = Field(default=None, alias="addressBook")
    currency: RecordRef | None = None
    subsidiary: RecordRef | None = None  # never sent on update: a customer's subsidiary cannot change
    department: RecordRef | None = None
    class_: RecordRef | None = Field(default=None, alias="class")
    location: RecordRef | None = None


class NetSuiteItemType(StrEnum):
    """The NetSuite record type an item becomes, chosen by the charge's ItemType__NS."""

    SERVICE = "serviceSaleItem"
    NON_INVENTORY = "nonInventorySaleItem"
    INVENTORY = "inventoryItem"


ITEM_TYPE_BY_ZUORA_VALUE: dict[str, NetSuiteItemType] = {
    "service": NetSuiteItemType.SERVICE,
    "non inventory": NetSuiteItemType.NON_INVENTORY,
    "inventory": NetSuiteItemType.INVENTORY,
}


class NetSuiteItem(NetSuiteRecord):
    item_id: str = Field(alias="itemId")
    display_name: str | None = Field(default=None, alias="displayName")
    description: str | None = None  # salesDescription on some forms; REST accepts description
    income_account: RecordRef | None = Field(default=None, alias="incomeAccount")
    subsidiary: MultiSelectRef | None = None
    include_children: bool | None = Field(default=None, alias="includeChildren")  # OneWorld: shared with children
    department: RecordRef | None = None
    class_: RecordRef | None = Field(default=None, alias="class")
    location: RecordRef | None = None
    # Advanced Revenue Management: the item's revenue recognition rule (sync config revenue.rules; issue 13)
    revenue_recognition_rule: RecordRef | None = Field(default=None, alias="revenueRecognitionRule")


# --- transactions ------------------------------------------------------------------------------
# Subsidiary is never sent on a transaction: NetSuite takes the customer's (docs/mapping.md).


class NetSuiteItemLine(BaseModel):
    """A line of a transaction's item sublist."""

    model_config = ConfigDict(defer_build=True, populate_by_name=True, frozen=True)

    item: RecordRef
    description: str | None = None
    quantity: Decimal | None = None
    amount: Decimal
    tax_code: RecordRef | None = Field(default=None, alias="taxCode")  # SuiteTax / non-US accounts
    department: RecordRef | None = None
    class_: RecordRef | None = Field(default=None, alias="class")
    location: RecordRef | None = None
    # Revenue recognition (issue 13): the line's recognition period and template. The REST names are the SOAP
    # schema's revRecStartDate / revRecEndDate / revRecSchedule camelCased as REST does (no Oracle page spells
    # them; tests/contract/netsuite/test_rev_rec_line_dates.py settles them on a real account).
    rev_rec_start_date: date | None = Field(default=None, alias="revRecStartDate")
    rev_rec_end_date: date | None = Field(default=None, alias="revRecEndDate")
    rev_rec_schedule: RecordRef | None = Field(default=None, alias="revRecSchedule")


class NetSuiteApplyLine(BaseModel):
    """A line of a transaction's apply sublist: how much goes to one open document."""

    model_config = ConfigDict(defer_build=True, populate_by_name=True, frozen=True)

    doc: RecordRef
    apply: bool = True
    amount: Decimal


class NetSuiteItemSublist(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    items: list[NetSuiteItemLine]


class NetSuiteApplySublist(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    items: list[NetSuiteApplyLine]


class NetSuiteTransaction(NetSuiteRecord):
    tran_id: str | None = Field(default=None, alias="tranId")
    tran_date: date = Field(alias="tranDate")
    currency: RecordRef | None = None
    department: RecordRef | None = None
    class_: RecordRef | None = Field(default=None, alias="class")
    location: RecordRef | None = None
    memo: str | None = None


class NetSuiteInvoice(NetSuiteTransaction):
    """An invoice (from a Zuora invoice >= 0 or a debit memo)."""

    entity: RecordRef
    due_date: date | None = Field(default=None, alias="dueDate")
    item: NetSuiteItemSublist


class NetSuiteCreditMemo(NetSuiteTransaction):
    """A credit memo (from a negative Zuora invoice or a credit memo), applied to the invoice it credits."""

    entity: RecordRef
    item: NetSuiteItemSublist
    apply: NetSuiteApplySublist | None = None
    auto_apply: bool | None = Field(default=None, alias="autoApply")  # false: only the apply lines sent


class NetSuiteCustomerPayment(NetSuiteTransaction):
    """A customer payment applied to NetSuite invoices; what is not applied stays unapplied."""

    customer: RecordRef
    payment: Decimal
    auto_apply: bool | None = Field(default=None, alias="autoApply")  # false: only the apply lines sent
    apply: NetSuiteApplySublist
    # Where the money is deposited (SyncConfig.payments): a bank account, or Undeposited Funds; the payment method.
    account: RecordRef | None = None
    undep_funds: bool | None = Field(default=None, alias="undepFunds")
    payment_method: RecordRef | None = Field(default=None, alias="paymentMethod")
    # the same reference on an account with the Payment Instruments feature (SyncConfig.payments.payment_method_field)
    payment_option: RecordRef | None = Field(default=None, alias="paymentOption")


class NetSuiteCustomerRefund(NetSuiteTransaction):
    """A customer refund drawn from customer payments' and credit memos' unapplied amounts."""

    customer: RecordRef
    apply: NetSuiteApplySublist
    account: RecordRef | None = None  # the bank account the refund is paid from (SyncConfig.payments)
    payment_method: RecordRef | None = Field(default=None, alias="paymentMethod")
    payment_option: RecordRef | None = Field(default=None, alias="paymentOption")  # Payment Instruments accounts

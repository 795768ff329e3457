"""NetSuite REST record bodies the connector sends (field names as NetSuite spells them)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RecordRef(BaseModel):
    """A NetSuite reference field: {"id": "42"} or {"externalId": "..."}."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    id: str | None = None
    external_id: str | None = Field(default=None, alias="externalId")


class MultiSelectRef(BaseModel):
    """A NetSuite multi-select field, e.g. an item's subsidiaries: {"items": [{"id": "1"}]}."""

    model_config = ConfigDict(frozen=True)

    items: list[RecordRef]


class NetSuiteRecord(BaseModel):
    """Common shape: the body of PUT /record/v1/{type}/eid:{externalId}."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    external_id: str = Field(alias="externalId")
    is_inactive: bool = Field(alias="isInactive")

    def body(self) -> dict[str, Any]:
        """The JSON body NetSuite expects: aliases, nulls left out."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class NetSuiteCustomer(NetSuiteRecord):
    entity_id: str = Field(alias="entityId")
    company_name: str | None = Field(default=None, alias="companyName")
    first_name: str | None = Field(default=None, alias="firstName")
    last_name: str | None = Field(default=None, alias="lastName")
    is_person: bool = Field(alias="isPerson")
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
    department: RecordRef | None = None
    class_: RecordRef | None = Field(default=None, alias="class")
    location: RecordRef | None = None

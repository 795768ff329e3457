"""Zuora objects as ZOQL returns them (field names as Zuora spells them; null fields are left out)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field


class IntegrationFields(BaseModel):
    """The custom fields the connector writes back to every synced Zuora object (strings, <= 255 chars)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    integration_id: str | None = Field(default=None, alias="IntegrationId__NS")
    integration_status: str | None = Field(default=None, alias="IntegrationStatus__NS")
    sync_date: str | None = Field(default=None, alias="SyncDate__NS")
    integration_error: str | None = Field(default=None, alias="IntegrationError__NS")


class ZuoraAccount(IntegrationFields):
    """A Zuora Account; becomes a NetSuite customer."""

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = (
        "Id", "AccountNumber", "Name", "Status", "Currency", "UpdatedDate",
        "IntegrationId__NS", "IntegrationStatus__NS", "SyncDate__NS", "IntegrationError__NS",
        "SynctoNetSuite__NS", "Subsidiary__NS", "Department__NS", "Class__NS", "Location__NS",
        "CustomerType__NS",
    )  # fmt: skip

    id: str = Field(alias="Id")
    account_number: str | None = Field(default=None, alias="AccountNumber")
    name: str | None = Field(default=None, alias="Name")
    status: str = Field(alias="Status")  # Draft / Active / Canceled
    currency: str | None = Field(default=None, alias="Currency")
    updated_date: datetime = Field(alias="UpdatedDate")
    sync_to_netsuite: str | None = Field(default=None, alias="SynctoNetSuite__NS")
    subsidiary: str | None = Field(default=None, alias="Subsidiary__NS")
    department: str | None = Field(default=None, alias="Department__NS")
    class_: str | None = Field(default=None, alias="Class__NS")
    location: str | None = Field(default=None, alias="Location__NS")
    customer_type: str | None = Field(default=None, alias="CustomerType__NS")  # Company / Individual


class ZuoraProductRatePlan(BaseModel):
    """The rate plan a charge belongs to: its effective dates decide whether the item is active."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = ("Id", "Name", "EffectiveStartDate", "EffectiveEndDate")

    id: str = Field(alias="Id")
    name: str | None = Field(default=None, alias="Name")
    effective_start_date: date | None = Field(default=None, alias="EffectiveStartDate")
    effective_end_date: date | None = Field(default=None, alias="EffectiveEndDate")


class ZuoraProductRatePlanCharge(IntegrationFields):
    """A Zuora ProductRatePlanCharge; becomes a NetSuite item of the type named by ItemType__NS."""

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = (
        "Id", "Name", "Description", "ChargeType", "ChargeModel", "ProductRatePlanId", "UpdatedDate",
        "IntegrationId__NS", "IntegrationStatus__NS", "SyncDate__NS", "IntegrationError__NS",
        "ItemType__NS", "Subsidiary__NS", "Department__NS", "Class__NS", "Location__NS",
    )  # fmt: skip

    id: str = Field(alias="Id")
    name: str | None = Field(default=None, alias="Name")
    description: str | None = Field(default=None, alias="Description")
    charge_type: str | None = Field(default=None, alias="ChargeType")  # OneTime / Recurring / Usage
    charge_model: str | None = Field(default=None, alias="ChargeModel")
    product_rate_plan_id: str | None = Field(default=None, alias="ProductRatePlanId")
    updated_date: datetime = Field(alias="UpdatedDate")
    item_type: str | None = Field(default=None, alias="ItemType__NS")  # Service / Non Inventory / Inventory
    subsidiary: str | None = Field(default=None, alias="Subsidiary__NS")
    department: str | None = Field(default=None, alias="Department__NS")
    class_: str | None = Field(default=None, alias="Class__NS")
    location: str | None = Field(default=None, alias="Location__NS")


class ZuoraUpdateResult(BaseModel):
    """One object's answer from POST /v1/action/update."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str | None = Field(default=None, alias="Id")
    success: bool = Field(alias="Success")
    errors: list[dict[str, str | int | None]] = Field(default_factory=list, alias="Errors")

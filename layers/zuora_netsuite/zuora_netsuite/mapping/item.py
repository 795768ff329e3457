"""Zuora ProductRatePlanCharge -> NetSuite item (serviceSaleItem / nonInventorySaleItem / inventoryItem).

| Zuora                                   | NetSuite item                                             |
| ItemType__NS (Service / Non Inventory / Inventory) | the record type                                |
| ProductRatePlan.Name + " - " + Name     | itemId (at most 60 characters; a longer one is shortened  |
|                                         | and suffixed with the charge id so it stays unique)       |
| Name                                    | displayName                                               |
| Description                             | description                                               |
| ProductRatePlan.EffectiveEndDate        | isInactive (true once the plan has expired)               |
| configured item_subsidiaries, else      | subsidiary (multi-select; OneWorld: the item is usable    |
|   Subsidiary__NS or default             |   only on transactions of these subsidiaries)             |
| configured item_include_children        | includeChildren (shared with their sub-subsidiaries too)  |
| Department__NS / Class__NS / Location__NS or defaults | department / class / location               |
| configured item_income_account_id       | incomeAccount                                             |
| sync config revenue.rules[Id] (ARM)     | revenueRecognitionRule                                    |
| Id                                      | externalId = zuora-charge-<Id>                            |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from zuora_netsuite.adapters.zuora import zoql
from zuora_netsuite.failures import ValidationFailure
from zuora_netsuite.mapping.base import (
    Mapped,
    MappingContext,
    SourceRecord,
    ZoqlPending,
    fetch_by_ids,
    fetch_synced,
    pending_status_filter,
)
from zuora_netsuite.mapping.classifications import Classification, ClassificationChoice
from zuora_netsuite.models.netsuite import ITEM_TYPE_BY_ZUORA_VALUE, MultiSelectRef, NetSuiteItem, RecordRef
from zuora_netsuite.models.record_types import RecordType, external_id
from zuora_netsuite.models.zuora import ZuoraProductRatePlan, ZuoraProductRatePlanCharge
from zuora_netsuite.ports import ZuoraApi

ITEM_ID_MAX = 60


@dataclass(frozen=True)
class ChargeWithPlan:
    """A charge and the rate plan it belongs to (whose dates decide whether the item is active)."""

    charge: ZuoraProductRatePlanCharge
    plan: ZuoraProductRatePlan | None

    @property
    def id(self) -> str:
        return self.charge.id

    @property
    def integration_id(self) -> str | None:
        return self.charge.integration_id

    @property
    def integration_status(self) -> str | None:
        return self.charge.integration_status

    @property
    def integration_error(self) -> str | None:
        return self.charge.integration_error

    @property
    def updated_date(self) -> datetime:
        return self.charge.updated_date


class ItemMapping(ZoqlPending):
    record_type = RecordType.ITEM

    def pending_query(self, watermark: datetime, cutover: date | None = None) -> str:
        """Master data has no cutover date: `cutover` is ignored."""
        # Expired charges are still picked up: their item must be inactivated in NetSuite.
        return zoql.select("ProductRatePlanCharge", ("Id", "UpdatedDate"), pending_status_filter(watermark))

    def fetch(self, zuora: ZuoraApi, ids: Sequence[str]) -> dict[str, SourceRecord]:
        rows = fetch_synced(zuora, self.tenant, "ProductRatePlanCharge", ZuoraProductRatePlanCharge.ZOQL_FIELDS, ids)
        charges = [ZuoraProductRatePlanCharge.model_validate(row) for row in rows]
        plan_ids = sorted({c.product_rate_plan_id for c in charges if c.product_rate_plan_id})
        plan_rows = fetch_by_ids(zuora, "ProductRatePlan", ZuoraProductRatePlan.ZOQL_FIELDS, plan_ids)
        plans = {plan.id: plan for plan in (ZuoraProductRatePlan.model_validate(row) for row in plan_rows)}
        return {c.id: ChargeWithPlan(c, plans.get(c.product_rate_plan_id or "")) for c in charges}

    def describe(self, source: SourceRecord) -> str:
        charge = cast(ChargeWithPlan, source).charge
        return f'Charge "{charge.name or ""}" ({charge.id})'

    def map(self, source: SourceRecord, context: MappingContext, *, is_update: bool) -> Mapped:
        charge, plan = cast(ChargeWithPlan, source).charge, cast(ChargeWithPlan, source).plan
        problems: list[str] = []
        name = (charge.name or "").strip()
        if not name:
            problems.append("Name is blank; NetSuite needs an item name")
        item_type = ITEM_TYPE_BY_ZUORA_VALUE.get((charge.item_type or "").strip().casefold())
        if not charge.item_type:
            problems.append("ItemType__NS is empty; set it to Service, Non Inventory or Inventory")
        elif item_type is None:
            problems.append(f'ItemType__NS "{charge.item_type}" is not one of Service, Non Inventory or Inventory')
        income_account = context.config.item_income_account_id
        if not income_account and not is_update:
            problems.append("no income account is configured for new items (sync config item_income_account_id)")

        choice = ClassificationChoice(context.reference, context.config.classification_defaults)
        subsidiaries = self._subsidiaries(charge, context, choice, problems)
        if not subsidiaries and context.config.one_world and not is_update and not choice.problems:
            problems.append(
                "no subsidiary: NetSuite OneWorld shares an item with subsidiaries; set item_subsidiaries or a "
                "default subsidiary in the sync configuration, or Subsidiary__NS on the charge"
            )
        department = choice.resolve(Classification.DEPARTMENT, charge.department)
        class_ = choice.resolve(Classification.CLASS, charge.class_)
        location = choice.resolve(Classification.LOCATION, charge.location)
        problems += choice.problems
        if problems or item_type is None:
            raise ValidationFailure([f"{self.describe(source)}: {p}" for p in problems])

        expired = bool(plan and plan.effective_end_date and plan.effective_end_date < context.today)
        rule = context.config.revenue.rules.get(charge.id)
        item = NetSuiteItem(
            externalId=external_id(RecordType.ITEM, charge.id),
            itemId=item_id(charge, plan),
            displayName=name,
            description=charge.description,
            isInactive=expired,
            incomeAccount=RecordRef(id=income_account) if income_account else None,
            subsidiary=MultiSelectRef(items=subsidiaries) if subsidiaries else None,
            includeChildren=context.config.item_include_children if subsidiaries else None,
            department=department,
            **{"class": class_},
            location=location,
            revenueRecognitionRule=RecordRef(id=rule) if rule else None,
        )
        return Mapped(item_type.value, item)

    def _subsidiaries(
        self,
        charge: ZuoraProductRatePlanCharge,
        context: MappingContext,
        choice: ClassificationChoice,
        problems: list[str],
    ) -> list[RecordRef]:
        """OneWorld: the configured item_subsidiaries (full names or internal ids), else the charge's subsidiary,
        else the default one (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N276948.html:
        an item can be added only to transactions of the subsidiaries it is shared with)."""
        configured = context.config.item_subsidiaries
        if not configured:
            own = choice.resolve(Classification.SUBSIDIARY, charge.subsidiary)
            return [own] if own else []
        refs: list[RecordRef] = []
        for value in configured:
            name = value.strip()
            found = name if name.isdigit() else context.reference.classification_id(Classification.SUBSIDIARY, name)
            if found is None:
                problems.append(
                    f'item_subsidiaries: subsidiary "{name}" does not exist in NetSuite '
                    '(use the full name, levels joined by " : ", or the internal id)'
                )
            else:
                refs.append(RecordRef(id=found))
        return refs


def item_id(charge: ZuoraProductRatePlanCharge, plan: ZuoraProductRatePlan | None) -> str:
    name = (charge.name or "").strip()
    full = f"{plan.name.strip()} - {name}" if plan and plan.name else name
    if len(full) <= ITEM_ID_MAX:
        return full
    suffix = f" ~{charge.id[-8:]}"
    return full[: ITEM_ID_MAX - len(suffix)].rstrip() + suffix

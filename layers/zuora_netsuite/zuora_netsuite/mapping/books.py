"""What a transaction's lines carry for the books (issue 13): revenue recognition dates and templates, one tax
line per Zuora tax code, discount charges on the discount item; and the Zuora reads they need.

- Revenue (sync config `revenue`): each line's revRecStartDate / revRecEndDate = the Zuora item's ServiceStartDate /
  ServiceEndDate; `revenue.templates` gives a charge's lines a revRecSchedule (`revenue.rules`, ARM: the charge's item
  a revenueRecognitionRule, mapping/item.py). NetSuite: "If both the Rev Rec Start
  Date and Rev Rec End Date are entered, then those dates override the recognition period set on the template"
  (https://system.netsuite.com/help/helpcenter/en_US/srbrowser/Browser2016_1/script/record/revrecschedule.html).
- Tax (sync config `tax`): a document's taxation items (Zuora TaxationItem, one per item, tax code and jurisdiction)
  grouped by TaxCode, one NetSuite line per code on the code's tax item, as Zuora's own connector does ("Each Zuora
  Invoice Taxation Item is synced as a separate NetSuite Invoice line item",
  https://docs.zuora.com/en/zuora-platform/integration/integration-hub/billing-connector-for-netsuite-gl/field-mappings/invoice-positive-field-mappings-zuora-to-netsuite-sync/zuora-invoice-taxation-items).
  A document with a TaxAmount and no taxation items (external tax) keeps one "Tax" line on the default tax item.
- Discount (sync config `discount_item_id`): a line whose charge's ChargeModel starts with "Discount"
  ("Discount-Fixed Amount", "Discount-Percentage") goes to that item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from zuora_netsuite.mapping.base import query_where
from zuora_netsuite.mapping.money import MoneyProblem, amount
from zuora_netsuite.mapping.settlement import all_pages, on_settlement_tenant
from zuora_netsuite.models.netsuite import RecordRef
from zuora_netsuite.models.zuora import (
    ZuoraInvoiceItem,
    ZuoraMemoItem,
    ZuoraTaxationItem,
    memo_taxation_item_from_rest,
)
from zuora_netsuite.ports import ZuoraApi
from zuora_netsuite.settings import RevenueConfig, SyncConfig

ZERO = Decimal(0)
TAX_LINE_DESCRIPTION = "Tax"
NO_TAX_CODE = "(none)"  # how a taxation item without a TaxCode is named in reasons and descriptions
DISCOUNT_CHARGE_MODEL_PREFIX = "Discount"
MAX_JURISDICTIONS_SHOWN = 3

LineFields = dict[str, Any]  # NetSuiteItemLine fields by alias, without the amount


# ---------------------------------------------------------------- Zuora reads (in the mappings' fetch)


def invoice_taxation(zuora: ZuoraApi, items: Iterable[ZuoraInvoiceItem]) -> dict[str, list[ZuoraTaxationItem]]:
    """Invoice Id -> the taxation items of its items; read only for items with tax (ZOQL by InvoiceItemId)."""
    invoice_of = {item.id: item.invoice_id for item in items if item.tax_amount}
    rows = query_where(zuora, "TaxationItem", ZuoraTaxationItem.ZOQL_FIELDS, "InvoiceItemId", invoice_of)
    found: dict[str, list[ZuoraTaxationItem]] = defaultdict(list)
    for taxation in (ZuoraTaxationItem.model_validate(row) for row in rows):
        found[invoice_of.get(taxation.item_id, "")].append(taxation)
    return found


def memo_taxation(
    zuora: ZuoraApi, resource: str, items: Iterable[ZuoraMemoItem], what: str
) -> dict[str, list[ZuoraTaxationItem]]:
    """Memo Id -> the taxation items of its items with tax: GET /v1/{resource}/{memoId}/items/{itemId}/taxation-items
    (https://developer.zuora.com/v1-api-reference/api/credit-memos/get_taxationitemsofcreditmemoitem.md)."""
    found: dict[str, list[ZuoraTaxationItem]] = defaultdict(list)
    for item in items:
        if not item.tax_amount:
            continue
        path = f"/v1/{resource}/{item.memo_id}/items/{item.id}/taxation-items"
        for row in on_settlement_tenant(what, all_pages, zuora, path, "data"):  # paged: pageSize / nextPage
            found[item.memo_id].append(ZuoraTaxationItem.model_validate(memo_taxation_item_from_rest(row, item.id)))
    return found


def discount_charges(zuora: ZuoraApi, charge_ids: Iterable[str]) -> frozenset[str]:
    """The charges among these whose ChargeModel is a discount (one ZOQL per 200 charges; none when no ids)."""
    ids = {charge_id for charge_id in charge_ids if charge_id}
    if not ids:
        return frozenset()
    rows = query_where(zuora, "ProductRatePlanCharge", ("Id", "ChargeModel"), "Id", ids)
    return frozenset(
        str(row["Id"]) for row in rows if str(row.get("ChargeModel") or "").startswith(DISCOUNT_CHARGE_MODEL_PREFIX)
    )


# ---------------------------------------------------------------- line fields


def revenue_fields(
    line: ZuoraInvoiceItem | ZuoraMemoItem, revenue: RevenueConfig, what: str, problems: list[str]
) -> LineFields:
    """revRecStartDate / revRecEndDate from the service period, revRecSchedule from the charge's template."""
    if revenue.mode == "off":
        return {}
    start, end = line.service_start_date, line.service_end_date
    template = revenue.templates.get(line.charge_id or "")
    rule = revenue.rules.get(line.charge_id or "")
    fields: LineFields = {}
    if start is not None and end is not None:
        if end < start:
            problems.append(f"{what} has a service period ending {end} before it starts {start}")
            return {}
        fields = {"revRecStartDate": start, "revRecEndDate": end}
    elif template is not None or rule is not None:
        which = f"template {template} (sync config revenue.templates)" if template else f"rule {rule} (revenue.rules)"
        problems.append(
            f"{what} has no service period (ServiceStartDate / ServiceEndDate) but its charge has the revenue "
            f"recognition {which}: NetSuite needs both dates"
        )
    if template is not None:
        fields["revRecSchedule"] = RecordRef(id=template)
    return fields


def line_item(charge_ref: RecordRef, charge_id: str, discounts: frozenset[str], config: SyncConfig) -> RecordRef:
    """The NetSuite item of a charge's line: the discount item for a discount charge when configured."""
    if config.discount_item_id and charge_id in discounts:
        return RecordRef(id=config.discount_item_id)
    return charge_ref


def _money(value: object, currency: str, what: str, problems: list[str]) -> Decimal:
    try:
        return amount(value if value is not None else 0, currency, what)
    except MoneyProblem as problem:
        problems.append(str(problem))
        return ZERO


def _by_code(taxation: Sequence[ZuoraTaxationItem]) -> dict[str, list[ZuoraTaxationItem]]:
    groups: dict[str, list[ZuoraTaxationItem]] = defaultdict(list)
    for item in taxation:
        groups[(item.tax_code or "").strip() or NO_TAX_CODE].append(item)
    return dict(sorted(groups.items()))


def _description(code: str, items: Sequence[ZuoraTaxationItem]) -> str:
    places = sorted({item.jurisdiction for item in items if item.jurisdiction})
    shown = ", ".join(places[:MAX_JURISDICTIONS_SHOWN]) + (", ..." if len(places) > MAX_JURISDICTIONS_SHOWN else "")
    return f"{TAX_LINE_DESCRIPTION} {code}" + (f" ({shown})" if shown else "")


def _unmapped(code: str, tax: Decimal, currency: str, config: SyncConfig) -> str:
    if config.tax.items_by_code:
        return (
            f'it carries {tax} {currency} of tax under Zuora tax code "{code}", which has no NetSuite tax item '
            "(sync config tax.items_by_code)"
        )
    return (
        f'it carries {tax} {currency} of tax under Zuora tax code "{code}" but no NetSuite tax item is configured '
        "(sync config tax.items_by_code, or tax.default_item_id)"
    )


def tax_lines(
    taxation: Sequence[ZuoraTaxationItem],
    tax_amount: Decimal,
    currency: str,
    config: SyncConfig,
    tax_code_of: Callable[[str | None, str], RecordRef | None],
    problems: list[str],
) -> list[tuple[Decimal, LineFields]]:
    """(amount, line fields) of the tax lines: one per Zuora tax code of the taxation items, or one "Tax" line
    for a TaxAmount without taxation items. `tax_code_of(zuora_code, what)` is the line's NetSuite tax code."""
    if not taxation:
        if tax_amount == ZERO:
            return []
        item = config.tax_item_for(None)
        if item is None:
            problems.append(
                f"it carries {tax_amount} {currency} of tax but no NetSuite tax item is configured "
                "(sync config tax.default_item_id, or tax_item_id)"
            )
            return []
        fields = {"item": RecordRef(id=item), "description": TAX_LINE_DESCRIPTION}
        return [(tax_amount, {**fields, "taxCode": tax_code_of(None, "the tax line")})]
    lines: list[tuple[Decimal, LineFields]] = []
    for code, items in _by_code(taxation).items():
        code_tax = sum((_money(i.tax_amount, currency, f"the tax under code {code}", problems) for i in items), ZERO)
        item = config.tax_item_for(None if code == NO_TAX_CODE else code)
        if item is None:
            problems.append(_unmapped(code, code_tax, currency, config))
            continue
        fields = {"item": RecordRef(id=item), "description": _description(code, items)}
        tax_code = tax_code_of(None if code == NO_TAX_CODE else code, f"the tax line of code {code}")
        lines.append((code_tax, {**fields, "taxCode": tax_code}))
    taxed = sum((amount for amount, _ in lines), ZERO)
    if not problems and taxed != tax_amount:
        problems.append(
            f"its taxation items add up to {taxed} {currency} of tax but its TaxAmount is {tax_amount} {currency}"
        )
    return lines

"""Credit memos Zuora creates when an invoice changes after it synced (issue 13, docs/mapping.md "Changes after
sync"): a write-off memo's charge lines on the bad-debt item when one is configured.

Zuora: "By writing off an invoice, a credit memo is created and applied to the invoice"; write-off memos carry the
reason code `Write-off` (https://developer.zuora.com/v1-api-reference/api/operation/PUT_WriteOffInvoice ,
https://docs.zuora.com/zuora-billing/bill-your-customer/invoice-management/write-off-invoices). Such a memo synced on
the charges' own items reduces revenue; on an item posting to bad debt expense it books the write-off as a loss,
revenue untouched. Its tax lines stay on their tax items (the tax is reversed as Zuora reversed it).
"""

from __future__ import annotations

from zuora_netsuite.models.netsuite import NetSuiteItemSublist, RecordRef
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType
from zuora_netsuite.settings import AfterSyncConfig

_CHARGE_ITEM_PREFIX = RECORD_TYPES[RecordType.ITEM].external_id_prefix
# A bad-debt item is not a revenue item: recognition dates and templates do not belong on its lines.
_REVENUE_FIELDS = frozenset({"rev_rec_start_date", "rev_rec_end_date", "rev_rec_schedule"})


def is_write_off(reason_code: str | None, config: AfterSyncConfig) -> bool:
    return reason_code is not None and reason_code.casefold() in {c.casefold() for c in config.write_off_reason_codes}


def write_off_lines(
    lines: NetSuiteItemSublist, reason_code: str | None, config: AfterSyncConfig, discount_item_id: str | None
) -> NetSuiteItemSublist:
    """The memo's lines, with its charge (and discount) lines on the write-off item when this is a write-off memo
    and the item is configured; otherwise unchanged."""
    if config.write_off_item_id is None or not is_write_off(reason_code, config):
        return lines
    bad_debt = RecordRef(id=config.write_off_item_id)

    moved = {"item": bad_debt, **dict.fromkeys(_REVENUE_FIELDS)}

    def on_charge(item: RecordRef) -> bool:
        if (item.external_id or "").startswith(_CHARGE_ITEM_PREFIX):
            return True
        return discount_item_id is not None and item.id == discount_item_id

    return NetSuiteItemSublist(
        items=[line.model_copy(update=moved) if on_charge(line.item) else line for line in lines.items]
    )


__all__ = ["is_write_off", "write_off_lines"]

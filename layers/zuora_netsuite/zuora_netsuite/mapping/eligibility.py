"""Which Zuora records may sync at all: the rules of the dispatcher's pending queries, checked again by the
sync function, because a record also arrives by webhook, manual trigger, replay or as another record's
parent (docs/architecture.md, pending selection). An excluded record is skipped: nothing is written to NetSuite
or Zuora."""

from __future__ import annotations

from zuora_netsuite.mapping.base import IGNORE, SourceRecord
from zuora_netsuite.mapping.transaction import TransactionSource
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.zuora import ZuoraAccount

REQUIRED_STATUS = {
    RecordType.INVOICE: "Posted",
    RecordType.DEBIT_MEMO: "Posted",
    RecordType.CREDIT_MEMO: "Posted",
    RecordType.PAYMENT: "Processed",
    RecordType.REFUND: "Processed",
    RecordType.INVOICE_CANCELLATION: "Canceled",
}


def exclusion_reason(record_type: RecordType, source: SourceRecord, *, in_netsuite: bool) -> str | None:
    """Why this record must not sync, or None when it may. `in_netsuite`: it was synced before."""
    if source.integration_status == IGNORE:
        return "IntegrationStatus__NS is Ignore"
    if isinstance(source, ZuoraAccount):
        return _account_exclusion(source, in_netsuite=in_netsuite)
    if isinstance(source, TransactionSource):
        return _transaction_exclusion(record_type, source, in_netsuite=in_netsuite)
    return None


def _account_exclusion(account: ZuoraAccount, *, in_netsuite: bool) -> str | None:
    if (account.sync_to_netsuite or "").strip().casefold() == "no":
        return "SynctoNetSuite__NS is No"
    if account.status == "Draft":
        return "the account is a draft"
    if account.status == "Canceled" and not in_netsuite:
        return "the account is cancelled and was never synced: there is no customer to inactivate"
    return None


def _transaction_exclusion(record_type: RecordType, source: TransactionSource, *, in_netsuite: bool) -> str | None:
    record = source.record
    transferred = (record.transferred_to_accounting or "").strip()
    if transferred == "Ignore":
        return "TransferredToAccounting is Ignore"
    if record_type is RecordType.INVOICE_CANCELLATION:  # the invoice synced, then was cancelled: credited once
        if record.status != REQUIRED_STATUS[record_type]:
            return f"the invoice's status is {record.status or 'blank'}, not Canceled: there is no cancellation"
        return None if in_netsuite else "the invoice never synced to NetSuite: there is nothing to credit"
    if transferred == "Yes" and in_netsuite and not source.resent_when_changed:
        # the exception: payments applied later, with zuora.payments_applied_later (mapping/payment.py)
        return "already transferred to accounting: changes made after a transaction synced are not synced"
    required = REQUIRED_STATUS.get(record_type)
    if required and record.status != required:
        return f"its status is {record.status or 'blank'}, not {required}"
    return None

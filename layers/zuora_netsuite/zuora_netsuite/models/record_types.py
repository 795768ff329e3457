"""The record types the connector syncs, their Zuora and NetSuite names and their dependency order."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RecordType(StrEnum):
    """A kind of record the connector syncs; the value is used in messages, state keys and config."""

    CUSTOMER = "customer"
    ITEM = "item"
    INVOICE = "invoice"
    DEBIT_MEMO = "debit_memo"
    PAYMENT = "payment"
    CREDIT_MEMO = "credit_memo"
    REFUND = "refund"


@dataclass(frozen=True)
class RecordTypeInfo:
    record_type: RecordType
    zuora_object: str  # ZOQL / action/update object name
    label: str  # used in integration statuses: "Creating <label>", "Error Updating <label>"
    external_id_prefix: str  # NetSuite externalId = prefix + Zuora id (letters, digits, _ and - only)


RECORD_TYPES: dict[RecordType, RecordTypeInfo] = {
    RecordType.CUSTOMER: RecordTypeInfo(RecordType.CUSTOMER, "Account", "Customer", "zuora-account-"),
    RecordType.ITEM: RecordTypeInfo(RecordType.ITEM, "ProductRatePlanCharge", "Item", "zuora-charge-"),
    RecordType.INVOICE: RecordTypeInfo(RecordType.INVOICE, "Invoice", "Invoice", "zuora-invoice-"),
    RecordType.DEBIT_MEMO: RecordTypeInfo(RecordType.DEBIT_MEMO, "DebitMemo", "Debit Memo", "zuora-debitmemo-"),
    RecordType.PAYMENT: RecordTypeInfo(RecordType.PAYMENT, "Payment", "Payment", "zuora-payment-"),
    RecordType.CREDIT_MEMO: RecordTypeInfo(RecordType.CREDIT_MEMO, "CreditMemo", "Credit Memo", "zuora-creditmemo-"),
    RecordType.REFUND: RecordTypeInfo(RecordType.REFUND, "Refund", "Refund", "zuora-refund-"),
}

# Parents before children (docs/mapping.md). The dispatcher enqueues in this order;
# the sync function never relies on it.
DEPENDENCY_ORDER: tuple[RecordType, ...] = (
    RecordType.CUSTOMER,
    RecordType.ITEM,
    RecordType.INVOICE,
    RecordType.DEBIT_MEMO,
    RecordType.PAYMENT,
    RecordType.CREDIT_MEMO,
    RecordType.REFUND,
)

# Master data cannot be switched off: every transaction depends on it.
ALWAYS_ENABLED: frozenset[RecordType] = frozenset({RecordType.CUSTOMER, RecordType.ITEM})

# Transactions: selected by TransferredToAccounting and a cutover date; each can be switched off.
TRANSACTION_TYPES: frozenset[RecordType] = frozenset(DEPENDENCY_ORDER) - ALWAYS_ENABLED


def external_id(record_type: RecordType, zuora_id: str) -> str:
    """The deterministic NetSuite external id of a Zuora record: the key of every idempotent upsert."""
    return RECORD_TYPES[record_type].external_id_prefix + zuora_id

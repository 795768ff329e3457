"""The record types the connector syncs, their Zuora and NetSuite names and their dependency order."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from zuora_netsuite.models.netsuite import NetSuiteItemType


class RecordType(StrEnum):
    """A kind of record the connector syncs; the value is used in messages, state keys and config."""

    CUSTOMER = "customer"
    ITEM = "item"
    INVOICE = "invoice"
    DEBIT_MEMO = "debit_memo"
    PAYMENT = "payment"
    CREDIT_MEMO = "credit_memo"
    REFUND = "refund"
    # An invoice cancelled in Zuora after it synced, credited in NetSuite (after_sync.canceled_invoice "credit_memo")
    INVOICE_CANCELLATION = "invoice_cancellation"


@dataclass(frozen=True)
class RecordTypeInfo:
    record_type: RecordType
    zuora_object: str  # ZOQL / action/update object name
    label: str  # used in integration statuses: "Creating <label>", "Error Updating <label>"
    external_id_prefix: str  # NetSuite externalId = prefix + Zuora id (letters, digits, _ and - only)
    # The NetSuite REST record types a record of this type can become. The first is the usual one; for a
    # transaction, the last is the one a negative amount becomes (an invoice below zero is a credit memo).
    # Items: by the charge's ItemType__NS (models/netsuite.py NetSuiteItemType).
    netsuite_types: tuple[str, ...]
    # The Zuora field holding the number people see in Zuora (A00000041, INV00000083, CM00000002 ...).
    number_field: str
    # Whether the connector writes its integration status and the NetSuite id back to the Zuora object. False for a
    # type derived from another type's Zuora object (an invoice's cancellation): its state lives only in DynamoDB, so
    # the invoice's own IntegrationId__NS / IntegrationStatus__NS are never overwritten.
    writes_back: bool = True

    @property
    def netsuite_type(self) -> str:
        """The NetSuite record type of a record with an amount of zero or more (items: a service item)."""
        return self.netsuite_types[0]

    @property
    def netsuite_type_when_negative(self) -> str:
        """The NetSuite record type of a transaction whose amount is below zero."""
        return self.netsuite_types[-1]


RECORD_TYPES: dict[RecordType, RecordTypeInfo] = {
    RecordType.CUSTOMER: RecordTypeInfo(
        RecordType.CUSTOMER, "Account", "Customer", "zuora-account-", ("customer",), "AccountNumber"
    ),
    RecordType.ITEM: RecordTypeInfo(
        RecordType.ITEM,
        "ProductRatePlanCharge",
        "Item",
        "zuora-charge-",
        tuple(item_type.value for item_type in NetSuiteItemType),
        "ProductRatePlanChargeNumber",
    ),
    RecordType.INVOICE: RecordTypeInfo(
        RecordType.INVOICE, "Invoice", "Invoice", "zuora-invoice-", ("invoice", "creditMemo"), "InvoiceNumber"
    ),
    RecordType.DEBIT_MEMO: RecordTypeInfo(
        RecordType.DEBIT_MEMO, "DebitMemo", "Debit Memo", "zuora-debitmemo-", ("invoice",), "MemoNumber"
    ),
    RecordType.PAYMENT: RecordTypeInfo(
        RecordType.PAYMENT, "Payment", "Payment", "zuora-payment-", ("customerPayment",), "PaymentNumber"
    ),
    RecordType.CREDIT_MEMO: RecordTypeInfo(
        RecordType.CREDIT_MEMO, "CreditMemo", "Credit Memo", "zuora-creditmemo-", ("creditMemo",), "MemoNumber"
    ),
    RecordType.REFUND: RecordTypeInfo(
        RecordType.REFUND, "Refund", "Refund", "zuora-refund-", ("customerRefund",), "RefundNumber"
    ),
    RecordType.INVOICE_CANCELLATION: RecordTypeInfo(
        RecordType.INVOICE_CANCELLATION,
        "Invoice",
        "Invoice Cancellation",
        "zuora-invoicecancel-",
        ("creditMemo",),
        "InvoiceNumber",
        writes_back=False,
    ),
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
    RecordType.INVOICE_CANCELLATION,  # after everything that may pay or credit the invoice
)

# Master data cannot be switched off: every transaction depends on it.
ALWAYS_ENABLED: frozenset[RecordType] = frozenset({RecordType.CUSTOMER, RecordType.ITEM})

# Types derived from another type's Zuora object, whose state lives in the state table only (writes_back False): an
# invoice cancelled after it synced (after_sync.canceled_invoice). Not a Zuora object of their own.
DERIVED_TYPES: frozenset[RecordType] = frozenset(t for t, info in RECORD_TYPES.items() if not info.writes_back)

# Transactions: selected by TransferredToAccounting and a cutover date; each can be switched off.
TRANSACTION_TYPES: frozenset[RecordType] = frozenset(DEPENDENCY_ORDER) - ALWAYS_ENABLED - DERIVED_TYPES


def external_id(record_type: RecordType, zuora_id: str) -> str:
    """The deterministic NetSuite external id of a Zuora record: the key of every idempotent upsert."""
    return RECORD_TYPES[record_type].external_id_prefix + zuora_id


def netsuite_type_of(record_type: RecordType, *, negative: bool = False) -> str:
    """The NetSuite record type a record of `record_type` becomes (a transaction: by the sign of its amount)."""
    info = RECORD_TYPES[record_type]
    return info.netsuite_type_when_negative if negative else info.netsuite_type

"""One module per record type: which Zuora records are pending, how to fetch them, how to validate
and map them to a NetSuite record. `MAPPINGS` is the registry the dispatcher and sync logic use."""

from __future__ import annotations

from zuora_netsuite.mapping.base import Mapped, MappingContext, RecordMapping, SourceRecord
from zuora_netsuite.mapping.customer import CustomerMapping
from zuora_netsuite.mapping.invoice import InvoiceMapping
from zuora_netsuite.mapping.item import ItemMapping
from zuora_netsuite.mapping.memo import CreditMemoMapping, DebitMemoMapping
from zuora_netsuite.mapping.payment import PaymentMapping
from zuora_netsuite.mapping.refund import RefundMapping
from zuora_netsuite.record_types import RecordType

MAPPINGS: dict[RecordType, RecordMapping] = {
    RecordType.CUSTOMER: CustomerMapping(),
    RecordType.ITEM: ItemMapping(),
    RecordType.INVOICE: InvoiceMapping(),
    RecordType.DEBIT_MEMO: DebitMemoMapping(),
    RecordType.PAYMENT: PaymentMapping(),
    RecordType.CREDIT_MEMO: CreditMemoMapping(),
    RecordType.REFUND: RefundMapping(),
}

__all__ = ["MAPPINGS", "Mapped", "MappingContext", "RecordMapping", "SourceRecord"]

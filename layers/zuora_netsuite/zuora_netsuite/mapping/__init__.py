"""One module per record type: which Zuora records are pending, how to fetch them, how to validate
and map them to a NetSuite record. `mappings_for(tenant)` is the registry the dispatcher and sync logic use:
a mapping knows the shape of the Zuora tenant it reads (Invoice Settlement or not; settings.ZuoraTenant)."""

from __future__ import annotations

from functools import lru_cache

from zuora_netsuite.mapping.base import Mapped, MappingContext, RecordMapping, SourceRecord
from zuora_netsuite.mapping.cancellation import InvoiceCancellationMapping
from zuora_netsuite.mapping.customer import CustomerMapping
from zuora_netsuite.mapping.invoice import InvoiceMapping
from zuora_netsuite.mapping.item import ItemMapping
from zuora_netsuite.mapping.memo import CreditMemoMapping, DebitMemoMapping
from zuora_netsuite.mapping.payment import PaymentMapping
from zuora_netsuite.mapping.refund import RefundMapping
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.settings import ZuoraTenant


@lru_cache(maxsize=8)
def mappings_for(tenant: ZuoraTenant) -> dict[RecordType, RecordMapping]:
    """Every record type's mapping, for a Zuora tenant of this shape."""
    return {
        RecordType.CUSTOMER: CustomerMapping(tenant),
        RecordType.ITEM: ItemMapping(tenant),
        RecordType.INVOICE: InvoiceMapping(tenant),
        RecordType.DEBIT_MEMO: DebitMemoMapping(tenant),
        RecordType.PAYMENT: PaymentMapping(tenant),
        RecordType.CREDIT_MEMO: CreditMemoMapping(tenant),
        RecordType.REFUND: RefundMapping(tenant),
        RecordType.INVOICE_CANCELLATION: InvoiceCancellationMapping(tenant),
    }


__all__ = ["Mapped", "MappingContext", "RecordMapping", "SourceRecord", "mappings_for"]

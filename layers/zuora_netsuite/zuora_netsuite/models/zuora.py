"""Zuora objects as ZOQL returns them (field names as Zuora spells them; null fields are left out)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import ClassVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


# defer_build: a model is built on its first validation, not at import (issue 14: these modules were the
# largest part of the connector's own import time, and a sync container builds only the record types it meets).
class IntegrationFields(BaseModel):
    """The custom fields the connector writes back to every synced Zuora object (strings, <= 255 chars).
    Other fields selected for the configured field mappings (e.g. `Region__c`) are kept as extras."""

    model_config = ConfigDict(defer_build=True, extra="allow", populate_by_name=True, frozen=True)

    integration_id: str | None = Field(default=None, alias="IntegrationId__NS")
    integration_status: str | None = Field(default=None, alias="IntegrationStatus__NS")
    sync_date: str | None = Field(default=None, alias="SyncDate__NS")
    # The reason of the last sync error, read from the tenant's configured __c field (settings.ZuoraTenant.error_field;
    # mapping.base.with_error_reason puts it under this key). Zuora's NetSuite Connector package has no such field.
    integration_error: str | None = Field(default=None, alias="integration_error")


class ZuoraContact(BaseModel):
    """A Zuora Contact: an account's bill-to or sold-to person and address
    (https://docs.zuora.com/en/zuora-platform/integration/apis/soap-api/soap-api-object-reference/contact/field-descriptions).
    Country holds the country's *name* as Zuora shows it ("United States"). Fields beyond ZOQL_FIELDS that a field
    mapping selects (BillTo.X / SoldTo.X) are kept as extras, under their Zuora names."""

    model_config = ConfigDict(defer_build=True, extra="allow", populate_by_name=True, frozen=True)

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = (
        "Id", "AccountId", "FirstName", "LastName", "WorkEmail", "WorkPhone",
        "Address1", "Address2", "City", "State", "PostalCode", "Country",
    )  # fmt: skip

    id: str = Field(alias="Id")
    account_id: str | None = Field(default=None, alias="AccountId")
    first_name: str | None = Field(default=None, alias="FirstName")
    last_name: str | None = Field(default=None, alias="LastName")
    work_email: str | None = Field(default=None, alias="WorkEmail")
    work_phone: str | None = Field(default=None, alias="WorkPhone")
    address1: str | None = Field(default=None, alias="Address1")
    address2: str | None = Field(default=None, alias="Address2")
    city: str | None = Field(default=None, alias="City")
    state: str | None = Field(default=None, alias="State")
    postal_code: str | None = Field(default=None, alias="PostalCode")
    country: str | None = Field(default=None, alias="Country")

    @property
    def full_name(self) -> str:
        return " ".join(part.strip() for part in (self.first_name, self.last_name) if part and part.strip())


class ZuoraAccount(IntegrationFields):
    """A Zuora Account; becomes a NetSuite customer."""

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = (
        "Id", "AccountNumber", "Name", "Status", "Currency", "UpdatedDate",
        "IntegrationId__NS", "IntegrationStatus__NS", "SyncDate__NS",
        "SynctoNetSuite__NS", "Subsidiary__NS", "Department__NS", "Class__NS", "Location__NS",
        "CustomerType__NS", "BillToId", "SoldToId", "ParentId", "PaymentTerm",
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
    bill_to_id: str | None = Field(default=None, alias="BillToId")  # Contact ids
    sold_to_id: str | None = Field(default=None, alias="SoldToId")
    parent_id: str | None = Field(default=None, alias="ParentId")  # customer hierarchy: the parent Account
    payment_term: str | None = Field(default=None, alias="PaymentTerm")  # a tenant payment term's name, "Net 30"
    # The contacts themselves (mapping.customer.fetch attaches them; not Zuora fields, so never dumped).
    bill_to: ZuoraContact | None = Field(default=None, exclude=True)
    sold_to: ZuoraContact | None = Field(default=None, exclude=True)


class ZuoraProductRatePlan(BaseModel):
    """The rate plan a charge belongs to: its effective dates decide whether the item is active."""

    model_config = ConfigDict(defer_build=True, extra="ignore", populate_by_name=True, frozen=True)

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = ("Id", "Name", "EffectiveStartDate", "EffectiveEndDate")

    id: str = Field(alias="Id")
    name: str | None = Field(default=None, alias="Name")
    effective_start_date: date | None = Field(default=None, alias="EffectiveStartDate")
    effective_end_date: date | None = Field(default=None, alias="EffectiveEndDate")


class ZuoraProductRatePlanCharge(IntegrationFields):
    """A Zuora ProductRatePlanCharge; becomes a NetSuite item of the type named by ItemType__NS."""

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = (
        "Id", "Name", "Description", "ChargeType", "ChargeModel", "ProductRatePlanId", "UpdatedDate",
        "IntegrationId__NS", "IntegrationStatus__NS", "SyncDate__NS",
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


_TRANSACTION_FIELDS = (
    "UpdatedDate", "TransferredToAccounting",
    "IntegrationId__NS", "IntegrationStatus__NS", "SyncDate__NS",
)  # fmt: skip


class ZuoraTransaction(IntegrationFields):
    """What every Zuora transaction carries: its account, status and the standard TransferredToAccounting."""

    id: str = Field(alias="Id")
    account_id: str | None = Field(default=None, alias="AccountId")
    status: str | None = Field(default=None, alias="Status")
    updated_date: datetime = Field(alias="UpdatedDate")
    transferred_to_accounting: str | None = Field(default=None, alias="TransferredToAccounting")


class ZuoraInvoice(ZuoraTransaction):
    """A Zuora Invoice: amount >= 0 becomes a NetSuite invoice, amount < 0 a credit memo."""

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = (
        "Id", "AccountId", "InvoiceNumber", "InvoiceDate", "DueDate", "Status", "Amount", "AmountWithoutTax",
        "TaxAmount", "Balance", *_TRANSACTION_FIELDS,
    )  # fmt: skip

    number: str | None = Field(default=None, alias="InvoiceNumber")
    invoice_date: date | None = Field(default=None, alias="InvoiceDate")
    due_date: date | None = Field(default=None, alias="DueDate")
    amount: Decimal | None = Field(default=None, alias="Amount")
    amount_without_tax: Decimal | None = Field(default=None, alias="AmountWithoutTax")
    tax_amount: Decimal | None = Field(default=None, alias="TaxAmount")
    balance: Decimal | None = Field(default=None, alias="Balance")


class ZuoraInvoiceItem(BaseModel):
    """One line of an invoice: a charge and its amount (tax separate)."""

    model_config = ConfigDict(defer_build=True, extra="ignore", populate_by_name=True, frozen=True)

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = (
        "Id", "InvoiceId", "ProductRatePlanChargeId", "ChargeName", "Quantity", "ChargeAmount", "TaxAmount",
        "ServiceStartDate", "ServiceEndDate", "TaxCode",
    )  # fmt: skip

    id: str = Field(alias="Id")
    invoice_id: str = Field(alias="InvoiceId")
    charge_id: str | None = Field(default=None, alias="ProductRatePlanChargeId")
    charge_name: str | None = Field(default=None, alias="ChargeName")
    quantity: Decimal | None = Field(default=None, alias="Quantity")
    amount: Decimal | None = Field(default=None, alias="ChargeAmount")
    tax_amount: Decimal | None = Field(default=None, alias="TaxAmount")
    # The charge's tax code (https://docs.zuora.com/en/zuora-billing/set-up-zuora-billing/apply-taxes/tax-code-and-set-tax-mode);
    # mapped to a NetSuite tax code by the sync configuration's tax_codes.
    tax_code: str | None = Field(default=None, alias="TaxCode")
    service_start_date: date | None = Field(default=None, alias="ServiceStartDate")
    service_end_date: date | None = Field(default=None, alias="ServiceEndDate")


class ZuoraMemo(ZuoraTransaction):
    """A Zuora credit or debit memo (Invoice Settlement)."""

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = (
        "Id", "AccountId", "MemoNumber", "MemoDate", "Status", "TotalAmount", "TaxAmount", "Balance",
        *_TRANSACTION_FIELDS,
    )  # fmt: skip
    CREDIT_ZOQL_FIELDS: ClassVar[tuple[str, ...]] = (*ZOQL_FIELDS, "ReferredInvoiceId", "AppliedAmount")

    number: str | None = Field(default=None, alias="MemoNumber")
    memo_date: date | None = Field(default=None, alias="MemoDate")
    total_amount: Decimal | None = Field(default=None, alias="TotalAmount")
    tax_amount: Decimal | None = Field(default=None, alias="TaxAmount")
    balance: Decimal | None = Field(default=None, alias="Balance")
    referred_invoice_id: str | None = Field(default=None, alias="ReferredInvoiceId")  # credit memos only
    applied_amount: Decimal | None = Field(default=None, alias="AppliedAmount")  # credit memos only
    reason_code: str | None = Field(default=None, alias="ReasonCode")  # e.g. "Write-off" (issue 13)


class ZuoraMemoItem(BaseModel):
    """One line of a credit or debit memo: a charge and its amount (tax separate)."""

    model_config = ConfigDict(defer_build=True, extra="ignore", populate_by_name=True, frozen=True)

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = (
        "Id", "ProductRatePlanChargeId", "ChargeName", "Quantity", "Amount", "TaxAmount",
    )  # fmt: skip

    id: str = Field(alias="Id")
    memo_id: str = Field(validation_alias=AliasChoices("CreditMemoId", "DebitMemoId"))
    charge_id: str | None = Field(default=None, alias="ProductRatePlanChargeId")
    charge_name: str | None = Field(default=None, alias="ChargeName")
    quantity: Decimal | None = Field(default=None, alias="Quantity")
    amount: Decimal | None = Field(default=None, alias="Amount")
    tax_amount: Decimal | None = Field(default=None, alias="TaxAmount")
    service_start_date: date | None = Field(default=None, alias="ServiceStartDate")
    service_end_date: date | None = Field(default=None, alias="ServiceEndDate")


class ZuoraTaxationItem(BaseModel):
    """One tax on one invoice or memo item (one per tax code and jurisdiction): ZOQL TaxationItem by InvoiceItemId
    (https://docs.zuora.com/en/zuora-platform/integration/apis/soap-api/soap-api-object-reference/taxationitem/field-descriptions);
    a memo item's from GET /v1/{credit,debit}-memos/{id}/items/{itemId}/taxation-items
    (https://developer.zuora.com/v1-api-reference/api/credit-memos/get_taxationitemsofcreditmemoitem.md)."""

    model_config = ConfigDict(defer_build=True, extra="ignore", populate_by_name=True, frozen=True)

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = ("Id", "InvoiceItemId", "TaxCode", "TaxAmount", "Jurisdiction")

    id: str = Field(alias="Id")
    item_id: str = Field(validation_alias=AliasChoices("InvoiceItemId", "MemoItemId"))
    tax_code: str | None = Field(default=None, alias="TaxCode")
    tax_amount: Decimal | None = Field(default=None, alias="TaxAmount")
    jurisdiction: str | None = Field(default=None, alias="Jurisdiction")


def memo_taxation_item_from_rest(row: dict[str, object], item_id: str) -> dict[str, object]:
    """A memo item's taxation item (REST names) -> the Zuora field names ZuoraTaxationItem reads."""
    fields = {
        "Id": row.get("id"),
        "MemoItemId": item_id,
        "TaxCode": row.get("taxCode"),
        "TaxAmount": row.get("taxAmount"),
        "Jurisdiction": row.get("jurisdiction"),
    }
    return {k: v for k, v in fields.items() if v is not None}


class ZuoraPayment(ZuoraTransaction):
    """A Zuora Payment; synced once Processed and applied to invoices."""

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = (
        "Id", "AccountId", "PaymentNumber", "EffectiveDate", "Status", "Type", "Amount", "AppliedAmount",
        "UnappliedAmount", "RefundAmount", "PaymentMethodId", "Gateway", *_TRANSACTION_FIELDS,
    )  # fmt: skip

    number: str | None = Field(default=None, alias="PaymentNumber")
    effective_date: date | None = Field(default=None, alias="EffectiveDate")
    amount: Decimal | None = Field(default=None, alias="Amount")
    applied_amount: Decimal | None = Field(default=None, alias="AppliedAmount")
    payment_method_id: str | None = Field(default=None, alias="PaymentMethodId")
    gateway: str | None = Field(default=None, alias="Gateway")


class ZuoraInvoicePayment(BaseModel):
    """How much of a payment went to one invoice."""

    model_config = ConfigDict(defer_build=True, extra="ignore", populate_by_name=True, frozen=True)

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = ("Id", "InvoiceId", "PaymentId", "Amount")

    id: str = Field(alias="Id")
    invoice_id: str = Field(alias="InvoiceId")
    payment_id: str = Field(alias="PaymentId")
    amount: Decimal = Field(alias="Amount")


class ZuoraApplication(BaseModel):
    """How much of a payment or credit memo went to one invoice or debit memo: a legacy InvoicePayment row, or a
    part of GET /v1/payments/{key}/parts or /v1/credit-memos/{key}/parts (Invoice Settlement)."""

    model_config = ConfigDict(defer_build=True, extra="ignore", populate_by_name=True, frozen=True)

    id: str
    invoice_id: str | None = None
    debit_memo_id: str | None = None
    amount: Decimal

    @property
    def target_id(self) -> str:
        return self.invoice_id or self.debit_memo_id or ""

    @classmethod
    def from_invoice_payment(cls, row: ZuoraInvoicePayment) -> ZuoraApplication:
        return cls(id=row.id, invoice_id=row.invoice_id, amount=row.amount)

    @classmethod
    def from_part(cls, part: dict[str, object]) -> ZuoraApplication | None:
        """None for the unapplied part (neither an invoice nor a debit memo)."""
        invoice_id, debit_memo_id = part.get("invoiceId"), part.get("debitMemoId")
        if not invoice_id and not debit_memo_id:
            return None
        return cls.model_validate(
            {
                "id": str(part.get("id") or ""),
                "invoice_id": str(invoice_id) if invoice_id else None,
                "debit_memo_id": str(debit_memo_id) if debit_memo_id else None,
                "amount": part.get("amount"),
            }
        )


def rest_datetime(value: object) -> str | None:
    """A v1 REST time ('2017-03-01 10:08:43', in the tenant's zone; read as UTC) or an Object Query time
    ('2024-08-28T23:32:59-07:00') as ISO 8601 with an offset."""
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat()


def memo_from_rest(body: dict[str, object]) -> dict[str, object]:
    """GET /v1/credit-memos/{key} or /v1/debit-memos/{key} -> the Zuora field names ZuoraMemo reads.
    https://developer.zuora.com/v1-api-reference/api/operation/GET_CreditMemo/"""
    fields: dict[str, object] = {
        "Id": body.get("id"),
        "AccountId": body.get("accountId"),
        "MemoNumber": body.get("number"),
        "MemoDate": body.get("creditMemoDate") or body.get("debitMemoDate"),
        "Status": body.get("status"),
        "TotalAmount": body.get("amount"),
        "TaxAmount": body.get("taxAmount"),
        "Balance": body.get("balance"),
        "ReferredInvoiceId": body.get("referredInvoiceId"),
        "AppliedAmount": body.get("appliedAmount"),
        "ReasonCode": body.get("reasonCode"),
        "TransferredToAccounting": body.get("transferredToAccounting"),
        "UpdatedDate": rest_datetime(body.get("updatedDate")),
    }
    fields.update({k: v for k, v in body.items() if k.endswith(("__NS", "__c"))})  # custom fields, top level
    return {k: v for k, v in fields.items() if v is not None}


def memo_from_object_query(row: dict[str, object]) -> dict[str, object]:
    """An Object Query credit-memos / debit-memos record -> the Zuora field names ZuoraMemo reads (custom fields are
    at the top level by API name, as in the REST resource).
    https://developer.zuora.com/v1-api-reference/api/operation/queryCreditMemos/"""
    fields: dict[str, object] = {
        "Id": row.get("id"),
        "AccountId": row.get("accountId"),
        "MemoNumber": row.get("memoNumber"),
        "MemoDate": row.get("memoDate"),
        "Status": row.get("status"),
        "TotalAmount": row.get("totalAmount"),
        "TaxAmount": row.get("taxAmount"),
        "Balance": row.get("balance"),
        "ReferredInvoiceId": row.get("invoiceId"),
        "AppliedAmount": row.get("appliedAmount"),
        "ReasonCode": row.get("reasonCode"),
        "TransferredToAccounting": row.get("transferredToAccounting"),
        "UpdatedDate": rest_datetime(row.get("updatedDate")),
    }
    fields.update({k: v for k, v in row.items() if k.endswith(("__NS", "__c"))})
    return {k: v for k, v in fields.items() if v is not None}


def memo_item_from_object_query(row: dict[str, object]) -> dict[str, object]:
    """An Object Query credit-memo-items / debit-memo-items record -> the Zuora field names ZuoraMemoItem reads."""
    fields = {
        "Id": row.get("id"),
        "CreditMemoId": row.get("creditMemoId"),
        "DebitMemoId": row.get("debitMemoId"),
        "ProductRatePlanChargeId": row.get("productRatePlanChargeId"),
        "ChargeName": row.get("chargeName"),
        "Quantity": row.get("quantity"),
        "Amount": row.get("amount"),
        "TaxAmount": row.get("taxAmount"),
        "ServiceStartDate": row.get("serviceStartDate"),
        "ServiceEndDate": row.get("serviceEndDate"),
    }
    return {k: v for k, v in fields.items() if v is not None}


class ZuoraRefund(ZuoraTransaction):
    """A Zuora Refund of a payment; synced once Processed."""

    ZOQL_FIELDS: ClassVar[tuple[str, ...]] = (
        "Id", "AccountId", "PaymentId", "RefundNumber", "RefundDate", "Status", "Type", "MethodType", "Amount",
        *_TRANSACTION_FIELDS,
    )  # fmt: skip

    method_type: str | None = Field(default=None, alias="MethodType")

    payment_id: str | None = Field(default=None, alias="PaymentId")
    number: str | None = Field(default=None, alias="RefundNumber")
    refund_date: date | None = Field(default=None, alias="RefundDate")
    amount: Decimal | None = Field(default=None, alias="Amount")


class ZuoraUpdateResult(BaseModel):
    """One object's answer from POST /v1/action/update."""

    model_config = ConfigDict(defer_build=True, extra="ignore", populate_by_name=True)

    id: str | None = Field(default=None, alias="Id")
    success: bool = Field(alias="Success")
    errors: list[dict[str, str | int | None]] = Field(default_factory=list, alias="Errors")

"""Zuora's Invoice Settlement resources and Object Query, over the simulator's store (Zuora field names).

Pure functions, shared by the HTTP simulator (``sandbox/zuora_simulator.py``) and the unit tests' fake
(``tests/fakes.py``), so both answer exactly alike. ``answer(store, method, path, params, ...)`` returns
``(http_status, json_body)`` or None when the path is not one of these resources.

Pages (each behaviour is pinned by a contract test in ``tests/contract/zuora/``):

- Invoice Settlement API impacts (Actions refuse memos, InvoicePayment / RefundInvoicePayment are legacy):
  https://docs.zuora.com/en/zuora-billing/bill-your-customer/invoice-settlement/get-started-with-invoice-settlement/known-limitations-in-invoice-settlement/invoice-settlement-api-impacts
- ``GET /v1/credit-memos/{creditMemoKey}`` (+ ``/items``, ``/parts``), ``GET /v1/debit-memos/{debitMemoKey}``
  (+ ``/items``): https://developer.zuora.com/v1-api-reference/api/operation/GET_CreditMemo/ ,
  .../GET_CreditMemoItems/ , .../GET_CreditMemoParts/ , .../GET_DebitMemo/ , .../GET_DebitMemoItems/
  (the older spelling ``/v1/creditmemos/...`` is accepted too);
- ``GET /v1/payments/{paymentKey}/parts``: https://developer.zuora.com/v1-api-reference/api/operation/GET_PaymentParts/
- ``GET /v1/refunds/{refundKey}/parts``: https://developer.zuora.com/v1-api-reference/api/operation/GET_RefundParts/
- Object Query (``filter[]=field.OP:value`` ANDed, EQ NE LT GT LE GE SW IN, ``EQ:null``; ``fields[]``,
  ``expand[]``, ``sort[]`` on one field, ``pageSize`` 1..99 else 400, ``cursor`` / ``nextPage``):
  https://developer.zuora.com/docs/guides/expand-filter-fields-sort/ ,
  https://developer.zuora.com/docs/guides/pagination/ ,
  https://developer.zuora.com/v1-api-reference/api/operation/queryCreditMemos/
- v1 paging (``pageSize`` at most 40, larger treated as 40; ``nextPage`` while more rows exist):
  https://developer.zuora.com/docs/guides/pagination/

Where the pages are silent the simulator is the stricter (docs/contract-tests.md lists each choice).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Store = Mapping[str, Mapping[str, Mapping[str, Any]]]  # object type -> Id -> record (Zuora field names)
Answer = tuple[int, dict[str, Any]]

# Actions (query, queryMore, update) refuse these on an Invoice Settlement tenant.
INVOICE_SETTLEMENT_ONLY_OBJECTS = frozenset(
    {"CreditMemo", "DebitMemo", "CreditMemoItem", "DebitMemoItem", "CreditTaxationItem", "DebitTaxationItem"}
)
LEGACY_ONLY_OBJECTS = frozenset({"InvoicePayment", "RefundInvoicePayment"})
# Where the simulator keeps what payments, credit memos and refunds were applied to; never served by Actions.
PART_OBJECTS = frozenset({"PaymentPart", "CreditMemoPart", "RefundPart"})

FEATURE_OFF_CODE = 50000010  # category 10: permission / access denied (the feature is not enabled)
NOT_FOUND_CODE = 50000040  # category 40: object not found
INVALID_CODE = 50000020  # category 20: invalid format or value
OBJECT_QUERY_MAX_PAGE = 99
OBJECT_QUERY_DEFAULT_PAGE = 10
V1_MAX_PAGE = 40
V1_DEFAULT_PAGE = 20


def feature_off_message() -> str:
    return (
        "The Invoice Settlement feature is not enabled for this tenant: credit memos, debit memos and the "
        "applications of payments and refunds are not available"
    )


def actions_refusal(object_type: str, invoice_settlement: bool) -> str | None:
    """Why Actions (query/queryMore/update) refuse this object on this tenant, or None."""
    if object_type in PART_OBJECTS:
        return f"invalid object type: {object_type}"
    if invoice_settlement and object_type in INVOICE_SETTLEMENT_ONLY_OBJECTS | LEGACY_ONLY_OBJECTS:
        return (
            f"{object_type} is not supported by Actions when Invoice Settlement is enabled; use the Invoice "
            "Settlement REST API (credit memos, debit memos, payment and refund parts) or Object Query"
        )
    if not invoice_settlement and object_type in INVOICE_SETTLEMENT_ONLY_OBJECTS:
        return f"invalid object type: {object_type} (" + feature_off_message() + ")"
    return None


def _reasons(status: int, code: int, message: str) -> Answer:
    return status, {"success": False, "reasons": [{"code": code, "message": message}]}


# --------------------------------------------------------------------------------------------- formats


def _parse_stored_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def v1_datetime(value: Any) -> str | None:
    """v1 REST resources write times as 'YYYY-MM-DD HH:MM:SS' (the simulator's tenant runs on UTC)."""
    parsed = _parse_stored_datetime(value)
    return parsed.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if parsed else None


def object_query_datetime(value: Any) -> str | None:
    """Object Query writes ISO 8601 times with an offset, e.g. '2024-08-28T23:32:59+00:00'."""
    parsed = _parse_stored_datetime(value)
    return parsed.astimezone(UTC).isoformat(timespec="seconds") if parsed else None


def _custom_fields(record: Mapping[str, Any], schema_fields: Collection[str]) -> dict[str, Any]:
    """Custom fields at the top level by API name (null when empty), as the REST resources return them."""
    return {name: record.get(name) for name in schema_fields if name.endswith(("__NS", "__c"))}


# --------------------------------------------------------------------------------------------- v1 resources


_MEMO_RESOURCES = {
    "credit-memos": "CreditMemo",
    "creditmemos": "CreditMemo",
    "debit-memos": "DebitMemo",
    "debitmemos": "DebitMemo",
}


def _find(store: Store, object_type: str, key: str, number_field: str) -> Mapping[str, Any] | None:
    """A record by Id or by its number (MemoNumber, PaymentNumber, RefundNumber), as the resources accept."""
    records = store.get(object_type, {})
    if key in records:
        return records[key]
    return next((r for r in records.values() if r.get(number_field) == key), None)


def _v1_memo(record: Mapping[str, Any], object_type: str, schema_fields: Collection[str]) -> dict[str, Any]:
    date_field = "creditMemoDate" if object_type == "CreditMemo" else "debitMemoDate"
    total = record.get("TotalAmount")
    body: dict[str, Any] = {
        "id": record["Id"],
        "number": record.get("MemoNumber"),
        "accountId": record.get("AccountId"),
        date_field: record.get("MemoDate"),
        "status": record.get("Status"),
        "amount": total,
        "taxAmount": record.get("TaxAmount"),
        "balance": record.get("Balance"),
        "referredInvoiceId": record.get("ReferredInvoiceId"),
        "reasonCode": record.get("ReasonCode"),
        "transferredToAccounting": record.get("TransferredToAccounting"),
        "createdDate": v1_datetime(record.get("CreatedDate")),
        "updatedDate": v1_datetime(record.get("UpdatedDate")),
    }
    if object_type == "CreditMemo":
        applied = record.get("AppliedAmount") or 0
        body["appliedAmount"] = applied
        body["unappliedAmount"] = _num(Decimal(str(total or 0)) - Decimal(str(applied)))
    return {**body, **_custom_fields(record, schema_fields), "success": True}


v1_memo = _v1_memo  # the memo as GET /v1/credit-memos/{key} answers it (also each success of a bulk PUT)


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _v1_page(rows: list[dict[str, Any]], key: str, path: str, params: Mapping[str, str]) -> Answer:
    try:
        page = int(params.get("page", "1"))
        size = int(params.get("pageSize", str(V1_DEFAULT_PAGE)))
    except ValueError:
        return _reasons(400, INVALID_CODE, "page and pageSize must be integers")
    if page < 1 or size < 1:
        return _reasons(400, INVALID_CODE, "page and pageSize must be at least 1")
    size = min(size, V1_MAX_PAGE)  # "larger values are treated as 40"
    start = (page - 1) * size
    body: dict[str, Any] = {key: rows[start : start + size], "success": True}
    if start + size < len(rows):
        body["nextPage"] = f"{path}?page={page + 1}&pageSize={size}"
    return 200, body


def _memo_items(store: Store, object_type: str, memo_id: str) -> list[dict[str, Any]]:
    items = [r for r in store.get(f"{object_type}Item", {}).values() if r.get(f"{object_type}Id") == memo_id]
    return [
        {
            "id": item["Id"],
            "amount": item.get("Amount"),
            "amountWithoutTax": item.get("Amount"),
            "quantity": item.get("Quantity"),
            "skuName": item.get("ChargeName"),
            "serviceStartDate": item.get("ServiceStartDate"),
            "serviceEndDate": item.get("ServiceEndDate"),
            "createdDate": v1_datetime(item.get("CreatedDate")),
            "updatedDate": v1_datetime(item.get("UpdatedDate")),
        }
        for item in sorted(items, key=lambda r: str(r["Id"]))
    ]


def _parts(
    store: Store, part_type: str, owner_field: str, owner_id: str, targets: Sequence[str]
) -> list[dict[str, Any]]:
    rows = [r for r in store.get(part_type, {}).values() if r.get(owner_field) == owner_id]
    return [
        {
            "id": row["Id"],
            "amount": row.get("Amount"),
            **{target[0].lower() + target[1:]: row.get(target) for target in targets},
            "createdDate": v1_datetime(row.get("CreatedDate")),
            "updatedDate": v1_datetime(row.get("UpdatedDate")),
        }
        for row in sorted(rows, key=lambda r: str(r["Id"]))
    ]


def _unapplied_part(
    owner: Mapping[str, Any], total_field: str, parts: list[dict[str, Any]], targets: Sequence[str]
) -> None:
    """A payment or credit memo also has one unapplied part (no target) for what is left of it."""
    applied = sum((Decimal(str(p["amount"] or 0)) for p in parts), Decimal(0))
    left = Decimal(str(owner.get(total_field) or 0)) - applied - Decimal(str(owner.get("RefundAmount") or 0))
    if left > 0:
        parts.append(
            {
                "id": hashlib.sha1(f"unapplied-{owner['Id']}".encode()).hexdigest()[:32],  # noqa: S324
                "amount": _num(left),
                **{target[0].lower() + target[1:]: None for target in targets},
                "createdDate": v1_datetime(owner.get("CreatedDate")),
                "updatedDate": v1_datetime(owner.get("UpdatedDate")),
            }
        )


def _v1_get(
    store: Store, schema: Mapping[str, Collection[str]], segments: list[str], path: str, params: Mapping[str, str]
) -> Answer | None:
    resource = segments[1]
    key = segments[2]
    rest = segments[3:]
    if resource in _MEMO_RESOURCES:
        object_type = _MEMO_RESOURCES[resource]
        memo = _find(store, object_type, key, "MemoNumber")
        label = "credit memo" if object_type == "CreditMemo" else "debit memo"
        if memo is None:
            return _reasons(404, NOT_FOUND_CODE, f"Cannot find entity by key: '{key}'.")
        if not rest:
            return 200, _v1_memo(memo, object_type, schema.get(object_type, ()))
        if rest == ["items"]:
            return _v1_page(_memo_items(store, object_type, str(memo["Id"])), "items", path, params)
        if rest == ["parts"] and object_type == "CreditMemo":
            targets = ("InvoiceId", "DebitMemoId")
            parts = _parts(store, "CreditMemoPart", "CreditMemoId", str(memo["Id"]), targets)
            _unapplied_part(memo, "TotalAmount", parts, targets)
            return _v1_page(parts, "parts", path, params)
        return _reasons(404, 90000020, f"Resource not found: {path} ({label})")
    if resource == "payments" and rest == ["parts"]:
        payment = _find(store, "Payment", key, "PaymentNumber")
        if payment is None:
            return _reasons(404, NOT_FOUND_CODE, f"Cannot find entity by key: '{key}'.")
        targets = ("InvoiceId", "DebitMemoId")
        parts = _parts(store, "PaymentPart", "PaymentId", str(payment["Id"]), targets)
        _unapplied_part(payment, "Amount", parts, targets)
        return _v1_page(parts, "parts", path, params)
    if resource == "refunds" and rest == ["parts"]:
        refund = _find(store, "Refund", key, "RefundNumber")
        if refund is None:
            return _reasons(404, NOT_FOUND_CODE, f"Cannot find entity by key: '{key}'.")
        parts = _parts(store, "RefundPart", "RefundId", str(refund["Id"]), ("PaymentId", "CreditMemoId"))
        return 200, {"parts": parts, "success": True}  # not paged (no page parameters on this operation)
    return None


# --------------------------------------------------------------------------------------------- Object Query


@dataclass(frozen=True)
class _Field:
    stored: str  # Zuora field name in the store
    kind: str = "string"  # string / number / date / datetime


@dataclass(frozen=True)
class _Resource:
    object_type: str
    singular: str  # the prefix of '<object>.fields[]'
    fields: Mapping[str, tuple[str, _Field]]  # lower-case name -> (camelCase answer name, field)
    filterable: frozenset[str]
    sortable: frozenset[str]
    expandable: Mapping[str, str] = field(default_factory=dict)  # expand[] value -> resource name


def _fields(**spec: tuple[str, str]) -> dict[str, tuple[str, _Field]]:
    """camelName=(StoredName, kind)."""
    return {name.lower(): (name, _Field(stored, kind)) for name, (stored, kind) in spec.items()}


_SYSTEM = {
    "id": ("Id", "string"),
    "createdDate": ("CreatedDate", "datetime"),
    "updatedDate": ("UpdatedDate", "datetime"),
    "createdById": ("CreatedById", "string"),
    "updatedById": ("UpdatedById", "string"),
}
_MEMO = {
    **_SYSTEM,
    "accountId": ("AccountId", "string"),
    "memoNumber": ("MemoNumber", "string"),
    "memoDate": ("MemoDate", "date"),
    "status": ("Status", "string"),
    "totalAmount": ("TotalAmount", "number"),
    "taxAmount": ("TaxAmount", "number"),
    "balance": ("Balance", "number"),
    "invoiceId": ("ReferredInvoiceId", "string"),
    "reasonCode": ("ReasonCode", "string"),
    # In the answer's schema (ExpandedCreditMemo / ExpandedDebitMemo in Zuora's OpenAPI description, as the
    # generated zuora-sdk has it), though not in the reference's samples; not filterable.
    "transferredToAccounting": ("TransferredToAccounting", "string"),
}
_MEMO_FILTERS = frozenset(
    {"id", "updateddate", "balance", "einvoicestatus", "memodate", "memonumber", "sourcetype", "status",
     "totalamount", "invoiceid", "accountid"}
)  # fmt: skip
_ITEM = {
    **_SYSTEM,
    "productRatePlanChargeId": ("ProductRatePlanChargeId", "string"),
    "chargeName": ("ChargeName", "string"),
    "quantity": ("Quantity", "number"),
    "amount": ("Amount", "number"),
    "taxAmount": ("TaxAmount", "number"),
    "serviceStartDate": ("ServiceStartDate", "date"),
    "serviceEndDate": ("ServiceEndDate", "date"),
}

RESOURCES: dict[str, _Resource] = {
    "credit-memos": _Resource(
        "CreditMemo", "creditmemo", _fields(**_MEMO, appliedAmount=("AppliedAmount", "number")),
        _MEMO_FILTERS, _MEMO_FILTERS,
        {"creditmemoitems": "credit-memo-items", "creditmemoapplications": "credit-memo-applications",
         "account": "accounts"},
    ),
    "debit-memos": _Resource(
        "DebitMemo", "debitmemo", _fields(**_MEMO), _MEMO_FILTERS | {"creditmemoid"}, _MEMO_FILTERS,
        {"debitmemoitems": "debit-memo-items", "account": "accounts"},
    ),
    "credit-memo-items": _Resource(
        "CreditMemoItem", "creditmemoitem", _fields(**_ITEM, creditMemoId=("CreditMemoId", "string")),
        frozenset({"id", "updateddate", "creditmemoid", "rateplanchargeid", "subscriptionid", "invoiceitemid"}),
        frozenset({"id", "updateddate"}),
    ),
    "debit-memo-items": _Resource(
        "DebitMemoItem", "debitmemoitem", _fields(**_ITEM, debitMemoId=("DebitMemoId", "string")),
        frozenset({"id", "updateddate", "debitmemoid", "rateplanchargeid", "subscriptionid"}),
        frozenset({"id", "updateddate"}),
    ),
    "payments": _Resource(
        "Payment", "payment",
        _fields(
            **_SYSTEM, accountId=("AccountId", "string"), paymentNumber=("PaymentNumber", "string"),
            effectiveDate=("EffectiveDate", "date"), status=("Status", "string"), type=("Type", "string"),
            amount=("Amount", "number"), appliedAmount=("AppliedAmount", "number"),
            unappliedAmount=("UnappliedAmount", "number"), refundAmount=("RefundAmount", "number"),
        ),
        frozenset({"id", "updateddate", "accountid", "amount", "effectivedate", "paymentnumber", "status",
                   "unappliedamount", "createddate"}),
        frozenset({"id", "updateddate", "accountid", "amount", "effectivedate", "paymentnumber", "status"}),
        {"account": "accounts"},
    ),
    "refunds": _Resource(
        "Refund", "refund",
        _fields(
            **_SYSTEM, accountId=("AccountId", "string"), refundNumber=("RefundNumber", "string"),
            refundDate=("RefundDate", "date"), status=("Status", "string"), type=("Type", "string"),
            amount=("Amount", "number"),
        ),
        frozenset({"id", "updateddate", "accountid", "amount", "refunddate", "refundnumber", "status", "type"}),
        frozenset({"id", "updateddate", "refunddate", "refundnumber", "status"}),
        {"account": "accounts"},
    ),
    "invoices": _Resource(
        "Invoice", "invoice",
        _fields(
            **_SYSTEM, accountId=("AccountId", "string"), invoiceNumber=("InvoiceNumber", "string"),
            invoiceDate=("InvoiceDate", "date"), dueDate=("DueDate", "date"), status=("Status", "string"),
            amount=("Amount", "number"), amountWithoutTax=("AmountWithoutTax", "number"),
            taxAmount=("TaxAmount", "number"), balance=("Balance", "number"),
        ),
        frozenset({"id", "updateddate", "accountid", "amount", "balance", "duedate", "invoicedate", "invoicenumber",
                   "status"}),
        frozenset({"id", "updateddate", "accountid", "amount", "balance", "duedate", "invoicedate", "invoicenumber",
                   "status"}),
        {"account": "accounts"},
    ),
    # https://developer.zuora.com/v1-api-reference/api/operation/queryPaymentApplications : filterable and sortable
    # id, updateddate, effectivedate, accountid, paymentid, applicationgroupid. Served from the payment parts: one
    # application per payment and target (the stricter reading of field names: applyAmount, invoiceId, debitMemoId,
    # as the Payment Application data source names them).
    "payment-applications": _Resource(
        "PaymentPart", "paymentapplication",
        _fields(
            **_SYSTEM, paymentId=("PaymentId", "string"), invoiceId=("InvoiceId", "string"),
            debitMemoId=("DebitMemoId", "string"), applyAmount=("Amount", "number"),
            effectiveDate=("EffectiveDate", "date"), accountId=("AccountId", "string"),
        ),
        frozenset({"id", "updateddate", "effectivedate", "accountid", "paymentid", "applicationgroupid"}),
        frozenset({"id", "updateddate", "effectivedate", "accountid", "paymentid", "applicationgroupid"}),
    ),
    # https://developer.zuora.com/v1-api-reference/api/operation/queryCreditMemoApplications : filterable and
    # sortable id, updateddate, effectivedate, accountid, applicationgroupid, debitmemoid, invoiceid (not
    # creditmemoid: a credit memo's applications are read through the credit memos' expand[]=creditmemoapplications).
    # Served from the credit memo parts (ExpandedCreditMemoApplication: amount, creditMemoId, invoiceId, debitMemoId).
    "credit-memo-applications": _Resource(
        "CreditMemoPart", "creditmemoapplication",
        _fields(
            **_SYSTEM, creditMemoId=("CreditMemoId", "string"), invoiceId=("InvoiceId", "string"),
            debitMemoId=("DebitMemoId", "string"), amount=("Amount", "number"),
            effectiveDate=("EffectiveDate", "date"), accountId=("AccountId", "string"),
        ),
        frozenset({"id", "updateddate", "effectivedate", "accountid", "applicationgroupid", "debitmemoid",
                   "invoiceid"}),
        frozenset({"id", "updateddate", "effectivedate", "accountid", "applicationgroupid", "debitmemoid",
                   "invoiceid"}),
    ),
    # https://developer.zuora.com/v1-api-reference/api/operation/queryRefundApplications : filterable and sortable
    # id, updateddate, accountid, applicationgroupid, creditmemoid, effectivedate, paymentid, refundid. Served from
    # the refund parts (applyAmount, refundId, paymentId, creditMemoId as the page's sample names them).
    "refund-applications": _Resource(
        "RefundPart", "refundapplication",
        _fields(
            **_SYSTEM, refundId=("RefundId", "string"), paymentId=("PaymentId", "string"),
            creditMemoId=("CreditMemoId", "string"), applyAmount=("Amount", "number"),
            effectiveDate=("EffectiveDate", "date"), accountId=("AccountId", "string"),
        ),
        frozenset({"id", "updateddate", "accountid", "applicationgroupid", "creditmemoid", "effectivedate",
                   "paymentid", "refundid"}),
        frozenset({"id", "updateddate", "accountid", "applicationgroupid", "creditmemoid", "effectivedate",
                   "paymentid", "refundid"}),
    ),
    "accounts": _Resource(
        "Account", "account",
        _fields(
            **_SYSTEM, accountNumber=("AccountNumber", "string"), name=("Name", "string"),
            status=("Status", "string"), currency=("Currency", "string"), balance=("Balance", "number"),
        ),
        frozenset({"id", "updateddate", "accountnumber", "name", "status", "currency", "balance"}),
        frozenset({"id", "updateddate", "accountnumber", "name", "status", "balance"}),
    ),
}  # fmt: skip
IS_ONLY_RESOURCES = frozenset(
    {"credit-memos", "debit-memos", "credit-memo-items", "debit-memo-items", "payment-applications",
     "credit-memo-applications", "refund-applications"}
)  # fmt: skip
# No page states how many values an IN list takes: the stricter reading, 50 (the connector's ID_CHUNK).
OBJECT_QUERY_MAX_IN_VALUES = 50
OPERATORS = ("EQ", "NE", "LT", "GT", "LE", "GE", "SW", "IN")


class _Invalid(Exception):
    pass


@dataclass(frozen=True)
class _Filter:
    stored: str
    kind: str
    operator: str
    values: tuple[Any, ...]  # parsed; None stands for null


def _custom_field_names(schema_fields: Collection[str]) -> dict[str, str]:
    return {name.lower(): name for name in schema_fields if name.endswith(("__NS", "__c"))}


def _parse_value(raw: str, kind: str, what: str) -> Any:
    if raw.lower() == "null":
        return None
    if raw[:1] in "'\"" or raw[-1:] in "'\"":
        raise _Invalid(f"invalid value for {what}: {raw} (values are not quoted)")
    try:
        if kind == "number":
            return Decimal(raw)
        if kind == "date":
            return date.fromisoformat(raw)
        if kind == "datetime":
            if len(raw) == 10:
                return datetime.fromisoformat(raw).replace(tzinfo=UTC)
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                raise _Invalid(f"invalid value for {what}: {raw} (a time needs a zone, e.g. Z)")
            return parsed
    except (InvalidOperation, ValueError):
        raise _Invalid(f"invalid value for {what}: {raw}") from None
    return raw


def _stored_value(record: Mapping[str, Any], stored: str, kind: str) -> Any:
    value = record.get(stored)
    if value is None or value == "":
        return None
    if kind == "number":
        return Decimal(str(value))
    if kind == "date":
        return date.fromisoformat(str(value)[:10])
    if kind == "datetime":
        return _parse_stored_datetime(value)
    return str(value)


def _parse_filter(text: str, resource: _Resource, custom: Mapping[str, str], indexed: frozenset[str]) -> _Filter:
    name, dot, rest = text.partition(".")
    operator, colon, raw = rest.partition(":")
    if not dot or not colon or not name:
        raise _Invalid(f"invalid filter '{text}': expected field.OPERATOR:value")
    operator = operator.upper()
    if operator not in OPERATORS:
        raise _Invalid(f"invalid filter '{text}': unknown operator {operator}; use one of {', '.join(OPERATORS)}")
    lowered = name.lower()
    if lowered in custom:
        stored, kind = custom[lowered], "string"
        if stored not in indexed:
            raise _Invalid(f"invalid filter '{text}': only indexed custom fields can be filtered on")
    elif lowered in resource.filterable:
        spec = resource.fields.get(lowered)
        stored, kind = (spec[1].stored, spec[1].kind) if spec else (name, "string")
    else:
        raise _Invalid(f"invalid filter '{text}': {name} is not a filterable field of {resource.object_type}")
    if operator == "IN":
        if not (raw.startswith("[") and raw.endswith("]")) or len(raw) < 3:
            raise _Invalid(f"invalid filter '{text}': IN takes a list, e.g. name.IN:[Amy,Bella]")
        values = tuple(_parse_value(v.strip(), kind, name) for v in raw[1:-1].split(","))
        if len(values) > OBJECT_QUERY_MAX_IN_VALUES:
            raise _Invalid(f"invalid filter '{name}.IN': at most {OBJECT_QUERY_MAX_IN_VALUES} values")
    else:
        values = (_parse_value(raw, kind, name),)
    if operator in ("LT", "GT", "LE", "GE") and (kind == "string" or values[0] is None):
        raise _Invalid(f"invalid filter '{text}': {operator} compares numbers and dates only")
    if operator == "SW" and (kind != "string" or values[0] is None):
        raise _Invalid(f"invalid filter '{text}': SW applies to text fields only")
    return _Filter(stored, kind, operator, values)


def _matches(record: Mapping[str, Any], flt: _Filter) -> bool:
    actual = _stored_value(record, flt.stored, flt.kind)
    wanted = flt.values[0]
    if flt.kind == "string":
        actual = actual.casefold() if isinstance(actual, str) else actual
        values = tuple(v.casefold() if isinstance(v, str) else v for v in flt.values)
        wanted = values[0]
    else:
        values = flt.values
    if flt.operator == "EQ":
        return bool(actual == wanted)
    if flt.operator == "NE":
        return bool(actual != wanted) if wanted is None else (actual is not None and bool(actual != wanted))
    if flt.operator == "IN":
        return actual in values
    if actual is None:
        return False
    comparisons: dict[str, Callable[[Any, Any], bool]] = {
        "LT": lambda a, b: a < b,
        "GT": lambda a, b: a > b,
        "LE": lambda a, b: a <= b,
        "GE": lambda a, b: a >= b,
        "SW": lambda a, b: str(a).startswith(str(b)),
    }
    return comparisons[flt.operator](actual, wanted)


def _render(
    record: Mapping[str, Any], resource: _Resource, wanted: set[str] | None, custom: Mapping[str, str]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for lowered, (name, spec) in resource.fields.items():
        if wanted is not None and lowered not in wanted:
            continue
        value = record.get(spec.stored)
        if spec.kind == "datetime":
            value = object_query_datetime(value)
        if value is not None and value != "":
            out[name] = value  # includeNullFields defaults to false: null fields are left out
    for lowered, name in custom.items():
        if (wanted is None or lowered in wanted) and record.get(name) not in (None, ""):
            out[name] = record[name]
    return out


def _fields_param(
    params: Sequence[tuple[str, str]], prefix: str, resource: _Resource, custom: Mapping[str, str]
) -> set[str] | None:
    names: set[str] | None = None
    for key, value in params:
        if key.lower() in (f"{prefix}.fields[]", "fields[]" if prefix == resource.singular else ""):
            names = names or set()
            for name in (n.strip().lower() for n in value.split(",")):
                if name not in resource.fields and name not in custom:
                    raise _Invalid(f"invalid fields[] value '{name}': not a field of {resource.object_type}")
                names.add(name)
    return names


def _signature(resource_name: str, params: Sequence[tuple[str, str]]) -> str:
    kept = sorted((k, v) for k, v in params if k != "cursor")
    return hashlib.sha256(json.dumps([resource_name, kept]).encode()).hexdigest()[:16]


def object_query(
    store: Store,
    schema: Mapping[str, Collection[str]],
    resource_name: str,
    key: str | None,
    params: Sequence[tuple[str, str]],
    *,
    indexed_custom_fields: frozenset[str] = frozenset(),
) -> Answer:
    resource = RESOURCES.get(resource_name)
    if resource is None:
        return _reasons(404, 90000020, f"Resource not found: /object-query/{resource_name}")
    custom = _custom_field_names(schema.get(resource.object_type, ()))
    single = dict(params)
    try:
        page_size = OBJECT_QUERY_DEFAULT_PAGE
        if "pageSize" in single:
            text = single["pageSize"]
            if not text.isdigit() or not 1 <= int(text) <= OBJECT_QUERY_MAX_PAGE:
                raise _Invalid(f"pageSize must be an integer from 1 to {OBJECT_QUERY_MAX_PAGE}, got '{text}'")
            page_size = int(text)
        filters = [
            _parse_filter(value, resource, custom, indexed_custom_fields) for k, value in params if k == "filter[]"
        ]
        wanted = _fields_param(params, resource.singular, resource, custom)
        expands = [value.lower() for k, value in params if k == "expand[]"]
        for expand in expands:
            if expand not in resource.expandable:
                raise _Invalid(f"invalid expand[] value '{expand}' for {resource.object_type}")
        sorts = [value for k, value in params if k == "sort[]"]
        if len(sorts) > 1:
            raise _Invalid("sort[] takes one field only")
        sort_field, descending = "id", False
        if sorts:
            name, _, direction = sorts[0].rpartition(".")
            if direction.upper() not in ("ASC", "DESC") or name.lower() not in resource.sortable:
                raise _Invalid(f"invalid sort[] value '{sorts[0]}': expected <sortable field>.ASC or .DESC")
            sort_field, descending = name.lower(), direction.upper() == "DESC"
        records = list(store.get(resource.object_type, {}).values())
        if key is not None:
            number_field = next((spec.stored for n, (_, spec) in resource.fields.items() if n.endswith("number")), "Id")
            found = [r for r in records if r.get("Id") == key or r.get(number_field) == key]
            if not found:
                return _reasons(404, NOT_FOUND_CODE, f"Cannot find entity by key: '{key}'.")
            return 200, _with_expands(found[0], resource, wanted, custom, expands, store, schema, params, page_size)
        rows = [r for r in records if all(_matches(r, f) for f in filters)]
        spec = resource.fields[sort_field][1]
        rows.sort(key=lambda r: str(r.get("Id")))
        rows.sort(key=lambda r: _sort_key(_stored_value(r, spec.stored, spec.kind)), reverse=descending)
        offset = 0
        signature = _signature(resource_name, params)
        if "cursor" in single:
            offset = _decode_cursor(single["cursor"], signature)
    except _Invalid as invalid:
        return _reasons(400, INVALID_CODE, str(invalid))
    page = rows[offset : offset + page_size]
    body: dict[str, Any] = {
        "data": [_with_expands(r, resource, wanted, custom, expands, store, schema, params, page_size) for r in page]
    }
    if offset + page_size < len(rows):
        body["nextPage"] = _encode_cursor(offset + page_size, signature)
    return 200, body


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, value)


def _encode_cursor(offset: int, signature: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "s": signature}).encode()).decode()


def _decode_cursor(cursor: str, signature: str) -> int:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        offset, cursor_signature = int(decoded["o"]), str(decoded["s"])
    except (ValueError, KeyError, TypeError):
        raise _Invalid(f"invalid cursor '{cursor}'") from None
    if cursor_signature != signature:
        raise _Invalid("the cursor belongs to another query: send the same filter[], fields[], sort[] and pageSize")
    return offset


def _with_expands(
    record: Mapping[str, Any],
    resource: _Resource,
    wanted: set[str] | None,
    custom: Mapping[str, str],
    expands: Sequence[str],
    store: Store,
    schema: Mapping[str, Collection[str]],
    params: Sequence[tuple[str, str]],
    page_size: int,
) -> dict[str, Any]:
    out = _render(record, resource, wanted, custom)
    for expand in expands:
        target = RESOURCES[resource.expandable[expand]]
        target_custom = _custom_field_names(schema.get(target.object_type, ()))
        target_fields = _fields_param(params, expand, target, target_custom)
        if expand == "account":
            account = store.get("Account", {}).get(str(record.get("AccountId")))
            out["account"] = _render(account, target, target_fields, target_custom) if account else None
            continue
        owner_field = f"{resource.object_type}Id"
        children = sorted(
            (r for r in store.get(target.object_type, {}).values() if r.get(owner_field) == record["Id"]),
            key=lambda r: str(r["Id"]),
        )[:page_size]  # expanded lists are truncated at pageSize (a documented limitation)
        name = "".join(w if i == 0 else w.title() for i, w in enumerate(resource.expandable[expand].split("-")))
        out[name] = [_render(child, target, target_fields, target_custom) for child in children]
    return out


# --------------------------------------------------------------------------------------------- entry point


def answer(
    store: Store,
    schema: Mapping[str, Collection[str]],
    method: str,
    path: str,
    params: Sequence[tuple[str, str]],
    *,
    invoice_settlement: bool,
    indexed_custom_fields: frozenset[str] = frozenset(),
) -> Answer | None:
    """The answer to a GET of an Invoice Settlement resource or an Object Query; None for other paths."""
    segments = [s for s in path.strip("/").split("/") if s]
    lowered = [s.lower() for s in segments]
    if len(segments) in (2, 3) and lowered[0] == "object-query":
        if method != "GET":
            return _reasons(405, 90000010, f"Method {method} not allowed for {path}")
        if not invoice_settlement and lowered[1] in IS_ONLY_RESOURCES:
            return _reasons(400, FEATURE_OFF_CODE, feature_off_message())
        key = segments[2] if len(segments) == 3 else None
        return object_query(store, schema, lowered[1], key, params, indexed_custom_fields=indexed_custom_fields)
    if len(segments) < 3 or lowered[0] != "v1" or method != "GET":
        return None
    is_memo = lowered[1] in _MEMO_RESOURCES
    is_parts = lowered[1] in ("payments", "refunds") and lowered[3:] == ["parts"]
    if not (is_memo or is_parts):
        return None
    if not invoice_settlement:
        return _reasons(400, FEATURE_OFF_CODE, feature_off_message())
    return _v1_get(store, schema, [*lowered[:2], segments[2], *lowered[3:]], path, dict(params))

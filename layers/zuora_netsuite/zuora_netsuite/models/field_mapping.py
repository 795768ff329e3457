"""Field mapping as configuration (docs/configuration.md, "Field mappings"): per record type, which NetSuite field
takes which Zuora field (standard, `__c` custom field, or the bill-to / sold-to contact's) or a constant, through
an optional value map with a default. The built-in mappings are the defaults of this mechanism (mapping/field_mapping.py
DEFAULTS); `custom_forms` and `constant_fields` are compiled into the same path.

Every check here raises ValueError naming the setting's path, `field_mappings.<record type>.fields.<target>`,
so that a bad mapping stops the function at start (and `connector_cli mapping check` before a deploy).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zuora_netsuite.models.netsuite_account import CUSTOM_FIELD_ID, LINE_PREFIX, ConstantValue
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType

# The Zuora objects a record type's mapping can read, by the name used in a source ("<Object>.<Field>"), and the
# Zuora object queried for them. BillTo / SoldTo are the account's bill-to and sold-to contacts.
SOURCE_OBJECTS: dict[RecordType, dict[str, str]] = {
    RecordType.CUSTOMER: {"Account": "Account", "BillTo": "Contact", "SoldTo": "Contact"},
    RecordType.ITEM: {"ProductRatePlanCharge": "ProductRatePlanCharge"},
    RecordType.INVOICE: {"Invoice": "Invoice"},
    RecordType.DEBIT_MEMO: {"DebitMemo": "DebitMemo"},
    RecordType.CREDIT_MEMO: {"CreditMemo": "CreditMemo"},
    RecordType.PAYMENT: {"Payment": "Payment"},
    RecordType.REFUND: {"Refund": "Refund"},
}
ZUORA_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

# Standard NetSuite fields a mapping may set, per record type (REST API Browser, record/v1: customer, the item
# records, invoice, creditMemo, customerPayment, customerRefund). Custom fields (cust...) are checked by prefix.
_TRANSACTION_FIELDS = frozenset({"tranId", "memo", "otherRefNum", "dueDate", "terms", "salesRep", "message"})
STANDARD_TARGETS: dict[RecordType, frozenset[str]] = {
    RecordType.CUSTOMER: frozenset(
        {
            "entityId", "companyName", "firstName", "lastName", "email", "phone", "altPhone", "fax", "url",
            "comments", "terms", "category", "salesRep", "accountNumber", "isPerson", "creditLimit", "priceLevel",
        }
    ),
    RecordType.ITEM: frozenset(
        {"itemId", "displayName", "description", "salesDescription", "upcCode", "vendorName", "isInactive"}
    ),
    RecordType.INVOICE: _TRANSACTION_FIELDS,
    RecordType.DEBIT_MEMO: _TRANSACTION_FIELDS,
    RecordType.CREDIT_MEMO: _TRANSACTION_FIELDS - {"dueDate", "terms"},
    RecordType.PAYMENT: frozenset({"tranId", "memo", "checkNum"}),
    RecordType.REFUND: frozenset({"tranId", "memo", "checkNum"}),
}  # fmt: skip
# Fields the connector owns: a mapping never sets them (customForm has its own setting, custom_forms).
PROTECTED_TARGETS = frozenset(
    {
        "externalId", "subsidiary", "currency", "entity", "customer", "item", "apply", "payment", "autoApply",
        "addressBook", "parent", "amount", "total", "tranDate", "customForm", "exchangeRate", "taxDetails",
    }
)  # fmt: skip
# Item lines: transactions with an item sublist.
LINE_RECORD_TYPES = frozenset({RecordType.INVOICE, RecordType.DEBIT_MEMO, RecordType.CREDIT_MEMO})
_CUSTOM_PREFIX: dict[RecordType, str] = {
    RecordType.CUSTOMER: "custentity",
    RecordType.ITEM: "custitem",
}


class FieldSource(BaseModel):
    """Where one NetSuite field's value comes from: a Zuora field (`source`, "<Object>.<Field>") or a `constant`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str | None = None
    constant: ConstantValue | None = None
    # Zuora value -> NetSuite value (or {"id": ...}); keys compared case-insensitively, blanks trimmed.
    value_map: dict[str, ConstantValue] = Field(default_factory=dict)
    # Sent when the Zuora field is blank, or its value is not in a non-empty value_map.
    default: ConstantValue | None = None
    # Send the (mapped) value as a reference by internal id: {"id": value}.
    reference: bool = False

    @model_validator(mode="after")
    def _one_of_source_or_constant(self) -> FieldSource:
        if (self.source is None) == (self.constant is None):
            raise ValueError("give exactly one of source (a Zuora field, e.g. Account.Region__c) or constant")
        if self.constant is not None and (self.value_map or self.default is not None):
            raise ValueError("a constant takes no value_map or default")
        return self

    @property
    def source_object(self) -> str:
        return (self.source or "").partition(".")[0]

    @property
    def source_field(self) -> str:
        return (self.source or "").partition(".")[2]

    def digest_value(self) -> Any:
        return self.model_dump(mode="json")


class RecordFieldMapping(BaseModel):
    """One record type's configured fields: NetSuite body field -> source, and (transactions with item lines)
    transaction column fields set on every item line."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fields: dict[str, FieldSource] = Field(default_factory=dict)
    # The same value on every item line (a constant, or a field of the transaction itself).
    line_fields: dict[str, FieldSource] = Field(default_factory=dict)


def _check_source(record_type: RecordType, path: str, source: FieldSource) -> None:
    if source.source is None:
        return
    objects = SOURCE_OBJECTS[record_type]
    zuora_object, dot, zuora_field = source.source.partition(".")
    if not dot or not ZUORA_FIELD.fullmatch(zuora_field):
        raise ValueError(f'{path}: source "{source.source}" is not "<Zuora object>.<field>" (e.g. Account.Region__c)')
    if zuora_object not in objects:
        raise ValueError(
            f'{path}: source "{source.source}": a {record_type.value} mapping reads {" / ".join(objects)}, '
            f"not {zuora_object}"
        )


def _check_target(record_type: RecordType, path: str, target: str) -> None:
    if target in PROTECTED_TARGETS:
        hint = " (use custom_forms)" if target == "customForm" else ""
        raise ValueError(f"{path}: {target} is set by the connector and cannot be mapped{hint}")
    if target.startswith("cust"):
        if not CUSTOM_FIELD_ID.fullmatch(target):
            raise ValueError(
                f"{path}: not a NetSuite custom field id (custentity..., custitem..., custbody..., lower case)"
            )
        prefix = _CUSTOM_PREFIX.get(record_type, "custbody")
        if not target.startswith(prefix):
            raise ValueError(f"{path}: a {record_type.value} takes only {prefix}... custom fields here")
        return
    if target not in STANDARD_TARGETS[record_type]:
        allowed = ", ".join(sorted(STANDARD_TARGETS[record_type]))
        raise ValueError(
            f"{path}: {target} is not a {record_type.value} field a mapping may set "
            f"(standard fields: {allowed}; or a {_CUSTOM_PREFIX.get(record_type, 'custbody')}... custom field)"
        )


def check_field_mappings(mappings: Mapping[RecordType, RecordFieldMapping]) -> None:
    """Raises ValueError naming `field_mappings.<type>.fields.<target>` for the first problem found."""
    for record_type, mapping in mappings.items():
        for target, source in mapping.fields.items():
            path = f"field_mappings.{record_type.value}.fields.{target}"
            _check_target(record_type, path, target)
            _check_source(record_type, path, source)
        for target, source in mapping.line_fields.items():
            path = f"field_mappings.{record_type.value}.line_fields.{target}"
            if record_type not in LINE_RECORD_TYPES:
                raise ValueError(f"{path}: a {record_type.value} has no item lines (line_fields: invoice, memos)")
            if not (CUSTOM_FIELD_ID.fullmatch(target) and target.startswith(LINE_PREFIX)):
                raise ValueError(f"{path}: line fields are transaction column fields (custcol..., lower case)")
            _check_source(record_type, path, source)


def check_no_clash(
    mappings: Mapping[RecordType, RecordFieldMapping], constant_fields: Mapping[Any, Mapping[str, Any]]
) -> None:
    """A NetSuite field set both by `constant_fields` and `field_mappings` is refused, naming both."""
    for record_type, mapping in mappings.items():
        for netsuite_type in RECORD_TYPES[record_type].netsuite_types:
            constants = constant_fields.get(netsuite_type, {})
            for target in (*mapping.fields, *mapping.line_fields):
                if target in constants:
                    raise ValueError(
                        f"field_mappings.{record_type.value}: {target} is also in constant_fields.{netsuite_type}; "
                        "keep one"
                    )


def builtin_fields(record_type: RecordType, payment_terms: Mapping[str, str]) -> dict[str, FieldSource]:
    """The built-in mappings that run through this mechanism: a customer's terms from the account's PaymentTerm
    through `payment_terms` (empty: not sent)."""
    if record_type == RecordType.CUSTOMER and payment_terms:
        return {"terms": FieldSource(source="Account.PaymentTerm", value_map=dict(payment_terms), reference=True)}
    return {}


def effective_fields(
    record_type: RecordType,
    mappings: Mapping[RecordType, RecordFieldMapping],
    payment_terms: Mapping[str, str],
) -> tuple[dict[str, FieldSource], dict[str, FieldSource]]:
    """(body fields, line fields) of a record type: the built-in ones, overridden by the configured ones."""
    configured = mappings.get(record_type, RecordFieldMapping())
    return {**builtin_fields(record_type, payment_terms), **configured.fields}, dict(configured.line_fields)


def read_fields(
    mappings: Mapping[RecordType, RecordFieldMapping], payment_terms: Mapping[str, str]
) -> frozenset[tuple[str, str]]:
    """The (Zuora object, field) pairs every effective mapping reads: what the fetches must select."""
    reads: set[tuple[str, str]] = set()
    for record_type, objects in SOURCE_OBJECTS.items():
        fields, line_fields = effective_fields(record_type, mappings, payment_terms)
        for source in (*fields.values(), *line_fields.values()):
            if source.source is not None and source.source_object in objects:
                reads.add((objects[source.source_object], source.source_field))
    return frozenset(reads)

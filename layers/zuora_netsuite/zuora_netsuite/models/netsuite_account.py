"""What a NetSuite account's own configuration asks of every write (docs/contract-tests.md; docs/configuration.md).

The sync configuration says, per NetSuite record type, which custom form validates the write (``custom_forms``),
which custom fields it must carry (``constant_fields``: the fields a preferred form makes mandatory), and whether
the connector sends its own document number (``send_document_numbers``: entityId / tranId). ``apply`` adds them
to a mapped body, in one place for every record type; ``explain`` turns NetSuite's refusals that these settings
cause into reasons naming the setting to change.

Oracle help pages: "Forms in SOAP Web Services" (section_N3439676), "Company-Wide Preferences" (Disable Mandatory
Custom Field Validation, section_N3422217), "Set Auto-Generated Numbers" (section_N252198), "Associate
Subsidiaries With Items" (section_N276948), under https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr

from zuora_netsuite.failures import NetSuiteError, SyncFailure

NetSuiteRecordType = Literal[
    "customer",
    "serviceSaleItem",
    "nonInventorySaleItem",
    "inventoryItem",
    "invoice",
    "creditMemo",
    "customerPayment",
    "customerRefund",
]

# Custom field ids a record type takes: entity fields on customers, item fields on items, transaction body
# fields on transactions, and transaction column (line) fields on transactions with an item sublist.
CUSTOM_FIELD_PREFIXES: dict[str, tuple[str, ...]] = {
    "customer": ("custentity",),
    "serviceSaleItem": ("custitem",),
    "nonInventorySaleItem": ("custitem",),
    "inventoryItem": ("custitem",),
    "invoice": ("custbody", "custcol"),
    "creditMemo": ("custbody", "custcol"),
    "customerPayment": ("custbody",),
    "customerRefund": ("custbody",),
}
LINE_PREFIX = "custcol"
CUSTOM_FIELD_ID = re.compile(r"^cust(entity|item|body|col)[a-z0-9_]+$")
FORM_ID = re.compile(r"^-?[0-9]+$")  # standard forms have negative internal ids, e.g. -100
NUMBER_FIELDS: dict[str, str] = {
    "customer": "entityId",
    "invoice": "tranId",
    "creditMemo": "tranId",
    "customerPayment": "tranId",
    "customerRefund": "tranId",
}


class ConstantRef(BaseModel):
    """The value of a list/record custom field: {"id": "<internal id>"}."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: StrictStr


ConstantValue = StrictBool | StrictInt | Decimal | StrictStr | ConstantRef


def check_custom_forms(forms: dict[str, str]) -> dict[str, str]:
    for record_type, form_id in forms.items():
        if not FORM_ID.fullmatch(form_id):
            raise ValueError(f"custom_forms.{record_type}: {form_id!r} is not a NetSuite form internal id (digits)")
    return forms


def check_constant_fields(fields: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    for record_type, values in fields.items():
        allowed = CUSTOM_FIELD_PREFIXES[record_type]
        for field_id in values:
            if not CUSTOM_FIELD_ID.fullmatch(field_id):
                raise ValueError(
                    f"constant_fields.{record_type}.{field_id}: not a NetSuite custom field id "
                    "(custentity..., custitem..., custbody... or custcol..., lower case)"
                )
            if not field_id.startswith(allowed):
                raise ValueError(
                    f"constant_fields.{record_type}.{field_id}: a {record_type} takes only "
                    f"{' / '.join(p + '...' for p in allowed)} custom fields"
                )
    return fields


def _json_value(value: Any) -> Any:
    if isinstance(value, ConstantRef):
        return {"id": value.id}
    return value


@dataclass(frozen=True)
class AccountFields:
    """What the sync configuration adds to (or takes from) the body of one NetSuite record type."""

    custom_form: str | None = None
    constants: Mapping[str, Any] = field(default_factory=dict)
    send_number: bool = True
    # The record's field mappings, resolved (mapping/field_mapping.py): body fields, and fields of every item line.
    fields: Mapping[str, Any] = field(default_factory=dict)
    line_fields: Mapping[str, Any] = field(default_factory=dict)

    def apply(self, netsuite_type: str, body: dict[str, Any]) -> dict[str, Any]:
        """The body with, in this order: the account's form, the configured field mappings (over the built-in
        values), the constant custom fields (custcol... on every item line) and, when the account numbers the
        record type itself, without the connector's entityId / tranId."""
        configured = self.custom_form is not None or self.constants or self.fields or self.line_fields
        if not configured and self.send_number:
            return body
        out = copy.deepcopy(body)
        if self.custom_form is not None:
            out["customForm"] = {"id": self.custom_form}
        out.update(copy.deepcopy(dict(self.fields)))
        for line in (out.get("item") or {}).get("items") or []:
            line.update(copy.deepcopy(dict(self.line_fields)))
        for field_id, value in self.constants.items():
            if field_id.startswith(LINE_PREFIX):
                for line in (out.get("item") or {}).get("items") or []:
                    line.setdefault(field_id, _json_value(value))
            else:
                out.setdefault(field_id, _json_value(value))
        number_field = NUMBER_FIELDS.get(netsuite_type)
        if number_field is not None and not self.send_number:
            out.pop(number_field, None)
        return out


def explain(failure: SyncFailure, netsuite_type: str) -> SyncFailure:
    """NetSuite's refusal, led by the sync configuration setting that fixes it when account configuration caused it
    (the reason a person reads on the Zuora record, cut at 255 characters, and in the DLQ). Other failures are
    returned unchanged."""
    if not isinstance(failure, NetSuiteError):
        return failure
    path = failure.path or ""
    leaf = path.rsplit(".", 1)[-1]
    hint: str | None = None
    if leaf in ("entityId", "itemId") and "already" in failure.reason:
        # Customer IDs and item names are unique in NetSuite: a record made before the connector has this one
        hint = (
            f"a NetSuite {netsuite_type} made outside the connector already has this name: adopt it with "
            "`connector_cli link` (or rename one of them)"
        )
    elif leaf in ("tranId", "entityId"):
        hint = (
            f"NetSuite numbers {netsuite_type} records itself: set send_document_numbers.{netsuite_type} to false "
            "(or check Allow Override in NetSuite)"
        )
    elif CUSTOM_FIELD_ID.fullmatch(leaf) and "Please enter value" in failure.reason:
        hint = (
            f"the {netsuite_type} form makes {leaf} mandatory: map it in field_mappings.<record type>.fields.{leaf} "
            f"or set it in constant_fields.{netsuite_type}"
        )
    elif leaf == "taxCode":
        hint = "NetSuite needs a tax code on every line: set tax_codes / default_tax_code_id"
    elif leaf == "item" and "for subsidiary" in failure.reason:
        hint = (
            "the item is not shared with the customer's subsidiary: set item_subsidiaries / item_include_children "
            "and sync the items again"
        )
    elif leaf.lower() == "customform":
        hint = f"custom_forms.{netsuite_type} names a form NetSuite does not have"
    if hint is None:
        return failure
    return NetSuiteError(
        f"{hint}. {failure.reason}",
        code=failure.code,
        kind=failure.kind,
        path=failure.path,
        http_status=failure.http_status,
    )

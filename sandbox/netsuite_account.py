"""Account configuration a real NetSuite account imposes on writes (docs/contract-tests.md), as knobs.

One ``AccountConfiguration`` per simulated account (``NetSuiteSimulator.account``); tests change its knobs to
rehearse the accounts the connector meets. Defaults: a plausible mid-size OneWorld account.

* OneWorld item availability (Oracle help "Associate Subsidiaries With Items",
  https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N276948.html): an item lists the
  subsidiaries it is shared with (``subsidiary``, multi-select) and ``includeChildren`` shares it with their
  sub-subsidiaries too; "You must associate a subsidiary with an item to add that item to a transaction related
  to that subsidiary". A transaction line whose item is not available to the customer's subsidiary answers 400
  ``INVALID_KEY_OR_REF`` "Invalid item reference key {item} for subsidiary {subsidiary}." Under OneWorld an item
  needs a subsidiary ("Please enter value(s) for: Subsidiary.").
* Tax codes per line (``tax_codes_required``): under SuiteTax - the only tax REST web services support
  ("REST web services do not support legacy tax features", Oracle help "Sales Tax Item",
  https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0814121722.html) - and non-US legacy
  tax, a line needs a ``taxCode``; off (a US account with tax on a tax item line) by default.
* Custom forms (Oracle help "Forms in SOAP Web Services",
  https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N3439676.html, and "Defining Preferred
  Forms", https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N2873968.html): the form named
  in ``customForm`` validates the write, else the record's own form, else the preferred form of the type. A form
  may make custom fields mandatory (``custentity_``/``custitem_``/``custbody_`` body fields, ``custcol_`` item
  line fields); a write without them answers ``USER_ERROR`` "Please enter value(s) for: {label}." (Oracle help
  "Company-Wide Preferences", Disable Mandatory Custom Field Validation off,
  https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N3422217.html).
* Auto-generated numbers (Oracle help "Set Auto-Generated Numbers",
  https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N252198.html, "Using Auto-Generated
  Numbering for Transactions", https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_N547392.html,
  "Overwrite Entity and CRM Record Type Numbers",
  https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/bridgehead_4340447524.html): per record type
  ``manual`` (the number sent is kept, none generated: entities by default), ``allow_override`` (generated when
  none is sent, a sent one kept: transactions by default, "clear the box in the Allow Override column" to stop
  it), ``ignore`` (always generated, a sent one silently replaced) or ``reject`` (a sent one that differs from
  the record's refused with ``USER_ERROR``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sandbox.netsuite_errors import INVALID_KEY_OR_REF, USER_ERROR, bad_request

NumberingMode = Literal["manual", "allow_override", "ignore", "reject"]
NUMBERING_MODES: tuple[NumberingMode, ...] = ("manual", "allow_override", "ignore", "reject")

ITEM_TYPES = frozenset({"serviceSaleItem", "nonInventorySaleItem", "inventoryItem"})
TRANSACTION_TYPES = frozenset({"invoice", "creditMemo", "customerPayment", "customerRefund"})

# The field that carries a record's number, and the prefix NetSuite gives generated ones.
NUMBER_FIELD: dict[str, str] = {"customer": "entityId", **{t: "tranId" for t in TRANSACTION_TYPES}}
NUMBER_PREFIX: dict[str, str] = {
    "customer": "CUST",
    "invoice": "INV",
    "creditMemo": "CM",
    "customerPayment": "PYMT",
    "customerRefund": "RFND",
}
_RECORD_LABELS = {
    "customer": "customer",
    "invoice": "invoice",
    "creditMemo": "credit memo",
    "customerPayment": "customer payment",
    "customerRefund": "customer refund",
}
LINE_CUSTOM_PREFIX = "custcol"

# (record type, internal id) -> the stored record's fields, or None.
RecordLookup = Callable[[str, str], Mapping[str, Any] | None]


@dataclass(frozen=True)
class CustomForm:
    """A custom entry or transaction form: which record type it is for, and the custom fields it makes mandatory
    (field id -> the label NetSuite names in "Please enter value(s) for: ...")."""

    id: str
    record_type: str
    name: str
    mandatory: Mapping[str, str] = field(default_factory=dict)


def _default_numbering() -> dict[str, NumberingMode]:
    return {"customer": "manual", **{t: "allow_override" for t in TRANSACTION_TYPES}}


@dataclass
class AccountConfiguration:
    """The knobs. Mutable: tests set them on a running simulator (``sim.account.tax_codes_required = True``)."""

    one_world: bool = True
    tax_codes_required: bool = False
    forms: dict[str, CustomForm] = field(default_factory=dict)  # form internal id -> form
    preferred_forms: dict[str, str] = field(default_factory=dict)  # record type -> form internal id
    numbering: dict[str, NumberingMode] = field(default_factory=_default_numbering)
    # Books (sandbox/netsuite_books.py): the Revenue Recognition feature (revRec* fields on item lines), and
    # whether a customer refund must name its bank ``account`` (a real account may default it; not documented).
    revenue_recognition: bool = True
    refund_account_required: bool = False

    def add_form(self, form: CustomForm, *, preferred: bool = False) -> None:
        self.forms[form.id] = form
        if preferred:
            self.preferred_forms[form.record_type] = form.id

    def copy(self) -> AccountConfiguration:
        return copy.deepcopy(self)


class AccountRules:
    """Applies an AccountConfiguration to one write. Not thread-safe: the simulator calls it under its lock."""

    def __init__(self, config: AccountConfiguration) -> None:
        self.config = config
        self._next_number: dict[str, int] = {}

    # -------------------------------------------------------------------------------- before validation

    def prepare(
        self, record_type: str, body: Mapping[str, Any], existing: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Take the account-level fields out of a write body: returns (body left for the record rules,
        fields to store as they are). Handles ``customForm`` and the record's number."""
        rest = dict(body)
        stored: dict[str, Any] = {}
        if "customForm" in rest:
            form_ref = rest.pop("customForm")
            if form_ref is not None:
                form = self._form_of(record_type, form_ref)
                stored["customForm"] = {"id": form.id, "refName": form.name}
        number_field = NUMBER_FIELD.get(record_type)
        if (
            number_field is not None
            and number_field in rest
            and not self._number_sent_is_kept(record_type, number_field, rest[number_field], existing)
        ):
            rest.pop(number_field)
        return rest, stored

    def _form_of(self, record_type: str, ref: Any) -> CustomForm:
        form_id = str(ref.get("id")) if isinstance(ref, Mapping) and ref.get("id") is not None else None
        form = self.config.forms.get(form_id or "")
        if form is None or form.record_type != record_type:
            shown = form_id if form_id is not None else ref
            raise bad_request(
                INVALID_KEY_OR_REF, f"Invalid Field Value {shown} for the following field: customForm", "customForm"
            )
        return form

    def _number_sent_is_kept(
        self, record_type: str, number_field: str, sent: Any, existing: Mapping[str, Any] | None
    ) -> bool:
        """Whether the number in the body stays in it (then the record rules validate it): ``manual`` and
        ``allow_override`` keep it; ``ignore`` drops it; ``reject`` refuses one that is not the record's own."""
        mode = self.config.numbering.get(record_type, "manual")
        if mode in ("manual", "allow_override"):
            return True
        current = existing.get(number_field) if existing is not None else None
        if mode == "reject" and sent is not None and sent != "" and sent != current:
            label = _RECORD_LABELS.get(record_type, record_type)
            raise bad_request(
                USER_ERROR,
                f"You cannot enter your own number for this {label}: the number is auto-generated and "
                "overriding it is not allowed (Setup > Company > Auto-Generated Numbers, Allow Override).",
                number_field,
            )
        return False

    # -------------------------------------------------------------------------------- after validation

    def check(
        self,
        record_type: str,
        merged: dict[str, Any],
        existing: Mapping[str, Any] | None,
        lookup: RecordLookup,
        subsidiary_names: Mapping[str, str],
    ) -> None:
        """Account rules on the record as it would be stored (raises NetSuiteApiError). Adds the generated
        number and the form a new record gets."""
        if existing is None and "customForm" not in merged and record_type in self.config.preferred_forms:
            form = self.config.forms[self.config.preferred_forms[record_type]]
            merged["customForm"] = {"id": form.id, "refName": form.name}
        self._check_mandatory_fields(merged)
        item_without_subsidiary = not (merged.get("subsidiary") or {}).get("items")
        if record_type in ITEM_TYPES and self.config.one_world and existing is None and item_without_subsidiary:
            raise bad_request(USER_ERROR, "Please enter value(s) for: Subsidiary.", "subsidiary")
        if record_type in ("invoice", "creditMemo"):
            self._check_lines(merged, lookup, subsidiary_names)
        number_field = NUMBER_FIELD.get(record_type)
        if number_field is not None and not merged.get(number_field):
            mode = self.config.numbering.get(record_type, "manual")
            if mode != "manual":
                merged[number_field] = self._generate(record_type)

    def _check_mandatory_fields(self, merged: Mapping[str, Any]) -> None:
        form_ref = merged.get("customForm")
        form = self.config.forms.get(str(form_ref.get("id"))) if isinstance(form_ref, Mapping) else None
        if form is None:
            return
        lines = (merged.get("item") or {}).get("items") or []
        for field_id, label in form.mandatory.items():
            if field_id.startswith(LINE_CUSTOM_PREFIX):
                for index, line in enumerate(lines):
                    if _blank(line.get(field_id)):
                        raise bad_request(
                            USER_ERROR, f"Please enter value(s) for: {label}.", f"item.items[{index}].{field_id}"
                        )
            elif _blank(merged.get(field_id)):
                raise bad_request(USER_ERROR, f"Please enter value(s) for: {label}.", field_id)

    def _check_lines(
        self, merged: Mapping[str, Any], lookup: RecordLookup, subsidiary_names: Mapping[str, str]
    ) -> None:
        lines = (merged.get("item") or {}).get("items") or []
        if self.config.tax_codes_required:
            for index, line in enumerate(lines):
                if not line.get("taxCode"):
                    raise bad_request(
                        USER_ERROR, "Please enter value(s) for: Tax Code.", f"item.items[{index}].taxCode"
                    )
        if not self.config.one_world:
            return
        party = merged.get("entity") or {}
        customer = lookup("customer", str(party.get("id"))) if party.get("id") is not None else None
        subsidiary = ((customer or {}).get("subsidiary") or {}).get("id")
        if subsidiary is None:
            return  # the record rules name the missing customer
        for index, line in enumerate(lines):
            item_id = (line.get("item") or {}).get("id")
            item = lookup("item", str(item_id)) if item_id is not None else None
            if item is not None and not item_available(item, str(subsidiary), subsidiary_names):
                raise bad_request(
                    INVALID_KEY_OR_REF,
                    f"Invalid item reference key {item_id} for subsidiary {subsidiary}.",
                    f"item.items[{index}].item",
                )

    def _generate(self, record_type: str) -> str:
        number = self._next_number.get(record_type, 1)
        self._next_number[record_type] = number + 1
        return f"{NUMBER_PREFIX.get(record_type, '')}{number:05d}"


def item_available(item: Mapping[str, Any], subsidiary_id: str, subsidiary_names: Mapping[str, str]) -> bool:
    """Whether an item is shared with a subsidiary: listed in its ``subsidiary`` field, or a descendant of one
    listed when ``includeChildren`` is true. ``subsidiary_names``: subsidiary id -> full name ("A : B")."""
    listed = [str(ref.get("id")) for ref in ((item.get("subsidiary") or {}).get("items") or [])]
    if subsidiary_id in listed:
        return True
    if item.get("includeChildren") is not True:
        return False
    own = subsidiary_names.get(subsidiary_id)
    if own is None:
        return False
    return any(own.startswith(subsidiary_names.get(parent, "\0") + " : ") for parent in listed)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == {} or (isinstance(value, str) and not value.strip())

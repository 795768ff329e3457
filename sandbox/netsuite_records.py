"""Per-record-type rules of the simulated NetSuite account, and the validation of write bodies.

The rules live in one table (``RECORD_RULES``) so that adding a record type (invoice, creditMemo,
customerPayment, customerRefund, ...) is a matter of adding a row. Validation answers in NetSuite's
error format (see ``netsuite_errors``):

* a field the type does not know -> 400 ``USER_ERROR``, path = the field (strict property-name
  validation, NetSuite's default; ``X-NetSuite-PropertyNameValidation: Warning|Ignore`` drops them);
* a reference that is not an object ``{"id": ..}`` / ``{"externalId": ..}`` -> 400 ``USER_ERROR``;
* a reference to nothing -> 400 ``USER_ERROR`` "Error while accessing a resource. Invalid Field Value 99 for
  the following field: subsidiary", path = the field, e.g. ``subsidiary`` or ``item.items[0].item`` (REST folds
  SOAP's INVALID_KEY_OR_REF into USER_ERROR; see ``netsuite_errors``);
* a missing required field, a value too long, a wrong JSON type, a changed immutable field
  (a customer's subsidiary) -> 400 ``USER_ERROR``.

Sublists on update (Oracle NetSuite help, "Updating a Sublist",
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html, and "Replacing a
Sublist", https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545297048.html): lines of a
keyed sublist (``RecordRule.sublist_keys``, e.g. ``apply`` keyed by ``doc``) that match a stored line by key
update it, every other line of the request is added; lines of a non-keyed sublist (a transaction's ``item``)
are always appended. With ``?replace=<sublist>,...`` the named sublists hold only the request's lines (keyed
lines that match keep the stored line's other fields). This holds for PATCH and for PUT by external id of an
existing record alike: a re-sent transaction without ``replace`` gets its item lines twice.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.netsuite_entities import ADDRESS_BOOK, TERM_TABLE, check_address_book
from sandbox.netsuite_errors import INVALID_PARAMETER, USER_ERROR, bad_request, invalid_reference

# Tables a reference can point to: the account's reference data ...
REFERENCE_TABLES: tuple[str, ...] = (
    "subsidiary", "department", "classification", "location", "currency", "account", "salestaxitem", TERM_TABLE,
    "paymentmethod", "revrecschedule", "revenuerecognitionrule",
)  # fmt: skip
# ... or records of a family (one external-id namespace each).
CUSTOMER_TABLE = "customer"
ITEM_TABLE = "item"
TRANSACTION_TABLE = "transaction"

# Body keys NetSuite returns on GET that a client may send back; they are ignored on writes.
READ_ONLY_KEYS = frozenset({"links", "id", "refName"})

# (id, refName) of the referenced row, or None when it does not exist.
Resolver = Callable[[str, Mapping[str, Any]], tuple[str, str] | None]


@dataclass(frozen=True)
class RecordContext:
    """What a type-specific check sees: the merged record, and the stored one on update."""

    record_type: str
    merged: dict[str, Any]
    existing: dict[str, Any] | None
    changes: dict[str, Any]

    @property
    def is_create(self) -> bool:
        return self.existing is None


Check = Callable[[RecordContext], None]


@dataclass(frozen=True)
class RecordRule:
    record_type: str
    family: str  # records of one family share the external-id namespace (and a SuiteQL table)
    suiteql_type: str  # the value of the family table's type column ("itemtype" / "type"), e.g. "Service"
    fields: frozenset[str] | None  # writable body fields; None = anything goes
    custom_field_prefix: str | None = None  # custom fields (custentity..., custitem..., custbody...) are allowed
    references: Mapping[str, str] = field(default_factory=dict)  # field -> table
    multi_references: Mapping[str, str] = field(default_factory=dict)  # {"items": [ref, ...]} fields
    sublists: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # sublist -> line field -> table
    sublist_keys: Mapping[str, str] = field(default_factory=dict)  # keyed sublist -> its key line field
    id_only_line_refs: frozenset[str] = frozenset()  # "sublist.field" references that take {"id": ..} only
    booleans: frozenset[str] = frozenset()
    strings: Mapping[str, int | None] = field(default_factory=dict)  # field -> max length (None = no limit)
    required_on_create: tuple[str, ...] = ()
    immutable: Mapping[str, str] = field(default_factory=dict)  # field -> detail when a change is refused
    checks: tuple[Check, ...] = ()
    ref_name_fields: tuple[str, ...] = ("entityId",)


_CLASSIFICATIONS: dict[str, str] = {
    "subsidiary": "subsidiary",
    "department": "department",
    "class": "classification",
    "location": "location",
}

# Labels NetSuite uses in "Please enter value(s) for: ..." messages.
_LABELS: dict[str, str] = {
    "companyName": "Company Name",
    "firstName": "First Name",
    "lastName": "Last Name",
    "subsidiary": "Primary Subsidiary",
    "itemId": "Item Name/Number",
    "incomeAccount": "Income Account",
    "entity": "Customer",
    "customer": "Customer",
}


def _required(field_name: str) -> Exception:
    return bad_request(USER_ERROR, f"Please enter value(s) for: {_LABELS.get(field_name, field_name)}.", field_name)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_customer_name(ctx: RecordContext) -> None:
    """companyName for a company, firstName + lastName for a person (isPerson)."""
    if ctx.merged.get("isPerson") is True:
        for name in ("firstName", "lastName"):
            if _is_blank(ctx.merged.get(name)):
                raise _required(name)
    elif _is_blank(ctx.merged.get("companyName")):
        raise _required("companyName")


_CUSTOMER_FIELDS = frozenset(
    {
        "externalId",
        "entityId",
        "isInactive",
        "isPerson",
        "companyName",
        "firstName",
        "middleName",
        "lastName",
        "salutation",
        "title",
        "email",
        "phone",
        "altPhone",
        "fax",
        "url",
        "comments",
        "currency",
        "subsidiary",
        "department",
        "class",
        "location",
        "parent",
        "terms",
        "category",
        "creditLimit",
        "taxable",
        "accountNumber",
        "defaultAddress",
        "addressBook",
        "currencyList",
    }
)

_ITEM_FIELDS = frozenset(
    {
        "externalId",
        "itemId",
        "displayName",
        "description",
        "salesDescription",
        "purchaseDescription",
        "isInactive",
        "incomeAccount",
        "expenseAccount",
        "assetAccount",
        "cogsAccount",
        "subsidiary",
        "includeChildren",
        "department",
        "class",
        "location",
        "taxSchedule",
        "cost",
        "upcCode",
        "vendorName",
        "isTaxable",
        "price",
        "revRecSchedule",
        "revenueRecognitionRule",
        "revRecForecastRule",
    }
)


def _item_rule(record_type: str, suiteql_type: str) -> RecordRule:
    return RecordRule(
        record_type=record_type,
        family=ITEM_TABLE,
        suiteql_type=suiteql_type,
        fields=_ITEM_FIELDS,
        custom_field_prefix="custitem",
        references={
            **{k: v for k, v in _CLASSIFICATIONS.items() if k != "subsidiary"},
            "incomeAccount": "account",
            "expenseAccount": "account",
            "assetAccount": "account",
            "cogsAccount": "account",
            "revRecSchedule": "revrecschedule",
            "revenueRecognitionRule": "revenuerecognitionrule",
            "revRecForecastRule": "revenuerecognitionrule",
        },
        multi_references={"subsidiary": "subsidiary"},
        booleans=frozenset({"isInactive", "includeChildren", "isTaxable"}),
        strings={"itemId": 60, "displayName": None, "description": None, "salesDescription": None},
        required_on_create=("itemId", "incomeAccount"),
        ref_name_fields=("itemId",),
    )


def _transaction_rule(
    record_type: str,
    suiteql_type: str,
    party: str,
    sublists: Mapping[str, Mapping[str, str]],
    *,
    money_fields: Mapping[str, str] | None = None,
) -> RecordRule:
    return RecordRule(
        record_type=record_type,
        family=TRANSACTION_TABLE,
        suiteql_type=suiteql_type,
        fields=None,
        references={
            **_CLASSIFICATIONS,
            party: CUSTOMER_TABLE,
            "currency": "currency",
            "account": "account",
            "arAcct": "account",
            **(money_fields or {}),
        },
        sublists=sublists,
        sublist_keys={name: "doc" for name in sublists if name == "apply"},
        id_only_line_refs=frozenset({"apply.doc"}) if "apply" in sublists else frozenset(),
        booleans=frozenset({"isInactive", "autoApply", "undepFunds"}),
        required_on_create=(party,),
        ref_name_fields=("tranId",),
    )


_LINE_CLASSIFICATIONS = {k: v for k, v in _CLASSIFICATIONS.items() if k != "subsidiary"}
_ITEM_SUBLIST = {
    "item": {"item": ITEM_TABLE, "taxCode": "salestaxitem", "revRecSchedule": "revrecschedule", **_LINE_CLASSIFICATIONS}
}
# How a payment's or refund's money moves (sandbox/netsuite_books.py): the payment method (classic field), or
# paymentOption (Payment Instruments; assumed to name a payment method too: no page, docs/contract-tests.md).
_MONEY_FIELDS = {"paymentMethod": "paymentmethod", "paymentOption": "paymentmethod"}
_APPLY_SUBLIST = {"apply": {"doc": TRANSACTION_TABLE}}

RECORD_RULES: dict[str, RecordRule] = {
    "customer": RecordRule(
        record_type="customer",
        family=CUSTOMER_TABLE,
        suiteql_type="Customer",
        fields=_CUSTOMER_FIELDS,
        custom_field_prefix="custentity",
        references={**_CLASSIFICATIONS, "currency": "currency", "parent": CUSTOMER_TABLE, "terms": TERM_TABLE},
        sublists={ADDRESS_BOOK: {}},  # not keyed: an update appends lines unless ?replace=addressBook
        booleans=frozenset({"isInactive", "isPerson", "taxable"}),
        strings={
            "entityId": 83,
            "companyName": 83,
            "firstName": 32,
            "middleName": 32,
            "lastName": 32,
            "email": 254,
            "phone": None,
        },
        required_on_create=("subsidiary",),  # OneWorld account
        immutable={
            "subsidiary": "You cannot change the subsidiary of an existing customer. "
            "The primary subsidiary of a customer with transactions cannot be changed."
        },
        checks=(_check_customer_name, check_address_book),
        ref_name_fields=("companyName", "entityId"),
    ),
    "serviceSaleItem": _item_rule("serviceSaleItem", "Service"),
    "nonInventorySaleItem": _item_rule("nonInventorySaleItem", "NonInvtPart"),
    "inventoryItem": _item_rule("inventoryItem", "InvtPart"),
    "invoice": _transaction_rule("invoice", "CustInvc", "entity", _ITEM_SUBLIST),
    "creditMemo": _transaction_rule("creditMemo", "CustCred", "entity", {**_ITEM_SUBLIST, **_APPLY_SUBLIST}),
    "customerPayment": _transaction_rule(
        "customerPayment", "CustPymt", "customer", _APPLY_SUBLIST, money_fields=_MONEY_FIELDS
    ),
    "customerRefund": _transaction_rule(
        "customerRefund", "CustRfnd", "customer", _APPLY_SUBLIST, money_fields=_MONEY_FIELDS
    ),
}


def ref_name(rule: RecordRule, record: Mapping[str, Any]) -> str:
    """The refName NetSuite shows for a record when something references it."""
    if rule.record_type == "customer" and record.get("isPerson") is True:
        names = [record.get("firstName"), record.get("lastName")]
        joined = " ".join(str(n) for n in names if n)
        if joined:
            return joined
    for name in rule.ref_name_fields:
        value = record.get(name)
        if isinstance(value, str) and value:
            return value
    return str(record.get("id", ""))


def validate_and_merge(
    rule: RecordRule,
    body: Mapping[str, Any],
    existing: Mapping[str, Any] | None,
    resolve: Resolver,
    *,
    strict_property_names: bool = True,
    replace: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Check a write body against the rule and return the record as it would be stored.

    ``body`` excludes ``externalId`` (the caller owns external ids). ``existing`` is the stored record
    (fields only) on update, None on create. Updates merge: fields not sent keep their value, a
    ``null`` clears a field; sublists merge line by line (see the module docstring), except those named in
    ``replace`` (the ``?replace=`` query parameter), which hold only the request's lines - an empty sublist
    when the body does not carry it. References are stored resolved, as NetSuite returns them:
    ``{"id": internal id, "refName": name}``. Raises NetSuiteApiError.
    """
    unknown = sorted(replace - set(rule.sublists))
    if unknown:
        raise bad_request(
            INVALID_PARAMETER,
            f"Invalid value for the query parameter 'replace': {', '.join(unknown)} is not a sublist of the "
            f"record type '{rule.record_type}'.",
            "replace",
        )
    changes: dict[str, Any] = {}
    for name, value in body.items():
        if name in READ_ONLY_KEYS:
            continue
        if not _known_field(rule, name):
            if strict_property_names:
                raise bad_request(
                    USER_ERROR,
                    f"Invalid field '{name}' for record type '{rule.record_type}'. "
                    "Provide a valid field name or set the X-NetSuite-PropertyNameValidation header.",
                    name,
                )
            continue
        changes[name] = _normalize_value(rule, name, value, resolve)

    merged: dict[str, Any] = copy.deepcopy(dict(existing)) if existing is not None else {}
    for name, value in changes.items():
        if value is None:
            merged.pop(name, None)
        elif name in rule.sublists and existing is not None:
            merged[name] = _merge_sublist(
                rule, name, (existing.get(name) or {}).get("items") or [], value["items"], replace=name in replace
            )
        else:
            merged[name] = value
    if existing is not None:
        for name in replace:
            if name not in changes:
                merged[name] = {"items": []}

    if existing is None:
        for name in rule.required_on_create:
            if _is_blank(merged.get(name)):
                raise _required(name)
    else:
        for name, detail in rule.immutable.items():
            if name in changes and _ref_id(changes[name]) != _ref_id(existing.get(name)):
                raise bad_request(USER_ERROR, detail, name)
    ctx = RecordContext(rule.record_type, merged, dict(existing) if existing is not None else None, changes)
    for check in rule.checks:
        check(ctx)
    return merged


def _line_key(line: Mapping[str, Any], key: str) -> str | None:
    value = line.get(key)
    if isinstance(value, Mapping):
        return _ref_id(value)
    return None if value is None else str(value)


def _merge_sublist(
    rule: RecordRule, name: str, stored: list[Any], sent: list[dict[str, Any]], *, replace: bool
) -> dict[str, Any]:
    """The stored sublist after an update: keyed lines that match update, the others are added; non-keyed
    lines are appended; with ``replace`` only the request's lines remain (matched keyed lines merged)."""
    key = rule.sublist_keys.get(name)
    if key is None:
        return {"items": copy.deepcopy(sent) if replace else [*copy.deepcopy(stored), *copy.deepcopy(sent)]}
    by_key = {_line_key(line, key): index for index, line in enumerate(stored)}
    result: list[dict[str, Any]] = [] if replace else copy.deepcopy(stored)
    for line in sent:
        index = by_key.get(_line_key(line, key))
        if index is None:
            result.append(copy.deepcopy(line))
            continue
        updated = copy.deepcopy(stored[index])
        for line_field, value in line.items():
            if value is None:
                updated.pop(line_field, None)
            else:
                updated[line_field] = copy.deepcopy(value)
        if replace:
            result.append(updated)
        else:
            result[index] = updated
    return {"items": result}


def _known_field(rule: RecordRule, name: str) -> bool:
    if rule.fields is None or name in rule.fields:
        return True
    return rule.custom_field_prefix is not None and name.startswith(rule.custom_field_prefix)


def _ref_id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        ref = value.get("id")
        return None if ref is None else str(ref)
    return None


def _normalize_value(rule: RecordRule, name: str, value: Any, resolve: Resolver) -> Any:
    if value is None:
        return None
    if name in rule.references:
        return _resolve_ref(rule.references[name], value, name, name, resolve)
    if name in rule.multi_references:
        lines = _sublist_lines(value, name)
        return {
            "items": [
                _resolve_ref(rule.multi_references[name], ref, f"{name}.items[{i}]", name, resolve)
                for i, ref in enumerate(lines)
            ]
        }
    if name in rule.sublists:
        line_refs = rule.sublists[name]
        normalized_lines = []
        for i, line in enumerate(_sublist_lines(value, name)):
            if not isinstance(line, Mapping):
                raise bad_request(
                    USER_ERROR, f"Each line of the sublist '{name}' must be an object.", f"{name}.items[{i}]"
                )
            out: dict[str, Any] = {}
            for line_field, line_value in line.items():
                if line_field in ("links", "refName"):
                    continue
                path = f"{name}.items[{i}].{line_field}"
                if (
                    f"{name}.{line_field}" in rule.id_only_line_refs
                    and line_value is not None
                    and (not isinstance(line_value, Mapping) or not isinstance(line_value.get("id"), str | int))
                ):
                    raise bad_request(
                        USER_ERROR,
                        f"Invalid value for the sublist field '{path}': identify the document by its "
                        'internal ID, e.g. {"id": "104"}.',
                        path,
                    )
                if line_field in line_refs and line_value is not None:
                    out[line_field] = _resolve_ref(
                        line_refs[line_field], line_value, f"{name}.items[{i}].{line_field}", line_field, resolve
                    )
                else:
                    out[line_field] = copy.deepcopy(line_value)
            normalized_lines.append(out)
        key = rule.sublist_keys.get(name)
        if key is not None:
            seen: set[str] = set()
            for i, out in enumerate(normalized_lines):
                line_key = _line_key(out, key)
                if line_key is None:
                    raise bad_request(
                        USER_ERROR, f"Please enter value(s) for: {key} (sublist {name}).", f"{name}.items[{i}].{key}"
                    )
                if line_key in seen:
                    raise bad_request(
                        USER_ERROR,
                        f"The sublist '{name}' has more than one line for {key} {line_key}.",
                        f"{name}.items[{i}].{key}",
                    )
                seen.add(line_key)
        return {"items": normalized_lines}
    if name in rule.booleans:
        if not isinstance(value, bool):
            raise bad_request(USER_ERROR, f"Invalid value for the field '{name}': expected true or false.", name)
        return value
    if name in rule.strings:
        if not isinstance(value, str):
            raise bad_request(USER_ERROR, f"Invalid value for the field '{name}': expected a string.", name)
        limit = rule.strings[name]
        if limit is not None and len(value) > limit:
            raise bad_request(
                USER_ERROR,
                f"The field {name} contained more than the maximum number ( {limit} ) of characters allowed.",
                name,
            )
        return value
    return copy.deepcopy(value)


def _sublist_lines(value: Any, path: str) -> list[Any]:
    if not isinstance(value, Mapping) or not isinstance(value.get("items"), list):
        raise bad_request(
            USER_ERROR, f"Invalid value for the field '{path}': expected an object with an 'items' array.", path
        )
    return list(value["items"])


def _resolve_ref(table: str, value: Any, path: str, field_name: str, resolve: Resolver) -> dict[str, str]:
    if not isinstance(value, Mapping) or not (
        isinstance(value.get("id"), str | int) or isinstance(value.get("externalId"), str)
    ):
        raise bad_request(
            USER_ERROR,
            f"Invalid value for the resource or sub-resource field '{path}'. "
            'Provide a reference object such as {"id": "1"} or {"externalId": "..."}.',
            path,
        )
    found = resolve(table, value)
    if found is None:
        shown = value.get("id") if value.get("id") is not None else value.get("externalId")
        raise invalid_reference(shown, field_name, path)
    internal_id, name = found
    return {"id": internal_id, "refName": name}

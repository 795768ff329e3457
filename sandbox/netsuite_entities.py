"""Customers and items as a NetSuite account keeps them: the address book, payment terms, the parent customer,
unique customer IDs and item names, and the SuiteQL columns a go-live match reads.

Vendor pages (docs/contract-tests.md lists where the simulator is stricter than they say):

* The customer's ``addressBook`` sublist (REST API Browser, ``customer-addressBookCollection`` /
  ``customer-addressBookElement`` / ``customer-addressBook-addressBookAddress``,
  https://system.netsuite.com/help/helpcenter/en_US/APIs/REST_API_Browser/record/v1/2024.2/index.html): each line
  has ``defaultBilling``, ``defaultShipping``, ``isResidential``, ``label`` and the ``addressBookAddress``
  subrecord (``addr1``..``addr3``, ``addressee``, ``attention``, ``addrPhone``, ``city``, ``state``, ``zip``,
  ``country`` = ``{"id": "<ISO 3166 alpha-2>"}``, ``override``). An address is a subrecord: written only inside its
  customer ("NetSuite Record Structure", section_1540811112; SOAP "Address", section_4599373137). The sublist is
  not keyed: an update appends its lines unless ``?replace=addressBook`` ("Updating a Sublist" section_1545295601,
  "Replacing a Sublist" section_1545297048; the generic rules in netsuite_records do that).
* ``terms`` references the ``term`` list (REST API Browser ``customer.terms`` -> ``term``).
* Customer ID (``entityId``) unique among customers: SOAP ``UNIQUE_CUST_ID_REQD`` "A customer record with this ID
  already exists. You must enter a unique customer ID for each record you create."
  (http://www.netsuiterp.com/2019/01/uniquecustidreqd-error-on-upsertlist.html). Item name (``itemId``) unique
  among items: no page found (the simulator refuses a second one, the stricter reading).
* SuiteQL ``item.subtype`` (``Sale`` / ``Resale`` / ``Purchase``) next to ``itemtype``
  (https://netsuitediagnostics.com/posts/suiteql-items).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from sandbox.netsuite_errors import USER_ERROR, bad_request

if TYPE_CHECKING:
    from sandbox.netsuite_records import RecordContext

TERM_TABLE = "term"
ADDRESS_BOOK = "addressBook"

# NetSuite's standard payment terms (Setup > Accounting > Accounting Lists > Term), as a new account has them.
STANDARD_TERMS: tuple[dict[str, str], ...] = (
    {"id": "1", "name": "Net 15"},
    {"id": "2", "name": "Net 30"},
    {"id": "3", "name": "Net 60"},
    {"id": "4", "name": "Due on receipt"},
    {"id": "5", "name": "1% 10 Net 30"},
    {"id": "6", "name": "2% 10 Net 30"},
)

# ISO 3166-1 alpha-2: the ids of NetSuite's Country list (the REST API Browser enumerates them for
# customer-addressBook-addressBookAddress.country).
ISO_COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO
    JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR
    MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO
    RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV
    TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905 - the list as ISO prints it
)

ADDRESS_LINE_BOOLEANS = frozenset({"defaultBilling", "defaultShipping", "isResidential"})
# Read-side fields a client may send back (ignored): the line's ids and the formatted address.
ADDRESS_LINE_READ_ONLY = frozenset({"id", "internalId", "addressId", "addressBookAddress_text"})
ADDRESS_LINE_FIELDS = ADDRESS_LINE_BOOLEANS | ADDRESS_LINE_READ_ONLY | {"label", "addressBookAddress"}
ADDRESS_TEXT_FIELDS = frozenset(
    {"addr1", "addr2", "addr3", "addressee", "attention", "addrPhone", "city", "state", "zip", "addrText"}
)
ADDRESS_FIELDS = ADDRESS_TEXT_FIELDS | {"country", "override"}

UNIQUE_NAME_FIELD = {"customer": "entityId", "item": "itemId"}  # family -> the field that must be unique
DUPLICATE_CUSTOMER_ID = (
    "A customer record with this ID already exists. You must enter a unique customer ID for each record you create."
)
DUPLICATE_ITEM_NAME = "The item name you have chosen is already used. Go back, change the name and resubmit."

# SuiteQL item.subtype by record type (inventory items have none).
ITEM_SUBTYPES = {"serviceSaleItem": "Sale", "nonInventorySaleItem": "Sale"}


class StoredRecord(Protocol):
    """What the checks read of a stored record (netsuite_simulator._Stored)."""

    record_type: str
    internal_id: str
    fields: dict[str, Any]


def _invalid(path: str, expected: str) -> Exception:
    return bad_request(USER_ERROR, f"Invalid value for the field '{path}': expected {expected}.", path)


def check_address_book(ctx: RecordContext) -> None:
    """The customer's address book lines as the request sends them, then the merged sublist's default flags.

    Stricter than the pages say: unknown line or address fields are refused (NetSuite's property-name validation
    would name them too), ``country`` must be ``{"id": ISO2}`` (the browser's shape; a plain string is refused),
    and at most one line may be the default billing and one the default shipping address after the write
    (NetSuite's UI moves the flag; the simulator refuses instead, so a client must replace the sublist).
    """
    sent = ctx.changes.get(ADDRESS_BOOK)
    if sent is not None:
        for index, line in enumerate(sent.get("items") or []):
            _check_address_line(line, f"{ADDRESS_BOOK}.items[{index}]")
    lines = (ctx.merged.get(ADDRESS_BOOK) or {}).get("items") or []
    for flag, label in (("defaultBilling", "Default Billing"), ("defaultShipping", "Default Shipping")):
        flagged = [index for index, line in enumerate(lines) if line.get(flag) is True]
        if len(flagged) > 1:
            raise bad_request(
                USER_ERROR,
                f"Only one address can be the {label} address of a customer (lines {flagged[0]} and {flagged[1]}); "
                f"to change the address book, send it whole with ?replace={ADDRESS_BOOK}.",
                f"{ADDRESS_BOOK}.items[{flagged[1]}].{flag}",
            )


def _check_address_line(line: Mapping[str, Any], path: str) -> None:
    for name, value in line.items():
        field_path = f"{path}.{name}"
        if name not in ADDRESS_LINE_FIELDS:
            raise bad_request(USER_ERROR, f"Invalid field '{name}' for the sublist line '{path}'.", field_path)
        if value is None or name in ADDRESS_LINE_READ_ONLY:
            continue
        if name in ADDRESS_LINE_BOOLEANS and not isinstance(value, bool):
            raise _invalid(field_path, "true or false")
        if name == "label" and not isinstance(value, str):
            raise _invalid(field_path, "a string")
        if name == "addressBookAddress":
            _check_address(value, field_path)


def _check_address(address: Any, path: str) -> None:
    if not isinstance(address, Mapping):
        raise _invalid(path, "an object (the address subrecord)")
    for name, value in address.items():
        field_path = f"{path}.{name}"
        if name not in ADDRESS_FIELDS:
            raise bad_request(USER_ERROR, f"Invalid field '{name}' for the address subrecord '{path}'.", field_path)
        if value is None:
            continue
        if name in ADDRESS_TEXT_FIELDS and not isinstance(value, str):
            raise _invalid(field_path, "a string")
        if name == "override" and not isinstance(value, bool):
            raise _invalid(field_path, "true or false")
        if name == "country":
            code = value.get("id") if isinstance(value, Mapping) else None
            if not isinstance(code, str):
                raise _invalid(field_path, 'a reference to a country such as {"id": "US"}')
            if code not in ISO_COUNTRY_CODES:
                raise bad_request(
                    USER_ERROR,
                    f"Error while accessing a resource. Invalid Field Value {code} for the following field: country",
                    field_path,
                )


def check_family_rules(
    record_type: str,
    family: str,
    merged: Mapping[str, Any],
    own_id: str | None,
    family_records: Iterable[StoredRecord],
    *,
    unique_names: bool,
) -> None:
    """Rules that look at the other records of the family: unique customer ID / item name, and a customer's
    parent (not itself, nor one of its own sub-customers)."""
    records = list(family_records)
    name_field = UNIQUE_NAME_FIELD.get(family)
    name = merged.get(name_field) if name_field is not None else None
    if unique_names and name_field is not None and isinstance(name, str) and name:
        # Compared case-insensitively (no page says; the stricter reading).
        wanted = name.casefold()
        for other in records:
            other_name = other.fields.get(name_field)
            if other.internal_id != own_id and isinstance(other_name, str) and other_name.casefold() == wanted:
                detail = DUPLICATE_CUSTOMER_ID if family == "customer" else DUPLICATE_ITEM_NAME
                raise bad_request(USER_ERROR, detail, name_field)
    if record_type == "customer" and own_id is not None:
        _check_parent(merged, own_id, {record.internal_id: record for record in records})


def _check_parent(merged: Mapping[str, Any], own_id: str, customers: Mapping[str, StoredRecord]) -> None:
    parent = merged.get("parent")
    seen: set[str] = set()
    while isinstance(parent, Mapping) and parent.get("id") is not None:
        parent_id = str(parent["id"])
        if parent_id == own_id:
            raise bad_request(
                USER_ERROR,
                "A customer cannot be its own parent, nor a sub-customer of one of its own sub-customers.",
                "parent",
            )
        if parent_id in seen or parent_id not in customers:
            return
        seen.add(parent_id)
        parent = customers[parent_id].fields.get("parent")


def item_subtype(record_type: str) -> str | None:
    """SuiteQL item.subtype for an item record type."""
    return ITEM_SUBTYPES.get(record_type)

"""A Zuora account's bill-to and sold-to contacts -> the NetSuite customer's address book.

As Zuora's own NetSuite connector does, Bill To is the default billing address and Sold To the default shipping
address (https://docs.zuora.com/zuora-platform/integration/integration-hub/billing-connector-for-netsuite-gl/integration-between-zuora-and-netsuite/customer-account-transaction-sync/customer-account-sync-netsuite-to-zuora).
When both are the same Zuora contact the customer gets one line that is both (Zuora's connector writes the
address twice). A contact without any address field gives no line.

The lines follow NetSuite's customer-addressBookElement / customer-addressBook-addressBookAddress (REST API
Browser): ``country`` is a reference to NetSuite's Country list by ISO 3166 alpha-2 code. Zuora keeps the country's
name ("United States", https://docs.zuora.com/en/basics/set-up-countries-regions-and-subregions): the name is
converted with pycountry's ISO 3166 list, after the configuration's ``country_codes`` (a name -> code override).
"""

from __future__ import annotations

from collections.abc import Mapping

import pycountry

from zuora_netsuite.models.netsuite import NetSuiteAddress, NetSuiteAddressBook, NetSuiteAddressLine, RecordRef
from zuora_netsuite.models.zuora import ZuoraAccount, ZuoraContact

# The line's label by the contact's role on the account.
LABELS = {"BillTo": "Bill To", "SoldTo": "Sold To", "BillTo and SoldTo": "Bill To and Sold To"}


def country_code(name: str, overrides: Mapping[str, str]) -> str | None:
    """The ISO 3166 alpha-2 code of a Zuora country name (or code), or None when it is not a country."""
    wanted = name.strip().casefold()
    for configured, code in overrides.items():
        if configured.strip().casefold() == wanted:
            return code
    try:
        country = pycountry.countries.lookup(name.strip())
    except LookupError:
        return None
    return str(country.alpha_2)


def _has_address(contact: ZuoraContact) -> bool:
    return any(
        (value or "").strip()
        for value in (
            contact.address1,
            contact.address2,
            contact.city,
            contact.state,
            contact.postal_code,
            contact.country,
        )
    )


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _address(
    account: ZuoraAccount, contact: ZuoraContact, role: str, overrides: Mapping[str, str], problems: list[str]
) -> NetSuiteAddress:
    country: RecordRef | None = None
    if _text(contact.country):
        code = country_code(str(contact.country), overrides)
        if code is None:
            problems.append(
                f'{role} Country "{contact.country}" is not a country NetSuite knows; correct the contact in Zuora '
                f'or add it to country_codes (name -> ISO 3166 alpha-2 code, e.g. {{"{contact.country}": "US"}})'
            )
        else:
            country = RecordRef(id=code)
    attention = contact.full_name or None
    addressee = _text(account.name) or attention
    return NetSuiteAddress(
        addressee=addressee,
        attention=attention if attention != addressee else None,
        addr1=_text(contact.address1),
        addr2=_text(contact.address2),
        city=_text(contact.city),
        state=_text(contact.state),
        zip=_text(contact.postal_code),
        country=country,
        addrPhone=_text(contact.work_phone),
    )


def _line(
    account: ZuoraAccount, contact: ZuoraContact, role: str, overrides: Mapping[str, str], problems: list[str]
) -> NetSuiteAddressLine:
    billing, shipping = role in ("BillTo", "BillTo and SoldTo"), role in ("SoldTo", "BillTo and SoldTo")
    return NetSuiteAddressLine(
        label=LABELS[role],
        default_billing=billing,
        default_shipping=shipping,
        address=_address(account, contact, role.split(" ")[0], overrides, problems),
    )


def address_book(
    account: ZuoraAccount, overrides: Mapping[str, str], problems: list[str]
) -> NetSuiteAddressBook | None:
    """The account's address lines (None when neither contact has an address); a country that cannot be converted
    is added to `problems`, naming the contact (BillTo / SoldTo) and its Country."""
    bill_to, sold_to = account.bill_to, account.sold_to
    if bill_to is not None and sold_to is not None and bill_to.id == sold_to.id:
        roles = [("BillTo and SoldTo", bill_to)]
    else:
        roles = [(role, contact) for role, contact in (("BillTo", bill_to), ("SoldTo", sold_to)) if contact]
    lines = [_line(account, contact, role, overrides, problems) for role, contact in roles if _has_address(contact)]
    return NetSuiteAddressBook(items=lines) if lines else None

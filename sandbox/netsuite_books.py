"""What the simulated NetSuite account checks so that the books tie out (issue 13): revenue recognition dates on
item lines, the deposit account and payment method of customer payments and refunds, and record actions.

Pages (each behaviour is pinned by a contract test in ``tests/contract/netsuite/``):

- Revenue recognition on item lines (``revRecStartDate``, ``revRecEndDate``, ``revRecSchedule``): the records
  browser's revenue recognition schedule (template) record, "If both the Rev Rec Start Date and Rev Rec End Date
  are entered, then those dates override the recognition period set on the template"
  (https://system.netsuite.com/help/helpcenter/en_US/srbrowser/Browser2016_1/script/record/revrecschedule.html);
  the REST spelling is the SOAP name camelCased, as REST does for every field (``tranDate``, ``autoApply``).
- Customer payment (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0224093711.html): Oracle's
  create sample sends ``"account": {"id": "1"}``, ``"payment": 250`` and one apply line of 200, the rest left
  unapplied; the records browser: ``account`` is "the account where you want to deposit the amount received"
  (https://system.netsuite.com/help/helpcenter/en_US/srbrowser/Browser2026_1/script/record/customerpayment.html);
  the 2024.2 schema browser (https://system.netsuite.com/help/helpcenter/en_US/srbrowser/Browser2024_2/schema/record/customerpayment.html):
  ``account`` "Sets the account used for payments already deposited. Required when undepFunds is set to FALSE.";
  ``paymentMethod`` is the SOAP schema's field (one integrator's note says REST does not take it: NO PAGE).
- Customer refund (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/article_0830082954.html):
  ``apply`` lines keyed by ``doc``; the UI refunds "credit memos and unapplied payments" of the customer.
- Record actions (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156631158782.html): REST
  offers the actions SuiteScript supports; for invoices only markforgrouping, removeinvoicefromgroup and
  unmarkforgrouping (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1516982564.html). Void
  is a SuiteScript ``transaction.void`` only (section_4483109897): REST has no void.

Where the pages are silent the checks take the stricter reading (docs/contract-tests.md lists each).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from sandbox.netsuite_account import AccountConfiguration
from sandbox.netsuite_errors import USER_ERROR, NetSuiteApiError, bad_request, invalid_reference

REV_REC_DATES = ("revRecStartDate", "revRecEndDate")
REV_REC_FIELDS = (*REV_REC_DATES, "revRecSchedule")
# Item fields that make NetSuite recognise revenue of the item's lines over a period (classic template / ARM rule).
ITEM_REV_REC_FIELDS = ("revRecSchedule", "revenueRecognitionRule")
_DATE_LABELS = {"revRecStartDate": "Rev. Rec. Start Date", "revRecEndDate": "Rev. Rec. End Date"}

# Account types (SuiteQL account.accttype) a customer payment or refund may name as its ``account``.
DEPOSIT_ACCOUNT_TYPES = frozenset({"Bank"})

# Record actions REST documents, per record type (section_1516982564 and the other "Record Actions" pages).
RECORD_ACTIONS: dict[str, frozenset[str]] = {
    "invoice": frozenset({"markforgrouping", "removeinvoicefromgroup", "unmarkforgrouping"}),
}

ItemLookup = Callable[[str], Mapping[str, Any] | None]  # item internal id -> its stored fields


def _parse_date(value: Any, path: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise bad_request(USER_ERROR, f"Invalid value for the field '{path}': expected a date (YYYY-MM-DD).", path)


def check_revenue_lines(
    record_type: str, merged: Mapping[str, Any], item_fields: ItemLookup, config: AccountConfiguration
) -> None:
    """Revenue recognition fields of invoice and credit memo item lines (raises NetSuiteApiError).

    - the Revenue Recognition feature off (``config.revenue_recognition``): any of the fields is refused;
    - both dates or neither: one alone is refused ("Please enter value(s) for: Rev. Rec. End Date.");
    - the end before the start is refused;
    - a line whose item carries a template or rule (``revRecSchedule`` / ``revenueRecognitionRule``) without the
      dates is refused: the stricter reading (NetSuite may fall back to the transaction date; no page says so).
    """
    if record_type not in ("invoice", "creditMemo"):
        return
    for index, line in enumerate((merged.get("item") or {}).get("items") or []):
        path = f"item.items[{index}]"
        present = [name for name in REV_REC_FIELDS if line.get(name) is not None]
        if not config.revenue_recognition:
            if present:
                raise bad_request(
                    USER_ERROR,
                    f"Invalid field '{present[0]}': the Revenue Recognition feature is not enabled in this account.",
                    f"{path}.{present[0]}",
                )
            continue
        dates = {name: line.get(name) for name in REV_REC_DATES if line.get(name) is not None}
        if len(dates) == 1:
            missing = next(name for name in REV_REC_DATES if name not in dates)
            raise bad_request(USER_ERROR, f"Please enter value(s) for: {_DATE_LABELS[missing]}.", f"{path}.{missing}")
        if dates:
            start = _parse_date(dates["revRecStartDate"], f"{path}.revRecStartDate")
            end = _parse_date(dates["revRecEndDate"], f"{path}.revRecEndDate")
            if end < start:
                raise bad_request(
                    USER_ERROR,
                    "The Rev. Rec. End Date must be on or after the Rev. Rec. Start Date.",
                    f"{path}.revRecEndDate",
                )
            continue
        item_id = (line.get("item") or {}).get("id")
        item = item_fields(str(item_id)) if item_id is not None else None
        if item is not None and any(item.get(name) for name in ITEM_REV_REC_FIELDS):
            raise bad_request(
                USER_ERROR,
                "Please enter value(s) for: Rev. Rec. Start Date, Rev. Rec. End Date.",
                f"{path}.revRecStartDate",
            )


def check_deposit(
    record_type: str,
    merged: Mapping[str, Any],
    account_rows: Mapping[str, Mapping[str, str]],
    config: AccountConfiguration,
) -> None:
    """Where a customer payment's money goes, and a refund's comes from (raises NetSuiteApiError).

    - ``undepFunds: false`` without an ``account`` is refused (the schema browser: account "Required when
      undepFunds is set to FALSE"); neither sent leaves it to the account's default (not checked);
    - ``undepFunds: true`` together with an ``account`` is refused (a payment goes to one or the other: the
      stricter reading, no page says what NetSuite does);
    - ``account`` must be a bank account (SuiteQL ``accttype`` 'Bank'): an income or receivables account is
      refused as an invalid value of the field;
    - a customer refund without ``account`` is refused when ``config.refund_account_required``.
    """
    if record_type not in ("customerPayment", "customerRefund"):
        return
    account_id = (merged.get("account") or {}).get("id")
    if record_type == "customerPayment" and merged.get("undepFunds") is True and account_id is not None:
        raise bad_request(
            USER_ERROR,
            "A payment is deposited either to Undeposited Funds (undepFunds) or to an account, not both.",
            "account",
        )
    if record_type == "customerPayment" and merged.get("undepFunds") is False and account_id is None:
        raise bad_request(USER_ERROR, "Please enter value(s) for: Account.", "account")
    if account_id is not None:
        row = account_rows.get(str(account_id))
        if row is None or row.get("accttype") not in DEPOSIT_ACCOUNT_TYPES:
            raise invalid_reference(account_id, "account", "account")
    elif record_type == "customerRefund" and config.refund_account_required:
        raise bad_request(USER_ERROR, "Please enter value(s) for: Account.", "account")


def record_action_refusal(record_type: str, action: str) -> NetSuiteApiError:
    """The answer to ``POST /record/v1/{type}/{id}/!{action}``: the simulator models no record action, and REST has
    no ``void`` at all; a documented action is refused as not simulated, any other as unknown."""
    known = RECORD_ACTIONS.get(record_type, frozenset())
    if action.lower() in known:
        detail = f"The record action '{action}' of '{record_type}' is not simulated."
    else:
        detail = (
            f"Invalid record action '{action}' for record type '{record_type}'. Available actions: "
            f"{', '.join(sorted(known)) or 'none'}."
        )
    return bad_request(USER_ERROR, detail)

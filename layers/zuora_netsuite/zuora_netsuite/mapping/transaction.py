"""What the transaction mappings (invoice, debit memo, credit memo, payment, refund) share: the Zuora record
with its account and lines, header and line classifications, currency, item lines that add up to the total.

References to parents go by external id (`{"externalId": "zuora-account-<Id>"}`): deterministic, so a
mapping never needs a parent's NetSuite internal id; `dependencies.py` makes sure the parent exists first.
Subsidiary is never sent on a transaction: NetSuite takes the customer's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from zuora_netsuite.mapping.base import MappingContext, Parent, query_where
from zuora_netsuite.mapping.books import LineFields, line_item, revenue_fields, tax_lines
from zuora_netsuite.mapping.classifications import Classification, ClassificationChoice
from zuora_netsuite.mapping.money import MoneyProblem, amount, currency_ref, lines_to_total
from zuora_netsuite.models.netsuite import NetSuiteItemLine, NetSuiteItemSublist, RecordRef
from zuora_netsuite.models.record_types import RecordType, external_id
from zuora_netsuite.models.zuora import (
    ZuoraAccount,
    ZuoraApplication,
    ZuoraInvoiceItem,
    ZuoraMemoItem,
    ZuoraTaxationItem,
    ZuoraTransaction,
)
from zuora_netsuite.ports import ZuoraApi
from zuora_netsuite.settings import SyncConfig

__all__ = ["query_where"]  # re-exported: the transaction mappings import it from here

ZERO = Decimal(0)


@dataclass(frozen=True)
class TransactionSource:
    """A Zuora transaction with what its mapping needs: the account, the lines, the invoices it applies to."""

    record: ZuoraTransaction
    account: ZuoraAccount | None
    lines: tuple[ZuoraInvoiceItem | ZuoraMemoItem, ...] = ()
    applications: tuple[ZuoraApplication, ...] = ()  # what a payment or credit memo was applied to
    invoice_numbers: dict[str, str] = field(default_factory=dict)  # invoice Id -> InvoiceNumber, for reasons
    refunded_credit_memos: tuple[str, ...] = ()  # a refund's credit memo sources (Invoice Settlement)
    taxation: tuple[ZuoraTaxationItem, ...] = ()  # the taxation items of the lines (one tax line per code)
    discount_charges: frozenset[str] = frozenset()  # the lines' charges whose ChargeModel is a discount
    # Payments: Zuora PaymentMethod.Type of the payment (for the deposit rules). Refunds: what each part draws from,
    # (PAYMENT or CREDIT_MEMO, Zuora id, amount), from GET /v1/refunds/{key}/parts.
    payment_method_type: str | None = None
    refund_sources: tuple[tuple[RecordType, str, Decimal], ...] = ()
    resent_when_changed: bool = False  # synced, then changed in Zuora: synced again (zuora.payments_applied_later)

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def integration_id(self) -> str | None:
        return self.record.integration_id

    @property
    def integration_status(self) -> str | None:
        return self.record.integration_status

    @property
    def integration_error(self) -> str | None:
        return self.record.integration_error

    @property
    def updated_date(self) -> datetime:
        return self.record.updated_date


def accounts_by_id(zuora: ZuoraApi, records: Iterable[ZuoraTransaction]) -> dict[str, ZuoraAccount]:
    account_ids = [r.account_id for r in records if r.account_id]
    rows = query_where(zuora, "Account", ZuoraAccount.ZOQL_FIELDS, "Id", account_ids)
    return {account.id: account for account in (ZuoraAccount.model_validate(row) for row in rows)}


def application_target(application: ZuoraApplication, numbers: dict[str, str]) -> tuple[RecordType, str, str]:
    """(record type, Zuora id, how a finance person names it) of what a payment or credit memo was applied to:
    an invoice, or a debit memo (a NetSuite invoice too)."""
    if application.invoice_id:
        number = numbers.get(application.invoice_id, application.invoice_id)
        return RecordType.INVOICE, application.invoice_id, f"invoice {number}"
    memo_id = application.debit_memo_id or ""
    return RecordType.DEBIT_MEMO, memo_id, f"debit memo {numbers.get(memo_id, memo_id)}"


def application_parents(source: TransactionSource) -> list[Parent]:
    seen: dict[str, Parent] = {}
    for application in source.applications:
        record_type, record_id, role = application_target(application, source.invoice_numbers)
        seen.setdefault(record_id, Parent(record_type, record_id, role))
    return list(seen.values())


def customer_parent(source: TransactionSource) -> list[Parent]:
    account_id = source.record.account_id
    if not account_id:
        return []
    number = source.account.account_number if source.account and source.account.account_number else account_id
    return [Parent(RecordType.CUSTOMER, account_id, f"account {number}")]


def item_parents(source: TransactionSource) -> list[Parent]:
    seen: dict[str, Parent] = {}
    for line in source.lines:
        if line.charge_id and line.charge_id not in seen:
            seen[line.charge_id] = Parent(
                RecordType.ITEM, line.charge_id, f'charge "{line.charge_name or ""}" ({line.charge_id})'
            )
    return list(seen.values())


@dataclass
class Header:
    """The fields every NetSuite transaction gets from the account and the configuration."""

    customer: RecordRef | None
    currency_code: str
    currency: RecordRef | None
    department: RecordRef | None
    class_: RecordRef | None
    location: RecordRef | None

    def body_fields(self) -> dict[str, RecordRef | None]:
        """The header fields of an invoice or memo body: the customer (`entity`), currency and classifications."""
        return {
            "entity": self.customer,
            "currency": self.currency,
            "department": self.department,
            "class": self.class_,
            "location": self.location,
        }


def header(source: TransactionSource, context: MappingContext, problems: list[str]) -> Header:
    account = source.account
    if account is None:
        shown = source.record.account_id or "(none)"
        problems.append(f"its account {shown} does not exist in Zuora")
        return Header(None, context.config.base_currency, None, None, None, None)
    code, currency = currency_ref(account.currency, context.reference, context.config, problems)
    choice = ClassificationChoice(context.reference, context.config.classification_defaults)
    department = choice.resolve(Classification.DEPARTMENT, account.department)
    class_ = choice.resolve(Classification.CLASS, account.class_)
    location = choice.resolve(Classification.LOCATION, account.location)
    problems += [f"account {account.account_number or account.id}: {p}" for p in choice.problems]
    customer = RecordRef(externalId=external_id(RecordType.CUSTOMER, account.id))
    return Header(customer, code, currency, department, class_, location)


def money(value: object, currency: str, what: str, problems: list[str]) -> Decimal:
    try:
        return amount(value, currency, what)
    except MoneyProblem as problem:
        problems.append(str(problem))
        return ZERO


def line_tax_code(zuora_code: str | None, what: str, config: SyncConfig, problems: list[str]) -> RecordRef | None:
    """The NetSuite tax code of a line when the account wants one on every line (SuiteTax, non-US tax; sync config
    tax_codes / default_tax_code_id): the one mapped from the line's Zuora tax code, else the default."""
    if not config.tax_codes_on_lines:
        return None
    code = (zuora_code or "").strip()
    found = config.tax_codes.get(code) if code else None
    found = found or config.default_tax_code_id
    if found is None:
        shown = f'Zuora tax code "{code}"' if code else "no Zuora tax code"
        problems.append(
            f"{what} has {shown} and no NetSuite tax code is configured for it "
            "(sync config tax_codes, or default_tax_code_id)"
        )
        return None
    return RecordRef(id=found)


def _line_classifications(head: Header, config: SyncConfig) -> dict[str, RecordRef | None]:
    on_lines = config.line_classifications
    return {
        "department": head.department if "department" in on_lines else None,
        "class": head.class_ if "class" in on_lines else None,
        "location": head.location if "location" in on_lines else None,
    }


def _charge_line(
    line: ZuoraInvoiceItem | ZuoraMemoItem, source: TransactionSource, config: SyncConfig, problems: list[str]
) -> LineFields | None:
    """A Zuora item's NetSuite line fields (no amount): the charge's item (or the discount item), its revenue
    recognition dates and template, its tax code."""
    what = f'item "{line.charge_name or line.id}"'
    if not line.charge_id:
        problems.append(f"{what} ({line.id}) has no product rate plan charge")
        return None
    charge_item = RecordRef(externalId=external_id(RecordType.ITEM, line.charge_id))
    return {
        "item": line_item(charge_item, line.charge_id, source.discount_charges, config),
        "description": line.charge_name,
        "quantity": line.quantity,
        "taxCode": line_tax_code(getattr(line, "tax_code", None), what, config, problems),
        **revenue_fields(line, config.revenue, what, problems),
    }


def item_lines(
    source: TransactionSource,
    head: Header,
    context: MappingContext,
    *,
    total: Decimal,
    tax: object,
    sign: int,
    problems: list[str],
) -> NetSuiteItemSublist:
    """One NetSuite line per Zuora line (charge and amount), then one tax line per Zuora tax code (mapping/books.py);
    the lines add up exactly to the Zuora total. `sign` -1 turns a negative Zuora invoice into positive credit memo
    lines."""
    currency = head.currency_code
    zuora_total = total  # validated by the caller, which names the Zuora field
    tax_amount = money(tax if tax is not None else 0, currency, "TaxAmount", problems)
    config = context.config
    amounts: list[Decimal] = []
    shapes: list[LineFields] = []
    if not source.lines and zuora_total - tax_amount != ZERO:
        problems.append("it has no items; NetSuite needs at least one line")
    for line in source.lines:
        amounts.append(money(line.amount, currency, f'the amount of item "{line.charge_name or line.id}"', problems))
        fields = _charge_line(line, source, config, problems)
        if fields is not None:
            shapes.append(fields)

    def tax_code_of(zuora_code: str | None, what: str) -> RecordRef | None:
        return line_tax_code(zuora_code, what, config, problems)

    for tax_line_amount, fields in tax_lines(source.taxation, tax_amount, currency, config, tax_code_of, problems):
        amounts.append(tax_line_amount)
        shapes.append(fields)
    if problems:
        return NetSuiteItemSublist(items=[])
    try:
        exact = lines_to_total(amounts, zuora_total, currency, "its items and tax")
    except MoneyProblem as problem:
        problems.append(str(problem))
        return NetSuiteItemSublist(items=[])
    line_refs = _line_classifications(head, config)
    return NetSuiteItemSublist(
        items=[
            NetSuiteItemLine.model_validate({**fields, **line_refs, "amount": sign * line_amount})
            for fields, line_amount in zip(shapes, exact, strict=True)
        ]
    )

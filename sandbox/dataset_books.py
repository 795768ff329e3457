"""The books cases of a generated data set (issue 13): what the connector must carry for the books to tie out.

``add_books_cases(dataset)`` adds, deterministically (same seed, same records), to ``dataset.zuora_objects``:

- invoices taxed under two tax codes in two jurisdictions (``TaxationItem`` per item), service dates on every item,
  and a credit memo whose items carry service dates and credit taxation items;
- an invoice with a discount line: a discount charge (``ChargeModel`` "Discount-Percentage", added to the charges)
  as a negative item with ``ProcessingType`` Discount and ``AppliedToInvoiceItemId``;
- payment methods (credit card through Stripe, ACH, check, wire) and payments by each, in each currency of the
  data set's accounts;
- an unapplied payment (valid: synced as unapplied cash), a payment partly applied whose unapplied part is refunded,
  and a credit memo applied to nothing, part of it refunded (a refund with a ``creditMemoId`` part);
- invalid records, with the reason a correct connector gives: an invoice taxed under a code the configuration does
  not map (``UNMAPPED_TAX_CODE``), a payment by a payment method no deposit rule matches (PayPal through
  ``UNMATCHED_GATEWAY``);
- the candidates the books e2e test changes in Zuora after the first run (``BooksCases``): an unapplied payment and
  an open invoice of the same account to apply it to, an invoice to write off, one to reverse, one with a discount
  to reverse, one to cancel.

Three slices, each wired into the data set when the connector handles it: ``add_payment_cases`` (payment methods,
unapplied cash, refunds of unapplied parts and of credit memos: wired by ``add_transactions``),
``add_tax_and_discount_cases`` and ``add_after_sync_candidates``; ``add_books_cases`` runs all three. The
configuration the payment cases expect is ``BOOKS_PAYMENTS_CONFIG`` (the sandbox's sync config); the tax cases expect
``BOOKS_TAX_CODES`` mapped.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sandbox.dataset import Dataset
from sandbox.dataset_balances import settle_balances
from sandbox.dataset_transactions import _Builder, _Invoice, _money, _num

# Zuora tax code -> (jurisdiction, rate); each maps to a NetSuite tax item in the books configuration.
BOOKS_TAX_CODES: dict[str, tuple[str, Decimal]] = {
    "VAT-DE": ("DE", Decimal("0.19")),
    "CITY-B": ("Berlin", Decimal("0.005")),
}
UNMAPPED_TAX_CODE = "XX-UNMAPPED"
UNMATCHED_GATEWAY = "Adyen"
# (PaymentMethod.Type, Payment.Gateway, Payment.Type) of the payments the deposit rules must match.
PAYMENT_METHODS: tuple[tuple[str, str | None, str], ...] = (
    ("CreditCard", "Stripe", "Electronic"),
    ("ACH", "Stripe", "Electronic"),
    ("Check", None, "External"),
    ("WireTransfer", None, "External"),
)
# The sandbox's sync config `payments` (settings.PaymentsConfig): card and ACH payments through Stripe land in the
# Stripe clearing account, checks in Undeposited Funds, wires in the checking account of their currency, anything
# else in the main checking account; refunds are paid from the main checking account.
BOOKS_PAYMENTS_CONFIG: dict[str, Any] = {
    "deposit_rules": [
        {
            "payment_method_type": "CreditCard",
            "gateway": "Stripe",
            "account_id": "3",
            "netsuite_payment_method_id": "5",
        },
        {"payment_method_type": "ACH", "gateway": "Stripe", "account_id": "3", "netsuite_payment_method_id": "8"},
        {"payment_method_type": "Check", "undeposited": True, "netsuite_payment_method_id": "2"},
        {
            "payment_method_type": "WireTransfer",
            "currency": "EUR",
            "account_id": "2",
            "netsuite_payment_method_id": "9",
        },
        {"payment_method_type": "WireTransfer", "account_id": "1", "netsuite_payment_method_id": "9"},
        {"account_id": "1"},
    ],
    "refund_account_rules": [{"account_id": "1"}],
}
DISCOUNT_CHARGE_MODEL = "Discount-Percentage"
# The charge the sandbox's sync config gives a NetSuite revenue recognition template (revenue.templates), and that
# template (the simulated account's revrecschedule "3"); only invoices with a service period use the charge.
REV_REC_TEMPLATE_CHARGE_NAME = "Annual Support (ratable)"
REV_REC_TEMPLATE_ID = "3"


@dataclass
class BooksCases:
    """Ids of the books cases, for the e2e test and the configuration."""

    taxed_invoices: list[str] = field(default_factory=list)
    discount_invoices: list[str] = field(default_factory=list)
    discount_charge_id: str = ""
    rev_rec_template_charge_id: str = ""  # a charge the configuration gives a revenue recognition template
    rev_rec_template_invoices: list[str] = field(default_factory=list)  # invoices of that charge
    payments_by_method: dict[str, list[str]] = field(default_factory=dict)  # PaymentMethod.Type -> payment ids
    unapplied_payments: list[str] = field(default_factory=list)
    refunded_unapplied_parts: list[str] = field(default_factory=list)  # refund ids
    credit_memo_refunds: list[str] = field(default_factory=list)  # refund ids
    # changed in Zuora after the first run (sandbox/zuora_mutations.py)
    to_apply_later: list[tuple[str, str, Decimal]] = field(default_factory=list)  # (payment, invoice, amount)
    to_write_off: list[str] = field(default_factory=list)
    to_reverse: list[str] = field(default_factory=list)
    to_cancel: list[str] = field(default_factory=list)


class _Books(_Builder):
    """The transactions builder, with its own random stream and numbers (no clash with add_transactions')."""

    _BASES: dict[str, int] = {"payments": 900_000, "taxes": 910_000, "after-sync": 920_000}

    def __init__(self, dataset: Dataset, slice_name: str) -> None:
        super().__init__(dataset, invoice_settlement=True)
        self.rng = random.Random(f"books-{slice_name}-{dataset.seed}")
        self.numbers = {prefix: self._BASES[slice_name] for prefix in ("INV", "P-", "R-", "CM", "DM")}
        for name in ("TaxationItem", "CreditTaxationItem", "PaymentMethod", "ProductRatePlanCharge"):
            self.objects[name] = []

    def tax(self, invoice: _Invoice, codes: dict[str, tuple[str, Decimal]]) -> None:
        """Replace the invoice's tax by taxation items under these codes (each item taxed by each code)."""
        currency = invoice.account["Currency"]
        record = next(r for r in self.objects["Invoice"] if r["Id"] == invoice.id)
        items = [i for i in self.objects["InvoiceItem"] if i["InvoiceId"] == invoice.id]
        total_tax = Decimal(0)
        for item in items:
            item_tax = Decimal(0)
            for code, (jurisdiction, rate) in codes.items():
                amount = _money(Decimal(str(item["ChargeAmount"])) * rate, currency)
                self.objects["TaxationItem"].append(
                    {
                        "Id": self.new_id(),
                        "InvoiceItemId": item["Id"],
                        "Name": f"{code} {jurisdiction}",
                        "TaxCode": code,
                        "Jurisdiction": jurisdiction,
                        "TaxRate": _num(rate),
                        "TaxRateType": "Percentage",
                        "TaxAmount": _num(amount),
                        "TaxDate": record["InvoiceDate"],
                        "CreatedDate": item["CreatedDate"],
                        "UpdatedDate": item["UpdatedDate"],
                    }
                )
                item_tax += amount
            item["TaxAmount"] = _num(item_tax)
            item["TaxCode"] = next(iter(codes))
            total_tax += item_tax
        subtotal = Decimal(str(record["AmountWithoutTax"]))
        record.update(TaxAmount=_num(total_tax), Amount=_num(subtotal + total_tax), Balance=_num(subtotal + total_tax))
        invoice.amount = invoice.open = subtotal + total_tax

    def payment_method(self, account: dict[str, Any], kind: str) -> str:
        method_id = self.new_id()
        self.objects["PaymentMethod"].append(
            {
                "Id": method_id,
                "AccountId": account["Id"],
                "Type": kind,
                "PaymentMethodStatus": "Active",
                **({"CreditCardType": "Visa"} if kind == "CreditCard" else {}),
                **self.stamps(date(2025, 1, 2)),
            }
        )
        return method_id

    def dated_memo_items(self, memo_id: str, start: date) -> None:
        for item in self.objects["CreditMemoItem"]:
            if item.get("CreditMemoId") == memo_id:
                item["ServiceStartDate"] = start.isoformat()
                item["ServiceEndDate"] = (start + timedelta(days=29)).isoformat()


def add_books_cases(dataset: Dataset, invoices: int = 12) -> BooksCases:
    """All the books cases (an Invoice Settlement tenant); their ids."""
    cases = add_payment_cases(dataset)
    taxes = add_tax_and_discount_cases(dataset, invoices)
    after = add_after_sync_candidates(dataset, taxes.discount_invoices[:1])
    cases.taxed_invoices, cases.discount_invoices = taxes.taxed_invoices, taxes.discount_invoices
    cases.discount_charge_id, cases.rev_rec_template_charge_id = (
        taxes.discount_charge_id,
        taxes.rev_rec_template_charge_id,
    )
    cases.to_apply_later, cases.to_write_off = after.to_apply_later, after.to_write_off
    cases.to_reverse, cases.to_cancel = after.to_reverse, after.to_cancel
    return cases


def _done(b: _Books, dataset: Dataset) -> None:
    """Add the builder's records; a builder run twice on a data set (add_transactions adds the payment cases, and
    add_books_cases adds them all) builds the same ids, added once."""
    for object_type, records in b.objects.items():
        existing = {str(r.get("Id")) for r in dataset.zuora_objects.get(object_type, [])}
        new = [r for r in records if str(r.get("Id")) not in existing]
        if new:
            dataset.zuora_objects.setdefault(object_type, []).extend(new)
    settle_balances(dataset.zuora_objects)  # open balances as Zuora keeps them (sandbox/dataset_balances.py)


def add_tax_and_discount_cases(dataset: Dataset, invoices: int = 12) -> BooksCases:
    """Invoices taxed under two codes (and one under a code nobody maps: invalid), discount lines."""
    b = _Books(dataset, "taxes")
    cases = BooksCases()
    if not b.accounts or not b.charges:
        return cases
    rng = b.rng
    discount = {**b.charges[0], "Id": b.new_id(), "Name": "Loyalty Discount", "ChargeType": "Recurring",
                "ChargeModel": DISCOUNT_CHARGE_MODEL}  # fmt: skip
    ratable = {**b.charges[0], "Id": b.new_id(), "Name": REV_REC_TEMPLATE_CHARGE_NAME, "ChargeType": "Recurring"}
    for charge in (discount, ratable):
        for name in ("IntegrationId__NS", "IntegrationStatus__NS", "SyncDate__NS"):
            charge.pop(name, None)
        b.objects["ProductRatePlanCharge"].append(charge)
    cases.discount_charge_id = str(discount["Id"])
    cases.rev_rec_template_charge_id = str(ratable["Id"])
    for _ in range(2):  # invoices of the charge with a revenue recognition template (service dates on every item)
        account = rng.choice(b.accounts)
        invoice = b.invoice(account, lines=[(ratable, b.line_amount(account["Currency"]))], tax=False)
        cases.rev_rec_template_invoices.append(invoice.id)
    for _ in range(max(2, invoices // 3)):
        invoice = b.invoice(rng.choice(b.accounts), tax=False)
        b.tax(invoice, BOOKS_TAX_CODES)
        cases.taxed_invoices.append(invoice.id)
    for _ in range(2):
        account = rng.choice(b.accounts)
        regular = b.line_amount(account["Currency"])
        off = -_money(regular * Decimal("0.1"), account["Currency"])
        invoice = b.invoice(account, lines=[(b.charges[0], regular), (discount, off)], tax=False)
        items = [i for i in b.objects["InvoiceItem"] if i["InvoiceId"] == invoice.id]
        items[0]["ProcessingType"] = "Charge"
        items[1].update(ProcessingType="Discount", AppliedToInvoiceItemId=items[0]["Id"])
        cases.discount_invoices.append(invoice.id)
    unmapped = b.invoice(b.accounts[0], tax=False)
    b.tax(unmapped, {UNMAPPED_TAX_CODE: ("Nowhere", Decimal("0.1"))})
    b.invalid(unmapped.id, UNMAPPED_TAX_CODE)
    _done(b, dataset)
    return cases


def add_payment_cases(dataset: Dataset, *, unmatched_method: bool = False) -> BooksCases:
    """Payments by method, gateway and currency; unapplied cash; refunds of an unapplied part and of a credit memo.
    ``unmatched_method``: also a payment no deposit rule matches (invalid: for a configuration without a catch-all
    rule; BOOKS_PAYMENTS_CONFIG has one)."""
    b = _Books(dataset, "payments")
    cases = BooksCases()
    if not b.accounts or not b.charges:
        return cases
    by_currency: dict[str, dict[str, Any]] = {}
    for account in b.accounts:
        by_currency.setdefault(account["Currency"], account)
    for account in by_currency.values():
        for kind, gateway, payment_type in PAYMENT_METHODS:
            invoice = b.invoice(account, tax=False)
            method = b.payment_method(account, kind)
            fields: dict[str, Any] = {"PaymentMethodId": method, "Type": payment_type}
            if gateway:
                fields.update(Gateway=gateway, GatewayId=hashlib.md5(gateway.encode()).hexdigest())  # noqa: S324
            payment = b.payment(account, [(invoice.id, invoice.amount)], **fields)
            cases.payments_by_method.setdefault(kind, []).append(payment)
    account = b.accounts[0]
    currency = account["Currency"]
    card = {"PaymentMethodId": b.payment_method(account, "CreditCard"), "Gateway": "Stripe"}
    cases.unapplied_payments.append(b.payment(account, [], unapplied=_money(Decimal(40), currency), **card))
    paid = b.invoice(account, tax=False)
    overpaid = b.payment(account, [(paid.id, paid.amount)], unapplied=_money(Decimal(25), currency), **card)
    b.objects["Payment"][-1].update(RefundAmount=25, UnappliedAmount=0)
    cases.refunded_unapplied_parts.append(
        b.refund(account, overpaid, _money(Decimal(25), currency), MethodType="CreditCard")
    )
    memo = b.memo("CreditMemo", account, [(b.charges[0], _money(Decimal(60), currency))])
    b.dated_memo_items(memo, b.day())
    b.objects["CreditMemo"][-1]["Balance"] = 25
    refund = b.refund(account, None, _money(Decimal(35), currency), credit_memo_id=memo, MethodType="Check")
    cases.credit_memo_refunds.append(refund)
    if unmatched_method:
        target = b.invoice(account, tax=False)
        paypal = b.payment_method(account, "PayPal")
        payment = b.payment(account, [(target.id, target.amount)], PaymentMethodId=paypal, Gateway=UNMATCHED_GATEWAY)
        b.invalid(payment, "deposit rule")
    _done(b, dataset)
    return cases


def add_after_sync_candidates(dataset: Dataset, discount_invoices: list[str] | None = None) -> BooksCases:
    """Records the e2e test changes in Zuora after the first run (sandbox/zuora_mutations.py)."""
    b = _Books(dataset, "after-sync")
    cases = BooksCases()
    if not b.accounts or not b.charges:
        return cases
    account = b.accounts[0]
    card = {"PaymentMethodId": b.payment_method(account, "CreditCard"), "Gateway": "Stripe"}
    later = b.invoice(account, tax=False)
    cases.to_apply_later.append((b.payment(account, [], unapplied=later.amount, **card), later.id, later.amount))
    cases.to_write_off.append(b.invoice(account, tax=False).id)
    cases.to_reverse.append(b.invoice(account, tax=False).id)
    cases.to_reverse.extend(discount_invoices or [])
    cases.to_cancel.append(b.invoice(account, tax=False).id)
    _done(b, dataset)
    return cases

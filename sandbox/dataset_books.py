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

Nothing calls it yet: the data set gets these cases when the connector handles them (issue 13, phase B). The
configuration the cases expect is in ``BOOKS_TAX_CODES``, ``REV_REC_TEMPLATE`` and ``DEPOSIT_RULES``.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sandbox.dataset import Dataset
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
# What the books configuration is expected to say about them (phase B writes it into the sandbox's sync config).
DEPOSIT_RULES: tuple[dict[str, str | None], ...] = tuple(
    {"payment_method_type": kind, "gateway": gateway} for kind, gateway, _ in PAYMENT_METHODS
)
DISCOUNT_CHARGE_MODEL = "Discount-Percentage"


@dataclass
class BooksCases:
    """Ids of the books cases, for the e2e test and the configuration."""

    taxed_invoices: list[str] = field(default_factory=list)
    discount_invoices: list[str] = field(default_factory=list)
    discount_charge_id: str = ""
    rev_rec_template_charge_id: str = ""  # a charge the configuration gives a revenue recognition template
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

    def __init__(self, dataset: Dataset) -> None:
        super().__init__(dataset, invoice_settlement=True)
        self.rng = random.Random(f"books-{dataset.seed}")
        self.numbers = {prefix: 900_000 for prefix in ("INV", "P-", "R-", "CM", "DM")}
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
    """Add the books cases to the data set (an Invoice Settlement tenant) and return their ids."""
    b = _Books(dataset)
    cases = BooksCases()
    if not b.accounts or not b.charges:
        return cases
    rng = b.rng
    cases.rev_rec_template_charge_id = str(b.charges[0]["Id"])
    discount = {
        **b.charges[0],
        "Id": b.new_id(),
        "Name": "Loyalty Discount",
        "ChargeType": "Recurring",
        "ChargeModel": DISCOUNT_CHARGE_MODEL,
    }
    for name in ("IntegrationId__NS", "IntegrationStatus__NS", "SyncDate__NS"):
        discount.pop(name, None)
    b.objects["ProductRatePlanCharge"].append(discount)
    cases.discount_charge_id = str(discount["Id"])

    # Taxes under two codes; service dates are on every invoice item already.
    for _ in range(max(2, invoices // 3)):
        invoice = b.invoice(rng.choice(b.accounts), tax=False)
        b.tax(invoice, BOOKS_TAX_CODES)
        cases.taxed_invoices.append(invoice.id)
    # Discount lines
    for _ in range(2):
        account = rng.choice(b.accounts)
        regular = b.line_amount(account["Currency"])
        off = -_money(regular * Decimal("0.1"), account["Currency"])
        invoice = b.invoice(account, lines=[(b.charges[0], regular), (discount, off)], tax=False)
        items = [i for i in b.objects["InvoiceItem"] if i["InvoiceId"] == invoice.id]
        items[0]["ProcessingType"] = "Charge"
        items[1].update(ProcessingType="Discount", AppliedToInvoiceItemId=items[0]["Id"])
        cases.discount_invoices.append(invoice.id)
    # Payments by method, gateway and currency, each paying an invoice in full
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
            invoice.open = Decimal(0)
            cases.payments_by_method.setdefault(kind, []).append(payment)
    # Unapplied cash, refunds of unapplied parts and of a credit memo
    account = b.accounts[0]
    currency = account["Currency"]
    card = b.payment_method(account, "CreditCard")
    card_fields = {"PaymentMethodId": card, "Gateway": "Stripe"}
    cases.unapplied_payments.append(b.payment(account, [], unapplied=Decimal(40), **card_fields))
    paid = b.invoice(account, tax=False)
    overpaid = b.payment(account, [(paid.id, paid.amount)], unapplied=Decimal(25), **card_fields)
    b.objects["Payment"][-1]["RefundAmount"] = 25
    b.objects["Payment"][-1]["UnappliedAmount"] = 0
    cases.refunded_unapplied_parts.append(b.refund(account, overpaid, Decimal(25)))
    memo = b.memo("CreditMemo", account, [(b.charges[0], _money(Decimal(60), currency))], AppliedAmount=0)
    b.dated_memo_items(memo, b.day())
    memo_record = b.objects["CreditMemo"][-1]
    memo_record["Balance"] = _num(Decimal(str(memo_record["TotalAmount"])) - Decimal(35))
    cases.credit_memo_refunds.append(b.refund(account, None, Decimal(35), credit_memo_id=memo))
    # Candidates for the changes after the first run
    later = b.invoice(account, tax=False)
    applied_later = b.payment(account, [], unapplied=later.amount, **card_fields)
    cases.to_apply_later.append((applied_later, later.id, later.amount))
    cases.to_write_off.append(b.invoice(account, tax=False).id)
    cases.to_reverse.append(b.invoice(account, tax=False).id)
    cases.to_reverse.append(cases.discount_invoices[0])
    cases.to_cancel.append(b.invoice(account, tax=False).id)
    # Invalid: a tax code nobody mapped, a payment method no deposit rule matches
    unmapped = b.invoice(account, tax=False)
    b.tax(unmapped, {UNMAPPED_TAX_CODE: ("Nowhere", Decimal("0.1"))})
    b.invalid(unmapped.id, UNMAPPED_TAX_CODE)
    target = b.invoice(account, tax=False)
    paypal = b.payment_method(account, "PayPal")
    b.invalid(
        b.payment(account, [(target.id, target.amount)], PaymentMethodId=paypal, Gateway=UNMATCHED_GATEWAY),
        "deposit rule",
    )
    for object_type, records in b.objects.items():
        dataset.zuora_objects.setdefault(object_type, []).extend(records)
    return cases

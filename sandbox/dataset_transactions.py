"""Transactions for a generated data set: invoices (some negative), debit and credit memos, payments (partial,
across several invoices, over-payments) and refunds, in several currencies, plus invalid records of every kind.

``add_transactions(dataset, invoices=N, invoice_settlement=True)`` adds them to ``dataset.zuora_objects``
deterministically (same seed, same records) and fills in what a correct connector must do:

- ``dataset.expected_reasons``: transaction Id -> a text its failure reason contains (case-insensitive);
- ``dataset.expected_transactions_excluded``: transactions the dispatcher must not pick up (Draft, Canceled,
  already transferred, Ignore);
- ``dataset.closed_period_before``: NetSuite's accounting periods before this day are closed.

Every valid transaction's applied amounts fit the open balance whatever order the records sync in.

The tenant profile decides how applications are kept: with Invoice Settlement (the default) payments, credit memos
and refunds have parts (PaymentPart, CreditMemoPart, RefundPart: what GET /v1/{payments|credit-memos|refunds}/{key}/
parts answers); a legacy tenant (``invoice_settlement=False``) has InvoicePayment rows and no memos at all.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sandbox.dataset import DATASET_NOW, Dataset
from sandbox.dataset_balances import settle_balances
from sandbox.zoql import format_datetime

CLOSED_PERIOD_BEFORE = date(2025, 1, 1)
_UNIT_PRICES = [Decimal(p) for p in ("9.99", "15.75", "49", "99", "129.5", "199.99", "450", "1200", "0.35")]
_ZERO_DECIMAL_CURRENCIES = {"JPY"}


def _quantum(currency: str) -> Decimal:
    return Decimal(1) if currency in _ZERO_DECIMAL_CURRENCIES else Decimal("0.01")


def _money(value: Decimal, currency: str) -> Decimal:
    return value.quantize(_quantum(currency), rounding=ROUND_HALF_EVEN)


def _num(value: Decimal) -> float | int:
    """What the Zuora JSON carries (the simulator stores plain JSON numbers)."""
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class _Invoice:
    id: str
    account: dict[str, Any]
    amount: Decimal
    open: Decimal  # what is left for payments and credit memos
    charge: dict[str, Any]


class _Builder:
    def __init__(self, dataset: Dataset, invoice_settlement: bool = True) -> None:
        self.dataset = dataset
        self.invoice_settlement = invoice_settlement
        self.rng = random.Random(f"transactions-{dataset.seed}")
        self.objects: dict[str, list[dict[str, Any]]] = {
            name: []
            for name in (
                "Invoice", "InvoiceItem", "Payment", "InvoicePayment", "Refund", "CreditMemo", "CreditMemoItem",
                "DebitMemo", "DebitMemoItem", "PaymentPart", "CreditMemoPart", "RefundPart",
            )
        }  # fmt: skip
        self.numbers: dict[str, int] = {}
        synced_accounts = dataset.expected_synced("Account")
        self.accounts = [a for a in dataset.accounts if a["Id"] in synced_accounts and a["Status"] == "Active"]
        synced_charges = dataset.expected_synced("ProductRatePlanCharge") - dataset.expected_inactive
        self.charges = [c for c in dataset.charges if c["Id"] in synced_charges]
        self.bad_charges = [c for c in dataset.charges if c["Id"] in dataset.expected_invalid]
        self.bad_accounts = {
            fault: [a for a in dataset.accounts if dataset.expected_invalid.get(a["Id"]) == fault]
            for fault in ("Name", "Subsidiary__NS", "CustomerType__NS", "Currency")
        }

    # --- helpers ---------------------------------------------------------------------------------

    def new_id(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def number(self, prefix: str) -> str:
        self.numbers[prefix] = self.numbers.get(prefix, 0) + 1
        return f"{prefix}{self.numbers[prefix]:08d}"

    def day(self) -> date:
        return CLOSED_PERIOD_BEFORE + timedelta(
            days=self.rng.randint(0, (DATASET_NOW.date() - CLOSED_PERIOD_BEFORE).days - 1)
        )

    def stamps(self, on: date) -> dict[str, str]:
        created = datetime(on.year, on.month, on.day, 8, 0, tzinfo=UTC) + timedelta(minutes=self.rng.randint(0, 600))
        return {"CreatedDate": format_datetime(created), "UpdatedDate": format_datetime(created + timedelta(hours=1))}

    def pending_transfer(self) -> dict[str, str]:
        return {"TransferredToAccounting": "No"} if self.rng.random() < 0.5 else {}

    def line_amount(self, currency: str) -> Decimal:
        price = self.rng.choice(_UNIT_PRICES) * (100 if currency in _ZERO_DECIMAL_CURRENCIES else 1)
        return _money(price * self.rng.randint(1, 5), currency)

    # --- records ---------------------------------------------------------------------------------

    def invoice(
        self,
        account: dict[str, Any],
        *,
        lines: list[tuple[dict[str, Any], Decimal]] | None = None,
        sign: int = 1,
        tax: bool | None = None,
        on: date | None = None,
        amount_offset: Decimal = Decimal(0),
        **fields: Any,
    ) -> _Invoice:
        currency = account["Currency"]
        if lines is None:
            lines = [(self.rng.choice(self.charges), self.line_amount(currency)) for _ in range(self.rng.randint(1, 3))]
        lines = [(charge, sign * value) for charge, value in lines]
        subtotal = sum((value for _, value in lines), Decimal(0))
        with_tax = self.rng.random() < 0.4 if tax is None else tax
        tax_amount = _money(subtotal * Decimal("0.08"), currency) if with_tax else Decimal(0)
        total = subtotal + tax_amount + amount_offset
        on = on or self.day()
        invoice_id = self.new_id()
        record: dict[str, Any] = {
            "Id": invoice_id,
            "AccountId": account["Id"],
            "InvoiceNumber": self.number("INV"),
            "InvoiceDate": on.isoformat(),
            "DueDate": (on + timedelta(days=30)).isoformat(),
            "Status": "Posted",
            "Amount": _num(total),
            "AmountWithoutTax": _num(subtotal),
            "TaxAmount": _num(tax_amount),
            "Balance": _num(total),
            **self.pending_transfer(),
            **self.stamps(on),
        }
        record.update(fields)
        self.objects["Invoice"].append(record)
        for charge, value in lines:
            self.objects["InvoiceItem"].append(
                {
                    "Id": self.new_id(),
                    "InvoiceId": invoice_id,
                    "ProductRatePlanChargeId": charge["Id"],
                    "ChargeName": charge["Name"],
                    "Quantity": 1,
                    "ChargeAmount": _num(value),
                    "TaxAmount": _num(_money(value * Decimal("0.08"), currency)) if with_tax else 0,
                    "ServiceStartDate": on.isoformat(),
                    "ServiceEndDate": (on + timedelta(days=29)).isoformat(),
                    **self.stamps(on),
                }
            )
        return _Invoice(invoice_id, account, total, total, lines[0][0])

    def payment(
        self,
        account: dict[str, Any],
        applications: list[tuple[str, Decimal]],
        *,
        unapplied: Decimal = Decimal(0),
        **fields: Any,
    ) -> str:
        applied = sum((value for _, value in applications), Decimal(0))
        on = self.day()
        payment_id = self.new_id()
        record: dict[str, Any] = {
            "Id": payment_id,
            "AccountId": account["Id"],
            "PaymentNumber": self.number("P-"),
            "EffectiveDate": on.isoformat(),
            "Status": "Processed",
            "Type": "Electronic",
            "Amount": _num(applied + unapplied),
            "AppliedAmount": _num(applied),
            "UnappliedAmount": _num(unapplied),
            "RefundAmount": 0,
            **self.pending_transfer(),
            **self.stamps(on),
        }
        record.update(fields)
        self.objects["Payment"].append(record)
        for invoice_id, value in applications:
            self.objects["PaymentPart" if self.invoice_settlement else "InvoicePayment"].append(
                {
                    "Id": self.new_id(),
                    "InvoiceId": invoice_id,
                    "PaymentId": payment_id,
                    "Amount": _num(value),
                    **self.stamps(on),
                }
            )
        return payment_id

    def refund(
        self,
        account: dict[str, Any],
        payment_id: str | None,
        value: Decimal,
        *,
        credit_memo_id: str | None = None,
        **fields: Any,
    ) -> str:
        on = self.day()
        record: dict[str, Any] = {
            "Id": self.new_id(),
            "AccountId": account["Id"],
            "RefundNumber": self.number("R-"),
            "RefundDate": on.isoformat(),
            "Status": "Processed",
            "Type": "Electronic",
            "Amount": _num(value),
            **self.pending_transfer(),
            **self.stamps(on),
        }
        if payment_id:
            record["PaymentId"] = payment_id
        record.update(fields)
        self.objects["Refund"].append(record)
        if self.invoice_settlement and (payment_id or credit_memo_id):
            source = {"PaymentId": payment_id} if payment_id else {"CreditMemoId": credit_memo_id}
            part = {"Id": self.new_id(), "RefundId": record["Id"], **source, "Amount": _num(value), **self.stamps(on)}
            self.objects["RefundPart"].append(part)
        return str(record["Id"])

    def memo(
        self,
        kind: str,
        account: dict[str, Any],
        lines: list[tuple[dict[str, Any] | None, Decimal]],
        **fields: Any,
    ) -> str:
        on = self.day()
        memo_id = self.new_id()
        total = sum((value for _, value in lines), Decimal(0))
        record: dict[str, Any] = {
            "Id": memo_id,
            "AccountId": account["Id"],
            "MemoNumber": self.number("CM" if kind == "CreditMemo" else "DM"),
            "MemoDate": on.isoformat(),
            "Status": "Posted",
            "TotalAmount": _num(total),
            "TaxAmount": 0,
            "Balance": _num(total),
            **self.pending_transfer(),
            **self.stamps(on),
        }
        record.update(fields)
        self.objects[kind].append(record)
        if kind == "CreditMemo" and record.get("ReferredInvoiceId") and record.get("AppliedAmount"):
            self.objects["CreditMemoPart"].append(
                {
                    "Id": self.new_id(),
                    "CreditMemoId": memo_id,
                    "InvoiceId": record["ReferredInvoiceId"],
                    "Amount": record["AppliedAmount"],
                    **self.stamps(on),
                }
            )
        for charge, value in lines:
            item: dict[str, Any] = {
                "Id": self.new_id(),
                f"{kind}Id": memo_id,
                "ChargeName": charge["Name"] if charge else "Adjustment",
                "Quantity": 1,
                "Amount": _num(value),
                "TaxAmount": 0,
                **self.stamps(on),
            }
            if charge:
                item["ProductRatePlanChargeId"] = charge["Id"]
            self.objects[f"{kind}Item"].append(item)
        return memo_id

    def invalid(self, record_id: str, reason: str) -> None:
        self.dataset.expected_reasons[record_id] = reason


def add_transactions(dataset: Dataset, invoices: int = 120, *, invoice_settlement: bool = True) -> Dataset:
    """Add about `invoices` invoices and the payments, memos and refunds that go with them (about 2.2 records
    per invoice in all), plus one or more invalid records of every kind and some excluded ones. A legacy tenant
    (`invoice_settlement` False) gets no memos."""
    b = _Builder(dataset, invoice_settlement)
    memos = invoice_settlement
    if not b.accounts or not b.charges:
        return dataset
    rng = b.rng
    valid: list[_Invoice] = []
    for _ in range(invoices):
        account = rng.choice(b.accounts)
        if rng.random() < 0.06:
            b.invoice(account, sign=-1)  # a negative invoice: a NetSuite credit memo
        else:
            valid.append(b.invoice(account))

    # Credit memos applied to their invoice, then payments (full, partial, several invoices, over-payments).
    for inv in rng.sample(valid, k=max(1, len(valid) // 12) if memos else 0):
        credit = _money(inv.open * Decimal(rng.choice(("0.1", "0.25", "0.5"))), inv.account["Currency"])
        if credit > 0:
            inv.open -= credit
            b.memo(
                "CreditMemo", inv.account, [(inv.charge, credit)], ReferredInvoiceId=inv.id, AppliedAmount=_num(credit)
            )
    unpaid = [inv for inv in valid if rng.random() < 0.6]
    by_account: dict[str, list[_Invoice]] = {}
    for inv in unpaid:
        by_account.setdefault(inv.account["Id"], []).append(inv)
    over_paid: list[tuple[dict[str, Any], str, Decimal]] = []
    for group in by_account.values():
        while group:
            take = group[: rng.choice((1, 1, 1, 2, 3))]
            del group[: len(take)]
            currency = take[0].account["Currency"]
            applications = []
            for inv in take:
                share = Decimal(1) if rng.random() < 0.65 else Decimal(rng.choice(("0.3", "0.5", "0.9")))
                value = _money(inv.open * share, currency)
                if value > 0:
                    inv.open -= value
                    applications.append((inv.id, value))
            if not applications:
                continue
            extra = (
                _money(
                    Decimal(rng.choice(("10", "25", "100"))) * (100 if currency in _ZERO_DECIMAL_CURRENCIES else 1),
                    currency,
                )
                if rng.random() < 0.12
                else Decimal(0)
            )
            payment_id = b.payment(take[0].account, applications, unapplied=extra)
            if extra > 0:
                over_paid.append((take[0].account, payment_id, extra))
    for account, payment_id, extra in over_paid:
        if rng.random() < 0.7:
            b.refund(account, payment_id, extra if rng.random() < 0.5 else _money(extra / 2, account["Currency"]))
    for _ in range(max(1, invoices // 20) if memos else 0):
        account = rng.choice(b.accounts)
        lines = [(rng.choice(b.charges), b.line_amount(account["Currency"])) for _ in range(rng.randint(1, 2))]
        b.memo("DebitMemo", account, [(c, v) for c, v in lines])

    _invalid_records(b)
    _excluded_records(b)
    dataset.zuora_objects.update(b.objects)
    dataset.closed_period_before = CLOSED_PERIOD_BEFORE
    if invoice_settlement:
        # payment methods, unapplied cash, refunds of unapplied parts and of credit memos (issue 13)
        from sandbox.dataset_books import add_payment_cases

        add_payment_cases(dataset)
    # last: the open balances of everything added above, as Zuora keeps them (sandbox/dataset_balances.py)
    settle_balances(dataset.zuora_objects, invoice_settlement=invoice_settlement)
    return dataset


def _invalid_records(b: _Builder) -> None:
    """At least one invalid record of every kind, each tagged with what its reason must say."""
    rng = b.rng
    account = b.accounts[0]
    currency = account["Currency"]
    memos = b.invoice_settlement
    for fault in ("Name", "Subsidiary__NS", "CustomerType__NS"):  # the account itself fails: a dependency
        for bad in b.bad_accounts[fault][:1]:
            b.invalid(b.invoice(bad).id, "has no NetSuite customer")
            if memos:
                b.invalid(b.memo("DebitMemo", bad, [(b.charges[0], Decimal(100))]), "has no NetSuite customer")
    for bad in b.bad_accounts["Currency"][:1]:  # the invoice's own currency is unknown to NetSuite
        b.invalid(b.invoice(bad).id, "does not exist in NetSuite")
    bad_item_invoice = None
    if b.bad_charges:
        bad_item_invoice = b.invoice(account, lines=[(b.charges[0], Decimal(50)), (b.bad_charges[0], Decimal(70))])
        b.invalid(bad_item_invoice.id, "has no NetSuite item")
    mismatch = b.invoice(account, amount_offset=Decimal(5))
    b.invalid(mismatch.id, "add up to")
    if currency not in _ZERO_DECIMAL_CURRENCIES:
        b.invalid(b.invoice(account, lines=[(b.charges[0], Decimal("10.005"))], tax=False).id, "more decimals")
    closed = b.invoice(account, on=CLOSED_PERIOD_BEFORE - timedelta(days=rng.randint(5, 200)))
    b.invalid(closed.id, "is closed")
    if memos:
        no_charge = b.memo("DebitMemo", account, [(None, Decimal(40))])
        b.invalid(no_charge, "no product rate plan charge")

    # Payments: to an invoice that failed, more than the invoice's open balance, applied to nothing.
    if bad_item_invoice is not None:
        b.invalid(b.payment(account, [(bad_item_invoice.id, Decimal(50))]), "has no NetSuite invoice")
    target = b.invoice(account, tax=False)
    b.invalid(b.payment(account, [(target.id, target.amount + 10)]), "open balance")
    applied_to_nothing = b.payment(account, [])  # says it applied 25, but to nothing
    b.objects["Payment"][-1].update(AppliedAmount=25, Amount=25)
    b.invalid(applied_to_nothing, "AppliedAmount")
    # Refunds: of no payment, of a payment that failed.
    b.invalid(b.refund(account, None, Decimal(15)), "PaymentId")
    b.invalid(b.refund(account, applied_to_nothing, Decimal(5)), "has no NetSuite customer payment")
    if not memos:
        return
    # Credit memos: for an invoice that failed, more than the invoice's open balance.
    b.invalid(
        b.memo("CreditMemo", account, [(b.charges[0], Decimal(10))], ReferredInvoiceId=mismatch.id, AppliedAmount=10),
        "has no NetSuite invoice",
    )
    target = b.invoice(account, tax=False)
    over = target.amount + 20
    b.invalid(
        b.memo("CreditMemo", account, [(target.charge, over)], ReferredInvoiceId=target.id, AppliedAmount=_num(over)),
        "open balance",
    )


def _excluded_records(b: _Builder) -> None:
    account = b.accounts[-1]
    excluded = b.dataset.expected_transactions_excluded
    excluded.add(b.invoice(account, Status="Draft").id)
    excluded.add(b.invoice(account, Status="Canceled").id)
    excluded.add(b.invoice(account, TransferredToAccounting="Yes").id)
    excluded.add(b.invoice(account, TransferredToAccounting="Ignore").id)
    excluded.add(b.invoice(account, IntegrationStatus__NS="Ignore").id)
    unapplied = b.payment(account, [], unapplied=Decimal(30))  # synced (unapplied cash); its cancelled refund is not
    excluded.add(b.payment(account, [], unapplied=Decimal(12), Status="Canceled"))
    excluded.add(b.refund(account, unapplied, Decimal(10), Status="Canceled"))
    if b.invoice_settlement:
        excluded.add(b.memo("CreditMemo", account, [(b.charges[0], Decimal(10))], Status="Draft"))
        excluded.add(b.memo("DebitMemo", account, [(b.charges[0], Decimal(10))], TransferredToAccounting="Yes"))

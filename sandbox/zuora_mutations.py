"""Changes made in Zuora after a transaction synced (issue 13): payments applied and unapplied later, invoices written
off, reversed or cancelled, and the taxation items of memo items. Served by the Zuora simulator over HTTP
(``route``) and, for what only the UI does, as driver hooks (``cancel_invoice``; ``cancel_a_synced_invoice``, which
``make run`` uses after its cycles).

Pages (each behaviour is pinned by a contract test in ``tests/contract/zuora/``):

- ``PUT /v1/payments/{paymentKey}/apply`` / ``.../unapply`` (Invoice Settlement):
  https://developer.zuora.com/v1-api-reference/api/operation/PUT_ApplyPayment/ ,
  https://developer.zuora.com/api-references/api/operation/PUT_UnapplyPayment ; body ``{"invoices": [{"invoiceId",
  "amount"}], "debitMemos": [{"debitMemoId", "amount"}], "effectiveDate"}``. "The sum of the applied amount and
  unapplied amount equals the payment amount"; "Zuora uses the same payment elements to track all the operations
  on a payment" (https://docs.zuora.com/en/zuora-payments/process-payments/manage-unapplied-payments/overview-of-unapplied-payments).
- ``PUT /v1/invoices/{invoiceKey}/write-off``: "a credit memo is created and applied to the invoice. The generated
  credit memo items and credit memo taxation items are applied to invoice items and invoice taxation items ... the
  balance of each invoice item and invoice taxation item must be zero"
  (https://developer.zuora.com/v1-api-reference/api/operation/PUT_WriteOffInvoice ,
  https://docs.zuora.com/zuora-billing/bill-your-customer/invoice-management/write-off-invoices).
- ``PUT /v1/invoices/{invoiceKey}/reverse``: refused when "Payments and credit memos are applied to the invoice",
  "The invoice is not in Posted status", "The total amount of the invoice is less than 0"
  (https://developer.zuora.com/api-references/api/operation/PUT_ReverseInvoice); an invoice with a discount
  charge gives "both a credit memo for the invoice and a debit memo for the discount charge"
  (https://docs.zuora.com/en/zuora-billing/bill-your-customer/invoice-management/invoice-reversal/invoice-reversal-use-cases/use-case-reversing-an-invoice-with-discount-charges).
- Cancel (UI): a posted invoice is unposted to Draft first - only with "no payments or adjustments, no non-cancelled
  memos created from it, and no applied credit memos"
  (https://docs.zuora.com/zuora-platform/data-management/data-loader/data-dictionary-for-data-loader/update/invoices/unpost-invoice-update-fields)
  - then cancelled (``Status = Canceled``).
- ``GET /v1/credit-memos/{creditMemoId}/items/{cmitemid}/taxation-items``
  (https://developer.zuora.com/v1-api-reference/api/credit-memos/get_taxationitemsofcreditmemoitem.md) and the debit
  memo analogue (assumed symmetric).

Where the pages are silent (docs/contract-tests.md lists each): every operation moves ``UpdatedDate`` of what it
changes (payment, invoice, memo, part) and leaves ``TransferredToAccounting`` as it was; a reversal's credit memo is
applied in full (to the invoice, and to the discount debit memo); a cancelled invoice's ``Balance`` is 0; a
``TransferredToAccounting = Yes`` invoice may still be cancelled, written off or reversed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sandbox.zoql import format_datetime
from sandbox.zuora_settlement import FEATURE_OFF_CODE, INVALID_CODE, NOT_FOUND_CODE, feature_off_message, v1_datetime

if TYPE_CHECKING:
    from sandbox.zuora_simulator import ZuoraSimulator

Answer = tuple[int, dict[str, Any]]
ZERO = Decimal(0)
CENT = Decimal("0.01")
WRITE_OFF_REASON_CODE = "Write-off"  # the reason code Zuora's write-off memos carry
REVERSAL_REASON_CODE = "Credit memo reversal"
# The taxation items of memo items are kept in these objects (Zuora's data model names them so); never served by
# Actions, only by the memo item's taxation-items resource.
MEMO_TAXATION_OBJECTS = {"CreditMemo": "CreditTaxationItem", "DebitMemo": "DebitTaxationItem"}
_MEMO_RESOURCES = {"credit-memos": "CreditMemo", "debit-memos": "DebitMemo"}


def _reasons(status: int, code: int, message: str) -> Answer:
    return status, {"success": False, "reasons": [{"code": code, "message": message}]}


def _dec(value: Any) -> Decimal:
    return Decimal(str(value if value is not None else 0))


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class _Changes:
    """What one operation changed, to bump UpdatedDate on and to notify about once the lock is released."""

    ids: dict[str, list[str]] = field(default_factory=dict)

    def add(self, object_type: str, object_id: str) -> None:
        self.ids.setdefault(object_type, [])
        if object_id not in self.ids[object_type]:
            self.ids[object_type].append(object_id)


class _Ops:
    """The operations, over the simulator's store. The caller holds the simulator's lock."""

    def __init__(self, sim: ZuoraSimulator) -> None:
        self.sim = sim
        self.store: dict[str, dict[str, dict[str, Any]]] = sim._store
        self.now = format_datetime(sim._clock())
        self.today = sim._clock().date().isoformat()
        self.changes = _Changes()

    # -------------------------------------------------------------- helpers

    def find(self, object_type: str, key: str, number_field: str) -> dict[str, Any] | None:
        records = self.store.get(object_type, {})
        if key in records:
            return records[key]
        return next((r for r in records.values() if r.get(number_field) == key), None)

    def touch(self, object_type: str, record: dict[str, Any]) -> None:
        record["UpdatedDate"] = self.now
        record["UpdatedById"] = "2c92c0f86a8dd422016a9e7a70116b0d"
        self.changes.add(object_type, str(record["Id"]))

    def create(self, object_type: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        record = {"Id": self.sim.new_id(), "CreatedDate": self.now, "UpdatedDate": self.now, **fields}
        unknown = [name for name in record if name not in self.sim._schema[object_type]]
        if unknown:
            raise ValueError(f"unknown fields {object_type}.{unknown}")
        self.store[object_type][record["Id"]] = record
        self.changes.add(object_type, str(record["Id"]))
        return record

    def parts_to(self, target_field: str, target_id: str) -> list[tuple[str, dict[str, Any]]]:
        """Every application (payment part, credit memo part) whose target is this invoice / debit memo."""
        return [
            (part_type, part)
            for part_type in ("PaymentPart", "CreditMemoPart")
            for part in self.store.get(part_type, {}).values()
            if part.get(target_field) == target_id and _dec(part.get("Amount")) != ZERO
        ]

    def memo_number(self, prefix: str, object_type: str) -> str:
        used = {r.get("MemoNumber") for r in self.store[object_type].values()}
        n = len(used) + 1
        while f"{prefix}{n:08d}" in used:
            n += 1
        return f"{prefix}{n:08d}"

    # -------------------------------------------------------------- payments

    def payment_body(self, payment: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": payment["Id"],
            "number": payment.get("PaymentNumber"),
            "accountId": payment.get("AccountId"),
            "amount": payment.get("Amount"),
            "appliedAmount": payment.get("AppliedAmount"),
            "unappliedAmount": payment.get("UnappliedAmount"),
            "refundAmount": payment.get("RefundAmount") or 0,
            "status": payment.get("Status"),
            "type": payment.get("Type"),
            "effectiveDate": payment.get("EffectiveDate"),
            "paymentMethodId": payment.get("PaymentMethodId"),
            "gatewayId": payment.get("GatewayId"),
            "updatedDate": v1_datetime(payment.get("UpdatedDate")),
            "success": True,
        }

    def apply_payment(self, key: str, body: Mapping[str, Any], *, unapply: bool) -> Answer:
        payment = self.find("Payment", key, "PaymentNumber")
        if payment is None:
            return _reasons(404, NOT_FOUND_CODE, f"Cannot find entity by key: '{key}'.")
        if payment.get("Status") != "Processed":
            return _reasons(400, INVALID_CODE, f"Only a processed payment can be applied or unapplied ({key}).")
        requests: list[tuple[str, str, str, Decimal]] = []  # (target type, part field, target id, amount)
        for list_name, target_type, id_field, number_field in (
            ("invoices", "Invoice", "invoiceId", "InvoiceNumber"),
            ("debitMemos", "DebitMemo", "debitMemoId", "MemoNumber"),
        ):
            entries = body.get(list_name) or []
            if not isinstance(entries, list):
                return _reasons(400, INVALID_CODE, f"'{list_name}' must be an array.")
            for entry in entries:
                if not isinstance(entry, Mapping):
                    return _reasons(400, INVALID_CODE, f"Each entry of '{list_name}' must be an object.")
                target_key = entry.get(id_field) or entry.get(id_field.replace("Id", "Number"))
                amount = entry.get("amount")
                if not isinstance(target_key, str) or isinstance(amount, bool) or not isinstance(amount, int | float):
                    return _reasons(400, INVALID_CODE, f"Each entry of '{list_name}' needs {id_field} and amount.")
                target = self.find(target_type, target_key, number_field)
                if target is None:
                    return _reasons(404, NOT_FOUND_CODE, f"Cannot find entity by key: '{target_key}'.")
                if target.get("AccountId") != payment.get("AccountId"):
                    return _reasons(400, INVALID_CODE, f"{target_key} does not belong to the payment's account.")
                if _dec(amount) <= ZERO:
                    return _reasons(400, INVALID_CODE, "The amount must be greater than 0.")
                requests.append((target_type, f"{target_type}Id", str(target["Id"]), _dec(amount)))
        if not requests:
            return _reasons(400, INVALID_CODE, "Specify the invoices or debit memos to apply the payment to.")
        parts = self.store["PaymentPart"]

        def part_of(part_field: str, target_id: str) -> dict[str, Any] | None:
            return next(
                (p for p in parts.values() if p.get("PaymentId") == payment["Id"] and p.get(part_field) == target_id),
                None,
            )

        applied = sum((_dec(p.get("Amount")) for p in parts.values() if p.get("PaymentId") == payment["Id"]), ZERO)
        unapplied = _dec(payment.get("Amount")) - applied - _dec(payment.get("RefundAmount"))
        total = sum((amount for *_, amount in requests), ZERO)
        if not unapply and total > unapplied:
            return _reasons(
                400,
                INVALID_CODE,
                f"The amount to apply ({total}) is more than the payment's unapplied amount ({unapplied}).",
            )
        for target_type, part_field, target_id, amount in requests:
            target = self.store[target_type][target_id]
            if unapply:
                part = part_of(part_field, target_id)
                if part is None or _dec(part.get("Amount")) < amount:
                    return _reasons(
                        400, INVALID_CODE, f"The amount to unapply ({amount}) is more than the payment applied to it."
                    )
            else:
                if target.get("Status") != "Posted":
                    return _reasons(400, INVALID_CODE, f"Only posted documents can be paid ({target_id}).")
                if amount > _dec(target.get("Balance")):
                    return _reasons(
                        400, INVALID_CODE, f"The amount ({amount}) is more than the balance ({target.get('Balance')})."
                    )
        # all checked: commit
        sign = -1 if unapply else 1
        for target_type, part_field, target_id, amount in requests:
            target = self.store[target_type][target_id]
            target["Balance"] = _num(_dec(target.get("Balance")) - sign * amount)
            self.touch(target_type, target)
            part = part_of(part_field, target_id)
            if part is None:
                part = self.create("PaymentPart", {"PaymentId": payment["Id"], part_field: target_id, "Amount": 0})
            left = _dec(part.get("Amount")) + sign * amount
            if left == ZERO:
                del parts[part["Id"]]
            else:
                part["Amount"] = _num(left)
                self.touch("PaymentPart", part)
        applied += sign * total
        payment["AppliedAmount"] = _num(applied)
        payment["UnappliedAmount"] = _num(_dec(payment.get("Amount")) - applied - _dec(payment.get("RefundAmount")))
        self.touch("Payment", payment)
        return 200, self.payment_body(payment)

    # -------------------------------------------------------------- invoices

    def invoice_items(self, invoice_id: str) -> list[dict[str, Any]]:
        return sorted(
            (i for i in self.store["InvoiceItem"].values() if i.get("InvoiceId") == invoice_id),
            key=lambda i: str(i["Id"]),
        )

    def taxation_items(self, item_id: str) -> list[dict[str, Any]]:
        return sorted(
            (t for t in self.store["TaxationItem"].values() if t.get("InvoiceItemId") == item_id),
            key=lambda t: str(t["Id"]),
        )

    def memo_from_items(
        self,
        memo_type: str,
        invoice: Mapping[str, Any],
        items: Iterable[Mapping[str, Any]],
        *,
        factor: Decimal,
        negate: bool,
        reason_code: str,
        memo_date: str,
    ) -> tuple[dict[str, Any], Decimal]:
        """A posted memo mirroring invoice items (each amount times ``factor``, negated for discount lines), with
        their taxation items; returns (memo, its total)."""
        memo = self.create(
            memo_type,
            {
                "AccountId": invoice.get("AccountId"),
                "MemoNumber": self.memo_number("CM" if memo_type == "CreditMemo" else "DM", memo_type),
                "MemoDate": memo_date,
                "Status": "Posted",
                "TotalAmount": 0,
                "TaxAmount": 0,
                "Balance": 0,
                "ReasonCode": reason_code,
                "TransferredToAccounting": "No",
                **({"ReferredInvoiceId": invoice["Id"]} if memo_type == "CreditMemo" else {}),
            },
        )
        sign = Decimal(-1) if negate else Decimal(1)
        total_charge = total_tax = ZERO
        for item in items:
            charge = (sign * _dec(item.get("ChargeAmount")) * factor).quantize(CENT, ROUND_HALF_UP)
            memo_item = self.create(
                f"{memo_type}Item",
                {
                    f"{memo_type}Id": memo["Id"],
                    "ProductRatePlanChargeId": item.get("ProductRatePlanChargeId"),
                    "ChargeName": item.get("ChargeName"),
                    "Quantity": item.get("Quantity"),
                    "Amount": _num(charge),
                    "TaxAmount": 0,
                    "ServiceStartDate": item.get("ServiceStartDate"),
                    "ServiceEndDate": item.get("ServiceEndDate"),
                },
            )
            item_tax = ZERO
            taxation = self.taxation_items(str(item["Id"]))
            for tax in taxation:
                amount = (sign * _dec(tax.get("TaxAmount")) * factor).quantize(CENT, ROUND_HALF_UP)
                self.create(
                    MEMO_TAXATION_OBJECTS[memo_type],
                    {
                        f"{memo_type}ItemId": memo_item["Id"],
                        f"{memo_type}Id": memo["Id"],
                        **{
                            name: tax.get(name)
                            for name in ("Name", "TaxCode", "TaxCodeDescription", "Jurisdiction", "TaxRate",
                                         "TaxRateType", "TaxDate", "LocationCode", "AccountingCode")
                            if tax.get(name) is not None
                        },
                        "TaxAmount": _num(amount),
                        "SourceTaxItemId": tax["Id"],
                    },
                )  # fmt: skip
                item_tax += amount
            if not taxation:
                item_tax = (sign * _dec(item.get("TaxAmount")) * factor).quantize(CENT, ROUND_HALF_UP)
            memo_item["TaxAmount"] = _num(item_tax)
            total_charge += charge
            total_tax += item_tax
        total = total_charge + total_tax
        memo["TotalAmount"] = _num(total)
        memo["TaxAmount"] = _num(total_tax)
        return memo, total

    def apply_credit_memo(
        self, memo: dict[str, Any], target_field: str, target: dict[str, Any], amount: Decimal
    ) -> None:
        self.create("CreditMemoPart", {"CreditMemoId": memo["Id"], target_field: target["Id"], "Amount": _num(amount)})
        memo["AppliedAmount"] = _num(_dec(memo.get("AppliedAmount")) + amount)
        memo["Balance"] = _num(_dec(memo.get("TotalAmount")) - _dec(memo.get("AppliedAmount")))
        target["Balance"] = _num(_dec(target.get("Balance")) - amount)
        self.touch("Invoice" if target_field == "InvoiceId" else "DebitMemo", target)

    def write_off(self, key: str, body: Mapping[str, Any]) -> Answer:
        invoice = self.find("Invoice", key, "InvoiceNumber")
        if invoice is None:
            return _reasons(404, NOT_FOUND_CODE, f"Cannot find entity by key: '{key}'.")
        balance = _dec(invoice.get("Balance"))
        if invoice.get("Status") != "Posted" or balance <= ZERO:
            return _reasons(400, INVALID_CODE, f"Only a posted invoice with a balance can be written off ({key}).")
        amount = _dec(invoice.get("Amount"))
        factor = balance / amount if amount else Decimal(1)
        memo, total = self.memo_from_items(
            "CreditMemo",
            invoice,
            self.invoice_items(str(invoice["Id"])),
            factor=factor,
            negate=False,
            reason_code=str(body.get("reasonCode") or WRITE_OFF_REASON_CODE),
            memo_date=str(body.get("memoDate") or self.today),
        )
        _settle_rounding(self.store, memo, total, balance)
        self.apply_credit_memo(memo, "InvoiceId", invoice, balance)
        return 200, {"creditMemo": {"id": memo["Id"]}, "success": True}

    def reverse(self, key: str, body: Mapping[str, Any]) -> Answer:
        invoice = self.find("Invoice", key, "InvoiceNumber")
        if invoice is None:
            return _reasons(404, NOT_FOUND_CODE, f"Cannot find entity by key: '{key}'.")
        if invoice.get("Status") != "Posted":
            return _reasons(400, INVALID_CODE, f"Only a posted invoice can be reversed ({key}).")
        amount = _dec(invoice.get("Amount"))
        if amount < ZERO:
            return _reasons(400, INVALID_CODE, f"A negative invoice cannot be reversed ({key}).")
        if self.parts_to("InvoiceId", str(invoice["Id"])) or _dec(invoice.get("Balance")) != amount:
            return _reasons(
                400,
                INVALID_CODE,
                f"Payments or credit memos are applied to the invoice; it cannot be reversed ({key}).",
            )
        items = self.invoice_items(str(invoice["Id"]))
        regular = [i for i in items if _dec(i.get("ChargeAmount")) >= ZERO]
        discounts = [i for i in items if _dec(i.get("ChargeAmount")) < ZERO]
        memo_date = str(body.get("memoDate") or self.today)
        credit_memo, credit_total = self.memo_from_items(
            "CreditMemo", invoice, regular, factor=Decimal(1), negate=False,
            reason_code=str(body.get("reasonCode") or REVERSAL_REASON_CODE), memo_date=memo_date,
        )  # fmt: skip
        answer: dict[str, Any] = {"creditMemo": {"id": credit_memo["Id"]}, "success": True}
        debit_total = ZERO
        if discounts:
            debit_memo, debit_total = self.memo_from_items(
                "DebitMemo", invoice, discounts, factor=Decimal(1), negate=True,
                reason_code=REVERSAL_REASON_CODE, memo_date=memo_date,
            )  # fmt: skip
            debit_memo["Balance"] = _num(debit_total)
            answer["debitMemo"] = {"id": debit_memo["Id"]}
        _settle_rounding(self.store, credit_memo, credit_total, amount + debit_total)
        self.apply_credit_memo(credit_memo, "InvoiceId", invoice, amount)
        if discounts:
            self.apply_credit_memo(credit_memo, "DebitMemoId", debit_memo, debit_total)
        return 200, answer

    def cancel(self, invoice_id: str) -> None:
        invoice = self.store["Invoice"].get(invoice_id)
        if invoice is None:
            raise KeyError(f"no Invoice with Id {invoice_id}")
        if invoice.get("Status") not in ("Posted", "Draft"):
            raise ValueError(f"invoice {invoice_id} is {invoice.get('Status')}: only Posted or Draft can be cancelled")
        applied = self.parts_to("InvoiceId", invoice_id)
        memos = [m for m in self.store["CreditMemo"].values() if m.get("ReferredInvoiceId") == invoice_id]
        if applied or memos or _dec(invoice.get("Balance")) != _dec(invoice.get("Amount")):
            raise ValueError(
                f"invoice {invoice_id} has payments, adjustments or memos: Zuora cannot unpost nor cancel it"
            )
        invoice["Status"] = "Canceled"
        invoice["Balance"] = 0
        self.touch("Invoice", invoice)

    # -------------------------------------------------------------- memo item taxation items

    def memo_item_taxation(self, memo_type: str, memo_key: str, item_id: str) -> Answer:
        memo = self.find(memo_type, memo_key, "MemoNumber")
        if memo is None:
            return _reasons(404, NOT_FOUND_CODE, f"Cannot find entity by key: '{memo_key}'.")
        item = self.store[f"{memo_type}Item"].get(item_id)
        if item is None or item.get(f"{memo_type}Id") != memo["Id"]:
            return _reasons(404, NOT_FOUND_CODE, f"Cannot find entity by key: '{item_id}'.")
        rows = sorted(
            (
                t
                for t in self.store[MEMO_TAXATION_OBJECTS[memo_type]].values()
                if t.get(f"{memo_type}ItemId") == item_id
            ),
            key=lambda t: str(t["Id"]),
        )
        data = [
            {
                "id": t["Id"],
                "name": t.get("Name"),
                "taxAmount": t.get("TaxAmount"),
                "taxCode": t.get("TaxCode"),
                "taxCodeDescription": t.get("TaxCodeDescription"),
                "taxDate": t.get("TaxDate"),
                "taxRate": t.get("TaxRate"),
                "taxRateType": t.get("TaxRateType"),
                "jurisdiction": t.get("Jurisdiction"),
                "locationCode": t.get("LocationCode"),
                "exemptAmount": t.get("ExemptAmount"),
                "sourceTaxItemId": t.get("SourceTaxItemId"),
                "financeInformation": {"salesTaxPayableAccountingCode": t.get("AccountingCode")},
            }
            for t in rows
        ]
        return 200, {"data": data, "success": True}


def _settle_rounding(
    store: Mapping[str, Mapping[str, dict[str, Any]]], memo: dict[str, Any], total: Decimal, want: Decimal
) -> None:
    """Put a rounding difference of a pro-rated memo on its last item, so the memo's total is exactly ``want``."""
    difference = want - total
    if difference == ZERO:
        return
    items = [i for i in store["CreditMemoItem"].values() if i.get("CreditMemoId") == memo["Id"]]
    if items:
        last = max(items, key=lambda i: str(i["Id"]))
        last["Amount"] = _num(_dec(last.get("Amount")) + difference)
    memo["TotalAmount"] = _num(want)


# ------------------------------------------------------------------ entry points


def route(sim: ZuoraSimulator, method: str, path: str, body: Mapping[str, Any]) -> Answer | None:
    """The answer to one of these resources, or None for other paths. Authentication is the caller's."""
    segments = [s for s in path.strip("/").split("/") if s]
    lowered = [s.lower() for s in segments]
    if len(segments) < 4 or lowered[0] != "v1":
        return None
    kind = None
    if method == "PUT" and len(segments) == 4 and lowered[1] == "payments" and lowered[3] in ("apply", "unapply"):
        kind = "payment"
    elif method == "PUT" and len(segments) == 4 and lowered[1] == "invoices" and lowered[3] in ("write-off", "reverse"):
        kind = "invoice"
    elif (
        method == "GET" and len(segments) == 6 and lowered[1] in _MEMO_RESOURCES and lowered[3] == "items"
        and lowered[5] == "taxation-items"
    ):  # fmt: skip
        kind = "taxation"
    if kind is None:
        return None
    if not sim.invoice_settlement:
        return _reasons(400, FEATURE_OFF_CODE, feature_off_message())
    with sim._lock:
        ops = _Ops(sim)
        if kind == "payment":
            answer = ops.apply_payment(segments[2], body, unapply=lowered[3] == "unapply")
        elif kind == "invoice" and lowered[3] == "write-off":
            answer = ops.write_off(segments[2], body)
        elif kind == "invoice":
            answer = ops.reverse(segments[2], body)
        else:
            answer = ops.memo_item_taxation(_MEMO_RESOURCES[lowered[1]], segments[2], segments[4])
    _notify(sim, ops.changes)
    return answer


def cancel_invoice(sim: ZuoraSimulator, invoice_id: str) -> None:
    """A user cancels an invoice in the UI (unpost to Draft, then cancel): ``Status = Canceled``, ``Balance`` 0,
    ``UpdatedDate`` now, ``TransferredToAccounting`` untouched. Raises ValueError when Zuora would refuse to unpost
    it (payments, credit memos or adjustments on it)."""
    with sim._lock:
        ops = _Ops(sim)
        ops.cancel(invoice_id)
    _notify(sim, ops.changes)


def cancel_a_synced_invoice(sim: ZuoraSimulator) -> str | None:
    """What ``make run`` does after its cycles: a user cancels, in the UI, the first invoice (by Id) that synced
    (``IntegrationId__NS``, Sync Complete), is Posted, of a positive amount, and that Zuora lets be cancelled
    (nothing applied to it). Returns its Id, or None when no invoice qualifies."""
    for invoice in sorted(sim.all("Invoice"), key=lambda record: str(record["Id"])):
        synced = invoice.get("IntegrationId__NS") and invoice.get("IntegrationStatus__NS") == "Sync Complete"
        if not synced or invoice.get("Status") != "Posted" or _dec(invoice.get("Amount")) <= ZERO:
            continue
        try:
            cancel_invoice(sim, str(invoice["Id"]))
        except ValueError:
            continue  # payments or memos on it: Zuora would not unpost it
        return str(invoice["Id"])
    return None


def _notify(sim: ZuoraSimulator, changes: _Changes) -> None:
    """Callout notifications for the changed objects that have events (not the parts and taxation items)."""
    for object_type, ids in changes.ids.items():
        if object_type in ("Invoice", "Payment", "CreditMemo", "DebitMemo"):
            sim._notify_changes(object_type, ids)

"""Payments applied after they were created (issue 13): an unapplied payment applied to an invoice later, and unapplied
again, on the same payment record - what the connector must notice and carry to NetSuite."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.contract.zuora.books_data import open_payment_and_invoice
from tests.contract.zuora.conftest import ZuoraTarget
from tests.contract.zuora.settlement_data import rest
from zuora_netsuite.adapters.zuora.client import ZuoraClient

AMOUNT = Decimal("1.00")


def _payment(zuora: ZuoraClient, payment_id: str) -> dict[str, Any]:
    zoql = f"select Id, Amount, AppliedAmount, UnappliedAmount, UpdatedDate from Payment where Id = '{payment_id}'"  # noqa: S608
    (row,) = list(zuora.query(zoql))
    return row


def _balance(zuora: ZuoraClient, invoice_id: str) -> Decimal:
    (row,) = list(zuora.query(f"select Id, Balance from Invoice where Id = '{invoice_id}'"))  # noqa: S608
    return Decimal(str(row["Balance"]))


def test_given_an_unapplied_payment_when_applied_to_an_invoice_and_unapplied_then_the_same_payment_tracks_both(
    zuora_target: ZuoraTarget, zuora: ZuoraClient
) -> None:
    """PUT /v1/payments/{paymentKey}/apply (https://developer.zuora.com/v1-api-reference/api/operation/PUT_ApplyPayment/)
    with `invoices: [{invoiceId, amount}]`, and PUT .../unapply
    (https://developer.zuora.com/api-references/api/operation/PUT_UnapplyPayment); "Overview of Unapplied Payments"
    (https://docs.zuora.com/en/zuora-payments/process-payments/manage-unapplied-payments/overview-of-unapplied-payments):
    "The sum of the applied amount and unapplied amount equals the payment amount" and the same payment record tracks
    every operation. No page says the payment's `UpdatedDate` moves: the simulator moves it (the connector finds
    later applications by UpdatedDate) - a real tenant run settles it. The test puts everything back."""
    # Given a payment with an unapplied amount and an open invoice of the same account
    pair = open_payment_and_invoice(zuora_target, zuora)
    before, balance_before = _payment(zuora, pair.payment_id), _balance(zuora, pair.invoice_id)
    # When 1.00 of the payment is applied to the invoice
    applied = rest(
        zuora_target,
        "PUT",
        f"/v1/payments/{pair.payment_id}/apply",
        json={"invoices": [{"invoiceId": pair.invoice_id, "amount": float(AMOUNT)}]},
    )
    assert applied.status_code == 200, applied.text
    assert applied.json()["success"] is True
    # Then the same payment shows it applied, the invoice's balance dropped and the payment's parts name the invoice
    after = _payment(zuora, pair.payment_id)
    assert Decimal(str(after["AppliedAmount"])) == Decimal(str(before["AppliedAmount"])) + AMOUNT
    assert Decimal(str(after["UnappliedAmount"])) == Decimal(str(before["UnappliedAmount"])) - AMOUNT
    assert after["UpdatedDate"] > before["UpdatedDate"]
    assert _balance(zuora, pair.invoice_id) == balance_before - AMOUNT
    parts = list(zuora.rest_get_pages(f"/v1/payments/{pair.payment_id}/parts", "parts"))
    assert any(part.get("invoiceId") == pair.invoice_id for part in parts)
    # When it is unapplied again, then everything is as before
    unapplied = rest(
        zuora_target,
        "PUT",
        f"/v1/payments/{pair.payment_id}/unapply",
        json={"invoices": [{"invoiceId": pair.invoice_id, "amount": float(AMOUNT)}]},
    )
    assert unapplied.status_code == 200, unapplied.text
    restored = _payment(zuora, pair.payment_id)
    assert Decimal(str(restored["UnappliedAmount"])) == Decimal(str(before["UnappliedAmount"]))
    assert _balance(zuora, pair.invoice_id) == balance_before


def test_given_an_unapplied_payment_when_more_than_its_unapplied_amount_is_applied_then_zuora_refuses_it(
    zuora_target: ZuoraTarget, zuora: ZuoraClient
) -> None:
    """PUT /v1/payments/{paymentKey}/apply (page above) and the unapplied-payments overview: "The unapplied amount
    cannot be negative". An application above it is refused (`success: false`) and nothing changes."""
    pair = open_payment_and_invoice(zuora_target, zuora)
    before, balance_before = _payment(zuora, pair.payment_id), _balance(zuora, pair.invoice_id)
    too_much = Decimal(str(before["UnappliedAmount"])) + Decimal("1000")
    response = rest(
        zuora_target,
        "PUT",
        f"/v1/payments/{pair.payment_id}/apply",
        json={"invoices": [{"invoiceId": pair.invoice_id, "amount": float(too_much)}]},
    )
    assert response.json().get("success") is False
    assert _payment(zuora, pair.payment_id)["UnappliedAmount"] == before["UnappliedAmount"]
    assert _balance(zuora, pair.invoice_id) == balance_before

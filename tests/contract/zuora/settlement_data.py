"""The Invoice Settlement records the contract tests read: one of each on the designated test account.

On a real tenant (Invoice Settlement enabled) the account must already have a posted credit memo with at least two
items and part of it applied to an invoice, a posted debit memo, a payment applied to an invoice and a refund of a
payment (docs/contract-tests.md); they are found with Object Query. In the simulator the fixture's account has none,
so they are created once through `zuora_target.simulator` (what a real account would already have).
"""

from __future__ import annotations

from dataclasses import dataclass

import requests

from tests.contract.zuora.conftest import ZuoraTarget
from zuora_netsuite.adapters.zuora.client import ZuoraClient

STAMP = {"CreatedDate": "2026-11-02T09:00:00.000+00:00", "UpdatedDate": "2026-11-02T09:30:00.000+00:00"}


@dataclass(frozen=True)
class SettlementRecords:
    account_id: str
    invoice_id: str
    credit_memo_id: str
    credit_memo_number: str
    debit_memo_id: str
    payment_id: str
    refund_id: str


_created: dict[str, SettlementRecords] = {}


def settlement_records(target: ZuoraTarget, zuora: ZuoraClient) -> SettlementRecords:
    if target.simulator is not None:
        return _created.setdefault(target.base_url, _create_in_simulator(target))
    account = f"accountid.EQ:{target.test_account_id}"

    def first(resource: str, *filters: str) -> dict[str, object]:
        rows = zuora.object_query(resource, filters=(account, *filters), page_size=1)
        row = next(iter(rows), None)
        assert row is not None, f"the test account has no {resource} ({', '.join(filters)}); see docs/contract-tests.md"
        return row

    credit_memo = first("credit-memos", "status.EQ:Posted")
    return SettlementRecords(
        account_id=target.test_account_id,
        invoice_id=str(credit_memo.get("invoiceId") or first("invoices", "status.EQ:Posted")["id"]),
        credit_memo_id=str(credit_memo["id"]),
        credit_memo_number=str(credit_memo["memoNumber"]),
        debit_memo_id=str(first("debit-memos", "status.EQ:Posted")["id"]),
        payment_id=str(first("payments", "status.EQ:Processed")["id"]),
        refund_id=str(first("refunds", "status.EQ:Processed")["id"]),
    )


def _create_in_simulator(target: ZuoraTarget) -> SettlementRecords:
    sim = target.simulator
    assert sim is not None
    account = target.test_account_id
    invoice = sim.put(
        "Invoice",
        {"AccountId": account, "InvoiceNumber": "INV-CONTRACT-1", "InvoiceDate": "2026-11-01", "Status": "Posted",
         "Amount": 100, "Balance": 100, **STAMP},
    )  # fmt: skip
    credit_memo = sim.put(
        "CreditMemo",
        {"AccountId": account, "MemoNumber": "CM-CONTRACT-1", "MemoDate": "2026-11-02", "Status": "Posted",
         "TotalAmount": 30, "TaxAmount": 0, "ReferredInvoiceId": invoice, "AppliedAmount": 20,
         "IntegrationStatus__NS": "Creating Credit Memo", **STAMP},
    )  # fmt: skip
    for number, amount in enumerate((10, 20)):
        sim.put(
            "CreditMemoItem",
            {"CreditMemoId": credit_memo, "ChargeName": f"Contract charge {number}", "Quantity": 1, "Amount": amount,
             "ProductRatePlanChargeId": "c" * 32, **STAMP},
        )  # fmt: skip
    sim.put("CreditMemoPart", {"CreditMemoId": credit_memo, "InvoiceId": invoice, "Amount": 20, **STAMP})
    debit_memo = sim.put(
        "DebitMemo",
        {"AccountId": account, "MemoNumber": "DM-CONTRACT-1", "MemoDate": "2026-11-03", "Status": "Posted",
         "TotalAmount": 15, "TaxAmount": 0, **STAMP},
    )  # fmt: skip
    payment = sim.put(
        "Payment",
        {"AccountId": account, "PaymentNumber": "P-CONTRACT-1", "EffectiveDate": "2026-11-04", "Status": "Processed",
         "Amount": 60, "AppliedAmount": 50, "UnappliedAmount": 10, **STAMP},
    )  # fmt: skip
    sim.put("PaymentPart", {"PaymentId": payment, "InvoiceId": invoice, "Amount": 50, **STAMP})
    refund = sim.put(
        "Refund",
        {"AccountId": account, "RefundNumber": "R-CONTRACT-1", "RefundDate": "2026-11-05", "Status": "Processed",
         "Amount": 10, "PaymentId": payment, **STAMP},
    )  # fmt: skip
    sim.put("RefundPart", {"RefundId": refund, "PaymentId": payment, "Amount": 10, **STAMP})
    return SettlementRecords(account, invoice, credit_memo, "CM-CONTRACT-1", debit_memo, payment, refund)


def rest(target: ZuoraTarget, method: str, path: str, **kwargs: object) -> requests.Response:
    """A plain HTTP call to the target with a fresh bearer token (the raw wire format, not the client's reading)."""
    token = requests.post(
        f"{target.base_url}/oauth/token",
        data={"client_id": target.client_id, "client_secret": target.client_secret, "grant_type": "client_credentials"},
        timeout=30,
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    return requests.request(method, f"{target.base_url}{path}", headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]

"""Payments and refunds for books that tie out (issue 13), end to end on the sandbox: unapplied cash and credit memo
refunds sync in the first run, payments land in the account their deposit rule names, and a payment Zuora applies
after it synced is applied in NetSuite by the next run - exactly, once."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

from sandbox import zuora_mutations
from sandbox.dataset_books import add_payment_cases
from sandbox.environment import patched_environ
from sandbox.stack import Sandbox, SandboxOptions
from tests.e2e.conftest import running_sandbox
from zuora_netsuite import wiring
from zuora_netsuite.models.record_types import RecordType, external_id

pytestmark = pytest.mark.slow


def _applied_later(sandbox: Sandbox) -> str:
    """The sandbox's sync config for a tenant whose payments are applied after they synced."""
    config = sandbox.sync_config
    return json.dumps({**config, "zuora": {**config["zuora"], "payments_applied_later": True}})


def test_unapplied_cash_deposit_accounts_credit_memo_refunds_and_a_payment_applied_later() -> None:
    options = SandboxOptions(seed=41, accounts=12, charges=6, invoices=10)
    with running_sandbox(options) as sandbox, patched_environ({"SYNC_CONFIG": _applied_later(sandbox)}):
        wiring.reset()
        zuora, netsuite = sandbox.zuora, sandbox.netsuite
        # the ids of the payment cases the data set holds (same seed, same records: built again on a copy)
        cases = add_payment_cases(copy.deepcopy(sandbox.dataset))
        # Given a first run over a data set with the payment cases
        sandbox.run_cycle()

        def payment(zuora_id: str) -> dict[str, object]:
            found = netsuite.get_by_external_id("customerPayment", external_id(RecordType.PAYMENT, zuora_id))
            assert found is not None, zuora_id
            return found

        # Then an unapplied payment is all unapplied in NetSuite
        (unapplied_id,) = cases.unapplied_payments
        assert Decimal(str(payment(unapplied_id)["unapplied"])) == Decimal(
            str(zuora.get("Payment", unapplied_id)["Amount"])  # type: ignore[index]
        )
        # And card payments through Stripe went to the clearing account, checks to Undeposited Funds
        assert payment(cases.payments_by_method["CreditCard"][0])["account"]["id"] == "3"  # type: ignore[index]
        assert payment(cases.payments_by_method["Check"][0])["undepFunds"] is True
        # And the credit memo refund applies to its NetSuite credit memo, paid from the checking account
        (refund_id,) = cases.credit_memo_refunds
        refund = netsuite.get_by_external_id("customerRefund", external_id(RecordType.REFUND, refund_id))
        assert refund is not None
        assert refund["account"]["id"] == "1"
        (doc_line,) = refund["apply"]["items"]
        assert netsuite.get("creditMemo", doc_line["doc"]["id"]) is not None

        # When Zuora applies the unapplied payment to an open invoice of its account, and the next run runs
        open_invoice = next(
            i
            for i in zuora.all("Invoice")
            if i["AccountId"] == zuora.get("Payment", unapplied_id)["AccountId"]  # type: ignore[index]
            and i.get("IntegrationStatus__NS") == "Sync Complete"
            and Decimal(str(i["Balance"])) >= Decimal(10)
        )
        status, body = zuora_mutations.route(
            zuora, "PUT", f"/v1/payments/{unapplied_id}/apply",
            {"invoices": [{"invoiceId": open_invoice["Id"], "amount": 10}]},
        ) or (0, {})  # fmt: skip
        assert status == 200, body
        writes = netsuite.stats.writes("customerPayment")
        sandbox.run_cycle()
        # Then NetSuite's payment applies exactly those 10 to that invoice (re-sent once, not added twice)
        applied = payment(unapplied_id)
        invoice = netsuite.get_by_external_id("invoice", external_id(RecordType.INVOICE, open_invoice["Id"]))
        assert invoice is not None
        assert [(line["doc"]["id"], Decimal(str(line["amount"]))) for line in applied["apply"]["items"]] == [  # type: ignore[index]
            (invoice["id"], Decimal(10))
        ]
        assert netsuite.stats.writes("customerPayment") - writes == 1
        # And a third run writes no payment at all
        writes = netsuite.stats.writes("customerPayment")
        sandbox.run_cycle()
        assert netsuite.stats.writes("customerPayment") == writes

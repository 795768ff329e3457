"""A Zuora tenant without Invoice Settlement (`make run ARGS=--legacy-tenant`): InvoicePayment through Actions, no
memos; the connector configured so (zuora.invoice_settlement false, memo types disabled). One scheduled cycle on a
small ledger must end exactly as the data set says, without asking Zuora for any Invoice Settlement resource."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest

from sandbox.report import record_states
from sandbox.stack import SandboxOptions
from tests.e2e.conftest import running_sandbox
from zuora_netsuite import wiring
from zuora_netsuite.adapters.state import state_from_item
from zuora_netsuite.logic.reconciliation import reconcile
from zuora_netsuite.models.record_types import RecordType, external_id
from zuora_netsuite.settings import load_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def legacy_run() -> Any:
    # Given a legacy tenant with a small ledger (invoices, payments across invoices, refunds, invalid records)
    options = SandboxOptions(seed=11, accounts=40, charges=15, invoices=40, legacy_tenant=True)
    with running_sandbox(options) as sandbox:
        # When one scheduled cycle runs to completion
        result = sandbox.run_cycle()
        assert sandbox.resources is not None
        table = sandbox.aws.resource("dynamodb").Table(sandbox.resources.table_name)
        states = {s.record_id: s for s in (state_from_item(item) for item in record_states(table))}
        reconciliation = reconcile(wiring.zuora_client(), wiring.netsuite_client(), load_settings().sync_config)
        yield sandbox, result, states, reconciliation


def test_the_legacy_data_set_has_invoice_payments_and_no_memos(legacy_run: Any) -> None:
    sandbox, result, *_ = legacy_run
    objects = sandbox.dataset.zuora_objects
    assert objects["InvoicePayment"]
    assert not objects["CreditMemo"]
    assert not objects["DebitMemo"]
    assert not objects["PaymentPart"]
    dispatched = {t["record_type"] for t in result.summary["types"]}
    assert "credit_memo" not in dispatched
    assert "debit_memo" not in dispatched


def test_every_valid_payment_applies_its_invoice_payment_amounts_in_netsuite(legacy_run: Any) -> None:
    sandbox, *_ = legacy_run
    dataset = sandbox.dataset
    applications: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in dataset.zuora_objects["InvoicePayment"]:
        applications[row["PaymentId"]][external_id(RecordType.INVOICE, row["InvoiceId"])] = Decimal(str(row["Amount"]))
    in_netsuite = {r["externalId"]: r for r in sandbox.netsuite.records("customerPayment")}
    invoice_eid = {str(r["id"]): r["externalId"] for r in sandbox.netsuite.records("invoice")}
    checked = 0
    for payment in dataset.zuora_objects["Payment"]:
        if payment["Id"] in dataset.expected_reasons or payment["Id"] in dataset.expected_transactions_excluded:
            continue
        record = in_netsuite[external_id(RecordType.PAYMENT, payment["Id"])]
        applied = {
            invoice_eid[str(line["doc"]["id"])]: Decimal(str(line["amount"])) for line in record["apply"]["items"]
        }
        assert applied == applications[payment["Id"]]
        assert sandbox.zuora.get("Payment", payment["Id"])["TransferredToAccounting"] == "Yes"
        checked += 1
    assert checked >= 5


def test_no_invoice_settlement_resource_was_asked(legacy_run: Any) -> None:
    sandbox, *_ = legacy_run
    paths = [path for _, path, _ in sandbox.zuora.request_log]
    assert not [p for p in paths if p.startswith("/object-query/") or p.endswith("/parts") or "memos" in p]


def test_invalid_records_end_in_error_with_their_reason_and_reconciliation_lists_exactly_them(legacy_run: Any) -> None:
    sandbox, _, states, reconciliation = legacy_run
    for record_id, expected in sandbox.dataset.expected_reasons.items():
        state = states[record_id]
        assert state.error is not None
        assert expected.lower() in state.error.message.lower()
    assert {d.zuora_id for d in reconciliation.differences} == set(sandbox.dataset.expected_reasons)

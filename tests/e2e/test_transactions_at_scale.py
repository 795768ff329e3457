"""A whole order-to-cash ledger through the sandbox, drained in shuffled order: more than 1,000 records (accounts,
charges, invoices, negative invoices, debit and credit memos, partial and multi-invoice payments, refunds) in
several currencies, with invalid records of every kind.

The queue is shuffled after the dispatcher ran, so children often arrive before their parents: the sync function
must sync parents first and never rely on dispatch order. The end state must be exactly what the data set says."""

from __future__ import annotations

import importlib
import json
import random
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sandbox.driver import LambdaContext
from sandbox.report import dlq_messages, record_states
from sandbox.stack import Sandbox, SandboxOptions
from tests.e2e.conftest import running_sandbox
from zuora_netsuite import wiring
from zuora_netsuite.adapters.state import state_from_item
from zuora_netsuite.logic.reconciliation import reconcile
from zuora_netsuite.models.record_types import RECORD_TYPES, TRANSACTION_TYPES, RecordType, external_id
from zuora_netsuite.settings import load_settings

pytestmark = pytest.mark.slow

EVENTS = Path(__file__).resolve().parents[2] / "events"
AMOUNT_FIELD = {
    RecordType.INVOICE: "Amount",
    RecordType.DEBIT_MEMO: "TotalAmount",
    RecordType.PAYMENT: "Amount",
    RecordType.CREDIT_MEMO: "TotalAmount",
    RecordType.REFUND: "Amount",
}
PARTY_FIELD = {"invoice": "entity", "creditMemo": "entity", "customerPayment": "customer", "customerRefund": "customer"}


def netsuite_type(record_type: RecordType, amount: Decimal) -> str:
    if record_type is RecordType.INVOICE:
        return "creditMemo" if amount < 0 else "invoice"
    return {
        RecordType.DEBIT_MEMO: "invoice",
        RecordType.PAYMENT: "customerPayment",
        RecordType.CREDIT_MEMO: "creditMemo",
        RecordType.REFUND: "customerRefund",
    }[record_type]


def shuffle_queue(sandbox: Sandbox, seed: int) -> int:
    """Take every message off the sync queue and put them back in a random order."""
    assert sandbox.resources is not None
    sqs, url = sandbox.aws.client("sqs"), sandbox.resources.queue_url
    bodies: list[str] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300).get("Messages", [])
        if not messages:
            break
        bodies += [m["Body"] for m in messages]
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        )
    random.Random(seed).shuffle(bodies)
    for start in range(0, len(bodies), 10):
        chunk = bodies[start : start + 10]
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(chunk)])
    return len(bodies)


@pytest.fixture(scope="module")
def ledger() -> Any:
    # Given a tenant of more than 1,000 records, transactions in six currencies, invalid records of every kind
    # (a retried message waits 1 s, as Lambda waits out the visibility timeout, never 0: a record busy as another
    # record's parent would otherwise burn its receive count in milliseconds)
    options = SandboxOptions(seed=23, accounts=220, charges=50, invoices=460, retry_delay_seconds=1)
    with running_sandbox(options) as sandbox:
        synced_objects = (
            "Account",
            "ProductRatePlanCharge",
            *(RECORD_TYPES[t].zuora_object for t in TRANSACTION_TYPES),
        )
        total_records = sum(len(sandbox.dataset.zuora_objects[name]) for name in synced_objects)
        # When the dispatcher enqueues everything pending, the queue is shuffled and then drained
        dispatcher = importlib.import_module("dispatcher_handler")
        event = json.loads((EVENTS / "dispatcher_schedule.json").read_text())
        dispatcher.handler(event, LambdaContext("DispatcherFunction", timeout_seconds=900))
        shuffled = shuffle_queue(sandbox, seed=5)
        sandbox.drain_sync_queue()
        assert sandbox.resources is not None
        table = sandbox.aws.resource("dynamodb").Table(sandbox.resources.table_name)
        states = {state.record_id: state for state in (state_from_item(item) for item in record_states(table))}
        dlq = dlq_messages(sandbox.aws.client("sqs"), sandbox.resources.dlq_url)
        reconciliation = reconcile(wiring.zuora_client(), wiring.netsuite_client(), load_settings().sync_config)
        yield sandbox, states, dlq, reconciliation, total_records, shuffled


def transactions(sandbox: Sandbox) -> list[tuple[RecordType, dict[str, Any]]]:
    return [
        (record_type, sandbox.zuora.get(RECORD_TYPES[record_type].zuora_object, record["Id"]) or {})
        for record_type in TRANSACTION_TYPES
        for record in sandbox.dataset.zuora_objects[RECORD_TYPES[record_type].zuora_object]
    ]


def is_valid(sandbox: Sandbox, record: dict[str, Any]) -> bool:
    dataset = sandbox.dataset
    return record["Id"] not in dataset.expected_reasons and record["Id"] not in dataset.expected_transactions_excluded


def test_the_data_set_is_a_ledger_of_more_than_a_thousand_records(ledger: Any) -> None:
    sandbox, _, _, _, total_records, shuffled = ledger
    currencies = {sandbox.dataset.accounts[0]["Currency"]} | {a["Currency"] for a in sandbox.dataset.accounts}
    assert total_records >= 1000
    assert shuffled > 900  # all but the excluded ones were pending
    assert len(currencies) >= 5
    assert any(float(i["Amount"]) < 0 for i in sandbox.dataset.zuora_objects["Invoice"])


def test_every_valid_transaction_is_in_netsuite_exactly_once_with_its_exact_amount(ledger: Any) -> None:
    sandbox, *_ = ledger
    by_eid: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ns_type in PARTY_FIELD:
        for record in sandbox.netsuite.records(ns_type):
            by_eid[record["externalId"]].append({**record, "type": ns_type})
    checked = 0
    for record_type, record in transactions(sandbox):
        if not is_valid(sandbox, record):
            continue
        amount = Decimal(str(record[AMOUNT_FIELD[record_type]]))
        found = by_eid.get(external_id(record_type, record["Id"]), [])
        assert len(found) == 1, f"{record_type} {record['Id']}: {len(found)} NetSuite records"
        assert found[0]["type"] == netsuite_type(record_type, amount)
        assert Decimal(str(found[0]["total"])) == abs(amount)
        checked += 1
    assert checked > 700


def test_amounts_are_equal_to_the_cent_per_customer_and_currency(ledger: Any) -> None:
    sandbox, *_ = ledger
    currency_of = {a["Id"]: a["Currency"] for a in sandbox.dataset.accounts}
    zuora: Counter[tuple[str, str, str]] = Counter()
    for record_type, record in transactions(sandbox):
        if is_valid(sandbox, record):
            amount = Decimal(str(record[AMOUNT_FIELD[record_type]]))
            key = (record["AccountId"], currency_of[record["AccountId"]], netsuite_type(record_type, amount))
            zuora[key] += abs(amount)  # type: ignore[assignment]
    netsuite: Counter[tuple[str, str, str]] = Counter()
    customers = {c["id"]: c for c in sandbox.netsuite.records("customer")}
    currencies = {row["id"]: row["symbol"] for row in sandbox.dataset.netsuite_reference["currency"]}
    for ns_type, party in PARTY_FIELD.items():
        for record in sandbox.netsuite.records(ns_type):
            customer = customers[record[party]["id"]]
            account_id = customer["externalId"].removeprefix("zuora-account-")
            key = (account_id, currencies[record["currency"]["id"]], ns_type)
            netsuite[key] += Decimal(str(record["total"]))  # type: ignore[assignment]
    assert netsuite == zuora


def test_every_invalid_transaction_has_its_reason_in_zuora_dynamodb_and_the_dlq(ledger: Any) -> None:
    sandbox, states, dlq, *_ = ledger
    in_dlq: dict[str, list[str]] = defaultdict(list)
    for message in dlq:  # the request as the body, the reason as a message attribute
        reason = message.get("MessageAttributes", {}).get("failure_reason", {}).get("StringValue")
        if reason:
            in_dlq[json.loads(message["Body"])["record_id"]].append(reason)
    object_of = {r["Id"]: RECORD_TYPES[t].zuora_object for t, r in transactions(sandbox)}
    kinds = Counter()
    for record_id, expected in sandbox.dataset.expected_reasons.items():
        state = states[record_id]
        assert state.error is not None
        assert expected.lower() in state.error.message.lower(), state.error
        zuora_record = sandbox.zuora.get(object_of[record_id], record_id) or {}
        assert zuora_record["IntegrationStatus__NS"].startswith("Error Creating")
        assert expected.lower() in zuora_record["IntegrationError__c"].lower()
        assert zuora_record["TransferredToAccounting"] == "Error"
        assert len(in_dlq[record_id]) == 1
        assert expected.lower() in in_dlq[record_id][0].lower()
        kinds[expected] += 1
    assert len(kinds) >= 10  # every kind of invalid record is there


def test_valid_transactions_are_marked_transferred_in_zuora_and_excluded_ones_are_untouched(ledger: Any) -> None:
    sandbox, states, *_ = ledger
    for record_type, record in transactions(sandbox):
        if record["Id"] in sandbox.dataset.expected_transactions_excluded:
            assert record["Id"] not in states
            assert "IntegrationId__NS" not in record
        elif is_valid(sandbox, record):
            assert record["TransferredToAccounting"] == "Yes", record_type
            assert record["IntegrationStatus__NS"] == "Sync Complete"
            assert record["IntegrationId__NS"] == states[record["Id"]].netsuite_id


def test_nothing_valid_is_left_behind_in_the_dlq(ledger: Any) -> None:
    # Every message on the DLQ is a permanent failure with its reason; none is a valid record.
    sandbox, _, dlq, *_ = ledger
    invalid = set(sandbox.dataset.expected_reasons) | set(sandbox.dataset.expected_invalid)
    for message in dlq:
        assert message.get("MessageAttributes", {}).get("failure_reason"), message["Body"]
        assert json.loads(message["Body"])["record_id"] in invalid


def test_reconciliation_lists_exactly_the_invalid_records(ledger: Any) -> None:
    sandbox, _, _, reconciliation, *_ = ledger
    assert {d.zuora_id for d in reconciliation.differences} == set(sandbox.dataset.expected_reasons)
    assert all(d.netsuite_amount is None for d in reconciliation.differences)

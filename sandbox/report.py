"""The per-type report of a sandbox cycle: read back from DynamoDB and the DLQ, like an operator would."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.conditions import Attr
from rich.table import Table

from zuora_netsuite.adapters.state import state_from_item
from zuora_netsuite.models.record_types import DEPENDENCY_ORDER, RecordType


@dataclass
class TypeReport:
    record_type: RecordType
    found: int = 0
    synced: int = 0
    unchanged: int = 0
    warnings: int = 0
    errors: int = 0
    in_dlq: int = 0
    reasons: list[str] = field(default_factory=list)


def record_states(table: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"FilterExpression": Attr("pk").begins_with("RECORD#") & Attr("external_id").exists()}
    while True:
        page = table.scan(**kwargs)
        items += page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def dlq_messages(sqs: Any, dlq_url: str) -> list[dict[str, Any]]:
    """Every message on the DLQ, left on it (made visible again)."""
    seen: dict[str, dict[str, Any]] = {}
    while True:
        messages = sqs.receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=30, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            seen[message["MessageId"]] = message
    for message in seen.values():
        sqs.change_message_visibility(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    return list(seen.values())


def cycle_report(summary: dict[str, Any], table: Any, sqs: Any, dlq_url: str) -> list[TypeReport]:
    run_id = summary["run_id"]
    reports = {t: TypeReport(t) for t in DEPENDENCY_ORDER}
    for dispatched in summary.get("types", []):
        reports[RecordType(dispatched["record_type"])].found = int(dispatched["found"])
    for item in record_states(table):
        state = state_from_item(item)
        if state.run_id != run_id or state.outcome is None:
            continue
        report = reports[state.record_type]
        outcome = state.outcome.value
        if outcome == "synced":
            report.synced += 1
        elif outcome == "unchanged":
            report.unchanged += 1
        elif outcome == "warning":
            report.warnings += 1
        else:
            report.errors += 1
        if state.error is not None and len(report.reasons) < 3:
            report.reasons.append(state.error.message)
    dlq_types = Counter(
        m.get("MessageAttributes", {}).get("record_type", {}).get("StringValue", "?")
        for m in dlq_messages(sqs, dlq_url)
    )
    for record_type, report in reports.items():
        report.in_dlq = dlq_types.get(record_type.value, 0)
    return list(reports.values())


def report_table(reports: list[TypeReport], title: str) -> Table:
    """The per-type table `make run` and `python -m connector_cli run` (on the sandbox) print."""
    table = Table(title=title)
    for column in ("record type", "found", "synced", "unchanged", "warnings", "errors", "in DLQ"):
        table.add_column(column, justify="left" if column == "record type" else "right")
    for r in reports:
        table.add_row(
            r.record_type.value, str(r.found), str(r.synced), str(r.unchanged), str(r.warnings), str(r.errors),
            str(r.in_dlq),
        )  # fmt: skip
    return table

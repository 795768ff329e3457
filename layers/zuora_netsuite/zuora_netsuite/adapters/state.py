"""Integration state in one DynamoDB table (single-table design).

| item             | pk                        | sk        |
| record state     | RECORD#<type>#<zuora id>  | STATE     |
| type watermark   | WATERMARK#<type>          | WATERMARK |
| dispatcher lease | LEASE#dispatcher          | LEASE     |
| run summary      | RUN#<run id>              | SUMMARY   |
| dispatch checkpoint | CHECKPOINT#<type>      | CHECKPOINT | (a run stopped at its time budget in the type)
| ids it sent      | CHECKPOINT#<type>#<run id> | SENT#<n> | (one item per chunk sent, expires_at TTL)
| callout seen     | NOTIFICATION#<id>         | NOTIFICATION | (webhook dedupe, expires_at TTL)

Record states in error carry `error_type` / `error_at`, the keys of the sparse `errors-by-type` index,
so current errors are listed per type without a scan. Every write is conditional: a record state is
written only over the version it was read at, a watermark only moves forward, a lease is taken only
when free or expired.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.exceptions import ClientError

from zuora_netsuite.models.messages import DispatchCheckpoint, RunSummary
from zuora_netsuite.models.record_types import RecordType
from zuora_netsuite.models.state import RecordError, RecordState
from zuora_netsuite.ports import StaleStateError

STATE_SK = "STATE"
RUN_SUMMARY_TTL = timedelta(days=90)
CHECKPOINT_TTL = timedelta(days=14)  # the chunks of ids a stopped run sent; resumed by the next run, long before
ERRORS_INDEX = "errors-by-type"
_RECORD_FIELDS = (
    "external_id", "netsuite_id", "netsuite_type", "status", "payload_hash", "synced_at",
    "zuora_updated_at", "outcome", "run_id",
)  # fmt: skip


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with a fixed width, so strings sort as instants."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_pk(record_type: RecordType, record_id: str) -> str:
    return f"RECORD#{record_type.value}#{record_id}"


def _is_conditional_failure(error: ClientError) -> bool:
    return bool(error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


class DynamoDbStateStore:
    """The IntegrationStateStore port on DynamoDB."""

    def __init__(self, table_name: str, *, dynamodb: Any | None = None) -> None:
        self._resource = dynamodb or boto3.resource("dynamodb")
        self._table = self._resource.Table(table_name)

    # --- record state ------------------------------------------------------------------------

    def get(self, record_type: RecordType, record_id: str) -> RecordState | None:
        answer = self._table.get_item(
            Key={"pk": record_pk(record_type, record_id), "sk": STATE_SK}, ConsistentRead=True
        )
        item = answer.get("Item")
        if not item or "external_id" not in item:
            return None
        return state_from_item(item)

    def save(self, state: RecordState, *, release_lease_of: str | None = None) -> RecordState:
        """Write the state over the version it was read at. With `release_lease_of`, the same write also
        releases that owner's lease (one request instead of two; refused if the lease is someone else's)."""
        saved = state.model_copy(update={"version": state.version + 1})
        fields: dict[str, Any] = saved.model_dump(mode="json", include=set(_RECORD_FIELDS))
        fields |= {"record_type": state.record_type.value, "record_id": state.record_id, "version": saved.version}
        if saved.error is not None:
            fields |= {
                "error": saved.error.model_dump(mode="json", exclude_none=True),
                "error_type": saved.record_type.value,  # keys of the sparse errors-by-type index
                "error_at": iso(saved.error.last_failed_at),
            }
        else:
            fields |= {"error": None, "error_type": None, "error_at": None}
        key = {"pk": record_pk(state.record_type, state.record_id), "sk": STATE_SK}
        if release_lease_of is not None:
            self._put_releasing(key, fields, expected_version=state.version, owner=release_lease_of)
            return saved
        # Every name goes through ExpressionAttributeNames: several (status, error, ...) are reserved words.
        names = {f"#{name}": name for name in fields}
        values: dict[str, Any] = {":expected": state.version}
        sets, removes = [], []
        for name, value in fields.items():
            if value is None:
                removes.append(f"#{name}")
            else:
                sets.append(f"#{name} = :{name}")
                values[f":{name}"] = value
        condition = "attribute_not_exists(#version) OR #version = :expected"
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            self._table.update_item(
                Key=key,
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                raise StaleStateError(
                    f"{state.record_type.value} {state.record_id} changed since version {state.version}"
                ) from error
            raise
        return saved

    def _put_releasing(self, key: dict[str, str], fields: dict[str, Any], *, expected_version: int, owner: str) -> None:
        """The whole item in one conditional PutItem: only the lease holder writes, over the version it read,
        and the item it writes has no lease any more. (A put is also much cheaper for DynamoDB to evaluate
        than an update with a dozen SET clauses.)"""
        item = {**key, **{name: value for name, value in fields.items() if value is not None}}
        try:
            self._table.put_item(
                Item=item,
                ConditionExpression="(attribute_not_exists(#version) OR #version = :expected) AND #owner = :owner",
                ExpressionAttributeNames={"#version": "version", "#owner": "lease_owner"},
                ExpressionAttributeValues={":expected": expected_version, ":owner": owner},
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                raise StaleStateError(
                    f"{item['record_type']} {item['record_id']}: changed since version {expected_version}, or its "
                    f"lease is no longer {owner}'s"
                ) from error
            raise

    def errors(self, record_type: RecordType) -> Iterator[RecordState]:
        """Current errors of one type, newest first, from the sparse errors-by-type index."""
        kwargs: dict[str, Any] = {
            "IndexName": ERRORS_INDEX,
            "KeyConditionExpression": "error_type = :t",
            "ExpressionAttributeValues": {":t": record_type.value},
            "ScanIndexForward": False,
        }
        while True:
            page = self._table.query(**kwargs)
            for item in page.get("Items", []):
                yield state_from_item(item)
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def delete(self, record_type: RecordType, record_id: str, owner: str) -> bool:
        """Forget the record (operator reset): only while `owner` holds its lease, or nobody does."""
        try:
            self._table.delete_item(
                Key={"pk": record_pk(record_type, record_id), "sk": STATE_SK},
                ConditionExpression=(
                    "attribute_not_exists(lease_expires_at) OR lease_expires_at < :now OR lease_owner = :owner"
                ),
                ExpressionAttributeValues={":owner": owner, ":now": int(time.time())},
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True

    # --- leases --------------------------------------------------------------------------------

    def _acquire(self, key: dict[str, str], owner: str, seconds: int) -> bool:
        now = int(time.time())
        try:
            self._table.update_item(
                Key=key,
                UpdateExpression="SET lease_owner = :owner, lease_expires_at = :expires",
                ConditionExpression=(
                    "attribute_not_exists(lease_expires_at) OR lease_expires_at < :now OR lease_owner = :owner"
                ),
                ExpressionAttributeValues={":owner": owner, ":expires": now + seconds, ":now": now},
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True

    def _release(self, key: dict[str, str], owner: str) -> None:
        try:
            self._table.update_item(
                Key=key,
                UpdateExpression="REMOVE lease_owner, lease_expires_at",
                ConditionExpression="lease_owner = :owner",
                ExpressionAttributeValues={":owner": owner},
            )
        except ClientError as error:
            # Not ours any more (expired and taken over): the new holder's lease must stay.
            if not _is_conditional_failure(error):
                raise

    def acquire_record_lease(self, record_type: RecordType, record_id: str, owner: str, seconds: int) -> bool:
        return self._acquire({"pk": record_pk(record_type, record_id), "sk": STATE_SK}, owner, seconds)

    def lease_record(
        self, record_type: RecordType, record_id: str, owner: str, seconds: int
    ) -> tuple[bool, RecordState | None]:
        """Take the record's lease and read its state in one request: (acquired, state or None)."""
        now = int(time.time())
        try:
            answer = self._table.update_item(
                Key={"pk": record_pk(record_type, record_id), "sk": STATE_SK},
                UpdateExpression="SET lease_owner = :owner, lease_expires_at = :expires",
                ConditionExpression=(
                    "attribute_not_exists(lease_expires_at) OR lease_expires_at < :now OR lease_owner = :owner"
                ),
                ExpressionAttributeValues={":owner": owner, ":expires": now + seconds, ":now": now},
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                return False, None
            raise
        item = answer.get("Attributes", {})
        return True, (state_from_item(item) if "external_id" in item else None)

    def get_many(self, keys: Sequence[tuple[RecordType, str]]) -> dict[tuple[RecordType, str], RecordState]:
        """The states of many records (BatchGetItem, 100 keys a request, strongly consistent)."""
        found: dict[tuple[RecordType, str], RecordState] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 100):
            pending: dict[str, Any] = {
                self._table.name: {
                    "Keys": [{"pk": record_pk(t, i), "sk": STATE_SK} for t, i in unique[start : start + 100]],
                    "ConsistentRead": True,
                }
            }
            while pending:
                answer = self._resource.batch_get_item(RequestItems=pending)
                for item in answer.get("Responses", {}).get(self._table.name, []):
                    if "external_id" in item:
                        state = state_from_item(item)
                        found[(state.record_type, state.record_id)] = state
                pending = answer.get("UnprocessedKeys") or {}
        return found

    def release_record_lease(self, record_type: RecordType, record_id: str, owner: str) -> None:
        self._release({"pk": record_pk(record_type, record_id), "sk": STATE_SK}, owner)

    def acquire_run_lease(self, owner: str, seconds: int) -> bool:
        return self._acquire({"pk": "LEASE#dispatcher", "sk": "LEASE"}, owner, seconds)

    def release_run_lease(self, owner: str) -> None:
        self._release({"pk": "LEASE#dispatcher", "sk": "LEASE"}, owner)

    # --- watermarks and runs ---------------------------------------------------------------------

    def get_watermark(self, record_type: RecordType) -> datetime | None:
        item = self._table.get_item(
            Key={"pk": f"WATERMARK#{record_type.value}", "sk": "WATERMARK"}, ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        return datetime.fromisoformat(str(item["watermark"]).replace("Z", "+00:00"))

    def advance_watermark(self, record_type: RecordType, to: datetime, mapping_digest: str | None = None) -> None:
        update, values = "SET watermark = :to", {":to": iso(to)}
        if mapping_digest is not None:
            update, values = f"{update}, mapping_digest = :digest", {**values, ":digest": mapping_digest}
        try:
            self._table.update_item(
                Key={"pk": f"WATERMARK#{record_type.value}", "sk": "WATERMARK"},
                UpdateExpression=update,
                ConditionExpression="attribute_not_exists(watermark) OR watermark <= :to",
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            # Already further ahead (a later run got there first): a watermark never moves back.
            if not _is_conditional_failure(error):
                raise

    def get_mapping_digest(self, record_type: RecordType) -> str | None:
        item = self._table.get_item(
            Key={"pk": f"WATERMARK#{record_type.value}", "sk": "WATERMARK"}, ConsistentRead=True
        ).get("Item")
        digest = (item or {}).get("mapping_digest")
        return None if digest is None else str(digest)

    def save_run_summary(self, summary: RunSummary) -> None:
        self._table.put_item(
            Item={
                "pk": f"RUN#{summary.run_id}",
                "sk": "SUMMARY",
                "status": summary.status,
                "started_at": iso(summary.started_at),
                "summary": summary.model_dump_json(),
                "expires_at": int((summary.started_at + RUN_SUMMARY_TTL).timestamp()),
            }
        )

    # --- dispatch checkpoints (a run that stopped at its time budget) -------------------------------------------
    # Items of the dispatcher's own keys: GetItem, PutItem and BatchGetItem, which its role already has.

    def get_checkpoint(self, record_type: RecordType) -> DispatchCheckpoint | None:
        item = self._table.get_item(
            Key={"pk": f"CHECKPOINT#{record_type.value}", "sk": "CHECKPOINT"}, ConsistentRead=True
        ).get("Item")
        if not item or "checkpoint" not in item:
            return None
        return DispatchCheckpoint.model_validate_json(str(item["checkpoint"]))

    def add_to_checkpoint(self, checkpoint: DispatchCheckpoint, record_ids: Sequence[str]) -> DispatchCheckpoint:
        expires_at = int((datetime.now(UTC) + CHECKPOINT_TTL).timestamp())
        self._table.put_item(
            Item={**_chunk_key(checkpoint, checkpoint.chunks), "ids": list(record_ids), "expires_at": expires_at}
        )
        counted = checkpoint.model_copy(update={"chunks": checkpoint.chunks + 1})
        self._table.put_item(
            Item={
                "pk": f"CHECKPOINT#{checkpoint.record_type.value}",
                "sk": "CHECKPOINT",
                "checkpoint": counted.model_dump_json(),
                "expires_at": expires_at,
            }
        )
        return counted

    def checkpoint_ids(self, checkpoint: DispatchCheckpoint) -> set[str]:
        keys = [_chunk_key(checkpoint, n) for n in range(checkpoint.chunks)]
        found: set[str] = set()
        for start in range(0, len(keys), 100):  # BatchGetItem takes 100 keys
            request: dict[str, Any] = {self._table.name: {"Keys": keys[start : start + 100], "ConsistentRead": True}}
            while request:
                answer = self._resource.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self._table.name, []):
                    found.update(str(record_id) for record_id in item.get("ids", []))
                request = answer.get("UnprocessedKeys") or {}
        return found

    def clear_checkpoint(self, record_type: RecordType) -> None:
        self._table.put_item(Item={"pk": f"CHECKPOINT#{record_type.value}", "sk": "CHECKPOINT"})

    # --- callout notifications (webhook dedupe) ----------------------------------------------------

    def remember_notification(self, notification_id: str, expires_at: datetime) -> bool:
        now = int(time.time())
        try:
            self._table.put_item(
                Item={
                    "pk": f"NOTIFICATION#{notification_id}",
                    "sk": "NOTIFICATION",
                    "received_at": iso(datetime.now(UTC)),
                    "expires_at": int(expires_at.timestamp()),
                },
                # TTL deletion lags (up to days): an expired item counts as not seen.
                ConditionExpression="attribute_not_exists(pk) OR expires_at < :now",
                ExpressionAttributeValues={":now": now},
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True

    def get_run_summary(self, run_id: str) -> RunSummary | None:
        item = self._table.get_item(Key={"pk": f"RUN#{run_id}", "sk": "SUMMARY"}).get("Item")
        return RunSummary.model_validate_json(str(item["summary"])) if item else None


def _chunk_key(checkpoint: DispatchCheckpoint, n: int) -> dict[str, str]:
    return {"pk": f"CHECKPOINT#{checkpoint.record_type.value}#{checkpoint.run_id}", "sk": f"SENT#{n:06d}"}


def state_from_item(item: dict[str, Any]) -> RecordState:
    data: dict[str, Any] = {name: item.get(name) for name in _RECORD_FIELDS}
    data.update(
        record_type=item["record_type"],
        record_id=item["record_id"],
        version=int(item.get("version", 0)),
        error=RecordError.model_validate(_plain(item["error"])) if item.get("error") else None,
    )
    return RecordState.model_validate(data)


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the error's only number is the attempt count."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "to_integral_value"):
        return int(value)
    return value

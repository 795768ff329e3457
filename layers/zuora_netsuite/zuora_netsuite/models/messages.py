"""What travels on the sync queue and what a dispatcher run reports."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from zuora_netsuite.models.record_types import RecordType


class RequestSource(StrEnum):
    SCHEDULE = "schedule"
    WEBHOOK = "webhook"
    REPLAY = "replay"
    OPERATOR = "operator"


def utc_now() -> datetime:
    return datetime.now(UTC)


class Snapshot(BaseModel):
    """What the sync needs of a Zuora record, read by the dispatcher when it enqueued it (mapping/snapshot.py):
    the sync uses it instead of reading Zuora, unless it is older than `snapshots.max_age_seconds` or older than
    the version the connector already synced (Zuora's UpdatedDate). The record's integration status in it is the
    one before the dispatcher marked the record in progress."""

    model_config = ConfigDict(frozen=True)

    v: int = 1
    updated_date: datetime  # Zuora's UpdatedDate of the record when it was read
    taken_at: datetime  # when the dispatcher read it
    data: dict[str, Any]


class SyncRequest(BaseModel):
    """The body of one SyncQueue message: sync this one Zuora record."""

    model_config = ConfigDict(frozen=True)

    record_type: RecordType
    record_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    source: RequestSource = RequestSource.SCHEDULE
    run_id: str | None = None
    enqueued_at: datetime = Field(default_factory=utc_now)
    snapshot: Snapshot | None = None  # set by the dispatcher only; never on webhook, replay or dead-letter bodies

    @property
    def key(self) -> str:
        return f"{self.record_type.value}:{self.record_id}"

    def without_snapshot(self) -> SyncRequest:
        """The request as a dead letter keeps it and a replay sends it: the sync reads Zuora afresh."""
        return self if self.snapshot is None else self.model_copy(update={"snapshot": None})


class DeadLetter(BaseModel):
    """The body the sync function sends to the DLQ for a permanent failure: the request plus the reason."""

    request: SyncRequest
    failure_kind: str
    failure_code: str
    reason: str
    failed_at: datetime = Field(default_factory=utc_now)


class TypeDispatch(BaseModel):
    """What one record type's dispatch found and enqueued."""

    record_type: RecordType
    found: int = 0
    enqueued: int = 0
    skipped_reason: str | None = None
    watermark: datetime | None = None


class DispatchCheckpoint(BaseModel):
    """Where a record type's dispatch stopped at the run's time budget (logic/dispatch.py): the next run lists the
    type again from `since`, skips the records already sent (their ids, stored chunk by chunk with the run's id),
    and once the type is all on the queue moves its watermark to `started_at` and forgets the checkpoint."""

    model_config = ConfigDict(frozen=True)

    record_type: RecordType
    run_id: str  # the run that started this listing: its chunks of sent ids are stored under it
    since: datetime  # the listing's lower bound (the watermark less its overlap)
    started_at: datetime  # when that run started: the watermark once the type is all dispatched
    mapping_digest: str | None = None  # stored with the watermark then (master data)
    chunks: int = 0  # chunks of sent ids stored so far


class RunSummary(BaseModel):
    """One dispatcher run: logged and stored in DynamoDB."""

    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    # running / completed / skipped / failed / stopped (at its time budget: the next run resumes from the
    # checkpoint of the type it stopped in; the types after it were not reached and keep their watermarks)
    status: str = "running"
    types: list[TypeDispatch] = Field(default_factory=list)

    @property
    def enqueued(self) -> int:
        return sum(t.enqueued for t in self.types)

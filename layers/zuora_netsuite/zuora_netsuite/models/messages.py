"""What travels on the sync queue and what a dispatcher run reports."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from zuora_netsuite.models.record_types import RecordType


class RequestSource(StrEnum):
    SCHEDULE = "schedule"
    WEBHOOK = "webhook"
    REPLAY = "replay"
    OPERATOR = "operator"


def utc_now() -> datetime:
    return datetime.now(UTC)


class SyncRequest(BaseModel):
    """The body of one SyncQueue message: sync this one Zuora record."""

    model_config = ConfigDict(frozen=True)

    record_type: RecordType
    record_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    source: RequestSource = RequestSource.SCHEDULE
    run_id: str | None = None
    enqueued_at: datetime = Field(default_factory=utc_now)

    @property
    def key(self) -> str:
        return f"{self.record_type.value}:{self.record_id}"


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


class RunSummary(BaseModel):
    """One dispatcher run: logged and stored in DynamoDB."""

    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "running"  # running / completed / skipped / failed
    types: list[TypeDispatch] = Field(default_factory=list)

    @property
    def enqueued(self) -> int:
        return sum(t.enqueued for t in self.types)

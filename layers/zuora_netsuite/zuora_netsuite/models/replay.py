"""Replay of SyncDLQ and operator reset: what an operator asks for and what they get back."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from zuora_netsuite.models.record_types import RecordType


class DeadLetterMessage(BaseModel):
    """One message received from SyncDLQ: the original SyncRequest body, the failure in its attributes
    (permanent failures; a message SQS moved after maxReceiveCount has none) and SQS' own attributes."""

    model_config = ConfigDict(frozen=True)

    message_id: str
    receipt_handle: str
    body: str
    attributes: dict[str, str] = Field(default_factory=dict)  # message attributes, string values
    sent_at: datetime | None = None
    receive_count: int = 0


class ReplayFilter(BaseModel):
    """Which DLQ messages to move. Empty sets match everything; all given criteria must match."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record_types: frozenset[RecordType] = frozenset()
    record_ids: frozenset[str] = frozenset()
    failure_kinds: frozenset[str] = frozenset()  # transient / permanent / dependency
    failure_codes: frozenset[str] = frozenset()  # e.g. VALIDATION, USER_ERROR, RETRIES_EXHAUSTED
    older_than: timedelta | None = None  # failed at least this long ago
    newer_than: timedelta | None = None  # failed at most this long ago
    max_messages: int | None = Field(default=None, ge=1)


class ReplayRequest(ReplayFilter):
    """The Replay function's event (and the CLI's `replay` options)."""

    dry_run: bool = False


class ReplayItem(BaseModel):
    """One DLQ message as the report shows it."""

    message_id: str
    record_type: RecordType | None = None
    record_id: str | None = None
    failure_kind: str
    failure_code: str
    reason: str
    failed_at: datetime | None = None
    note: str | None = None

    @property
    def key(self) -> str:
        return f"{self.record_type.value if self.record_type else '?'}:{self.record_id or '?'}"


class ReplayReport(BaseModel):
    """What a replay moved (or, in a dry run, would move), skipped and failed to move."""

    dry_run: bool
    moved: list[ReplayItem] = Field(default_factory=list)
    skipped: list[ReplayItem] = Field(default_factory=list)
    failed: list[ReplayItem] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


class ResetResult(BaseModel):
    """What an operator reset cleared."""

    record_type: RecordType
    record_id: str
    previous_status: str | None = None
    previous_integration_id: str | None = None
    previous_netsuite_id: str | None = None
    enqueued: bool = False

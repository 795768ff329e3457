"""Events the functions receive, beyond SQS (parsed in sync_batch)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from zuora_netsuite.models.record_types import RecordType


class ScheduledRun(BaseModel):
    """The dispatcher's input: EventBridge Scheduler sends the schedule's Input (empty by default);
    an operator may limit a run to some record types."""

    model_config = ConfigDict(extra="ignore")

    record_types: list[RecordType] | None = None

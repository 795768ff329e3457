"""What travels on the write-back queue: one record's final status for Zuora (docs/architecture.md, "Write-back
queue"). The write-back function writes it only while it is still the record's status in the state table."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from zuora_netsuite.models.record_types import RecordType


class WriteBackMessage(BaseModel):
    """The body of one WriteBackQueue message."""

    model_config = ConfigDict(frozen=True)

    record_type: RecordType
    record_id: str = Field(min_length=1, max_length=64)
    zuora_object: str
    integration_status: str
    sync_date: datetime
    integration_id: str | None = None
    integration_error: str | None = None

    @property
    def key(self) -> str:
        return f"{self.record_type.value}:{self.record_id}"

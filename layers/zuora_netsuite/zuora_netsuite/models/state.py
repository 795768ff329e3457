"""Integration state per Zuora record, kept in DynamoDB."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from zuora_netsuite.failures import FailureKind
from zuora_netsuite.models.record_types import RecordType


class SyncOutcome(StrEnum):
    SYNCED = "synced"  # written to NetSuite
    UNCHANGED = "unchanged"  # mapped payload identical to the last one NetSuite accepted: nothing sent
    WARNING = "warning"  # failed validation: the record must be fixed in Zuora
    ERROR = "error"  # NetSuite (or a parent) rejected it permanently
    EXCLUDED = "excluded"  # not eligible to sync (Ignore, SynctoNetSuite__NS No, a draft, ...): skipped


class RecordError(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: FailureKind
    code: str
    message: str
    path: str | None = None
    attempts: int = 1
    first_failed_at: datetime
    last_failed_at: datetime
    payload_hash: str | None = None  # the payload that failed; the same payload is not sent again
    parent: str | None = None  # a dependency error's parent, "<type>:<zuora id>": retried once it syncs


class RecordState(BaseModel):
    """The connector's memory of one Zuora record."""

    model_config = ConfigDict(frozen=True)

    record_type: RecordType
    record_id: str
    external_id: str
    netsuite_id: str | None = None
    netsuite_type: str | None = None
    status: str | None = None  # the integration status last written to Zuora
    payload_hash: str | None = None  # of the last payload NetSuite accepted
    synced_at: datetime | None = None
    zuora_updated_at: datetime | None = None  # Zuora's UpdatedDate of the version last synced or failed
    outcome: SyncOutcome | None = None
    run_id: str | None = None
    error: RecordError | None = None
    version: int = 0

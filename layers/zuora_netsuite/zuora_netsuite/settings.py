"""Settings from environment variables (one pydantic-settings model) and the validated sync configuration."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from zuora_netsuite.models.netsuite_account import (
    ConstantValue,
    NetSuiteRecordType,
    check_constant_fields,
    check_custom_forms,
)
from zuora_netsuite.models.record_types import ALWAYS_ENABLED, DEPENDENCY_ORDER, RecordType


class ClassificationDefaults(BaseModel):
    """NetSuite classifications (full names, hierarchy joined by ' : ') used when a record has none."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    subsidiary: str | None = None
    department: str | None = None
    class_: str | None = Field(default=None, alias="class")
    location: str | None = None


class ZuoraTenant(BaseModel):
    """What the connector must know about the Zuora tenant's shape (docs/configuration.md)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    # Invoice Settlement on (most tenants): memos, payment and refund applications come from the REST resources
    # and Object Query, not from Actions. Off: a legacy tenant with InvoicePayment / RefundInvoicePayment and
    # no memos. https://docs.zuora.com/en/zuora-billing/bill-your-customer/invoice-settlement/invoice-settlement-api-impacts
    invoice_settlement: bool = True
    # The Zuora custom field the reason of a sync error is written to, on every synced object: a field the Zuora
    # administrator creates (Settings > Billing > Customize Fields), so its API name ends in __c. Zuora's NetSuite
    # Connector package has no such field. None: the reason is not written to Zuora; it stays in DynamoDB, the
    # dead-letter queue and the logs (docs/configuration.md).
    error_field: str | None = None

    @field_validator("error_field")
    @classmethod
    def _custom_field_api_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*__c", value):
            raise ValueError(
                f"zuora.error_field {value!r} is not the API name of a Zuora custom field: a field an administrator "
                "creates ends in __c (e.g. IntegrationError__c); leave it unset to keep reasons out of Zuora"
            )
        return value


class SnapshotSettings(BaseModel):
    """The dispatcher reads each pending record from Zuora in chunks, marks it in progress and carries it in the
    sync message; the sync then makes no Zuora call for it (docs/performance.md, "Zuora off the critical path")."""

    model_config = ConfigDict(frozen=True)

    # A snapshot older than this is not used: the sync reads Zuora again. 0: never carry snapshots (the sync
    # reads and marks every record itself, as webhook and replay requests always do).
    max_age_seconds: int = Field(default=3600, ge=0)
    # A record whose snapshot is larger (JSON bytes) goes without one: ten messages fit in one 256 KiB
    # SendMessageBatch (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html).
    max_bytes: int = Field(default=24_000, ge=1_000, le=25_000)
    # Records the dispatcher reads from Zuora (and marks) at once.
    fetch_chunk: int = Field(default=200, ge=1, le=200)


class SyncConfig(BaseModel):
    """Which record types sync and how: one validated model, from the SYNC_CONFIG JSON env value."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    enabled_types: frozenset[RecordType] = frozenset(DEPENDENCY_ORDER)
    cutover_dates: dict[RecordType, date] = Field(default_factory=dict)
    classification_defaults: ClassificationDefaults = ClassificationDefaults()
    one_world: bool = True  # NetSuite OneWorld: every new customer needs a subsidiary
    multi_currency: bool = True
    base_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    item_income_account_id: str | None = None  # NetSuite internal id of the income account for new items
    # Transactions: the NetSuite item (internal id) that carries Zuora's tax as a line, and which
    # classifications transaction lines copy from the account (the others are left to the item's own).
    tax_item_id: str | None = None
    line_classifications: frozenset[Literal["department", "class", "location"]] = frozenset()
    # What the NetSuite account's own configuration asks (docs/configuration.md, "NetSuite account configuration").
    # OneWorld: the subsidiaries new and updated items are shared with (full names or internal ids; empty: the
    # charge's Subsidiary__NS, else the default subsidiary), and whether their sub-subsidiaries share them too.
    item_subsidiaries: tuple[str, ...] = ()
    item_include_children: bool = False
    # A tax code (NetSuite internal id) on every transaction line, for SuiteTax / non-US accounts: Zuora tax code
    # -> NetSuite tax code, and the one for lines whose code is not listed (and for the tax line). Both empty:
    # no tax code is sent.
    tax_codes: dict[str, str] = Field(default_factory=dict)
    default_tax_code_id: str | None = None
    # Per NetSuite record type: the custom form that validates the write, the custom fields it makes mandatory,
    # and whether the connector's own entityId / tranId is sent (false when NetSuite numbers the type itself).
    custom_forms: dict[NetSuiteRecordType, str] = Field(default_factory=dict)
    constant_fields: dict[NetSuiteRecordType, dict[str, ConstantValue]] = Field(default_factory=dict)
    send_document_numbers: dict[NetSuiteRecordType, bool] = Field(default_factory=dict)
    zuora: ZuoraTenant = ZuoraTenant()
    snapshots: SnapshotSettings = SnapshotSettings()

    @field_validator("enabled_types")
    @classmethod
    def _master_data_always_enabled(cls, value: frozenset[RecordType]) -> frozenset[RecordType]:
        missing = ALWAYS_ENABLED - value
        if missing:
            names = ", ".join(sorted(t.value for t in missing))
            raise ValueError(f"customers and items cannot be switched off (missing: {names})")
        return value

    @field_validator("custom_forms")
    @classmethod
    def _form_ids(cls, value: dict[str, str]) -> dict[str, str]:
        return check_custom_forms(value)

    @field_validator("constant_fields")
    @classmethod
    def _custom_field_ids(cls, value: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
        return check_constant_fields(value)

    @property
    def tax_codes_on_lines(self) -> bool:
        return bool(self.tax_codes) or self.default_tax_code_id is not None

    def sends_document_number(self, netsuite_type: str) -> bool:
        return next((send for name, send in self.send_document_numbers.items() if name == netsuite_type), True)

    def custom_form_for(self, netsuite_type: str) -> str | None:
        return next((form for name, form in self.custom_forms.items() if name == netsuite_type), None)

    def constants_for(self, netsuite_type: str) -> dict[str, ConstantValue]:
        return next((fields for name, fields in self.constant_fields.items() if name == netsuite_type), {})

    @model_validator(mode="after")
    def _memos_need_invoice_settlement(self) -> SyncConfig:
        memos = {RecordType.DEBIT_MEMO, RecordType.CREDIT_MEMO} & self.enabled_types
        if memos and not self.zuora.invoice_settlement:
            names = ", ".join(sorted(t.value for t in memos))
            raise ValueError(
                f"zuora.invoice_settlement is false (a Zuora tenant without Invoice Settlement has no credit or debit "
                f"memos) but enabled_types includes {names}: remove them from enabled_types, or set "
                "zuora.invoice_settlement to true if the tenant has Invoice Settlement"
            )
        return self

    def enabled_in_order(self) -> list[RecordType]:
        return [t for t in DEPENDENCY_ORDER if t in self.enabled_types]


class StackResources(BaseSettings):
    """The stack's state table and queues, which every function reaches (template.yaml's Globals)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    state_table_name: str = Field(alias="STATE_TABLE_NAME")
    sync_queue_url: str = Field(alias="SYNC_QUEUE_URL")
    sync_dlq_url: str = Field(alias="SYNC_DLQ_URL")
    # The write-back queue (final statuses for Zuora, written by WriteBackFunction in batches of 50); unset: the
    # sync function writes them to Zuora itself at the end of each batch (docs/architecture.md)
    writeback_queue_url: str | None = Field(default=None, alias="WRITEBACK_QUEUE_URL")


class ConnectorSettings(StackResources):
    """Environment of every function. Secrets are never here: only the ARNs of their Secrets Manager secrets."""

    zuora_base_url: str = Field(alias="ZUORA_BASE_URL")
    zuora_secret_arn: str = Field(alias="ZUORA_SECRET_ARN")
    netsuite_account_id: str = Field(alias="NETSUITE_ACCOUNT_ID")
    netsuite_base_url: str | None = Field(default=None, alias="NETSUITE_BASE_URL")
    netsuite_secret_arn: str = Field(alias="NETSUITE_SECRET_ARN")
    sync_config: SyncConfig = Field(default_factory=SyncConfig, alias="SYNC_CONFIG")
    http_timeout_seconds: float = Field(default=30.0, alias="HTTP_TIMEOUT_SECONDS", gt=0)
    record_lease_seconds: int = Field(default=300, alias="RECORD_LEASE_SECONDS", gt=0)
    run_lease_seconds: int = Field(default=900, alias="RUN_LEASE_SECONDS", gt=0)
    # Seconds of each sync invocation kept for its end (write-back flush, batch item failures): no record is
    # started and no vendor call outlives the Lambda's remaining time less this (docs/reliability.md).
    sync_time_reserve_seconds: float = Field(default=10.0, alias="SYNC_TIME_RESERVE_SECONDS", ge=0)

    @property
    def netsuite_rest_url(self) -> str:
        """https://<account>.suitetalk.api.netsuite.com/services/rest unless overridden (sandbox)."""
        if self.netsuite_base_url:
            return self.netsuite_base_url.rstrip("/")
        host = self.netsuite_account_id.lower().replace("_", "-")
        return f"https://{host}.suitetalk.api.netsuite.com/services/rest"


@lru_cache(maxsize=1)
def load_settings() -> ConnectorSettings:
    return ConnectorSettings()

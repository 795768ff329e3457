"""What a Zuora callout carries, what the webhook answers, the webhook secret and the webhook settings."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from zuora_netsuite.models.environment import EnvironmentSettings

# Zuora ids are 32 hex characters; the same rule as SyncRequest.record_id.
ZUORA_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
NOTIFICATION_ID_HEADER = "Zuora-Notification-Id"  # stable across Zuora's retries of one notification
REQUEST_ID_HEADER = "Zuora-Request-Id"  # new on every try
NOTIFICATION_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,128}$"
SIGNED_VALUE_PLACEHOLDER = "{{ Data.HMAC.Signed }}"
SIGNED_VALUE_PATTERN = re.compile(r"\{\{\s*Data\.HMAC\.Signed\s*\}\}")
DEFAULT_HMAC_DATA_FIELDS = "timestamp,eventType,objectType,objectId"
DEFAULT_HMAC_VALUE = SIGNED_VALUE_PLACEHOLDER
SIGNED_FIELDS_REQUIRED = ("eventType", "objectType", "objectId")  # what the webhook decides on


class CalloutNotification(BaseModel):
    """The body of the recommended callout template (docs/webhooks.md): merge fields of the changed record.

    Unknown fields are ignored, so a tenant may add its own merge fields to the template."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, str_strip_whitespace=True)

    event_type: str = Field(alias="eventType", min_length=1, max_length=100, description="The Zuora event")
    object_type: str = Field(
        alias="objectType", min_length=1, max_length=64, description="The Zuora object, e.g. Account, Invoice"
    )
    object_id: str = Field(alias="objectId", pattern=ZUORA_ID_PATTERN, description="The Zuora id of the object")
    account_id: str | None = Field(default=None, alias="accountId", pattern=ZUORA_ID_PATTERN)
    updated_date: datetime | None = Field(default=None, alias="updatedDate")

    @field_validator("account_id", "updated_date", mode="before")
    @classmethod
    def _empty_is_absent(cls, value: object) -> object:
        """Zuora renders a merge field that is null on the record as an empty string."""
        return None if value == "" else value


class AnswerStatus(StrEnum):
    ENQUEUED = "enqueued"  # a sync request is on the queue
    DUPLICATE = "duplicate"  # this Zuora-Notification-Id was enqueued before (a retry or replay): harmless
    IGNORED = "ignored"  # an event or object the connector does not sync


class WebhookAnswer(BaseModel):
    """The body of every 2xx answer. `success: true` is what Zuora's "Confirm success by parsing response
    content" looks for (https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/configure-callout-settings)."""

    model_config = ConfigDict(frozen=True)

    success: bool = True
    status: AnswerStatus
    record: str | None = None  # "<record type>:<zuora id>"
    notification_id: str | None = Field(default=None, serialization_alias="notificationId")
    reason: str | None = None


class ErrorAnswer(BaseModel):
    """The body of every 4xx/5xx answer of the function: a code, a message a person can act on and, for a
    malformed request, the field at fault (a body field, a header or a path parameter)."""

    model_config = ConfigDict(frozen=True)

    success: bool = False
    error: str
    message: str
    field: str | None = None


class AuthScheme(StrEnum):
    HMAC = "hmac"  # HMAC-SHA256 of the callout template's Data, in the header named by Signed Header Key
    BASIC = "basic"  # HTTP Basic (Zuora sends it pre-emptively or after a 401 challenge)


class SignatureEncoding(StrEnum):
    BASE64 = "base64"
    HEX = "hex"


class WebhookSecret(BaseModel):
    """The Secrets Manager secret of the webhook (JSON). HMAC: {"hmac_key"}; Basic: {"username", "password"}.

    Rotation: put the old value in previous_hmac_key / previous_password with previous_valid_until (UTC); both
    values are accepted until then, so Zuora's callout settings can be changed without losing callouts."""

    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)

    hmac_key: SecretStr | None = Field(default=None, min_length=16)
    username: str | None = None
    password: SecretStr | None = Field(default=None, min_length=8)
    previous_hmac_key: SecretStr | None = Field(default=None, min_length=16)
    previous_password: SecretStr | None = Field(default=None, min_length=8)
    previous_valid_until: datetime | None = None

    @model_validator(mode="after")
    def _rotation_window_is_bounded(self) -> WebhookSecret:
        has_previous = self.previous_hmac_key is not None or self.previous_password is not None
        if has_previous and self.previous_valid_until is None:
            raise ValueError("previous_valid_until is required with a previous key or password")
        if self.previous_valid_until is not None and self.previous_valid_until.tzinfo is None:
            raise ValueError("previous_valid_until must carry a time zone (UTC, e.g. 2026-12-01T00:00:00Z)")
        return self

    def usable_for(self, scheme: AuthScheme) -> bool:
        if scheme is AuthScheme.HMAC:
            return self.hmac_key is not None
        return self.username is not None and self.password is not None


class WebhookSettings(EnvironmentSettings):
    """Environment of the webhook function (template.yaml). The secret values are in Secrets Manager."""

    state_table_name: str = Field(alias="STATE_TABLE_NAME")
    sync_queue_url: str = Field(alias="SYNC_QUEUE_URL")
    sync_dlq_url: str = Field(alias="SYNC_DLQ_URL")
    secret_arn: str = Field(alias="WEBHOOK_SECRET_ARN")
    auth_scheme: AuthScheme = Field(default=AuthScheme.HMAC, alias="WEBHOOK_AUTH_SCHEME")
    signature_header: str = Field(
        default="X-Zuora-Signature", alias="WEBHOOK_SIGNATURE_HEADER", pattern=r"^[A-Za-z0-9-]{1,64}$"
    )
    signature_encoding: SignatureEncoding = Field(default=SignatureEncoding.BASE64, alias="WEBHOOK_SIGNATURE_ENCODING")
    # The callout template's HMAC Data: the body fields whose values it signs, in order, each followed by a line
    # feed (the template's Data has the same merge fields the body carries under these names).
    hmac_data_fields: str = Field(
        default=DEFAULT_HMAC_DATA_FIELDS, alias="WEBHOOK_HMAC_DATA_FIELDS", pattern=r"^[A-Za-z0-9_]+(,[A-Za-z0-9_]+)*$"
    )
    # The callout template's HMAC Value: literal text around {{ Data.HMAC.Signed }}.
    hmac_value: str = Field(default=DEFAULT_HMAC_VALUE, alias="WEBHOOK_HMAC_VALUE", min_length=1, max_length=200)
    # The body field holding {{Event.Timestamp}} (it must be signed, i.e. one of the Data fields); empty: none.
    timestamp_field: str = Field(default="timestamp", alias="WEBHOOK_TIMESTAMP_FIELD", pattern=r"^[A-Za-z0-9_]*$")
    # Older signed timestamps are refused. Zuora sends the same merge fields on every retry, so this must exceed
    # (tries - 1) x the retry interval of the tenant's callout settings (default 3 tries 30 minutes apart).
    max_age_minutes: int = Field(default=1440, alias="WEBHOOK_MAX_AGE_MINUTES", gt=0, le=7 * 1440)
    max_body_bytes: int = Field(default=32_768, alias="WEBHOOK_MAX_BODY_BYTES", gt=0, le=10_485_760)
    # Zuora retries a callout 3 times 30 minutes apart by default; a week covers any retry policy.
    dedupe_hours: int = Field(default=168, alias="WEBHOOK_DEDUPE_HOURS", gt=0)

    @model_validator(mode="after")
    def _hmac_scheme_is_complete(self) -> WebhookSettings:
        fields = self.data_fields
        if self.auth_scheme is AuthScheme.HMAC:
            missing = [name for name in SIGNED_FIELDS_REQUIRED if name not in fields]
            if missing:
                raise ValueError(
                    f"WEBHOOK_HMAC_DATA_FIELDS must include {', '.join(missing)}: the webhook acts on them"
                )
            if self.timestamp_field and self.timestamp_field not in fields:
                raise ValueError("WEBHOOK_TIMESTAMP_FIELD must be one of WEBHOOK_HMAC_DATA_FIELDS (it must be signed)")
        if len(SIGNED_VALUE_PATTERN.findall(self.hmac_value)) != 1:
            raise ValueError(f"WEBHOOK_HMAC_VALUE must contain {SIGNED_VALUE_PLACEHOLDER} once")
        return self

    @property
    def data_fields(self) -> tuple[str, ...]:
        return tuple(self.hmac_data_fields.split(","))

    @property
    def dedupe_window(self) -> timedelta:
        return timedelta(hours=self.dedupe_hours)

    @property
    def max_age(self) -> timedelta:
        return timedelta(minutes=self.max_age_minutes)

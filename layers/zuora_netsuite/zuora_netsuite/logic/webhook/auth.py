"""Authentication of Zuora callouts, as a callout template configures it.

- HMAC (https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/callout-templates/callout-template-overview
  and the HMAC example, https://docs.zuora.com/zuora-platform/extensibility/workflow/create-and-manage-workflow-definitions/workflow-reference/workflow-task-reference/notifications-callout/example-use-hmac-authentication-in-a-callout-task):
  Zuora signs the template's **Data** - text with merge fields, each item followed by a line feed - not the
  body. The webhook rebuilds that Data from the body fields that carry the same merge fields (HmacScheme.data_fields,
  in order), computes HMAC-SHA256 with the shared key and compares it with the signature it finds in the header
  named by **Signed Header Key**, inside the **Value** template around `{{ Data.HMAC.Signed }}`. A signed
  timestamp (`{{Event.Timestamp}}`) older than max_age is refused.
- Basic: `Authorization: Basic base64(username:password)`; Zuora sends it after a 401 challenge by default.

Every comparison is constant-time (hmac.compare_digest) and every candidate key is always tried, so the
answer time does not tell which part of a guess was right. During a rotation window the previous key (or
password) is accepted too. Nothing here logs or returns a secret or a signature."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import SecretStr

from zuora_netsuite.models.webhook import (
    DEFAULT_HMAC_DATA_FIELDS,
    DEFAULT_HMAC_VALUE,
    SIGNED_VALUE_PATTERN,
    AuthScheme,
    SignatureEncoding,
    WebhookSecret,
)

BASIC_REALM = 'Basic realm="zuora-callouts", charset="UTF-8"'
_MAX_CREDENTIAL_CHARS = 1024  # longer headers are rejected before any decoding
_MAX_FUTURE_SKEW = timedelta(minutes=5)  # clocks differ a little; a timestamp further ahead is refused


class KeyUsed(StrEnum):
    CURRENT = "current"
    PREVIOUS = "previous"  # still inside the rotation window: time to update Zuora's callout settings


@dataclass(frozen=True)
class AuthResult:
    authenticated: bool
    reason: str  # for the log and the 401 answer; never contains a secret or the signature
    key_used: KeyUsed | None = None


def _candidates(
    current: SecretStr | None, previous: SecretStr | None, secret: WebhookSecret, now: datetime
) -> list[tuple[KeyUsed, bytes]]:
    keys: list[tuple[KeyUsed, bytes]] = []
    if current is not None:
        keys.append((KeyUsed.CURRENT, current.get_secret_value().encode()))
    if previous is not None and secret.previous_valid_until is not None and now < secret.previous_valid_until:
        keys.append((KeyUsed.PREVIOUS, previous.get_secret_value().encode()))
    return keys


def sign(data: bytes, key: str, encoding: SignatureEncoding = SignatureEncoding.BASE64) -> str:
    """What `{{ Data.HMAC.Signed }}` becomes for this Data and key (HMAC-SHA256)."""
    digest = hmac.new(key.encode(), data, hashlib.sha256).digest()
    return base64.b64encode(digest).decode() if encoding is SignatureEncoding.BASE64 else digest.hex()


@dataclass(frozen=True)
class HmacScheme:
    """The HMAC settings of the callout template, as the webhook needs them to check a callout."""

    header: str = "X-Zuora-Signature"  # Signed Header Key
    data_fields: tuple[str, ...] = tuple(DEFAULT_HMAC_DATA_FIELDS.split(","))  # Data: these body fields + LF each
    value: str = DEFAULT_HMAC_VALUE  # Value: literal text around {{ Data.HMAC.Signed }}
    encoding: SignatureEncoding = SignatureEncoding.BASE64
    timestamp_field: str | None = "timestamp"  # a signed body field with {{Event.Timestamp}}; None: not checked
    max_age: timedelta = timedelta(days=1)
    _value_pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        prefix, _, suffix = SIGNED_VALUE_PATTERN.sub("\x00", self.value, count=1).partition("\x00")
        pattern = re.compile(f"^{re.escape(prefix.strip())}(?P<signed>[A-Za-z0-9+/=_-]+){re.escape(suffix.strip())}$")
        object.__setattr__(self, "_value_pattern", pattern)

    def data(self, payload: Mapping[str, Any]) -> bytes | str:
        """The signed Data rebuilt from the body, or the reason it cannot be (a missing or non-text field)."""
        items: list[str] = []
        for name in self.data_fields:
            value = payload.get(name)
            if not isinstance(value, str):
                return f"the signed body field {name} is {'missing' if value is None else 'not a string'}"
            items.append(value + "\n")
        return "".join(items).encode()

    def signature(self, header_value: str) -> str | None:
        """The {{ Data.HMAC.Signed }} part of the header, or None when the header does not have the Value's shape."""
        match = self._value_pattern.match(header_value.strip())
        return match.group("signed") if match else None

    def stale(self, payload: Mapping[str, Any], now: datetime) -> str | None:
        """Why the signed timestamp is not acceptable, or None."""
        if not self.timestamp_field:
            return None
        text = str(payload.get(self.timestamp_field, ""))
        try:
            at = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return f"the signed timestamp ({self.timestamp_field}) is not an ISO 8601 date and time"
        if at.tzinfo is None:
            return f"the signed timestamp ({self.timestamp_field}) has no time zone"
        if at > now + _MAX_FUTURE_SKEW:
            return f"the signed timestamp ({self.timestamp_field}) is in the future"
        if now - at > self.max_age:
            age, limit = int((now - at).total_seconds() // 60), int(self.max_age.total_seconds() // 60)
            return f"the signed timestamp is {age} minutes old; at most {limit} are accepted"
        return None


def _provided_digest(value: str, encoding: SignatureEncoding) -> bytes | None:
    """The raw digest in the header, or None when it is not a well-formed signature in the configured encoding."""
    text = value.strip()
    if "=" in text and text.lower().startswith("sha256="):  # "sha256=<sig>", as some senders prefix it
        text = text[7:]
    try:
        if encoding is SignatureEncoding.HEX:
            return bytes.fromhex(text)
        return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        return None


@dataclass(frozen=True)
class CalloutAuthenticator:
    scheme: AuthScheme
    secret: WebhookSecret
    hmac_scheme: HmacScheme = field(default_factory=HmacScheme)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def authenticate(self, headers: Mapping[str, str], payload: Mapping[str, Any]) -> AuthResult:
        """headers: names in lower case; payload: the callout's JSON body."""
        if self.scheme is AuthScheme.HMAC:
            return self._hmac(headers.get(self.hmac_scheme.header.lower()), payload)
        return self._basic(headers.get("authorization"))

    def _hmac(self, header: str | None, payload: Mapping[str, Any]) -> AuthResult:
        scheme = self.hmac_scheme
        if not header:
            return AuthResult(False, f"the {scheme.header} header is missing")
        if len(header) > _MAX_CREDENTIAL_CHARS:
            return AuthResult(False, f"the {scheme.header} header is too long")
        signature = scheme.signature(header)
        provided = None if signature is None else _provided_digest(signature, scheme.encoding)
        if provided is None:
            return AuthResult(False, f"the {scheme.header} header does not hold a {scheme.encoding} signature")
        data = scheme.data(payload)
        if isinstance(data, str):
            return AuthResult(False, data)
        matched: KeyUsed | None = None
        now = self.clock()
        for used, key in _candidates(self.secret.hmac_key, self.secret.previous_hmac_key, self.secret, now):
            expected = hmac.new(key, data, hashlib.sha256).digest()
            if hmac.compare_digest(expected, provided) and matched is None:
                matched = used
        if matched is None:
            return AuthResult(False, "the signature does not match the signed fields")
        stale = scheme.stale(payload, now)
        if stale is not None:
            return AuthResult(False, stale)
        return AuthResult(True, "signature verified", matched)

    def _basic(self, header: str | None) -> AuthResult:
        if not header:
            return AuthResult(False, "the Authorization header is missing")
        if len(header) > _MAX_CREDENTIAL_CHARS:
            return AuthResult(False, "the Authorization header is too long")
        scheme, _, encoded = header.strip().partition(" ")
        if scheme.lower() != "basic":
            return AuthResult(False, "the Authorization header is not Basic")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True)
        except (ValueError, binascii.Error):
            return AuthResult(False, "the Basic credentials are not base64")
        username, separator, password = decoded.partition(b":")
        if not separator:
            return AuthResult(False, "the Basic credentials have no username:password")
        expected_user = (self.secret.username or "").encode()
        user_ok = hmac.compare_digest(username, expected_user) and bool(expected_user)
        matched: KeyUsed | None = None
        for used, key in _candidates(self.secret.password, self.secret.previous_password, self.secret, self.clock()):
            if hmac.compare_digest(password, key) and matched is None:
                matched = used
        if not user_ok or matched is None:
            return AuthResult(False, "the username or password is wrong")
        return AuthResult(True, "credentials verified", matched)

"""Authentication of Zuora callouts, as Zuora's callout settings offer it (domain.md section 6).

- HMAC: HMAC-SHA256 of the raw request body with the shared key, base64 or hex, in a configurable header.
- Basic: `Authorization: Basic base64(username:password)`.

Every comparison is constant-time (hmac.compare_digest) and every candidate key is always tried, so the
answer time does not tell which part of a guess was right. During a rotation window the previous key (or
password) is accepted too. Nothing here logs or returns a secret or a signature."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import SecretStr

from zuora_netsuite.webhook.models import AuthScheme, SignatureEncoding, WebhookSecret

BASIC_REALM = 'Basic realm="zuora-callouts", charset="UTF-8"'
_MAX_CREDENTIAL_CHARS = 1024  # longer headers are rejected before any decoding


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


def sign(body: bytes, key: str, encoding: SignatureEncoding = SignatureEncoding.BASE64) -> str:
    """The signature Zuora puts in the header for this body (also used by the sandbox's callout sender)."""
    digest = hmac.new(key.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode() if encoding is SignatureEncoding.BASE64 else digest.hex()


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
    signature_header: str = "X-Zuora-Signature"
    signature_encoding: SignatureEncoding = SignatureEncoding.BASE64
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def authenticate(self, headers: Mapping[str, str], body: bytes) -> AuthResult:
        """headers: names in lower case."""
        if self.scheme is AuthScheme.HMAC:
            return self._hmac(headers.get(self.signature_header.lower()), body)
        return self._basic(headers.get("authorization"))

    def _hmac(self, header: str | None, body: bytes) -> AuthResult:
        if not header:
            return AuthResult(False, f"the {self.signature_header} header is missing")
        if len(header) > _MAX_CREDENTIAL_CHARS:
            return AuthResult(False, f"the {self.signature_header} header is too long")
        provided = _provided_digest(header, self.signature_encoding)
        if provided is None:
            return AuthResult(False, f"the {self.signature_header} header is not a {self.signature_encoding} signature")
        matched: KeyUsed | None = None
        for used, key in _candidates(self.secret.hmac_key, self.secret.previous_hmac_key, self.secret, self.clock()):
            expected = hmac.new(key, body, hashlib.sha256).digest()
            if hmac.compare_digest(expected, provided) and matched is None:
                matched = used
        if matched is None:
            return AuthResult(False, "the signature does not match the body")
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

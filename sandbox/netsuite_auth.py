"""Server-side check of NetSuite token-based authentication (OAuth 1.0a, HMAC-SHA256 only).

The realm must be the account id as NetSuite spells it in the header: upper case, ``-`` -> ``_``
(account ``1234567-sb1`` -> realm ``1234567_SB1``); any other spelling is refused.
The signature is verified with oauthlib, exactly as RFC 5849 defines it: the base string is built
from the method, the full request URL (query parameters included), the ``Authorization`` header's
``oauth_*`` parameters (not ``realm``) and the body only when it is form-encoded; JSON bodies are
not signed. Every refusal is the same 401 ``INVALID_LOGIN`` to the client (as in NetSuite); the
reason is kept for the simulator's stats (NetSuite shows it in the Login Audit Trail).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature as oauth_signature

MAX_CLOCK_SKEW_SECONDS = 300
MIN_NONCE_LENGTH = 6
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class TbaCredentials:
    """The integration record (consumer) and access token a NetSuite account accepts."""

    account_id: str
    consumer_key: str
    consumer_secret: str
    token_id: str
    token_secret: str


def expected_realm(account_id: str) -> str:
    """The realm NetSuite expects: the account id upper case with '-' as '_' (``1234567_SB1``)."""
    return account_id.strip().upper().replace("-", "_")


class AuthFailure(Exception):
    """Why a request was refused; the client only ever sees INVALID_LOGIN."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TbaVerifier:
    """Checks the OAuth 1.0a ``Authorization`` header of each request. Thread-safe."""

    def __init__(
        self,
        credentials: TbaCredentials,
        *,
        clock: Callable[[], float] = time.time,
        max_clock_skew_seconds: int = MAX_CLOCK_SKEW_SECONDS,
    ) -> None:
        self._credentials = credentials
        self._clock = clock
        self._max_skew = max_clock_skew_seconds
        self._lock = threading.Lock()
        self._nonces: dict[tuple[str, str], float] = {}  # (token, nonce) -> when first seen

    def verify(self, *, uri: str, method: str, headers: Mapping[str, str], body: str) -> None:
        """Raise AuthFailure unless the request is signed with the configured credentials.

        ``uri`` is the absolute request URL as the client sent it (scheme, host, port, path, query).
        """
        creds = self._credentials
        authorization = _header(headers, "Authorization")
        if authorization is None or not authorization.startswith("OAuth "):
            raise AuthFailure("missing OAuth Authorization header")
        try:
            header_params = oauth_signature.collect_parameters(
                headers={"Authorization": authorization}, exclude_oauth_signature=False, with_realm=True
            )
        except ValueError as exc:
            raise AuthFailure(f"malformed Authorization header: {exc}") from exc
        names = [name for name, _ in header_params]
        if len(names) != len(set(names)):
            raise AuthFailure("duplicated OAuth parameters")
        oauth = dict(header_params)

        if oauth.get("realm") != expected_realm(creds.account_id):
            raise AuthFailure(f"wrong realm {oauth.get('realm')!r}")
        if oauth.get("oauth_signature_method") != "HMAC-SHA256":
            raise AuthFailure(f"unsupported signature method {oauth.get('oauth_signature_method')!r}")
        if oauth.get("oauth_version", "1.0") != "1.0":
            raise AuthFailure("unsupported OAuth version")
        if oauth.get("oauth_consumer_key") != creds.consumer_key:
            raise AuthFailure("unknown consumer key")
        if oauth.get("oauth_token") != creds.token_id:
            raise AuthFailure("unknown token")
        nonce = oauth.get("oauth_nonce", "")
        if len(nonce) < MIN_NONCE_LENGTH:
            raise AuthFailure("nonce missing or shorter than 6 characters")
        try:
            timestamp = int(oauth.get("oauth_timestamp", ""))
        except ValueError as exc:
            raise AuthFailure("missing or malformed timestamp") from exc
        now = self._clock()
        if abs(now - timestamp) > self._max_skew:
            raise AuthFailure(f"timestamp {timestamp} more than {self._max_skew}s away from server time")
        provided_signature = oauth.get("oauth_signature")
        if not provided_signature:
            raise AuthFailure("missing signature")

        content_type = _header(headers, "Content-Type") or ""
        signed_body = body if FORM_CONTENT_TYPE in content_type else ""
        request = OAuthRequest(uri, method.upper(), signed_body, dict(headers))
        params = [(k, v) for k, v in header_params if k not in ("oauth_signature", "realm")]
        if signed_body:
            params.extend(oauth_signature.collect_parameters(body=signed_body))
        query = urlsplit(uri).query
        if query:
            params.extend(oauth_signature.collect_parameters(uri_query=query))
        request.params = params
        request.signature = provided_signature
        try:
            valid = oauth_signature.verify_hmac_sha256(request, creds.consumer_secret, creds.token_secret)
        except ValueError as exc:
            raise AuthFailure(f"cannot build the signature base string: {exc}") from exc
        if not valid:
            raise AuthFailure("signature mismatch")

        with self._lock:
            horizon = now - 2 * self._max_skew
            for key in [k for k, seen in self._nonces.items() if seen < horizon]:
                del self._nonces[key]
            key = (creds.token_id, nonce)
            if key in self._nonces:
                raise AuthFailure("nonce already used")
            self._nonces[key] = now


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None

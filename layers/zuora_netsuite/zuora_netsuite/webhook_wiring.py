"""Builds the webhook's adapters from its settings and secret, once per container (warm invocations reuse them).

The secret itself is read through Powertools Parameters with caching on every request, so a rotated secret is
picked up within credentials.SECRET_CACHE_SECONDS without a redeploy."""

from __future__ import annotations

from functools import lru_cache

from zuora_netsuite.adapters.credentials import SecretMisconfigured, read_secret
from zuora_netsuite.adapters.queue import SqsSyncQueue
from zuora_netsuite.adapters.state import DynamoDbStateStore
from zuora_netsuite.logic.webhook.auth import CalloutAuthenticator, HmacScheme
from zuora_netsuite.logic.webhook.intake import CalloutIntake, ManualSyncTrigger
from zuora_netsuite.models.webhook import WebhookSecret, WebhookSettings


class WebhookMisconfigured(Exception):
    """The webhook secret does not hold what the configured scheme needs (an operator's fix, not the caller's)."""


@lru_cache(maxsize=1)
def settings() -> WebhookSettings:
    return WebhookSettings()  # values come from the environment


@lru_cache(maxsize=1)
def state_store() -> DynamoDbStateStore:
    return DynamoDbStateStore(settings().state_table_name)


@lru_cache(maxsize=1)
def sync_queue() -> SqsSyncQueue:
    return SqsSyncQueue(settings().sync_queue_url, settings().sync_dlq_url)


def load_webhook_secret(secret_arn: str) -> WebhookSecret:
    try:
        secret = read_secret(secret_arn, WebhookSecret, "webhook")
    except SecretMisconfigured as error:  # its message names the ARN and the fields, never a value
        raise WebhookMisconfigured(str(error)) from None
    scheme = settings().auth_scheme
    if not secret.usable_for(scheme):
        needed = "hmac_key" if scheme == "hmac" else "username and password"
        raise WebhookMisconfigured(f"the webhook secret has no {needed} for WEBHOOK_AUTH_SCHEME={scheme}")
    return secret


def hmac_scheme(config: WebhookSettings) -> HmacScheme:
    return HmacScheme(
        header=config.signature_header,
        data_fields=config.data_fields,
        value=config.hmac_value,
        encoding=config.signature_encoding,
        timestamp_field=config.timestamp_field or None,
        max_age=config.max_age,
    )


def callout_intake() -> CalloutIntake:
    config = settings()
    return CalloutIntake(
        authenticator=CalloutAuthenticator(
            scheme=config.auth_scheme,
            secret=load_webhook_secret(config.secret_arn),
            hmac_scheme=hmac_scheme(config),
        ),
        state=state_store(),
        queue=sync_queue(),
        max_body_bytes=config.max_body_bytes,
        dedupe_window=config.dedupe_window,
    )


def manual_sync_trigger() -> ManualSyncTrigger:
    return ManualSyncTrigger(queue=sync_queue())


def reset() -> None:
    """Forget the cached settings and adapters (a new container; used by the sandbox and tests)."""
    for cached in (settings, state_store, sync_queue):
        cached.cache_clear()

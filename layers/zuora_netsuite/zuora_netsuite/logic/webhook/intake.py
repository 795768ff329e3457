"""From an HTTP request to a sync request on the queue: the whole webhook logic, behind the ports.

Zuora counts any answer but HTTP 200 as a failed callout and retries it
(https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/callout-templates/create-a-callout-template),
so every callout the webhook accepts or deliberately ignores gets 200 with `{"success": true, ...}`; a refusal
gets a 4xx/5xx JSON answer with `"success": false`. Order of the gates (each answers on its own):

1. body larger than the limit -> 413              5. no or malformed Zuora-Notification-Id -> 400
2. not application/json -> 415                    6. a body field invalid -> 400 naming the field
3. body not a JSON object -> 400                  7. object or event not synced -> 200 "ignored", logged
4. authentication fails -> 401 (never enqueued)

then the enqueue, and only once it succeeded the dedupe record of the Zuora-Notification-Id: 200 "enqueued",
or 200 "duplicate" when the notification had been enqueued before (a Zuora retry after a lost answer, or a
replay: sent to the queue again, which is harmless, the sync finds nothing changed). Nothing here calls Zuora
or NetSuite: the sync function fetches the record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, ValidationError

from zuora_netsuite.logic.webhook.auth import BASIC_REALM, CalloutAuthenticator
from zuora_netsuite.models.messages import RequestSource, SyncRequest
from zuora_netsuite.models.record_types import RECORD_TYPES, RecordType
from zuora_netsuite.models.webhook import (
    NOTIFICATION_ID_HEADER,
    NOTIFICATION_ID_PATTERN,
    REQUEST_ID_HEADER,
    AnswerStatus,
    AuthScheme,
    CalloutNotification,
    ErrorAnswer,
    WebhookAnswer,
)
from zuora_netsuite.observability import WebhookMetric, add_webhook_request, logger
from zuora_netsuite.ports import IntegrationStateStore, SyncQueue

# The one table from a callout's objectType to the record type it syncs: every Zuora object of
# record_types.RECORD_TYPES, so a new record type is accepted here as soon as it is added there. A type that writes
# nothing back (an invoice's cancellation) shares its object with another type and is left to the scheduled run.
CALLOUT_OBJECT_TYPES: dict[str, RecordType] = {
    info.zuora_object.lower(): rt for rt, info in RECORD_TYPES.items() if info.writes_back
}

# The connector never deletes (docs/architecture.md): such events are acknowledged and ignored.
_IGNORED_EVENT = re.compile(r"delet", re.IGNORECASE)
_JSON_CONTENT_TYPE = re.compile(r"^application/(?:[a-z0-9.+-]*\+)?json\s*(?:;.*)?$", re.IGNORECASE)
_NOTIFICATION_ID = re.compile(NOTIFICATION_ID_PATTERN)
_ALIASES = {name: info.alias or name for name, info in CalloutNotification.model_fields.items()}


@dataclass(frozen=True)
class Reply:
    """What the webhook answers: a status code, a JSON body and extra headers."""

    status: int
    body: BaseModel
    headers: Mapping[str, str] = field(default_factory=dict)

    def json_body(self) -> dict[str, Any]:
        return self.body.model_dump(mode="json", by_alias=True, exclude_none=True)


def rejected(status: HTTPStatus, error: str, message: str, field: str | None = None, **headers: str) -> Reply:
    return Reply(int(status), ErrorAnswer(error=error, message=message, field=field), headers)


def _field_name(location: tuple[int | str, ...]) -> str:
    if not location:
        return "body"
    first = str(location[0])
    return ".".join([_ALIASES.get(first, first), *(str(part) for part in location[1:])])


def _validation_reply(error: ValidationError) -> Reply:
    problems = error.errors(include_input=False, include_url=False)
    first = problems[0]
    field = _field_name(tuple(first["loc"]))
    message = "; ".join(f"{_field_name(tuple(p['loc']))}: {p['msg']}" for p in problems[:5])
    return rejected(HTTPStatus.BAD_REQUEST, "invalid_notification", message, field)


def _ignored_because(record_type: RecordType | None, notification: CalloutNotification) -> str | None:
    """Why a valid callout is acknowledged without a sync, or None."""
    if record_type is None:
        return f"the connector does not sync {notification.object_type} objects"
    if _IGNORED_EVENT.search(notification.event_type):
        return f"the connector never deletes in NetSuite ({notification.event_type} ignored)"
    return None


@dataclass
class CalloutIntake:
    """Authenticates, validates, dedupes and enqueues Zuora callouts."""

    authenticator: CalloutAuthenticator
    state: IntegrationStateStore
    queue: SyncQueue
    max_body_bytes: int
    dedupe_window: timedelta
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def receive(self, headers: Mapping[str, str], body: bytes) -> Reply:
        """One callout. headers: names in lower case; body: the raw bytes."""
        request_id = headers.get(REQUEST_ID_HEADER.lower(), "")[:64]
        payload = self._json_object(headers, body)
        if isinstance(payload, Reply):
            return self._refuse(payload, request_id)
        refusal = self._authenticate(headers, payload, request_id)
        if refusal is not None:
            return self._refuse(refusal, request_id)
        notification = self._notification(headers, payload)
        if isinstance(notification, Reply):
            return self._refuse(notification, request_id)
        notification_id, callout = notification
        return self._enqueue(notification_id, callout, request_id)

    def _json_object(self, headers: Mapping[str, str], body: bytes) -> dict[str, Any] | Reply:
        """Gates 1-3: the body as a JSON object, or the refusal."""
        if len(body) > self.max_body_bytes:
            return rejected(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                "body_too_large",
                f"the body is {len(body)} bytes; at most {self.max_body_bytes} are accepted",
                "body",
            )
        if not _JSON_CONTENT_TYPE.match(headers.get("content-type", "").strip()):
            return rejected(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "unsupported_content_type",
                "the body must be JSON (Content-Type: application/json)",
                "Content-Type",
            )
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return rejected(HTTPStatus.BAD_REQUEST, "invalid_json", "the body is not valid JSON", "body")
        if not isinstance(payload, dict):
            return rejected(HTTPStatus.BAD_REQUEST, "invalid_notification", "the body must be a JSON object", "body")
        return payload

    def _authenticate(self, headers: Mapping[str, str], payload: dict[str, Any], request_id: str) -> Reply | None:
        """Gate 4: None when the callout is authentic, else the 401."""
        auth = self.authenticator.authenticate(headers, payload)
        if not auth.authenticated:
            challenge = {"WWW-Authenticate": BASIC_REALM} if self.authenticator.scheme is AuthScheme.BASIC else {}
            add_webhook_request(WebhookMetric.UNAUTHORIZED)
            return rejected(HTTPStatus.UNAUTHORIZED, "unauthorized", auth.reason, **challenge)
        if auth.key_used == "previous":
            logger.warning(
                "Callout authenticated with the previous webhook secret: update the callout settings in Zuora "
                "before the rotation window ends",
                extra={"zuora_request_id": request_id},
            )
        return None

    @staticmethod
    def _notification(headers: Mapping[str, str], payload: dict[str, Any]) -> tuple[str, CalloutNotification] | Reply:
        """Gates 5-6: the Zuora-Notification-Id and the validated body, or the refusal."""
        notification_id = headers.get(NOTIFICATION_ID_HEADER.lower(), "").strip()
        if not _NOTIFICATION_ID.match(notification_id):
            message = f"the {NOTIFICATION_ID_HEADER} header is {'malformed' if notification_id else 'missing'}"
            return rejected(HTTPStatus.BAD_REQUEST, "invalid_header", message, NOTIFICATION_ID_HEADER)
        try:
            return notification_id, CalloutNotification.model_validate(payload)
        except ValidationError as error:
            return _validation_reply(error)

    def _enqueue(self, notification_id: str, notification: CalloutNotification, request_id: str) -> Reply:
        """Gate 7, then the enqueue and the dedupe record."""
        log_context = {
            "notification_id": notification_id,
            "zuora_request_id": request_id,
            "event_type": notification.event_type,
            "object_type": notification.object_type,
            "object_id": notification.object_id,
        }
        record_type = CALLOUT_OBJECT_TYPES.get(notification.object_type.lower())
        reason = _ignored_because(record_type, notification)
        if record_type is None or reason is not None:
            logger.info("Callout acknowledged and ignored", extra={**log_context, "reason": reason})
            add_webhook_request(WebhookMetric.IGNORED)
            return Reply(
                int(HTTPStatus.OK),
                WebhookAnswer(status=AnswerStatus.IGNORED, notification_id=notification_id, reason=reason),
            )

        request = SyncRequest(record_type=record_type, record_id=notification.object_id, source=RequestSource.WEBHOOK)
        # Enqueue first, remember the notification only after: if the send fails (-> 500), Zuora's retry finds
        # nothing remembered and enqueues again. A retry of a notification that was enqueued is sent again too
        # (the dedupe record cannot be read first: the function may only PutItem it); a double enqueue is
        # harmless, the sync serialises the two on the record's lease and the second finds nothing changed.
        self.queue.send([request])
        if not self.state.remember_notification(notification_id, self.clock() + self.dedupe_window):
            logger.info("Callout received before (a Zuora retry or a replay); enqueued again", extra=log_context)
            add_webhook_request(WebhookMetric.DUPLICATE)
            return Reply(
                int(HTTPStatus.OK),
                WebhookAnswer(status=AnswerStatus.DUPLICATE, record=request.key, notification_id=notification_id),
            )
        logger.info("Callout enqueued", extra={**log_context, "record": request.key})
        add_webhook_request(WebhookMetric.ENQUEUED)
        return Reply(
            int(HTTPStatus.OK),
            WebhookAnswer(status=AnswerStatus.ENQUEUED, record=request.key, notification_id=notification_id),
        )

    @staticmethod
    def _refuse(reply: Reply, request_id: str) -> Reply:
        answer = reply.body
        assert isinstance(answer, ErrorAnswer)
        logger.info(
            "Callout refused",
            extra={
                "status": reply.status,
                "error": answer.error,
                "field": answer.field,
                "reason": answer.message,
                "zuora_request_id": request_id,
            },
        )
        return reply


@dataclass
class ManualSyncTrigger:
    """POST /sync/{type}/{id}: an operator or a script (IAM-authenticated by API Gateway) asks for one record."""

    queue: SyncQueue

    def trigger(self, record_type: RecordType, record_id: str, caller: str | None) -> Reply:
        request = SyncRequest(record_type=record_type, record_id=record_id, source=RequestSource.OPERATOR)
        self.queue.send([request])
        logger.info("Manual sync enqueued", extra={"record": request.key, "caller": caller or "unknown"})
        add_webhook_request(WebhookMetric.MANUAL_SYNC_ENQUEUED)
        return Reply(int(HTTPStatus.ACCEPTED), WebhookAnswer(status=AnswerStatus.ENQUEUED, record=request.key))

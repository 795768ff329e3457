"""Zuora's callout notifications, simulated strictly as Zuora documents them.

When a watched object changes in the Zuora simulator (a user's edit, and also every change made through the
API: action/update, PUT /v1/credit-memos/{id} ...), a notification is created and its callout template is
rendered with the record's merge fields and POSTed to the template's URL.

Zuora's pages this follows (docs/contract-tests.md lists the choices made where they are silent):

- Headers `Zuora-Notification-Id` (the same on every retry of one notification) and `Zuora-Request-Id` (a new
  uuid without hyphens on every request):
  https://docs.zuora.com/en/zuora-platform/extensibility/events-and-notifications/notifications/callout-notification-overview
- Only HTTP 200 is a success; anything else fails:
  https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/callout-templates/create-a-callout-template
- Tries (3 by default, at most 5), the interval between them (30 minutes by default, at most 1,440; here in
  seconds and injectable) and "Confirm success by parsing response content" (the 200 answer's JSON must say
  `"success": true`):
  https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/configure-callout-settings
- Basic authentication is sent only after a 401 challenge carrying `WWW-Authenticate` with a realm, unless
  preemptive authentication is on; delivery order is not guaranteed:
  https://knowledgecenter.zuora.com/Central_Platform/Events_and_Notifications/C_Configure_Callout_Notifications
- HMAC: the administrator's Data (merge fields, each item followed by a line feed) is signed with the key
  (SHA-256) and sent in the header named by Signed Header Key, its value the Value template around
  `{{ Data.HMAC.Signed }}`; merge fields are allowed in the body, the URL and the HMAC data:
  https://docs.zuora.com/zuora-platform/extensibility/workflow/create-and-manage-workflow-definitions/workflow-reference/workflow-task-reference/notifications-callout/example-use-hmac-authentication-in-a-callout-task
  https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/callout-templates/callout-template-overview
- Timeouts: 10 s to connect, 15 s to transfer (the callout template pages, e.g. the overview above).

`python -m sandbox.zuora_callouts` (make demo-webhook): an account edited in Zuora reaches NetSuite through the
webhook path, with no dispatcher run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from sandbox.zoql import format_datetime

NOTIFICATION_ID_HEADER = "Zuora-Notification-Id"
REQUEST_ID_HEADER = "Zuora-Request-Id"
CONNECT_TIMEOUT, TRANSFER_TIMEOUT = 10.0, 15.0
MAX_ATTEMPTS_LIMIT = 5
MAX_INTERVAL_MINUTES = 1440
SIGNED_PLACEHOLDER = "Data.HMAC.Signed"
_MERGE_FIELD = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+)\s*\}\}")
_REALM = re.compile(r"^\s*basic\s+.*realm\s*=", re.IGNORECASE)


class TemplateError(ValueError):
    """A callout template uses a merge field Zuora does not offer for this event."""


def render(template: str, merge_fields: Mapping[str, str]) -> str:
    """Replace every `{{ Object.Field }}` merge field. A name that is not a merge field of the event raises
    (the template editor would not offer it); a field the record does not have renders empty, as in Zuora."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in merge_fields:
            return merge_fields[name]
        if name.startswith("DataSource.") and name.count(".") == 2:
            return ""  # a known object's field that is null on this record
        raise TemplateError(f"{{{{{name}}}}} is not a merge field of this event")

    return _MERGE_FIELD.sub(value, template)


# ------------------------------------------------------------------------------------- settings and templates


@dataclass(frozen=True)
class CalloutSettings:
    """The tenant's Callout Settings (Extension Studio > Events & Notifications > Settings)."""

    max_attempts: int = 3  # "Maximum Number of Delivery Attempts": default 3, at most 5
    interval_seconds: float = 0.05  # "Minimum Interval between Delivery Attempts": Zuora's unit is minutes
    confirm_success_by_parsing: bool = False  # "Confirm success by parsing response content"

    def __post_init__(self) -> None:
        if not 1 <= self.max_attempts <= MAX_ATTEMPTS_LIMIT:
            raise ValueError(f"max_attempts must be 1 to {MAX_ATTEMPTS_LIMIT}, got {self.max_attempts}")
        if not 0 <= self.interval_seconds <= MAX_INTERVAL_MINUTES * 60:
            raise ValueError(f"interval_seconds must be 0 to {MAX_INTERVAL_MINUTES * 60}")


@dataclass(frozen=True)
class NoAuth:
    def headers(self, merge_fields: Mapping[str, str], *, challenged: bool) -> dict[str, str]:
        return {}


@dataclass(frozen=True)
class BasicAuth:
    """Basic: by default the credentials go only in the request that follows a 401 Basic challenge."""

    username: str
    password: str
    preemptive: bool = False

    def headers(self, merge_fields: Mapping[str, str], *, challenged: bool) -> dict[str, str]:
        if not (self.preemptive or challenged):
            return {}
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}


@dataclass(frozen=True)
class HmacAuth:
    """HMAC as configured on a callout template: Data (text with merge fields), Algorithm, Key, Signed Header
    Key (the header's name) and Value (a template around {{ Data.HMAC.Signed }})."""

    key: str
    data: str
    signed_header_key: str = "X-Zuora-Signature"
    value: str = "{{ Data.HMAC.Signed }}"
    algorithm: str = "SHA-256"
    encoding: str = "base64"

    def __post_init__(self) -> None:
        if self.algorithm != "SHA-256":
            raise ValueError(f"unsupported HMAC algorithm {self.algorithm!r}; the sandbox offers SHA-256")
        if self.encoding not in ("base64", "hex"):
            raise ValueError("encoding must be base64 or hex")
        if SIGNED_PLACEHOLDER not in _MERGE_FIELD.sub(lambda m: m.group(1), self.value):
            raise ValueError("the Value must contain {{ Data.HMAC.Signed }}")

    def signed(self, merge_fields: Mapping[str, str]) -> str:
        digest = hmac.new(self.key.encode(), render(self.data, merge_fields).encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode() if self.encoding == "base64" else digest.hex()

    def headers(self, merge_fields: Mapping[str, str], *, challenged: bool) -> dict[str, str]:
        value = render(self.value, {**merge_fields, SIGNED_PLACEHOLDER: self.signed(merge_fields)})
        return {self.signed_header_key: value}


@dataclass(frozen=True)
class OAuth2Auth:
    """OAuth 2.0 through an OAuth 2.0 provider of the tenant, Client Credentials grant: a token is requested from
    the Access Token Endpoint (form fields client_id, client_secret, grant_type, scope) for each try and sent as
    `Authorization: Bearer`.
    https://docs.zuora.com/en/zuora-platform/system-management/administrator-settings/add-an-oauth-2.0-provider"""

    token_url: str
    client_id: str
    client_secret: str
    scope: str | None = None

    def token(self, session: requests.Session) -> str | None:
        form = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret}
        if self.scope:
            form["scope"] = self.scope
        try:
            response = session.post(self.token_url, data=form, timeout=(CONNECT_TIMEOUT, TRANSFER_TIMEOUT))
            token = response.json().get("access_token") if response.status_code == 200 else None
        except (requests.RequestException, ValueError, AttributeError):
            return None
        return token if isinstance(token, str) and token else None

    def headers(self, merge_fields: Mapping[str, str], *, challenged: bool) -> dict[str, str]:
        return {}  # the bearer token is added by the sender, which holds the HTTP session


CalloutAuthentication = NoAuth | BasicAuth | HmacAuth | OAuth2Auth


@dataclass(frozen=True)
class CalloutTemplate:
    """A callout template: where to send what, and how to authenticate. `body` and `url` take merge fields."""

    url: str
    body: str
    auth: CalloutAuthentication = field(default_factory=NoAuth)
    retriable: bool = True
    content_type: str = "application/json"
    event_type: str | None = None  # the template's Related Event; default "<Object>Updated"


def recommended_body(object_type: str, event_type: str | None = None) -> str:
    """The body template docs/webhooks.md asks administrators to enter, for one object."""
    return (
        "{"
        f'"eventType": "{event_type or object_type + "Updated"}", '
        f'"objectType": "{object_type}", '
        f'"objectId": "{{{{DataSource.{object_type}.Id}}}}", '
        f'"updatedDate": "{{{{DataSource.{object_type}.UpdatedDate}}}}", '
        '"timestamp": "{{Event.Timestamp}}"'
        "}"
    )


def recommended_hmac_data(object_type: str, event_type: str | None = None) -> str:
    """The HMAC Data docs/webhooks.md asks administrators to enter: the timestamp, event, object and id, each
    followed by a line feed (the same merge fields the body carries as timestamp, eventType, objectType, objectId)."""
    event = event_type or object_type + "Updated"
    return "{{Event.Timestamp}}\n" + f"{event}\n{object_type}\n" + "{{DataSource." + object_type + ".Id}}\n"


def recommended_hmac(object_type: str, key: str, event_type: str | None = None) -> HmacAuth:
    """The HMAC settings docs/webhooks.md asks administrators to enter, for one object."""
    return HmacAuth(key=key, data=recommended_hmac_data(object_type, event_type))


# ------------------------------------------------------------------------------------------- notifications


@dataclass(frozen=True)
class SentRequest:
    """One HTTP request Zuora made for a notification, and what came back (status 0: no answer)."""

    headers: dict[str, str]
    body: bytes
    status: int
    answer: Any = None  # the answer's JSON, when it was JSON
    response_headers: dict[str, str] = field(default_factory=dict)  # names in lower case


@dataclass
class Notification:
    """One notification: its merge fields are taken once, when the change happens; every try sends them."""

    notification_id: str
    event_type: str
    object_type: str
    object_id: str
    template: CalloutTemplate
    merge_fields: dict[str, str]
    attempts: list[int] = field(default_factory=list)  # HTTP status of each try's last request (0: no answer)
    requests: list[SentRequest] = field(default_factory=list)
    answer: Any = None
    delivered: bool = False

    @property
    def body(self) -> bytes:
        return render(self.template.body, self.merge_fields).encode()


def merge_fields_of(object_type: str, record: Mapping[str, Any], at: datetime) -> dict[str, str]:
    fields = {f"DataSource.{object_type}.{name}": _text(value) for name, value in record.items() if value is not None}
    fields["Event.Timestamp"] = format_datetime(at)
    return fields


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ZuoraCallouts:
    """Sends the Zuora simulator's callouts. Register `on_change` with the simulator's change_listeners.

    templates: the callout template per Zuora object type; a change of any other object sends nothing.
    shuffle_seed: deliver whatever is waiting in a random (seeded) order instead of the order of the changes.
    """

    def __init__(
        self,
        templates: Mapping[str, CalloutTemplate],
        settings: CalloutSettings | None = None,
        *,
        shuffle_seed: int | None = None,
        session: requests.Session | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.templates = dict(templates)
        self.settings = settings or CalloutSettings()
        self.sent: list[Notification] = []
        self._clock = clock
        self._rng = random.Random(shuffle_seed) if shuffle_seed is not None else None
        self._session = session or requests.Session()
        self._pending: queue.Queue[Notification | None] = queue.Queue()
        self._running = threading.Event()
        self._running.set()
        self._thread = threading.Thread(target=self._run, name="zuora-callouts", daemon=True)
        self._thread.start()

    # ---- the simulator's hook and the test controls

    def on_change(self, object_type: str, record: Mapping[str, Any]) -> None:
        """The simulator's change hook: one notification when the object has a callout template."""
        template = self.templates.get(object_type)
        if template is not None:
            self.notify(template, object_type, record)

    def notify(self, template: CalloutTemplate, object_type: str, record: Mapping[str, Any]) -> Notification:
        notification = Notification(
            notification_id=uuid.uuid4().hex,
            event_type=template.event_type or f"{object_type}Updated",
            object_type=object_type,
            object_id=str(record["Id"]),
            template=template,
            merge_fields=merge_fields_of(object_type, record, self._clock()),
        )
        self._pending.put(notification)
        return notification

    def resend(self, notification: Notification) -> Notification:
        """The same notification again (same Zuora-Notification-Id, merge fields and so signature): a retry as
        Zuora makes it after a lost answer, or a replay by someone who captured the request."""
        again = Notification(
            notification.notification_id,
            notification.event_type,
            notification.object_type,
            notification.object_id,
            notification.template,
            dict(notification.merge_fields),
        )
        self._pending.put(again)
        return again

    def pause(self) -> None:
        """Hold deliveries (changes still queue notifications) until resume()."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def wait_idle(self, timeout_seconds: float = 30.0) -> None:
        """Until every queued notification was delivered or gave up."""
        deadline = time.monotonic() + timeout_seconds
        while self._pending.unfinished_tasks:
            if time.monotonic() > deadline:
                raise TimeoutError(f"callouts still pending after {timeout_seconds} s")
            time.sleep(0.01)

    def stop(self) -> None:
        self._running.set()
        self._pending.put(None)
        self._thread.join(timeout=5)

    # ---- the sender

    def _run(self) -> None:
        while True:
            first = self._pending.get()
            self._running.wait()
            batch = [first]
            while True:  # everything already waiting: delivered in order, or shuffled
                try:
                    batch.append(self._pending.get_nowait())
                except queue.Empty:
                    break
            if self._rng is not None:
                self._rng.shuffle(batch)
            stop = False
            for notification in batch:
                try:
                    if notification is None:
                        stop = True
                    else:
                        self._deliver(notification)
                        self.sent.append(notification)
                finally:
                    self._pending.task_done()
            if stop:
                return

    def _deliver(self, notification: Notification) -> None:
        tries = self.settings.max_attempts if notification.template.retriable else 1
        for attempt in range(tries):
            if attempt:
                time.sleep(self.settings.interval_seconds)
            if self._try(notification):
                notification.delivered = True
                return

    def _try(self, notification: Notification) -> bool:
        """One delivery attempt. Basic without preemption: the unauthenticated request, then, after a 401
        Basic challenge, the same request with credentials."""
        template = notification.template
        status = self._send(notification, challenged=False)
        challenge = notification.requests[-1].response_headers.get("www-authenticate", "")
        basic = isinstance(template.auth, BasicAuth) and not template.auth.preemptive
        if status == 401 and basic and _REALM.match(challenge):
            status = self._send(notification, challenged=True)
        notification.attempts.append(status)
        return status == 200 and self._confirmed(notification.requests[-1])

    def _confirmed(self, sent: SentRequest) -> bool:
        if not self.settings.confirm_success_by_parsing:
            return True
        content_type = sent.response_headers.get("content-type", "")
        if not content_type.lower().startswith("application/json"):
            return False  # the documentation is silent: strictly, a non-JSON 200 is not a confirmed success
        return isinstance(sent.answer, dict) and sent.answer.get("success") is True

    def _send(self, notification: Notification, *, challenged: bool) -> int:
        template = notification.template
        bearer: dict[str, str] = {}
        if isinstance(template.auth, OAuth2Auth):
            token = template.auth.token(self._session)
            if token is None:  # no token: this try fails without calling the endpoint
                notification.requests.append(SentRequest({}, b"", 0))
                return 0
            bearer = {"Authorization": f"Bearer {token}"}
        headers = {
            "Content-Type": template.content_type,
            NOTIFICATION_ID_HEADER: notification.notification_id,
            REQUEST_ID_HEADER: uuid.uuid4().hex,
            "User-Agent": "Zuora Callout (sandbox)",
            **template.auth.headers(notification.merge_fields, challenged=challenged),
            **bearer,
        }
        body = notification.body
        url = render(template.url, notification.merge_fields)
        try:
            response = self._session.post(url, data=body, headers=headers, timeout=(CONNECT_TIMEOUT, TRANSFER_TIMEOUT))
        except requests.RequestException:
            notification.requests.append(SentRequest(headers, body, 0))
            return 0
        try:
            answer = response.json()
        except ValueError:
            answer = None
        notification.answer = answer
        notification.requests.append(
            SentRequest(
                headers, body, response.status_code, answer, {k.lower(): v for k, v in response.headers.items()}
            )
        )
        return response.status_code


def connector_templates(url: str, hmac_key: str, object_types: tuple[str, ...]) -> dict[str, CalloutTemplate]:
    """The callout templates docs/webhooks.md describes, one per synced Zuora object, signed with hmac_key."""
    return {
        name: CalloutTemplate(url=url, body=recommended_body(name), auth=recommended_hmac(name, hmac_key))
        for name in object_types
    }


# ------------------------------------------------------------------------------------------------ the demo


def demo(echo: Callable[[str], None] = print) -> int:
    """make demo-webhook: edit an account in Zuora; the callout, the webhook and the sync function bring the
    change to NetSuite. Returns 0 when NetSuite shows the change, 1 otherwise."""
    from sandbox.__main__ import LOG_FILE, _route_connector_logs
    from sandbox.stack import Sandbox, SandboxOptions

    _route_connector_logs(LOG_FILE)
    with (
        Sandbox(SandboxOptions(accounts=20, charges=5, retry_delay_seconds=0)) as sandbox,
        sandbox.function_environment(),
    ):
        callouts = sandbox.enable_callouts()
        echo(f"Sandbox up. Local API Gateway: {sandbox.api_url}")
        echo(f"Zuora callouts (HMAC-SHA256 over the template's Data) -> {sandbox.api_url}/webhooks/zuora")
        echo("POST /sync/{type}/{id} is not IAM-authorised in the sandbox (it is AWS_IAM on AWS).")
        account = next(a for a in sandbox.zuora.all("Account") if a.get("Status") == "Active")
        account_id = str(account["Id"])
        external_id = f"zuora-account-{account_id}"
        for number, new_name in enumerate((f"{account['Name']} (edited)", f"{account['Name']} (edited twice)"), 1):
            before = sandbox.netsuite.get_by_external_id("customer", external_id)
            writes_before = sandbox.netsuite.stats.writes("customer")
            started = time.monotonic()
            sandbox.zuora.edit("Account", account_id, Name=new_name)
            callouts.wait_idle()
            drained = sandbox.drain_sync_queue()
            callouts.wait_idle()  # the write-back's own callouts: acknowledged, nothing more to write
            drained_after = sandbox.drain_sync_queue()
            after = sandbox.netsuite.get_by_external_id("customer", external_id)
            elapsed = time.monotonic() - started
            edit_callout = next(n for n in callouts.sent if n.object_id == account_id)
            echo(
                f"\nEdit {number}: Zuora Account {account_id} Name -> {new_name!r}\n"
                f"  callout {edit_callout.notification_id}: HTTP {edit_callout.attempts} "
                f"{json.dumps(edit_callout.answer)}\n"
                f"  sync function: {drained.messages + drained_after.messages} message(s) (the edit's callout and "
                f"those of the connector's own write-backs: {len(callouts.sent)} callouts in all), "
                f"{sandbox.netsuite.stats.writes('customer') - writes_before} NetSuite write\n"
                f"  NetSuite customer {external_id}: "
                f"{(before or {}).get('companyName', '(absent)')!r} -> {(after or {}).get('companyName')!r}"
                f"  [{elapsed:.2f} s after the edit]"
            )
            callouts.sent.clear()
            if not after or after.get("companyName") != new_name:
                echo("NetSuite does not show the change.")
                return 1
        echo(
            "\nThe connector's write-back (Integration ID / Status) is a change too: Zuora called out again, the "
            "sync found nothing new and wrote nothing."
        )
        echo(f"Dispatcher runs: {sandbox.dispatcher_runs()} (the schedule never ran)")
        echo(f"Connector logs (JSON lines, as in CloudWatch): {LOG_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(demo())

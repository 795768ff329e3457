"""Zuora's callout notifications, simulated: when a record changes in the Zuora simulator, POST the recommended
callout template (docs/webhooks.md) to a configured URL, signed as Zuora signs it, and retry as Zuora retries.

- Headers: Content-Type: application/json, Zuora-Notification-Id (the same on every try of one notification),
  Zuora-Request-Id (new on every try), and the HMAC-SHA256 signature of the body (or HTTP Basic credentials).
- Retries on 403, 408, 429, 5xx and connection errors/timeouts, `max_tries` tries `retry_delay_seconds` apart
  (Zuora: 3 tries 30 minutes apart; the sandbox defaults to a fraction of a second).
- Delivered in the background, in order of the changes, by one sender thread; `wait_idle()` waits for it.

`python -m sandbox.zuora_callouts` (make demo-webhook): an account edited in Zuora reaches NetSuite through the
webhook path, with no dispatcher run.
"""

from __future__ import annotations

import base64
import json
import queue
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from zuora_netsuite.webhook.auth import sign
from zuora_netsuite.webhook.models import NOTIFICATION_ID_HEADER, REQUEST_ID_HEADER, SignatureEncoding

RETRIED_STATUSES = frozenset({403, 408, 429}) | frozenset(range(500, 600))
CONNECT_TIMEOUT, TRANSFER_TIMEOUT = 10.0, 15.0  # Zuora's callout timeouts (domain.md section 6)


@dataclass(frozen=True)
class CalloutAuth:
    """The callout's authentication settings, as configured on a Zuora callout template."""

    hmac_key: str | None = None
    signature_header: str = "X-Zuora-Signature"
    encoding: SignatureEncoding = SignatureEncoding.BASE64
    username: str | None = None
    password: str | None = None

    def headers(self, body: bytes) -> dict[str, str]:
        if self.hmac_key is not None:
            return {self.signature_header: sign(body, self.hmac_key, self.encoding)}
        if self.username is not None and self.password is not None:
            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            return {"Authorization": f"Basic {token}"}
        return {}


@dataclass
class Notification:
    """One notification and what became of it."""

    notification_id: str
    event_type: str
    object_type: str
    object_id: str
    body: bytes
    attempts: list[int] = field(default_factory=list)  # HTTP status per try (0: no answer)
    answer: dict[str, Any] | None = None

    @property
    def delivered(self) -> bool:
        return bool(self.attempts) and 200 <= self.attempts[-1] < 300


def callout_body(event_type: str, object_type: str, record: Mapping[str, Any]) -> bytes:
    """The recommended callout template of docs/webhooks.md, with the merge fields filled in."""
    account_id = record.get("Id") if object_type == "Account" else record.get("AccountId")
    body = {
        "eventType": event_type,
        "objectType": object_type,
        "objectId": record["Id"],
        "accountId": account_id,
        "updatedDate": record.get("UpdatedDate"),
    }
    return json.dumps({k: v for k, v in body.items() if v is not None}).encode()


class ZuoraCallouts:
    """Sends callouts for the Zuora simulator's changes to `url`. Register `on_change` with the simulator."""

    def __init__(
        self,
        url: str,
        auth: CalloutAuth,
        *,
        max_tries: int = 3,
        retry_delay_seconds: float = 0.2,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url
        self.auth = auth
        self.max_tries = max_tries
        self.retry_delay_seconds = retry_delay_seconds
        self.sent: list[Notification] = []
        self._session = session or requests.Session()
        self._pending: queue.Queue[Notification | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="zuora-callouts", daemon=True)
        self._thread.start()

    def on_change(self, object_type: str, record: Mapping[str, Any]) -> None:
        """The simulator's change hook: queue one notification for the changed record."""
        self.notify(f"{object_type}Updated", object_type, record)

    def notify(self, event_type: str, object_type: str, record: Mapping[str, Any]) -> Notification:
        notification = Notification(
            notification_id=uuid.uuid4().hex,
            event_type=event_type,
            object_type=object_type,
            object_id=str(record["Id"]),
            body=callout_body(event_type, object_type, record),
        )
        self._pending.put(notification)
        return notification

    def resend(self, notification: Notification) -> Notification:
        """Deliver the same notification again (same Zuora-Notification-Id and body): a retry as Zuora makes it
        after a lost answer, or a replay by someone who captured the request."""
        again = Notification(
            notification.notification_id,
            notification.event_type,
            notification.object_type,
            notification.object_id,
            notification.body,
        )
        self._pending.put(again)
        return again

    def wait_idle(self, timeout_seconds: float = 30.0) -> None:
        """Until every queued notification was delivered or gave up."""
        deadline = time.monotonic() + timeout_seconds
        while self._pending.unfinished_tasks:
            if time.monotonic() > deadline:
                raise TimeoutError(f"callouts still pending after {timeout_seconds} s")
            time.sleep(0.01)

    def stop(self) -> None:
        self._pending.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            notification = self._pending.get()
            try:
                if notification is None:
                    return
                self._deliver(notification)
                self.sent.append(notification)
            finally:
                self._pending.task_done()

    def _deliver(self, notification: Notification) -> None:
        for attempt in range(self.max_tries):
            if attempt:
                time.sleep(self.retry_delay_seconds)
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                NOTIFICATION_ID_HEADER: notification.notification_id,
                REQUEST_ID_HEADER: uuid.uuid4().hex,
                "User-Agent": "Zuora Callout (sandbox)",
                **self.auth.headers(notification.body),
            }
            try:
                response = self._session.post(
                    self.url, data=notification.body, headers=headers, timeout=(CONNECT_TIMEOUT, TRANSFER_TIMEOUT)
                )
            except requests.RequestException:
                notification.attempts.append(0)
                continue
            notification.attempts.append(response.status_code)
            try:
                notification.answer = response.json()
            except ValueError:
                notification.answer = None
            if response.status_code not in RETRIED_STATUSES:
                return


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
        echo(f"Zuora callouts (HMAC-SHA256, {callouts.auth.signature_header}) -> {callouts.url}")
        echo("POST /sync/{type}/{id} is not IAM-authorised in the sandbox (it is AWS_IAM on AWS).")
        account = next(a for a in sandbox.zuora.all("Account") if a.get("Status") == "Active")
        account_id = str(account["Id"])
        external_id = f"zuora-account-{account_id}"
        for number, new_name in enumerate((f"{account['Name']} (edited)", f"{account['Name']} (edited twice)"), 1):
            before = sandbox.netsuite.get_by_external_id("customer", external_id)
            started = time.monotonic()
            sandbox.zuora.edit("Account", account_id, Name=new_name)
            callouts.wait_idle()
            drained = sandbox.drain_sync_queue()
            after = sandbox.netsuite.get_by_external_id("customer", external_id)
            elapsed = time.monotonic() - started
            last = callouts.sent[-1]
            echo(
                f"\nEdit {number}: Zuora Account {account_id} Name -> {new_name!r}\n"
                f"  callout {last.notification_id}: HTTP {last.attempts} {json.dumps(last.answer)}\n"
                f"  sync function: {drained.messages} message(s) in {drained.invocations} invocation(s)\n"
                f"  NetSuite customer {external_id}: "
                f"{(before or {}).get('companyName', '(absent)')!r} -> {(after or {}).get('companyName')!r}"
                f"  [{elapsed:.2f} s after the edit]"
            )
            if not after or after.get("companyName") != new_name:
                echo("NetSuite does not show the change.")
                return 1
        replay = callouts.resend(callouts.sent[-1])
        callouts.wait_idle()
        echo(f"\nReplaying the last callout: HTTP {replay.attempts} {json.dumps(replay.answer)} (nothing enqueued)")
        echo(f"Dispatcher runs: {sandbox.dispatcher_runs()} (the schedule never ran)")
        echo(f"Connector logs (JSON lines, as in CloudWatch): {LOG_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(demo())

"""A callout that gets no answer in time (10 s to connect, 15 s to transfer) fails like any other and is
retried. Simulator-only by design (callout_receiver.py); the clock is not waited on: the sender's HTTP session
is replaced by one that times out at once and records the limits it was given."""

from __future__ import annotations

from typing import Any

import requests

from sandbox.zuora_callouts import CalloutSettings, CalloutTemplate, ZuoraCallouts


class TimingOutSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.timeouts: list[Any] = []

    def post(self, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.timeouts.append(kwargs.get("timeout"))
        raise requests.ReadTimeout("no answer within the transfer timeout")


def test_given_an_endpoint_that_does_not_answer_in_time_then_the_try_fails_and_is_retried():
    """
    https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/callout-templates/callout-template-overview
    (the callout template pages: 10 s to connect, 15 s to transfer);
    https://docs.zuora.com/zuora-platform/extensibility/events-and-notifications/configure-callout-settings
    (the tries)."""
    # Given an endpoint that never answers in time
    session = TimingOutSession()
    body = '{"objectId": "{{DataSource.Account.Id}}"}'
    template = CalloutTemplate(url="https://receiver.invalid/callouts", body=body)
    callouts = ZuoraCallouts({"Account": template}, CalloutSettings(interval_seconds=0), session=session)
    try:
        # When an account changes
        callouts.on_change("Account", {"Id": "8a8aa0a87e4c4e2a017e5a0e9c2b1d01"})
        callouts.wait_idle()

        # Then each of the three tries waited at most 10 s to connect and 15 s for the answer, and all failed
        assert session.timeouts == [(10.0, 15.0)] * 3
        (notification,) = callouts.sent
        assert notification.attempts == [0, 0, 0]
        assert notification.delivered is False
    finally:
        callouts.stop()

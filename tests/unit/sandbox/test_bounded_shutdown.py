"""Each step of the sandbox's shutdown is bounded (issue 11, hole 7): a step that never returns is left behind
after its timeout instead of holding the process, and a step that fails says so (never swallowed)."""

from __future__ import annotations

import threading

import pytest

from sandbox.http_server import LoopbackServer
from sandbox.shutdown import ShutdownStepFailed, bounded


def test_a_step_that_never_returns_is_left_behind_after_its_timeout():
    # Given a shutdown step blocked for good (a serve loop that never notices, a join on a hung thread)
    never = threading.Event()

    # When it runs bounded
    finished = bounded("a hung step", never.wait, timeout=0.2)

    # Then the caller gets control back, told the step did not finish
    assert finished is False


def test_a_step_that_finishes_in_time_reports_it():
    assert bounded("a quick step", lambda: None, timeout=5) is True


def test_a_step_that_fails_is_reported_with_its_name():
    def broken() -> None:
        raise OSError("socket already closed")

    with pytest.raises(ShutdownStepFailed, match=r"'moto server'.*socket already closed"):
        bounded("moto server", broken, timeout=5)


def test_a_loopback_server_stops_even_when_its_serve_loop_never_returns(monkeypatch: pytest.MonkeyPatch):
    # Given a loopback server whose werkzeug shutdown() would wait forever (its serve loop wedged)
    server = LoopbackServer(lambda environ, start_response: [])
    server.start()
    wedged = threading.Event()
    inner = server._server
    assert inner is not None
    monkeypatch.setattr(inner, "shutdown", wedged.wait)
    monkeypatch.setattr("sandbox.shutdown.STEP_TIMEOUT_SECONDS", 0.2)

    # When it is stopped
    done = threading.Event()
    threading.Thread(target=lambda: (server.stop(), done.set()), daemon=True).start()

    # Then stop() returns (bounded), and the server is released
    assert done.wait(timeout=30)
    assert not server.running
    wedged.set()

"""Bounded shutdown: a sandbox must always stop promptly (issue 11, hole 7).

Every step that waits on another thread (a werkzeug server's ``shutdown()`` waits for its serve loop without a
timeout; moto's ``ThreadedMotoServer.stop()`` joins its thread without one; a process pool waits for its
workers) runs through `bounded`: at most `timeout` seconds, after which the step is left behind on a daemon
thread, which does not keep the interpreter alive. `python -m sandbox serve` adds a watchdog on top
(`exit_after`), so that even a wait outside these steps (an atexit join) cannot keep the process alive."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

log = logging.getLogger("sandbox.shutdown")

STEP_TIMEOUT_SECONDS = 5.0


class ShutdownStepFailed(RuntimeError):
    """A shutdown step raised: re-raised after the step's thread ended, with the step named."""


def bounded(step: str, action: Callable[[], object], timeout: float | None = None) -> bool:
    """Runs `action` on a daemon thread and waits at most `timeout` seconds for it.

    True when it finished; False (and a warning naming the step) when it overran and was left behind. An
    exception it raised is re-raised here as ShutdownStepFailed, never swallowed. Default: STEP_TIMEOUT_SECONDS."""
    limit = STEP_TIMEOUT_SECONDS if timeout is None else timeout
    raised: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as error:  # handed to the caller below
            raised.append(error)

    thread = threading.Thread(target=run, name=f"shutdown-{step}", daemon=True)
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        log.warning("Shutdown step %r did not finish within %.1f s; left behind on a daemon thread", step, limit)
        return False
    if raised:
        raise ShutdownStepFailed(f"shutdown step {step!r} failed: {raised[0]!r}") from raised[0]
    return True


def exit_after(seconds: float, code: int) -> threading.Timer:
    """A watchdog: ends the process with `code` after `seconds`, whatever is still waiting (os._exit skips atexit
    handlers and thread joins, which is the point). Cancel it if the process ends in time on its own."""
    timer = threading.Timer(seconds, os._exit, args=(code,))
    timer.daemon = True
    timer.name = "shutdown-watchdog"
    timer.start()
    return timer

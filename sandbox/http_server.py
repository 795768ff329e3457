"""Run a WSGI application on 127.0.0.1 with an ephemeral port in a background thread.

Shared by the Zuora and NetSuite simulators of the local sandbox::

    server = LoopbackServer(app)
    base_url = server.start()   # e.g. "http://127.0.0.1:54321"
    ...
    server.stop()
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sandbox.shutdown import bounded

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _KeepAliveRequestHandler(WSGIRequestHandler):
    """HTTP/1.1: a client's connection is kept alive between requests, as Zuora's and NetSuite's servers do
    (werkzeug's default, HTTP/1.0, closes it after every answer: a TCP connect per request the vendors do not
    charge)."""

    protocol_version = "HTTP/1.1"


class _QuietRequestHandler(_KeepAliveRequestHandler):
    """Does not print one access-log line per request to stderr."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class LoopbackServer:
    """A threaded werkzeug server bound to loopback on a free port."""

    def __init__(self, app: WSGIApp, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True) -> None:
        self._app = app
        self._quiet = quiet
        self._host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """The server's base URL (no trailing slash); raises if not started."""
        if self._server is None:
            raise RuntimeError("server not started")
        return f"http://{self._host}:{self._server.server_port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> str:
        """Start serving in a daemon thread and return the base URL. Idempotent."""
        with self._lock:
            if self._server is None:
                server = make_server(
                    self._host,
                    self._port,
                    self._app,
                    threaded=True,
                    request_handler=_QuietRequestHandler if self._quiet else _KeepAliveRequestHandler,
                )
                thread = threading.Thread(
                    target=server.serve_forever,
                    kwargs={"poll_interval": 0.05},
                    name=f"loopback-{server.server_port}",
                    daemon=True,
                )
                thread.start()
                self._server, self._thread = server, thread
            return self.base_url

    def stop(self) -> None:
        """Stop serving and release the port. Idempotent."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server, self._thread = None, None
        if server is not None:
            # shutdown() waits for the serve loop with no timeout of its own: bounded (sandbox/shutdown.py)
            bounded(f"loopback server {server.server_port}", server.shutdown)
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.stack import Sandbox, SandboxOptions


@contextmanager
def running_sandbox(options: SandboxOptions, **env: str) -> Iterator[Sandbox]:
    """Given a started sandbox with the functions' environment set (plus `env` overrides)."""
    with Sandbox(options) as sandbox, sandbox.function_environment():
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update(env)
        try:
            yield sandbox
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

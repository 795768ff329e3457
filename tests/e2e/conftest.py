from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.environment import patched_environ
from sandbox.stack import Sandbox, SandboxOptions


@contextmanager
def running_sandbox(options: SandboxOptions, **env: str) -> Iterator[Sandbox]:
    """Given a started sandbox with the functions' environment set (plus `env` overrides)."""
    with Sandbox(options) as sandbox, sandbox.function_environment(), patched_environ(env):
        yield sandbox

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from sandbox.aws_calls import AwsCallLog
from sandbox.environment import patched_environ
from sandbox.stack import STARTED_STACKS, Sandbox, SandboxOptions
from tests.infrastructure.iam_policy import Deployments, Request, Resolver
from tests.infrastructure.templates import load_sam_template, sam_transform


@contextmanager
def running_sandbox(options: SandboxOptions, **env: str) -> Iterator[Sandbox]:
    """Given a started sandbox with the functions' environment set (plus `env` overrides)."""
    with Sandbox(options) as sandbox, sandbox.function_environment(), patched_environ(env):
        yield sandbox


_CFN: dict[str, object] = {}


@pytest.fixture(autouse=True, scope="module")
def every_aws_call_is_allowed_by_the_functions_role() -> Iterator[None]:
    """Permissions proven by use, on every e2e module (module-scoped, so it also records the module's own
    fixtures, e.g. the fault suite's run): each AWS call a function makes, in this process or in a sandbox Lambda
    container, must be allowed by that function's role in the transformed template, resolved against the sandbox
    whose resources it names. A denied call fails the module's last test at teardown. The grants no call needs
    are checked by tests/infrastructure/test_permissions_by_use.py."""
    log = AwsCallLog()
    with log.recording():
        yield
    if not log.requests and not log.unknown:
        return
    cfn = _CFN.setdefault("template", sam_transform(load_sam_template()))
    roles = Deployments(cfn, [Resolver(values, Sandbox.TEMPLATE_CONDITIONS) for values in STARTED_STACKS])
    denied = sorted(
        f"{r.function}: {r.operation} needs {r.action} on {r.resource}"
        for r in log.requests
        if not roles.allows(r.function, Request(r.action, r.resource, r.condition_values()))
    )
    assert not log.unknown, f"AWS calls the permission recorder cannot translate: {dict(log.unknown)}"
    assert not denied, "calls the role does not allow (template.yaml):\n" + "\n".join(denied)

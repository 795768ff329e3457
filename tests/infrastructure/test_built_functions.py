"""Packaging: each function, as `make build` packages it, imports and runs the way Lambda would run it.

`make build` (sam build, BuildMethod python3.12) runs for this machine's architecture (the Architecture
parameter; the deployed default is arm64, whose compiled wheels cannot load on an x86_64 test machine) into its
own build folder, so it never replaces the deployable build in .aws-sam/build. Then, per function, a clean
python3.12 (no site-packages, no inherited environment) gets exactly Lambda's layout on its path:

    /var/task       -> the built function folder
    /opt/python     -> the built layer's python/ folder
    /var/runtime    -> boto3 and friends, which the Lambda runtime provides (copied from this venv)

imports the handler module named by the template's Handler, and calls it with the sample event from events/
and the environment the template gives the function, pointed at the local sandbox (`sandbox_env`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox.stack import Sandbox
from tests.infrastructure.templates import EVENTS_DIR, REPO_ROOT, load_sam_template

pytestmark = pytest.mark.slow

# What the Lambda python runtime ships outside the deployment package (it is not in the layer's requirements).
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")

SAMPLE_EVENTS = {
    "DispatcherFunction": "dispatcher_schedule.json",
    "SyncFunction": "sync_sqs_batch.json",
    "ReplayFunction": "replay_dry_run.json",
}

# Runs inside the clean interpreter: import the handler as the runtime does and call it once.
INVOKE = r"""
import importlib, json, sys, time, uuid

module_name, function_name, event_path, result_path = sys.argv[1:5]

class Context:
    function_name = function_name
    function_version = "$LATEST"
    invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
    memory_limit_in_mb = 512
    aws_request_id = str(uuid.uuid4())
    log_group_name = f"/aws/lambda/{function_name}"
    log_stream_name = "2026/11/23/[$LATEST]packaging"
    _deadline = time.monotonic() + 900
    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))

module = importlib.import_module(module_name)
with open(event_path) as f:
    event = json.load(f)
result = module.handler(event, Context())
modules = (module_name, "zuora_netsuite", "pydantic_core", "boto3")
loaded = {name: getattr(sys.modules.get(name), "__file__", None) for name in modules}
with open(result_path, "w") as f:
    json.dump({"result": result, "loaded": loaded, "path": sys.path}, f, default=str)
"""


def host_architecture() -> str:
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        return "x86_64"
    if machine in ("aarch64", "arm64"):
        return "arm64"
    pytest.fail(f"Lambda has no {machine} architecture to build for")


def find_python312() -> str:
    """The interpreter `make build` puts on PATH for sam build (same search order as the Makefile)."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which("python3.12") or ""]
    candidates += [str(p) for p in sorted(pyenv_root.glob("versions/3.12*/bin/python3.12"), reverse=True)]
    candidates += ["/usr/bin/python3.12", "/usr/local/bin/python3.12"]
    for candidate in filter(None, candidates):
        probe = subprocess.run(  # noqa: S603 (a python3.12 found on this machine)
            [candidate, "-c", "import sys; assert sys.version_info[:2] == (3, 12); print(sys.executable)"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0:
            return probe.stdout.strip()
    pytest.fail("python3.12 is needed to build and import the functions (the Lambda runtime's version)")


@dataclass(frozen=True)
class Build:
    root: Path
    template: dict[str, Any]
    python: str
    runtime_dir: Path

    def function_dir(self, logical_id: str) -> Path:
        return self.root / self.template["Resources"][logical_id]["Properties"]["CodeUri"]

    def layer_python_dirs(self, logical_id: str) -> list[Path]:
        """/opt/python for every layer of the function (a layer zip unpacks into /opt)."""
        dirs = []
        for layer in self.template["Resources"][logical_id]["Properties"].get("Layers") or self.template.get(
            "Globals", {}
        ).get("Function", {}).get("Layers", []):
            layer_id = layer["Ref"]
            dirs.append(self.root / self.template["Resources"][layer_id]["Properties"]["ContentUri"] / "python")
        return dirs


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    # Given `make build` for this machine's architecture, in a build folder of its own (kept between runs
    # so sam build's cache can reuse the downloaded dependencies)
    arch = host_architecture()
    build_dir = REPO_ROOT / ".aws-sam" / f"packaging-{arch}" / "build"
    result = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "build", f"ARCH={arch}", f"BUILD_DIR={build_dir}"],  # noqa: S607
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, f"make build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"

    runtime_dir = tmp_path_factory.mktemp("var-runtime")
    for name in RUNTIME_PROVIDED:
        spec = importlib.util.find_spec(name)
        assert spec is not None, f"{name} is not installed in the test venv"
        assert spec.origin is not None, name
        origin = Path(spec.origin)
        if origin.name == "__init__.py":
            shutil.copytree(origin.parent, runtime_dir / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, runtime_dir / origin.name)

    built_template = load_sam_template((build_dir / "template.yaml").read_text())
    return Build(root=build_dir, template=built_template, python=find_python312(), runtime_dir=runtime_dir)


def function_environment(build: Build, logical_id: str, sandbox_env: dict[str, str]) -> dict[str, str]:
    """The template's environment for the function: literals and parameter defaults from the template,
    resource references (table, queues, secrets) and endpoints from the sandbox."""
    template = build.template
    variables = {
        **template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}),
        **template["Resources"][logical_id]["Properties"].get("Environment", {}).get("Variables", {}),
    }
    env: dict[str, str] = {}
    for name, value in variables.items():
        if isinstance(value, str):
            env[name] = value
        elif set(value) == {"Ref"} and "Default" in template["Parameters"].get(value["Ref"], {}):
            env[name] = str(template["Parameters"][value["Ref"]]["Default"])
    unresolved = variables.keys() - env.keys() - sandbox_env.keys()
    assert not unresolved, f"{logical_id}: the sandbox does not provide {sorted(unresolved)}"
    env.update(sandbox_env)
    handler = template["Resources"][logical_id]["Properties"]["Handler"]
    return {
        **env,
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_FUNCTION_NAME": logical_id,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "_HANDLER": handler,
    }


def invoke_built_function(build: Build, logical_id: str, sandbox_env: dict[str, str], workdir: Path) -> dict:
    handler = build.template["Resources"][logical_id]["Properties"]["Handler"]
    module_name = handler.rsplit(".", 1)[0]
    task_root = build.function_dir(logical_id)
    python_path = [task_root, *build.layer_python_dirs(logical_id), build.runtime_dir]
    env = function_environment(build, logical_id, sandbox_env)
    env["LAMBDA_TASK_ROOT"] = str(task_root)
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in python_path)
    result_path = workdir / f"{logical_id}.json"

    completed = subprocess.run(  # noqa: S603
        [
            build.python,
            "-S",  # no site-packages: only what Lambda would have on its path
            "-c",
            INVOKE,
            module_name,
            logical_id,
            str(EVENTS_DIR / SAMPLE_EVENTS[logical_id]),
            str(result_path),
        ],
        cwd=task_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, f"{logical_id} failed:\n{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
    outcome: dict = json.loads(result_path.read_text())

    # The code that ran is the built code, not the sources or this venv
    loaded = outcome["loaded"]
    assert Path(loaded[module_name]).is_relative_to(task_root)
    layer_dirs = build.layer_python_dirs(logical_id)
    for name in ("zuora_netsuite", "pydantic_core"):
        assert any(Path(loaded[name]).is_relative_to(d) for d in layer_dirs), (name, loaded[name])
    assert not any(".venv" in p or str(REPO_ROOT / "layers") in p for p in outcome["path"])
    return outcome


def test_built_dispatcher_runs_its_sample_event(build: Build, sandbox_env: dict[str, str], tmp_path: Path):
    # Given the built DispatcherFunction and the EventBridge Scheduler sample event
    # When a clean python3.12 imports it from the build and invokes it
    outcome = invoke_built_function(build, "DispatcherFunction", sandbox_env, tmp_path)

    # Then it returns a run summary
    summary = outcome["result"]
    assert isinstance(summary, dict)
    assert {"run_id", "started_at", "status", "types"} <= summary.keys()
    assert summary["status"] == "completed"
    assert isinstance(summary["types"], list)
    assert summary["types"], "the run covered no record type"
    for dispatched in summary["types"]:
        assert {"record_type", "found", "enqueued"} <= dispatched.keys()


def test_built_sync_runs_its_sample_event(
    build: Build, sandbox_env: dict[str, str], sandbox_with_sample_records: Sandbox, tmp_path: Path
):
    # Given the built SyncFunction and the sample SQS batch of two sync requests
    event = json.loads((EVENTS_DIR / SAMPLE_EVENTS["SyncFunction"]).read_text())
    message_ids = {record["messageId"] for record in event["Records"]}

    # When a clean python3.12 imports it from the build and invokes it
    outcome = invoke_built_function(build, "SyncFunction", sandbox_env, tmp_path)

    # Then it answers in the partial batch response format, and both sample accounts synced
    result = outcome["result"]
    assert result == {"batchItemFailures": []}, (message_ids, result)
    netsuite = sandbox_with_sample_records.netsuite
    for record in event["Records"]:
        record_id = json.loads(record["body"])["record_id"]
        assert netsuite.get_by_external_id("customer", f"zuora-account-{record_id}") is not None


def test_built_replay_runs_its_sample_event(build: Build, sandbox_env: dict[str, str], tmp_path: Path):
    # Given the built ReplayFunction and the dry-run sample event
    # When a clean python3.12 imports it from the build and invokes it
    outcome = invoke_built_function(build, "ReplayFunction", sandbox_env, tmp_path)

    # Then it answers with a dry-run report
    report = outcome["result"]
    assert report["dry_run"] is True
    assert {"moved", "skipped", "failed"} <= report.keys()
    assert report["failed"] == []


def test_built_layer_matches_the_deployed_layout(build: Build):
    # Given the built layer
    (layer_dir,) = build.layer_python_dirs("SyncFunction")

    # Then it holds the library and its pinned dependencies under python/ (what Lambda mounts at /opt/python)
    assert (layer_dir / "zuora_netsuite" / "__init__.py").is_file()
    requirements = (REPO_ROOT / "layers" / "zuora_netsuite" / "requirements.txt").read_text().splitlines()
    pins = [line.split("==")[0].split("[")[0] for line in requirements if "==" in line and not line.startswith("#")]
    installed = {p.name.split("-")[0].lower().replace("_", "-") for p in layer_dir.glob("*.dist-info")}
    for pin in pins:
        assert pin.lower().replace("_", "-") in installed, pin
    # And no byte-code or test files from the working tree
    assert not list(layer_dir.joinpath("zuora_netsuite").rglob("*.pyc"))

"""The Lambda layer's requirements.txt (what `sam build` installs), written from pyproject.toml.

pyproject.toml's `[project] dependencies` is the one list of runtime dependencies; the layer gets all of them but
those `[tool.zuora-netsuite.layer] not-packaged` names (the Lambda runtime provides boto3; the operator CLI's own).
`make layer-requirements` writes the file; tests/infrastructure/test_project_packaging.py fails if it is stale.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = REPO_ROOT / "pyproject.toml"
LAYER_REQUIREMENTS = REPO_ROOT / "layers" / "zuora_netsuite" / "requirements.txt"

HEADER = (
    "# Runtime dependencies of the shared layer (what the Lambda functions import).\n"
    "# Written by `make layer-requirements` from pyproject.toml's [project] dependencies: edit those, not this file.\n"
)


def distribution_name(requirement: str) -> str:
    """The normalised distribution name of a requirement line (`aws-lambda-powertools[tracer]==3.37.0`)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    if match is None:
        raise ValueError(f"not a requirement: {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def render(pyproject: Path = PYPROJECT) -> str:
    """The text the layer's requirements.txt must hold."""
    config = tomllib.loads(pyproject.read_text())
    dependencies: list[str] = config["project"]["dependencies"]
    not_packaged = {distribution_name(name) for name in config["tool"]["zuora-netsuite"]["layer"]["not-packaged"]}
    lines = [dep for dep in dependencies if distribution_name(dep) not in not_packaged]
    return HEADER + "".join(f"{line}\n" for line in lines)


def main() -> int:
    LAYER_REQUIREMENTS.write_text(render())
    print(f"wrote {LAYER_REQUIREMENTS.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

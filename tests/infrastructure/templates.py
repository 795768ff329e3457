"""The SAM template as written and as transformed by aws-sam-translator, and the repository paths.

No network: local CodeUri/ContentUri values are replaced by S3 URIs (what `sam package` does), the region is
fixed, and the managed-policy map (only needed for policies named without an ARN) is an empty stub.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
SAMCONFIG_PATH = REPO_ROOT / "samconfig.toml"
EVENTS_DIR = REPO_ROOT / "events"

_LOCAL_URI_PROPERTIES = ("CodeUri", "ContentUri")


class StubManagedPolicyLoader:
    """aws-sam-translator asks IAM for the managed-policy name -> ARN map; the template names none."""

    def load(self) -> dict[str, str]:
        return {}


@contextmanager
def _fixed_region(region: str = "us-east-1") -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("AWS_DEFAULT_REGION", "AWS_REGION")}
    os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = region
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def load_sam_template(text: str | None = None) -> dict[str, Any]:
    """The template as a dict, short-form intrinsics (!Ref, !GetAtt, !Sub) expanded to their long form."""
    return yaml_parse(TEMPLATE_PATH.read_text() if text is None else text)


def sam_transform(sam_template: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation template SAM deploys (roles, event source mappings, schedules made explicit)."""
    template = copy.deepcopy(sam_template)
    for logical_id, res in template.get("Resources", {}).items():
        properties = res.get("Properties", {})
        for key in _LOCAL_URI_PROPERTIES:
            if isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
                properties[key] = f"s3://artifacts-bucket/{logical_id}.zip"
    with _fixed_region():
        return transform(template, {}, StubManagedPolicyLoader())

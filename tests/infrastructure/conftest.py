"""Fixtures for the template tests: the SAM template as written and as transformed by aws-sam-translator."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infrastructure.templates import load_sam_template, sam_transform


@pytest.fixture(scope="session")
def sam_template() -> dict[str, Any]:
    return load_sam_template()


@pytest.fixture(scope="session")
def cfn_template(sam_template: dict[str, Any]) -> dict[str, Any]:
    return sam_transform(sam_template)

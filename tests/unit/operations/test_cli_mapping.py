"""`connector_cli mapping check`: an invalid mapping is refused before a deploy, naming the field."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from connector_cli.main import cli


def write(tmp_path: Path, config: dict[str, object]) -> Path:
    path = tmp_path / "sync-config.json"
    path.write_text(json.dumps(config))
    return path


def test_an_invalid_mapping_is_refused_naming_the_field(tmp_path: Path) -> None:
    path = write(
        tmp_path, {"field_mappings": {"customer": {"fields": {"custentity_zn_region": {"source": "Acount.X"}}}}}
    )
    result = CliRunner().invoke(cli, ["mapping", "check", "--offline", "--config", str(path)])
    assert result.exit_code == 4
    assert "field_mappings.customer.fields.custentity_zn_region" in result.output
    assert "not Acount" in result.output


def test_a_valid_mapping_passes_offline(tmp_path: Path) -> None:
    path = write(tmp_path, {"payment_terms": {"Net 30": "2"}})
    result = CliRunner().invoke(cli, ["mapping", "check", "--offline", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output

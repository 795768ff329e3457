"""The operator CLI's contract with scripts: exit codes, durations, JSON on stdout."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from connector_cli.main import cli, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
    ],
)
def test_durations_read_as_an_operator_writes_them(text: str, expected: timedelta):
    assert parse_duration(text) == expected


def test_a_duration_without_unit_is_a_usage_error():
    with pytest.raises(click.BadParameter, match="30m"):
        parse_duration("30")


def test_without_a_running_sandbox_the_cli_says_how_to_start_one(tmp_path: Path):
    # Given no endpoints file
    # When the operator lists errors
    result = CliRunner().invoke(cli, ["--sandbox", str(tmp_path / "none.json"), "errors"])
    # Then it fails with a hint, exit code 1
    assert result.exit_code == 1
    assert "make sandbox" in result.output


def test_stack_and_sandbox_together_is_a_usage_error(tmp_path: Path):
    result = CliRunner().invoke(cli, ["--stack", "s", "--sandbox", str(tmp_path), "errors"])
    assert result.exit_code == 2

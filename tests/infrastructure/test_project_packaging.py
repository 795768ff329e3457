"""pyproject.toml is the one source of the dependencies and of what the project installs."""

import importlib
import tomllib

from tests.infrastructure.templates import REPO_ROOT
from tools.layer_requirements import LAYER_REQUIREMENTS, distribution_name, render

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())


def test_layer_requirements_are_written_from_the_project_dependencies():
    # Given the layer's requirements.txt, which `sam build` installs into the layer
    written = LAYER_REQUIREMENTS.read_text()

    # Then it is what `make layer-requirements` writes from [project] dependencies today
    assert written == render(), "stale: run `make layer-requirements` after editing [project] dependencies"


def test_the_layer_gets_every_runtime_dependency_but_those_it_is_not_meant_to_ship():
    # Given the project's runtime dependencies and the names kept out of the layer
    dependencies = {distribution_name(dep) for dep in PYPROJECT["project"]["dependencies"]}
    not_packaged = {distribution_name(n) for n in PYPROJECT["tool"]["zuora-netsuite"]["layer"]["not-packaged"]}
    layer = {distribution_name(line) for line in render().splitlines() if line and not line.startswith("#")}

    # Then the layer has all the others, and each excluded name is a real dependency (no stale exclusion)
    assert layer == dependencies - not_packaged
    assert not_packaged <= dependencies
    assert "boto3" in not_packaged  # the Lambda runtime provides it


def test_every_lambda_handler_is_in_the_wheel_and_on_the_editable_path():
    # Given the handler modules in functions/ and the wheel's configuration
    handlers = sorted(p.relative_to(REPO_ROOT).as_posix() for p in REPO_ROOT.glob("functions/*/*_handler.py"))
    wheel = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]

    # Then each is a top-level module of the wheel and its folder a source root of the editable install
    assert handlers
    assert sorted(wheel["force-include"]) == handlers
    for handler in handlers:
        assert wheel["force-include"][handler] == handler.rsplit("/", 1)[1]
        assert handler.rsplit("/", 1)[0] in wheel["dev-mode-dirs"]


def test_the_console_script_names_the_operator_cli_entry_point():
    # Given the console script pyproject.toml installs
    target = PYPROJECT["project"]["scripts"]["zuora-netsuite"]
    module_name, function_name = target.split(":")

    # Then it resolves to a callable
    assert callable(getattr(importlib.import_module(module_name), function_name))

"""The adapters (AWS, Zuora and NetSuite clients) sit below the logic: none imports from zuora_netsuite.logic, so
the logic reaches them only through the ports (zuora_netsuite.ports)."""

from __future__ import annotations

import ast
from pathlib import Path

import zuora_netsuite.adapters

ADAPTERS = Path(zuora_netsuite.adapters.__file__).parent


def imported_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_adapter_imports_the_logic_layer():
    sources = sorted(ADAPTERS.rglob("*.py"))
    assert len(sources) > 5
    offending = {
        str(source.relative_to(ADAPTERS)): sorted(
            name for name in imported_modules(source) if name.startswith("zuora_netsuite.logic")
        )
        for source in sources
    }
    assert {path: names for path, names in offending.items() if names} == {}

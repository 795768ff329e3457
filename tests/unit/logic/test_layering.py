"""The logic reaches adapters only through ports.py: no module of logic/ imports an adapter module."""

from __future__ import annotations

import re
from pathlib import Path

LOGIC = Path(__file__).resolve().parents[3] / "layers" / "zuora_netsuite" / "zuora_netsuite" / "logic"
ADAPTER_IMPORT = re.compile(r"^\s*(?:from|import)\s+zuora_netsuite\.adapters\b", re.MULTILINE)

# Still to move (query builders the reconciliation uses: ZOQL and SuiteQL keyset paging); nothing may be added.
NOT_YET_THROUGH_PORTS = {"reconciliation.py": 2}


def test_logic_imports_no_adapter_module() -> None:
    imports = {
        str(path.relative_to(LOGIC)): len(ADAPTER_IMPORT.findall(path.read_text()))
        for path in sorted(LOGIC.rglob("*.py"))
    }
    assert {name: count for name, count in imports.items() if count} == NOT_YET_THROUGH_PORTS

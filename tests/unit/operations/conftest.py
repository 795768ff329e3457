from tests.unit.logic.conftest import world

__all__ = ["world"]

"""NetSuite classifications (subsidiary, department, class, location) and currencies: names resolved
to internal ids through SuiteQL, once per table per container (cached with a time to live)."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from zuora_netsuite.models.netsuite import RecordRef
from zuora_netsuite.ports import NetSuiteApi
from zuora_netsuite.settings import ClassificationDefaults

CACHE_SECONDS = 900.0


class Classification(StrEnum):
    """A classification field; the value is the NetSuite record type queried with SuiteQL."""

    SUBSIDIARY = "subsidiary"
    DEPARTMENT = "department"
    CLASS = "classification"
    LOCATION = "location"


ZUORA_FIELD = {
    Classification.SUBSIDIARY: "Subsidiary__NS",
    Classification.DEPARTMENT: "Department__NS",
    Classification.CLASS: "Class__NS",
    Classification.LOCATION: "Location__NS",
}


def normalise_name(name: str) -> str:
    """'Americas:North America : East' and 'americas : north america : east' name the same record."""
    return " : ".join(part.strip() for part in name.split(":")).casefold()


class NetSuiteReferenceData:
    """Looks up classification and currency ids by name; unknown names answer None (validation decides)."""

    def __init__(
        self,
        netsuite: NetSuiteApi,
        *,
        ttl_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._netsuite = netsuite
        self._ttl = ttl_seconds
        self._clock = clock
        self._tables: dict[str, tuple[float, dict[str, str]]] = {}

    def _table(self, table: str, query: str, name_column: str) -> dict[str, str]:
        cached = self._tables.get(table)
        if cached and self._clock() - cached[0] < self._ttl:
            return cached[1]
        rows = {
            normalise_name(str(row[name_column])): str(row["id"])
            for row in self._netsuite.suiteql(query)
            if row.get(name_column) is not None
        }
        self._tables[table] = (self._clock(), rows)
        return rows

    def classification_id(self, kind: Classification, full_name: str) -> str | None:
        table = self._table(kind.value, f"SELECT id, fullname FROM {kind.value} ORDER BY id", "fullname")  # noqa: S608
        return table.get(normalise_name(full_name))

    def currency_id(self, code: str) -> str | None:
        return self._table("currency", "SELECT id, symbol FROM currency ORDER BY id", "symbol").get(code.casefold())


class ClassificationChoice:
    """Picks each classification from the record's own value, else the configured default, and resolves it.

    Collects a reason per unknown name instead of failing at the first one, so a person fixes all at once."""

    def __init__(self, reference: NetSuiteReferenceData, defaults: ClassificationDefaults) -> None:
        self._reference = reference
        self._defaults = defaults
        self.problems: list[str] = []

    def resolve(self, kind: Classification, own_value: str | None) -> RecordRef | None:
        default = {
            Classification.SUBSIDIARY: self._defaults.subsidiary,
            Classification.DEPARTMENT: self._defaults.department,
            Classification.CLASS: self._defaults.class_,
            Classification.LOCATION: self._defaults.location,
        }[kind]
        own = (own_value or "").strip()
        name = own or (default or "").strip()
        if not name:
            return None
        found = self._reference.classification_id(kind, name)
        if found is None:
            where = f"{ZUORA_FIELD[kind]} " if own else f"the default {kind.name.lower()} "
            self.problems.append(
                f'{where}"{name}" does not exist in NetSuite (use the full name, levels joined by " : ")'
            )
            return None
        return RecordRef(id=found)

"""`link`: go-live linking of Zuora accounts and charges to the NetSuite customers and items that already exist
(zuora_netsuite.logic.linking): the report, as tables or JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from zuora_netsuite.logic.linking import Adopted, Match

STATUS_STYLE = {
    "matched": "green",
    "ambiguous": "yellow",
    "conflict": "red",
    "unmatched": "dim",
    "linked": "cyan",
}


def link_payload(matches: Sequence[Match], adopted: Sequence[Adopted], *, adopting: bool) -> dict[str, Any]:
    counts = Counter(match.status for match in matches)
    return {
        "counts": dict(sorted(counts.items())),
        "adopting": adopting,
        "adopted": sum(1 for result in adopted if result.ok),
        "failed": [{**result.match.as_dict(), "error": result.reason} for result in adopted if not result.ok],
        "records": [match.as_dict() for match in matches],
    }


def render_link(out: Console, description: str, matches: Sequence[Match], adopted: Sequence[Adopted]) -> None:
    counts = Counter(match.status for match in matches)
    table = Table(title=f"Go-live links on {description}")
    for column in ("type", "Zuora", "status", "key", "NetSuite candidates", "why"):
        table.add_column(column, overflow="fold")
    for match in sorted(matches, key=lambda m: (m.record_type.value, m.status, m.label)):
        if match.status == "unmatched":
            continue
        candidates = ", ".join(f"{c.record_type} {c.internal_id} ({c.name or '-'})" for c in match.candidates)
        style = STATUS_STYLE.get(match.status, "")
        table.add_row(
            match.record_type.value,
            match.label,
            f"[{style}]{match.status}[/]",
            match.key or "",
            candidates,
            match.reason,
        )
    out.print(table)
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    out.print(f"{summary or 'nothing to link'} (unmatched records are created by the next run).")
    if adopted:
        done = sum(1 for result in adopted if result.ok)
        out.print(f"Adopted {done} of {len(adopted)} matched record(s); they sync as updates with the next run.")
        for result in adopted:
            if not result.ok:
                out.print(f"[red]not adopted[/] {result.match.record_type.value} {result.match.label}: {result.reason}")
    if counts.get("ambiguous") or counts.get("conflict"):
        out.print(
            "Ambiguous and conflicting records are never adopted: make the NetSuite side unique (or give the record "
            "its external id by hand), then run link again."
        )

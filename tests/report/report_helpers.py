"""Small builders for report tests."""

from __future__ import annotations

from scanner.findings import Finding, Severity
from scanner.report.coverage import Figure, Item


def finding(rule: str, severity: str, path: str = "app/api/x/route.ts", line: int = 1, *,
            category: str = "query-patterns", message: str = "m", model=None, field=None,
            snippet: str = "", end_line: int | None = None) -> Finding:
    return Finding(rule, Severity(severity), category, path, line, 1, end_line or line, 10, message,
                   model=model, field=field, snippet=snippet, fingerprint=f"{rule}:{path}:{line}")


def figure(key: str, numerator: int, denominator: int, subject: str = "things",
           counted: str = "are fine") -> Figure:
    items = tuple(Item("a.ts", i + 1, f"item {i}", i < numerator) for i in range(denominator))
    return Figure(key, f"Title of {key}", subject, numerator, denominator, items, counted)


ALL_KEYS = ("calls_in_lib", "transactions", "multi_write_in_transaction", "entry_points_validated",
            "find_many_take", "relation_fields_indexed", "relations_on_delete", "db_catches_handled")


def figures(**shares: tuple[int, int]) -> dict[str, Figure]:
    """Every figure at 10/10 unless given as key=(numerator, denominator)."""
    return {k: figure(k, *shares.get(k, (10, 10))) for k in ALL_KEYS}

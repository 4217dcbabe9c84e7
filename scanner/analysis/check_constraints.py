"""Columns a CHECK constraint in the Prisma Migrate files limits to a list of values
(`CHECK ("status" IN ('pending', 'approved'))`, `CHECK (status = ANY (ARRAY[…]))`,
`CHECK ("kind" = 'a' OR "kind" = 'b')`), written by hand into `migration.sql` because the
schema cannot say it. The database then refuses any other string: string-enum-column's
claim does not hold there (rules.md §8 quiet: proven)."""

from __future__ import annotations

import re
from pathlib import Path

_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_TABLE = re.compile(r"\b(?:CREATE|ALTER)\s+TABLE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(?:ONLY\s+)?"
                    r"((?:\"[^\"]+\"|`[^`]+`|\w+)(?:\.(?:\"[^\"]+\"|`[^`]+`|\w+))?)", re.I)
_CHECK = re.compile(r"\bCHECK\s*\(", re.I)
# A column compared with a list or literal values inside a CHECK's expression.
_LISTED = re.compile(r"(?:\"([^\"]+)\"|`([^`]+)`|\b(\w+))(?:\s*::\s*\w+)?\s*(?:IN\s*\(\s*'|=\s*ANY\b|=\s*')", re.I)


def _unquote(name: str) -> str:
    return name.rsplit(".", 1)[-1].strip("\"`")


def _body(sql: str, start: int) -> str:
    """The balanced parenthesised text that opens at `start` (just after `CHECK (`)."""
    depth, i = 1, start
    while i < len(sql) and depth:
        depth += {"(": 1, ")": -1}.get(sql[i], 0)
        i += 1
    return sql[start:i - 1]


def checked_columns(root: Path, migrations: list[str]) -> frozenset[tuple[str, str]]:
    """(table, column) pairs that some migration's CHECK constraint limits to listed values."""
    out: set[tuple[str, str]] = set()
    for rel in migrations:
        if not rel.endswith(".sql"):
            continue
        try:
            sql = _COMMENTS.sub(" ", (root / rel).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        for stmt in sql.split(";"):
            table = _TABLE.search(stmt)
            if table is None:
                continue
            for m in _CHECK.finditer(stmt):
                for q, b, w in _LISTED.findall(_body(stmt, m.end())):
                    out.add((_unquote(table.group(1)), q or b or w))
    return frozenset(out)


def constrained_fields(schema, checked: frozenset[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """{(model, field): why} for the schema fields whose table and column `checked` holds (by
    `@@map` / `@map` names when the schema gives them)."""
    if schema is None or not checked:
        return {}
    out = {}
    for m in schema.models:
        table = m.map or m.name
        for f in m.fields:
            if (table, f.map or f.name) in checked:
                out[(m.name, f.name)] = (f"a CHECK constraint in the migrations limits {table}.{f.map or f.name} "
                                         "to listed values: the database refuses any other string")
    return out

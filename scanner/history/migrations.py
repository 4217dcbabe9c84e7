"""The store's schema version and its forward migrations.

A fresh store gets the current tables and is stamped `CURRENT`. A store at an
older version runs each later step of `MIGRATIONS` in order, in one
transaction, stamping each. A store stamped newer than this dbaudit knows is
refused rather than guessed at. On PostgreSQL an advisory lock serialises
concurrent first runs (several CI jobs creating the tables at once); on SQLite
the write transaction's lock does."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

import sqlalchemy as sa
from sqlalchemy import Column, DateTime, Integer, Table
from sqlalchemy.engine import Connection

from .errors import HistoryError
from .store import TABLES, metadata

schema_version = Table(
    "dbaudit_schema_version", metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

CURRENT = 2


def _add_finding_confidence(conn: Connection) -> None:
    """Version 2: findings carry their confidence (rules.md §8)."""
    conn.execute(sa.text("ALTER TABLE dbaudit_findings ADD COLUMN confidence VARCHAR(10)"))


# version -> the step that brings a store from version-1 to it. Version 1 is
# the baseline that `create_all` makes; add steps here when a table changes.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _add_finding_confidence}

_PG_LOCK = 0x64626175  # "dbau": one advisory lock id for dbaudit's migrations


def stored_version(conn: Connection, where: str) -> int | None:
    """The store's version, None for a store without dbaudit tables yet.

    Raises HistoryError for a foreign database: a SQLite file holding other
    tables, or dbaudit tables without a version stamp."""
    names = set(sa.inspect(conn).get_table_names())
    if schema_version.name in names:
        version = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
        if version is not None:
            return int(version)
    ours = sorted(names & {t.name for t in TABLES} | names & {schema_version.name})
    if ours:
        raise HistoryError(f"{where} holds dbaudit tables ({', '.join(ours)}) without a schema "
                           "version: it was not made by dbaudit, or an earlier save was cut off. "
                           "Drop those tables or choose another store with --history.")
    if conn.dialect.name == "sqlite" and names:
        listed = ", ".join(sorted(names)[:6]) + (", …" if len(names) > 6 else "")
        raise HistoryError(f"{where} is a SQLite database but not a dbaudit history (it holds "
                           f"the tables {listed}). Point --history or $DBAUDIT_HISTORY_URL at "
                           "another file, or move this one aside.")
    return None


def needs_migration(version: int | None, where: str) -> bool:
    if version is not None and version > CURRENT:
        raise HistoryError(f"{where} was written by a newer dbaudit (schema version {version}; "
                           f"this one knows up to {CURRENT}). Upgrade dbaudit: "
                           "pip install -U dbaudit.")
    return version != CURRENT


def ensure_schema(conn: Connection, where: str) -> None:
    """Create or migrate the tables; run inside a write transaction."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
    version = stored_version(conn, where)
    if not needs_migration(version, where):
        return
    now = datetime.now(timezone.utc)
    if version is None:
        metadata.create_all(conn, tables=[schema_version, *TABLES])
        conn.execute(schema_version.insert().values(version=CURRENT, applied_at=now))
        return
    for step in range(version + 1, CURRENT + 1):
        MIGRATIONS[step](conn)
        conn.execute(schema_version.insert().values(version=step, applied_at=now))

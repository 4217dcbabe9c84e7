"""The history store's tables: one SQLAlchemy Core definition for both back
ends (an embedded SQLite file, or a team's shared PostgreSQL). Every name
starts with `dbaudit_` so the tables can live in a database shared with others.
Changing a table here needs a step in migrations.py."""

from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, DateTime, ForeignKey, Index, Integer,
                        MetaData, PrimaryKeyConstraint, String, Table, Text, UniqueConstraint)


metadata = MetaData()


repos = Table(
    "dbaudit_repos", metadata,
    Column("id", Integer, primary_key=True),
    # Normalised remote URL (host/owner/name), or the root folder's name; a
    # scanned sub-folder of a repository adds "#sub/folder".
    Column("key", String(500), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
)

scans = Table(
    "dbaudit_scans", metadata,
    Column("id", Integer, primary_key=True),
    Column("repo_id", Integer, ForeignKey("dbaudit_repos.id", ondelete="CASCADE"), nullable=False),
    # NULL when the root is not a git checkout: such scans never replace each other.
    Column("commit_sha", String(64)),
    Column("branch", String(255)),
    Column("dirty", Boolean, nullable=False),
    Column("commit_date", DateTime(timezone=True)),
    Column("scan_date", DateTime(timezone=True), nullable=False),
    Column("version", String(50), nullable=False),
    Column("config_hash", String(64), nullable=False),
    Column("total", Integer, nullable=False),
    Column("critical", Integer, nullable=False),
    Column("high", Integer, nullable=False),
    Column("medium", Integer, nullable=False),
    Column("low", Integer, nullable=False),
    UniqueConstraint("repo_id", "commit_sha", "config_hash", name="uq_dbaudit_scans_commit_config"),
    Index("ix_dbaudit_scans_repo_date", "repo_id", "commit_date"),
)

rule_counts = Table(
    "dbaudit_rule_counts", metadata,
    Column("scan_id", Integer, ForeignKey("dbaudit_scans.id", ondelete="CASCADE"), nullable=False),
    Column("rule", String(100), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("scan_id", "rule", "severity"),
)

findings = Table(
    "dbaudit_findings", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("scan_id", Integer, ForeignKey("dbaudit_scans.id", ondelete="CASCADE"), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("rule", String(100), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("path", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("message", Text, nullable=False),
    # Schema version 2: how sure the finding is (low, medium, high); NULL in scans saved before.
    Column("confidence", String(10), nullable=True),
    Index("ix_dbaudit_findings_scan", "scan_id"),
)

TABLES = (repos, scans, rule_counts, findings)

"""A repository's scans in time order, each with what changed since the one
before it: findings new and fixed by fingerprint, and per-rule counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from .query import SavedScan, finding_rows, find_scan, fingerprints, list_scans, rule_totals
from .record import FindingRow
from .errors import HistoryError


@dataclass(frozen=True)
class Entry:
    scan: SavedScan
    by_rule: dict[str, int]
    new: int | None          # None for the first scan: nothing to compare with
    fixed: int | None
    config_changed: bool     # the config hash differs from the previous scan's

    def to_dict(self) -> dict:
        return {**self.scan.to_dict(), "by_rule": dict(sorted(self.by_rule.items())),
                "new": self.new, "fixed": self.fixed, "config_changed": self.config_changed}


def timeline(conn: Connection, repo_key: str, branch: str | None = None) -> list[Entry]:
    saved = list_scans(conn, repo_key, branch)
    prints = fingerprints(conn, repo_key)
    rules = rule_totals(conn, repo_key)
    out: list[Entry] = []
    prev: SavedScan | None = None
    for s in saved:
        now = prints.get(s.id, set())
        if prev is None:
            new = fixed = None
        else:
            before = prints.get(prev.id, set())
            new, fixed = len(now - before), len(before - now)
        out.append(Entry(s, rules.get(s.id, {}), new, fixed,
                         prev is not None and prev.config_hash != s.config_hash))
        prev = s
    return out


@dataclass(frozen=True)
class ScanDiff:
    before: SavedScan
    after: SavedScan
    new: list[FindingRow]
    fixed: list[FindingRow]

    def to_dict(self) -> dict:
        return {"from": self.before.to_dict(), "to": self.after.to_dict(),
                "config_changed": self.before.config_hash != self.after.config_hash,
                "new": [f.to_dict() for f in self.new], "fixed": [f.to_dict() for f in self.fixed]}


def diff_scans(conn: Connection, a: str, b: str, where: str, prefer_repo: str | None = None) -> ScanDiff:
    """Findings of B that A lacks (new) and of A that B lacks (fixed), by fingerprint."""
    before = find_scan(conn, a, where, prefer_repo)
    after = find_scan(conn, b, where, prefer_repo)
    if before.repo_key != after.repo_key:
        raise HistoryError(f"scans {before.label()} and {after.label()} belong to different "
                           f"repositories ({before.repo_key}, {after.repo_key}); compare two "
                           "scans of one repository.")
    rows_a, rows_b = finding_rows(conn, before.id), finding_rows(conn, after.id)
    prints_a = {f.fingerprint for f in rows_a}
    prints_b = {f.fingerprint for f in rows_b}
    return ScanDiff(before, after, [f for f in rows_b if f.fingerprint not in prints_a],
                    [f for f in rows_a if f.fingerprint not in prints_b])

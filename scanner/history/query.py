"""Reading saved scans: listings, per-scan fingerprints and rule counts, and
finding a scan by id or commit sha prefix."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .errors import HistoryError
from .record import SEVERITIES, FindingRow
from .store import findings, repos, rule_counts, scans

_HEX = re.compile(r"^[0-9a-f]{4,64}$")


@dataclass(frozen=True)
class SavedScan:
    id: int
    repo_key: str
    repo_name: str
    sha: str | None
    branch: str | None
    dirty: bool
    commit_date: datetime | None
    scan_date: datetime
    version: str
    config_hash: str
    total: int
    by_severity: dict

    @property
    def short_sha(self) -> str:
        return (self.sha or "")[:7]

    @property
    def when(self) -> datetime:
        """The moment the scanned code stands for: its commit date, else the scan's."""
        return self.commit_date or self.scan_date

    def label(self) -> str:
        sha = f"{self.short_sha}{'+' if self.dirty else ''}" if self.sha else "(no commit)"
        return f"#{self.id} {sha} {self.when:%Y-%m-%d}"

    def to_dict(self) -> dict:
        return {"id": self.id, "repo": self.repo_key, "commit": self.sha, "short_sha": self.short_sha,
                "branch": self.branch, "dirty": self.dirty,
                "commit_date": _iso(self.commit_date), "scan_date": _iso(self.scan_date),
                "version": self.version, "config_hash": self.config_hash, "total": self.total,
                "by_severity": dict(self.by_severity)}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every stored date is UTC.
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _scan_query():
    return sa.select(scans, repos.c.key, repos.c.name).join(repos, repos.c.id == scans.c.repo_id)


def _saved(row) -> SavedScan:
    m = row._mapping
    return SavedScan(m["id"], m["key"], m["name"], m["commit_sha"], m["branch"], bool(m["dirty"]),
                     _utc(m["commit_date"]), _utc(m["scan_date"]), m["version"], m["config_hash"],
                     m["total"], {s: m[s] for s in SEVERITIES})


def _ordered(rows) -> list[SavedScan]:
    return sorted((_saved(r) for r in rows), key=lambda s: (s.when, s.scan_date, s.id))


def list_repos(conn: Connection) -> list[tuple[str, str]]:
    """(key, name) of every repository with at least one scan."""
    q = (sa.select(repos.c.key, repos.c.name).where(sa.exists().where(scans.c.repo_id == repos.c.id))
         .order_by(repos.c.name, repos.c.key))
    return [(r.key, r.name) for r in conn.execute(q)]


def list_scans(conn: Connection, repo_key: str, branch: str | None = None) -> list[SavedScan]:
    """A repository's scans in time order (commit date, then scan date)."""
    q = _scan_query().where(repos.c.key == repo_key)
    if branch:
        q = q.where(scans.c.branch == branch)
    return _ordered(conn.execute(q))


def fingerprints(conn: Connection, repo_key: str) -> dict[int, set[str]]:
    """Fingerprints of every scan of a repository, by scan id."""
    q = (sa.select(findings.c.scan_id, findings.c.fingerprint)
         .join(scans, scans.c.id == findings.c.scan_id).join(repos, repos.c.id == scans.c.repo_id)
         .where(repos.c.key == repo_key))
    out: dict[int, set[str]] = defaultdict(set)
    for scan_id, fp in conn.execute(q):
        out[scan_id].add(fp)
    return out


def rule_totals(conn: Connection, repo_key: str) -> dict[int, dict[str, int]]:
    """Findings per rule (all severities) of every scan of a repository."""
    q = (sa.select(rule_counts.c.scan_id, rule_counts.c.rule, sa.func.sum(rule_counts.c.count))
         .join(scans, scans.c.id == rule_counts.c.scan_id).join(repos, repos.c.id == scans.c.repo_id)
         .where(repos.c.key == repo_key).group_by(rule_counts.c.scan_id, rule_counts.c.rule))
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for scan_id, rule, n in conn.execute(q):
        out[scan_id][rule] = int(n)
    return out


def saved_commits(conn: Connection, repo_key: str, config_hash: str) -> set[str]:
    """Commit shas of a repository already saved with this config."""
    q = (sa.select(scans.c.commit_sha).join(repos, repos.c.id == scans.c.repo_id)
         .where(repos.c.key == repo_key, scans.c.config_hash == config_hash,
                scans.c.commit_sha.is_not(None)))
    return {r[0] for r in conn.execute(q)}


def finding_rows(conn: Connection, scan_id: int) -> list[FindingRow]:
    q = (sa.select(findings.c.fingerprint, findings.c.rule, findings.c.severity, findings.c.path,
                   findings.c.line, findings.c.message, findings.c.confidence)
         .where(findings.c.scan_id == scan_id).order_by(findings.c.path, findings.c.line, findings.c.rule))
    return [FindingRow(*r) for r in conn.execute(q)]


def find_scan(conn: Connection, ref: str, where: str, prefer_repo: str | None = None) -> SavedScan:
    """A scan by id (`12` or `#12`) or commit sha prefix (at least 4 hex digits).
    Among several scans of one prefix, those of `prefer_repo` win; anything
    still ambiguous is an error listing the candidates."""
    text = ref.strip().lower()
    by_id: list[SavedScan] = []
    by_sha: list[SavedScan] = []
    if text.lstrip("#").isdigit():
        by_id = [_saved(r) for r in conn.execute(_scan_query().where(scans.c.id == int(text.lstrip("#"))))]
    if not text.startswith("#") and _HEX.match(text):
        by_sha = _ordered(conn.execute(_scan_query().where(scans.c.commit_sha.like(f"{text}%"))))
        if prefer_repo and len(by_sha) > 1 and any(s.repo_key == prefer_repo for s in by_sha):
            by_sha = [s for s in by_sha if s.repo_key == prefer_repo]
    found = by_id + by_sha
    if not found:
        raise HistoryError(f"no saved scan matches '{ref}' in {where}; `dbaudit history` lists "
                           "the scans with their ids and commits.")
    if len(found) > 1:
        listed = "; ".join(f"{s.label()} ({s.repo_name}, config {s.config_hash[:7]})" for s in found[:8])
        raise HistoryError(f"'{ref}' matches {len(found)} saved scans: {listed}. "
                           "Name one by its id (#N) or a longer commit sha.")
    return found[0]

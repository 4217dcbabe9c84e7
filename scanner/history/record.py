"""What one saved scan holds, built from a ScanResult: the plain record the
store writes, independent of the engine's in-memory objects."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from ..findings import merged
from .repo import CommitInfo, RepoIdentity

SEVERITIES = ("critical", "high", "medium", "low")

# Config keys that cannot change what a scan finds, left out of the config hash
# so that changing them keeps a repository's series of scans comparable.
_NOT_HASHED = ("history", "fail_on")


@dataclass(frozen=True)
class FindingRow:
    fingerprint: str
    rule: str
    severity: str
    path: str
    line: int
    message: str
    confidence: str | None = None

    def to_dict(self) -> dict:
        return {"fingerprint": self.fingerprint, "rule": self.rule, "severity": self.severity,
                "path": self.path, "line": self.line, "message": self.message, "confidence": self.confidence}


@dataclass(frozen=True)
class ScanRecord:
    repo: RepoIdentity
    commit: CommitInfo | None
    scan_date: datetime
    version: str
    config_hash: str
    findings: tuple[FindingRow, ...]

    def by_severity(self) -> dict[str, int]:
        counts = Counter(f.severity for f in self.findings)
        return {s: counts.get(s, 0) for s in SEVERITIES}

    def rule_counts(self) -> dict[tuple[str, str], int]:
        return dict(sorted(Counter((f.rule, f.severity) for f in self.findings).items()))


def config_hash(config_data: dict, select=(), ignore=()) -> str:
    """Hash of the effective config: the layered config dict with the command
    line's --select/--ignore folded in, as the engine applies them."""
    data = {k: v for k, v in config_data.items() if k not in _NOT_HASHED}
    rules = dict(data.get("rules", {}))
    rules["select"] = sorted(select or rules.get("select", []))
    rules["ignore"] = sorted(ignore or rules.get("ignore", []))
    data["rules"] = rules
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def recorded_findings(result) -> list:
    """Every finding in the code except those suppressed inline: a scan's
    history must not shrink because `--baseline` or `--diff` narrowed what
    its report showed."""
    review = getattr(result, "review", None)
    if review is None:
        return merged(result.findings)
    return merged(result.findings, review.narrowed(), review.below_confidence)


def record_from_result(result, repo: RepoIdentity, commit: CommitInfo | None,
                       select=(), ignore=(), scan_date: datetime | None = None) -> ScanRecord:
    rows = tuple(FindingRow(f.fingerprint, f.rule, f.severity.value, f.path, f.line, f.message, f.confidence)
                 for f in recorded_findings(result))
    return ScanRecord(repo, commit, scan_date or datetime.now(timezone.utc), result.version,
                      config_hash(result.config.data, select, ignore), rows)

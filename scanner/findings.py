"""The Finding record every rule produces and every reporter reads.

Its field set is a contract (the JSON report, SARIF, baselines, history):
change it only on purpose, with the shape test updated."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from enum import Enum
from typing import Collection, Iterable, Mapping


class Severity(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls(text.strip().lower())


_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}

CATEGORIES = {
    "query-patterns": "Query patterns",
    "transactions": "Transactions and integrity",
    "error-handling": "Error handling",
    "input-validation": "Input validation",
    "schema": "Schema",
    # The audit's own upkeep: suppression comments that cannot work.
    "maintainability": "Maintainability",
}


# How sure a finding is that it is true (rules.md §8), weakest first. `quiet` findings
# are proven harmless: rules may build them, the engine counts and drops them.
CONFIDENCE = ("quiet", "low", "medium", "high")


def confidence_rank(level: str) -> int:
    return CONFIDENCE.index(level)


@dataclass(frozen=True, slots=True)
class Related:
    path: str
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    category: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    model: str | None = None
    field: str | None = None
    operation: str | None = None
    entry_point: str | None = None
    related: tuple[Related, ...] = ()
    snippet: str = ""
    fingerprint: str = ""
    confidence: str = "medium"    # low, medium, high (CONFIDENCE)
    evidence: tuple[str, ...] = ()  # the facts that decided it, shortest first
    # The normalised text the fingerprint hashes; not part of the report.
    matched: str = dc_field(default="", compare=False, repr=False)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "category": self.category,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "model": self.model,
            "field": self.field,
            "operation": self.operation,
            "entry_point": self.entry_point,
            "related": [
                {"path": r.path, "line": r.line, "message": r.message} for r in self.related
            ],
            "snippet": self.snippet,
            "fingerprint": self.fingerprint,
            "confidence": self.confidence,
            "evidence": list(self.evidence),
        }


FINDING_KEYS = tuple(Finding(
    "r", Severity.LOW, "c", "p", 1, 1, 1, 1, "m").to_dict().keys())

_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Whitespace-insensitive form of matched code, so reformatting and line
    shifts keep a fingerprint."""
    return _WS.sub(" ", text).strip()


def report_order(f: Finding) -> tuple:
    """The order reports list findings in: path, line, column, rule."""
    return (f.path, f.line, f.column, f.rule)


def merged(*groups: Iterable[Finding]) -> list[Finding]:
    """The findings of several lists, each once (by fingerprint), in report order."""
    unique = {f.fingerprint: f for group in groups for f in group}
    return sorted(unique.values(), key=report_order)


def assign_fingerprints(findings: Iterable[Finding]) -> list[Finding]:
    """Fingerprint = hash(rule, path, normalised matched text, occurrence index).

    No line numbers (detect-secrets, semgrep match_based_id): baselines survive
    code added above a finding. The occurrence index tells apart identical
    matches in one file, counted in line order."""
    ordered = sorted(findings, key=report_order)
    seen: Counter = Counter()
    out = []
    for f in ordered:
        key = (f.rule, f.path, normalise(f.matched or f.snippet))
        index = seen[key]
        seen[key] += 1
        digest = hashlib.sha256(
            "\x1f".join((key[0], key[1], key[2], str(index))).encode()
        ).hexdigest()[:32]
        out.append(replace(f, fingerprint=digest))
    return out


def in_dev_only(findings: Iterable[Finding], spans: Mapping[str, tuple]) -> list[Finding]:
    """Findings in code that runs only outside production (`spans`: path -> (first line, last
    line, line of the NODE_ENV test), facts/dev_only.py) are low (see `unreached`)."""
    return unreached(findings, {
        path: tuple((a, b, f"it runs only outside production: the NODE_ENV test at line {t} keeps "
                           "production requests away") for a, b, t in found)
        for path, found in spans.items()})


def unreached(findings: Iterable[Finding], spans: Mapping[str, tuple], spare=None) -> list[Finding]:
    """Findings in code no production request reaches (`spans`: path -> (first line, last
    line, why)) are low (rules.md §8), with why as evidence, but those `spare(finding)` keeps.
    Severity stays: what it costs if the code is reached after all."""
    out = []
    for f in findings:
        why = next((w for a, b, w in spans.get(f.path, ()) if a <= f.line <= b), None)
        if why is not None and spare is not None and spare(f):
            why = None
        if why is not None and f.confidence in ("high", "medium"):
            f = replace(f, confidence="low", evidence=(*f.evidence, why))
        out.append(f)
    return out


def on_untouched_models(findings: Iterable[Finding], models: Mapping[str, str],
                        rules: Collection[str]) -> list[Finding]:
    """Schema findings of `rules` (those about what queries do, Rule.on_queries) on a model
    no scanned code touches (analysis/untouched_models.py: model name -> why) are low, with why
    as evidence. Severity stays: what it costs once code uses the model."""
    out = []
    for f in findings:
        why = models.get(f.model) if f.rule in rules and f.model and f.path.endswith(".prisma") else None
        if why is not None and f.confidence in ("high", "medium"):
            f = replace(f, confidence="low", evidence=(*f.evidence, why))
        out.append(f)
    return out


def on_checked_columns(findings: Iterable[Finding], fields: Mapping[tuple[str, str], str],
                       rules: Collection[str]) -> list[Finding]:
    """Findings of `rules` (Rule.refuted_by_check) on a field a CHECK constraint limits to
    listed values (analysis/check_constraints.py: (model, field) -> why) are quiet: proven."""
    return [replace(f, confidence="quiet", evidence=(*f.evidence, fields[(f.model, f.field)]))
            if f.rule in rules and (f.model, f.field) in fields else f for f in findings]


def in_scripts(findings: Iterable[Finding], scripts: Mapping[str, str]) -> list[Finding]:
    """Findings in operational scripts (`scripts`: path -> how it is run, see
    discover.Discovery.scripts) are low: a script runs by hand or from a
    package.json script, not per request. The message says why. Fingerprints
    hash neither severity nor message, so baselines keep matching."""
    out = []
    for f in findings:
        how = scripts.get(f.path)
        if how is not None:
            f = replace(f, severity=Severity.LOW, confidence="low",
                        message=f"{f.message} (in a script: {f.path} {how}, not per request)",
                        evidence=(*f.evidence, f"{f.path} {how}: not on the request path"))
        out.append(f)
    return out

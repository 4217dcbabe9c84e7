"""Inline suppressions, applied after the rules run: a finding is hidden when a
well-formed `dbaudit-ignore` comment names its rule on the finding's line
(or the line before it), or a `dbaudit-ignore-file` comment names it in the
file's header. The comments come from facts (`FileFacts.suppressions`) and
from the already-read schema text, never from a second read of the disk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .facts.comments import prisma_suppressions
from .facts.model import FileFacts, SuppressionComment
from .findings import Finding

Suppressions = Mapping[str, tuple[SuppressionComment, ...]]


@dataclass(frozen=True, slots=True)
class UnusedIgnore:
    path: str
    line: int
    rule: str
    kind: str  # line, file

    def describe(self) -> str:
        what = "dbaudit-ignore-file" if self.kind == "file" else "dbaudit-ignore"
        return f"{self.path}:{self.line}: unused `{what} {self.rule}`: no {self.rule} finding to suppress"


@dataclass
class SuppressionOutcome:
    kept: list[Finding]
    suppressed: list[Finding] = field(default_factory=list)
    unused: list[UnusedIgnore] = field(default_factory=list)


def collect(files: Mapping[str, FileFacts], schema_sources: Iterable[tuple[str, str]] = ()) -> dict[str, tuple[SuppressionComment, ...]]:
    """Suppression comments by path: source files' facts plus schema files'
    text (path, text) as the engine read it."""
    out = {path: ff.suppressions for path, ff in files.items() if ff.suppressions}
    for path, text in schema_sources:
        found = prisma_suppressions(text)
        if found:
            out[path] = found
    return out


def _covers(s: SuppressionComment, f: Finding) -> bool:
    return s.problem is None and f.rule in s.rules and (s.kind == "file" or s.target == f.line)


def apply(findings: Iterable[Finding], suppressions: Suppressions, rules_run: Iterable[str]) -> SuppressionOutcome:
    """Split findings into kept and suppressed; list the (comment, rule) pairs
    that suppressed nothing, for rules that ran (a rule left out by --select
    cannot prove a suppression unused)."""
    outcome = SuppressionOutcome(kept=[])
    used: set[tuple[str, int, str]] = set()
    for f in findings:
        hits = [s for s in suppressions.get(f.path, ()) if _covers(s, f)]
        if not hits:
            outcome.kept.append(f)
            continue
        outcome.suppressed.append(f)
        used.update((f.path, s.span.line, f.rule) for s in hits)
    ran = set(rules_run)
    for path in sorted(suppressions):
        for s in suppressions[path]:
            if s.problem is not None:
                continue
            for rule in s.rules:
                if rule in ran and (path, s.span.line, rule) not in used:
                    outcome.unused.append(UnusedIgnore(path, s.span.line, rule, s.kind))
    return outcome

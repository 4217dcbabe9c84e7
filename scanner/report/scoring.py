"""The 0-10 score table (seed audit, "Overall Assessment Score").

Each area's score is computed from the coverage figures and the findings by
the formula in docs/scoring.md; every input is kept in `AreaScore.inputs` so a
report can show where a number comes from. Change the weights here and the
document together."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from ..findings import Finding
from .coverage import Figure

AREAS = ("Schema Design", "Data Integrity", "Query Patterns", "Transaction Management",
         "Error Handling", "Performance", "Security", "Scalability", "Maintainability")

# Coverage figures (keys of coverage_figures()) that measure each area.
AREA_FIGURES = {
    "Schema Design": ("relation_fields_indexed", "relations_on_delete"),
    "Data Integrity": ("multi_write_in_transaction", "relations_on_delete"),
    "Query Patterns": ("find_many_take",),
    "Transaction Management": ("multi_write_in_transaction", "transactions"),
    "Error Handling": ("db_catches_handled",),
    "Performance": ("find_many_take", "relation_fields_indexed"),
    "Security": ("entry_points_validated",),
    "Scalability": ("find_many_take",),
    "Maintainability": ("calls_in_lib",),
}

# The areas a rule's findings count against: the first fully, the others at half weight.
RULE_AREAS = {
    "n-plus-one": ("Query Patterns", "Performance", "Scalability"),
    "unbounded-find-many": ("Query Patterns", "Performance", "Scalability"),
    "full-scan-filter": ("Query Patterns", "Performance"),
    "unindexed-filter": ("Performance", "Schema Design"),
    "write-without-transaction": ("Transaction Management", "Data Integrity"),
    "bulk-write-without-where": ("Data Integrity", "Security"),
    "raw-sql-injection": ("Security", "Query Patterns"),
    "prisma-client-per-request": ("Scalability", "Performance"),
    "multiple-prisma-clients": ("Scalability", "Maintainability"),
    "write-without-audit": ("Security", "Data Integrity"),
    "swallowed-error": ("Error Handling",),
    "generic-db-error-response": ("Error Handling",),
    "unvalidated-input": ("Security", "Data Integrity"),
    "relation-missing-on-delete": ("Data Integrity", "Schema Design"),
    "foreign-key-missing-index": ("Performance", "Schema Design"),
    "json-in-string-column": ("Schema Design", "Maintainability"),
    "string-enum-column": ("Schema Design", "Data Integrity"),
    "float-for-money": ("Schema Design", "Data Integrity"),
}
# Rules not listed above count against the areas of their category.
CATEGORY_AREAS = {
    "query-patterns": ("Query Patterns", "Performance"),
    "transactions": ("Transaction Management", "Data Integrity"),
    "error-handling": ("Error Handling",),
    "input-validation": ("Security",),
    "schema": ("Schema Design",),
}

COVERAGE_POINTS = 4.0          # what a coverage share of 0 costs
SEVERITY_POINTS = {"critical": 1.5, "high": 0.75, "medium": 0.3, "low": 0.1}
MAX_HIT_FACTOR = 3.0           # 1 + log2(hits), capped: 4 or more hits count as 3
SECONDARY_WEIGHT = 0.5
SINGLE_WRITER_POINTS = 2.0     # Scalability, for a single-writer provider (sqlite)


@dataclass(frozen=True, slots=True)
class FigureInput:
    key: str
    title: str
    numerator: int
    denominator: int


@dataclass(frozen=True, slots=True)
class FindingInput:
    rule: str
    severity: str
    count: int
    weight: float       # 1 for the rule's first area, SECONDARY_WEIGHT otherwise
    points: float


@dataclass(frozen=True, slots=True)
class AreaScore:
    area: str
    score: float | None           # 0..10, unrounded; None when nothing measures the area
    coverage: float | None        # mean share of the area's figures, None without one
    coverage_points: float
    finding_points: float
    fixed_points: float
    figures: tuple[FigureInput, ...]
    findings: tuple[FindingInput, ...]
    fixed: tuple[tuple[str, float], ...]

    @property
    def rounded(self) -> int | None:
        return None if self.score is None else int(math.floor(self.score + 0.5))

    @property
    def status(self) -> str:
        return status_of(self.score)


@dataclass(frozen=True, slots=True)
class ScoreTable:
    areas: tuple[AreaScore, ...]
    overall: float | None         # mean of the measured areas; None when none is

    @property
    def overall_rounded(self) -> int | None:
        return None if self.overall is None else int(math.floor(self.overall + 0.5))


def status_of(score: float | None) -> str:
    if score is None:
        return "not measured"
    s = math.floor(score + 0.5)
    if s >= 8:
        return "strong"
    if s >= 6:
        return "needs work"
    if s >= 5:
        return "weak"
    return "critical gap"


def rule_areas(rule: str, category: str) -> tuple[str, ...]:
    return RULE_AREAS.get(rule) or CATEGORY_AREAS.get(category, ())


def hit_factor(count: int) -> float:
    return min(1.0 + math.log2(count), MAX_HIT_FACTOR) if count > 0 else 0.0


def score_table(findings: list[Finding], figures: dict[str, Figure], provider: str | None = None) -> ScoreTable:
    groups = Counter((f.rule, f.category, f.severity.value) for f in findings)
    areas = []
    for area in AREAS:
        figs = tuple(FigureInput(k, figures[k].title, figures[k].numerator, figures[k].denominator)
                     for k in AREA_FIGURES[area] if k in figures and figures[k].denominator)
        coverage = sum(f.numerator / f.denominator for f in figs) / len(figs) if figs else None
        coverage_points = COVERAGE_POINTS * (1 - coverage) if coverage is not None else 0.0
        inputs = []
        for (rule, category, severity), n in sorted(groups.items()):
            mapped = rule_areas(rule, category)
            if area not in mapped:
                continue
            weight = 1.0 if mapped[0] == area else SECONDARY_WEIGHT
            points = SEVERITY_POINTS[severity] * hit_factor(n) * weight
            inputs.append(FindingInput(rule, severity, n, weight, round(points, 3)))
        fixed = []
        if area == "Scalability" and provider == "sqlite":
            fixed.append(("single-writer provider (sqlite)", SINGLE_WRITER_POINTS))
        finding_points = sum(i.points for i in inputs)
        fixed_points = sum(p for _, p in fixed)
        # No figure with anything to count, no finding and no fixed input: nothing to score.
        measured = bool(figs or inputs or fixed)
        score = max(0.0, min(10.0, 10.0 - coverage_points - finding_points - fixed_points)) if measured else None
        areas.append(AreaScore(area, score, coverage, coverage_points, finding_points, fixed_points,
                               figs, tuple(inputs), tuple(fixed)))
    scored = [a.score for a in areas if a.score is not None]
    return ScoreTable(tuple(areas), sum(scored) / len(scored) if scored else None)

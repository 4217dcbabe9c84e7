"""The audit behind the HTML and text reports: coverage figures, schema
architecture, the score table, the executive summary and the recommendations,
all computed from one ScanResult.

Every sentence here is a template filled from computed numbers, so two apps get
different text; thresholds are constants named below and in docs/scoring.md."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from ..findings import CATEGORIES, Finding, Severity, confidence_rank, merged
from ..rules import RULES_BY_ID
from .coverage import Figure, coverage_figures
from .schema_overview import SchemaOverview, schema_overview
from .scoring import ScoreTable, score_table, status_of

SEVERITIES = ("critical", "high", "medium", "low")
STRONG_SHARE = 0.8        # a coverage figure at or above this is a strength
WEAK_SHARE = 0.5          # below this, a concern
MIN_DENOMINATOR = 3       # figures over fewer items say too little either way
MANY_HIGH = 3             # a high-severity rule with this many hits is a critical item
LOCATIONS_NAMED = 3       # locations named in a summary sentence
AFFECTED_NAMED = 8        # files or models named per recommendation

VERDICTS = {
    "strong": "Strong",
    "needs work": "Good foundation, needs work",
    "weak": "Significant gaps",
    "critical gap": "Critical gaps",
    "not measured": "Nothing to score: no Prisma operation, schema or finding was found",
}


@dataclass(frozen=True, slots=True)
class Recommendation:
    priority: str
    rule: str
    name: str
    summary: str
    count: int
    affected: tuple[tuple[str, int], ...]   # (file or Model.field, findings), most first
    more_affected: int


@dataclass(frozen=True, slots=True)
class Summary:
    verdict: str
    status: str
    score: int | None
    exact_score: float | None
    strengths: tuple[str, ...]
    concerns: tuple[str, ...]
    critical: tuple[str, ...]


@dataclass(frozen=True)
class Audit:
    figures: dict[str, Figure]
    schema: SchemaOverview | None
    scores: ScoreTable
    summary: Summary
    recommendations: tuple[Recommendation, ...]
    by_severity: dict[str, int]
    by_category: dict[str, int]
    by_rule: dict[str, int]


def percent(n: int, d: int) -> str:
    return f"{round(100 * n / d)}%" if d else "n/a"


def figure_sentence(f: Figure, lead: str = "") -> str:
    detail = f", {f.detail}" if f.detail else ""
    return (f"{lead}{f.numerator} of {f.denominator} {f.subject} {f.counted} "
            f"({percent(f.numerator, f.denominator)}){detail}.")


def _locations(findings: list[Finding]) -> str:
    locs = [f"`{f.path}:{f.line}`" for f in findings[:LOCATIONS_NAMED]]
    more = len(findings) - len(locs)
    return ", ".join(locs) + (f" and {more} more" if more > 0 else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summarise(findings: list[Finding], figures: dict[str, Figure], overview: SchemaOverview | None,
              scores: ScoreTable) -> Summary:
    strengths, concerns, critical = [], [], []
    for f in figures.values():
        share = f.share
        if share is None or f.denominator < MIN_DENOMINATOR:
            continue
        if share >= STRONG_SHARE:
            strengths.append(figure_sentence(f))
        elif share < WEAK_SHARE:
            concerns.append(figure_sentence(f, "Only "))
    if overview is not None:
        if overview.without_on_delete:
            names = ", ".join(f"{r.model}.{r.field}" for r in overview.without_on_delete[:LOCATIONS_NAMED])
            more = len(overview.without_on_delete) - LOCATIONS_NAMED
            concerns.append(f"{_plural(len(overview.without_on_delete), 'relation')} without `onDelete`: "
                            f"{names}" + (f" and {more} more" if more > 0 else "") + ".")
        concerns.extend(overview.notes)
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_rule[f.rule].append(f)
    for rule, fs in sorted(by_rule.items()):
        crit = [f for f in fs if f.severity is Severity.CRITICAL]
        high = [f for f in fs if f.severity is Severity.HIGH]
        if crit:
            critical.append(f"{_plural(len(crit), f'critical `{rule}` finding')}: {_locations(crit)}.")
        if len(high) >= MANY_HIGH:
            files = len({f.path for f in high})
            critical.append(f"{len(high)} high-severity `{rule}` findings in {_plural(files, 'file')}: "
                            f"{_locations(high)}.")
    low_areas = [a for a in scores.areas if a.status == "critical gap"]
    for a in low_areas:
        concerns.append(f"{a.area} scores {a.rounded}/10.")
    status = status_of(scores.overall)
    exact = round(scores.overall, 2) if scores.overall is not None else None
    return Summary(VERDICTS[status], status, scores.overall_rounded, exact,
                   tuple(strengths), tuple(concerns), tuple(critical))


def recommendations(findings: list[Finding]) -> tuple[Recommendation, ...]:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_rule[f.rule].append(f)
    out = []
    for rule, fs in by_rule.items():
        top = max(fs, key=lambda f: f.severity.rank).severity.value
        affected = Counter(_affected(f) for f in fs)
        ranked = sorted(affected.items(), key=lambda kv: (-kv[1], kv[0]))
        meta = RULES_BY_ID.get(rule)
        out.append(Recommendation(top, rule, meta.name if meta else rule, meta.summary if meta else "",
                                  len(fs), tuple(ranked[:AFFECTED_NAMED]),
                                  max(0, len(ranked) - AFFECTED_NAMED)))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    out.sort(key=lambda r: (order[r.priority], -r.count, r.rule))
    return tuple(out)


def _affected(f: Finding) -> str:
    """Schema findings name the model (and field); code findings their file."""
    if f.model and (f.category == "schema" or f.path.endswith(".prisma")):
        return f"{f.model}.{f.field}" if f.field else f.model
    return f.path


def audited_findings(result) -> list[Finding]:
    """The findings the audit weighs: those of the whole scanned code in the default view.
    `--select`/`--ignore`, `--baseline`, `--diff` and `--min-severity` narrow what a report
    lists, never what the code scores: the findings of the rules left out of the listing, the
    baselined findings, those outside the diff and those below the shown severity count too
    (suppressed ones do not)."""
    review = getattr(result, "review", None)
    if review is None:
        return merged(result.findings)
    # A `--min-severity` view changes what is shown, not the verdict.
    floor = confidence_rank(review.min_confidence)
    hidden = [f for f in [*review.narrowed(), *review.below_severity, *review.unselected]
              if confidence_rank(f.confidence) >= floor]
    return merged(result.findings, hidden)


def listed_findings(result) -> str:
    """`1 new finding of n-plus-one`, `3 findings on the changed lines`: what a report lists
    when `--select`/`--ignore`, `--baseline` or `--diff` narrowed it; empty when it lists the
    findings of the whole code."""
    review = getattr(result, "review", None)
    if review is None:
        return ""
    selection = review.selection()
    if not selection and review.baseline is None and review.diff is None:
        return ""
    listed = len(result.findings) + len(review.below_severity)
    parts = [str(listed), "new" if review.baseline is not None else "", "finding" + ("" if listed == 1 else "s"),
             selection, "on the changed lines" if review.diff is not None and review.baseline is None else ""]
    return " ".join(p for p in parts if p)


def build_audit(result) -> Audit:
    figures = coverage_figures(result.index, result.config)
    migrations = result.discovery.migrations if result.discovery is not None else ()
    overview = schema_overview(result.schema, migrations) if result.schema is not None else None
    findings = audited_findings(result)
    scores = score_table(findings, figures, result.schema.provider if result.schema else None)
    return Audit(
        figures=figures, schema=overview, scores=scores,
        summary=summarise(findings, figures, overview, scores),
        recommendations=recommendations(findings),
        by_severity={s: sum(1 for f in findings if f.severity.value == s) for s in SEVERITIES},
        by_category={c: sum(1 for f in findings if f.category == c) for c in CATEGORIES},
        by_rule=dict(sorted(Counter(f.rule for f in findings).items())),
    )


def summary_dict(result, audit: Audit | None = None) -> dict:
    """The JSON report's `summary`: the audit of the whole scanned code (scores with
    their inputs, coverage figures, counts), whatever the listed findings are."""
    audit = audit or build_audit(result)
    audited = audited_findings(result)
    return {
        "audit_of": "the whole scanned code (findings of rules --select/--ignore left out, baselined "
                    "findings and findings outside --diff included)",
        "listed_findings": len(result.findings),
        "audited_findings": len(audited),
        "overall": {"score": audit.scores.overall_rounded,
                    "exact": None if audit.scores.overall is None else round(audit.scores.overall, 2),
                    "status": audit.summary.status, "verdict": audit.summary.verdict},
        "areas": [{"area": a.area, "score": a.rounded,
                   "exact": None if a.score is None else round(a.score, 2), "status": a.status,
                   "coverage": None if a.coverage is None else round(a.coverage, 4),
                   "coverage_points": round(a.coverage_points, 2), "finding_points": round(a.finding_points, 2),
                   "fixed_points": round(a.fixed_points, 2)}
                  for a in audit.scores.areas],
        "coverage": [{"key": f.key, "title": f.title, "numerator": f.numerator, "denominator": f.denominator,
                      "share": None if f.share is None else round(f.share, 4)}
                     for f in audit.figures.values()],
        "by_severity": audit.by_severity,
        "by_confidence": {c: sum(1 for f in audited if f.confidence == c) for c in ("high", "medium", "low")},
    }

"""`-f html`: the audit as one self-contained page.

This module only builds a view model (plain dicts, lists and strings) and
renders `templates/report.html.j2` with Jinja2, autoescape on. Scanned code
and messages stay data: they are escaped by the template, never marked safe,
and invisible or bidirectional control characters are shown as visible
`<U+202E>` marks so the page displays what the file really holds."""

from __future__ import annotations

import base64
import hashlib
import re
from collections import defaultdict
from functools import lru_cache

import jinja2

from .. import __version__, recognition
from ..findings import CATEGORIES, Finding, Severity
from ..resources import data_dir
from ..rules import RULES_BY_ID
from .audit import SEVERITIES, Audit, build_audit, listed_findings, percent
from .scoring import COVERAGE_POINTS
from .rule_docs import Block, inline, rule_sections

MAX_FINDINGS_PER_RULE = 200     # rows rendered per rule; the rest are counted
MAX_EXCERPTS_PER_RULE = 25      # code excerpts per rule; later rows show the location only
MAX_FIGURE_ITEMS = 150          # items listed under one coverage figure
MAX_RELATED = 12

# Bidi embeddings/overrides/isolates, marks, zero-width characters, BOM, and
# C0/C1 controls other than tab and newline.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff"
                        "\x00-\x08\x0b-\x1f\x7f-\x9f]")


def inert(text: str) -> str:
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def _inert_all(obj):
    if isinstance(obj, str):
        return inert(obj)
    if isinstance(obj, list):
        return [_inert_all(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _inert_all(v) for k, v in obj.items()}
    return obj


def _segments(segments) -> list[dict]:
    return [{"text": s.text, "code": s.code, "strong": s.strong} for s in segments]


def rich(text: str) -> list[dict]:
    """A sentence with `code` spans, as segments for the `segments` macro."""
    return _segments(inline(text))


def _blocks(blocks: tuple[Block, ...]) -> list[dict]:
    out = []
    for b in blocks:
        seg = _segments
        out.append({"kind": b.kind, "segments": seg(b.segments), "entries": [seg(i) for i in b.items],
                    "code": b.code, "language": b.language})
    return out


def _excerpt(f: Finding) -> list[dict]:
    return [{"number": f.line + i, "text": line, "marked": f.line <= f.line + i <= f.end_line}
            for i, line in enumerate(f.snippet.splitlines())]


def _finding(f: Finding, with_excerpt: bool) -> dict:
    related = [{"location": f"{r.path}:{r.line}", "message": r.message} for r in f.related[:MAX_RELATED]]
    return {
        "id": f.fingerprint, "rule": f.rule, "severity": f.severity.value, "category": f.category,
        "location": f"{f.path}:{f.line}", "message": rich(f.message), "entry_point": f.entry_point,
        "excerpt": _excerpt(f) if with_excerpt and f.snippet else None,
        "related": related, "more_related": max(0, len(f.related) - MAX_RELATED),
        # Chains are shown open for critical and high findings, folded below.
        "related_folded": f.severity.rank < Severity.HIGH.rank,
        "confidence": f.confidence, "evidence": list(f.evidence),
    }


def _rule_group(rule: str, findings: list[Finding]) -> dict:
    meta = RULES_BY_ID.get(rule)
    docs = rule_sections(meta.docs_path) if meta else {}
    ordered = sorted(findings, key=lambda f: (-f.severity.rank, f.path, f.line, f.column))
    shown = ordered[:MAX_FINDINGS_PER_RULE]
    severities = {s: sum(1 for f in findings if f.severity.value == s) for s in SEVERITIES}
    return {
        "id": rule, "name": meta.name if meta else rule, "summary": rich(meta.summary if meta else ""),
        "severity": ordered[0].severity.value, "count": len(findings),
        "by_severity": [{"severity": s, "count": n} for s, n in severities.items() if n],
        "why": _blocks(docs.get("Why is this bad?", ())), "fix": _blocks(docs.get("Use instead", ())),
        "findings": [_finding(f, i < MAX_EXCERPTS_PER_RULE) for i, f in enumerate(shown)],
        "excerpts_hidden": max(0, min(len(shown), len(findings)) - MAX_EXCERPTS_PER_RULE),
        "rows_hidden": len(findings) - len(shown),
    }


def _categories(findings: list[Finding]) -> list[dict]:
    by_cat: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        by_cat[f.category][f.rule].append(f)
    out = []
    for key in list(CATEGORIES) + sorted(set(by_cat) - set(CATEGORIES)):
        rules = by_cat.get(key, {})
        groups = sorted((_rule_group(r, fs) for r, fs in rules.items()),
                        key=lambda g: (SEVERITIES.index(g["severity"]), -g["count"], g["id"]))
        out.append({"key": key, "title": CATEGORIES.get(key, key), "count": sum(g["count"] for g in groups),
                    "rules": groups})
    # Worst first: the category whose worst group is worst (then the larger) leads;
    # empty categories keep their usual order at the end. Only the first group is open.
    order = {c["key"]: i for i, c in enumerate(out)}
    out.sort(key=lambda c: (SEVERITIES.index(c["rules"][0]["severity"]) if c["rules"] else len(SEVERITIES),
                            -c["rules"][0]["count"] if c["rules"] else 0, order[c["key"]]))
    for c in out:
        for g in c["rules"]:
            g["open"] = False
    if out and out[0]["rules"]:
        out[0]["rules"][0]["open"] = True
    return out


def _figure(f) -> dict:
    items = [{"location": f"{i.path}:{i.line}" if i.line else i.path, "label": i.label, "ok": i.ok}
             for i in f.items[:MAX_FIGURE_ITEMS]]
    return {"key": f.key, "title": rich(f.title), "subject": rich(f.subject), "counted": rich(f.counted),
            "numerator": f.numerator, "denominator": f.denominator,
            "share": round(f.share, 4) if f.share is not None else None,
            "percent": percent(f.numerator, f.denominator), "note": rich(f.note),
            "entries": items, "entries_hidden": max(0, len(f.items) - MAX_FIGURE_ITEMS)}


def _scores(audit: Audit) -> list[dict]:
    rows = []
    for a in audit.scores.areas:
        if a.score is None:
            formula = "nothing measures this area: no coverage figure counts anything and no finding applies"
        else:
            formula = (f"10 − {a.coverage_points:.2f} (coverage) − {a.finding_points:.2f} (findings)"
                       + (f" − {a.fixed_points:.2f} (fixed)" if a.fixed else "") + f" = {a.score:.2f}")
        rows.append({
            "area": a.area, "score": a.rounded, "exact": round(a.score, 2) if a.score is not None else None,
            "status": a.status,
            "coverage": round(a.coverage, 4) if a.coverage is not None else None,
            "coverage_points": round(a.coverage_points, 2), "finding_points": round(a.finding_points, 2),
            "fixed_points": round(a.fixed_points, 2),
            "figures": [{"title": rich(f.title), "numerator": f.numerator, "denominator": f.denominator,
                         "percent": percent(f.numerator, f.denominator)} for f in a.figures],
            "findings": [{"rule": i.rule, "severity": i.severity, "count": i.count, "weight": i.weight,
                          "points": round(i.points, 2)} for i in a.findings],
            "fixed": [{"reason": r, "points": p} for r, p in a.fixed],
            "formula": formula,
        })
    return rows


def _schema(audit: Audit) -> dict | None:
    o = audit.schema
    if o is None:
        return None
    d = o.to_dict()
    d["relations_without_on_delete"] = [
        {"name": f"{r['model']}.{r['field']} → {r['target']}", "location": f"{r['path']}:{r['line']}",
         "default": "SetNull" if r["optional"] else "Restrict"} for r in d["relations_without_on_delete"]]
    d["largest_models"] = [{"model": m["model"], "fields": m["fields"], "location": f"{m['path']}:{m['line']}"}
                           for m in d["largest_models"]]
    d["on_delete_actions"] = [{"action": k, "count": v} for k, v in d["on_delete_actions"].items()]
    d["notes"] = [rich(n) for n in d["notes"]]
    d["indexes_by_kind"] = [{"kind": k, "count": v} for k, v in d["indexes_by_kind"].items()]
    return d


def build_view(result, audit: Audit | None = None) -> dict:
    audit = audit or build_audit(result)
    findings = result.findings
    review = getattr(result, "review", None)
    cats = _categories(findings)
    rules_present = sorted({f.rule for f in findings})
    st = result.stats
    view = {
        "title": f"Database audit: {result.root.name}",
        "meta": {
            "project": result.root.name, "version": result.version or __version__,
            "files_scanned": st.get("files_scanned", 0), "prisma_calls": st.get("prisma_calls", 0),
            "schema_files": st.get("schema_files", 0), "rules_run": list(st.get("rules_run", [])),
            "warnings": len(result.warnings), "findings": len(findings),
        },
        "recognition": _recognition(result),
        # Findings listed vs weighed: `--select`, `--baseline`, `--diff` list fewer, the audit scores them all.
        "audited": {"listed": listed_findings(result), "audited": sum(audit.by_severity.values())},
        "summary": {
            "verdict": audit.summary.verdict, "status": audit.summary.status,
            "score": audit.summary.score, "exact_score": audit.summary.exact_score,
            "strengths": [rich(x) for x in audit.summary.strengths],
            "concerns": [rich(x) for x in audit.summary.concerns],
            "critical": [rich(x) for x in audit.summary.critical],
        },
        "counts": {"by_severity": [{"severity": s, "count": audit.by_severity[s]} for s in SEVERITIES],
                   "by_category": [{"key": k, "title": CATEGORIES[k], "count": n}
                                   for k, n in audit.by_category.items()]},
        "scores": _scores(audit), "overall": {"score": audit.scores.overall_rounded,
                                              "exact": audit.summary.exact_score,
                                              "status": audit.summary.status},
        "figures": [_figure(f) for f in audit.figures.values()],
        "schema": _schema(audit),
        "categories": cats,
        "recommendations": [
            {"priority": p, "rules": [
                {"rule": r.rule, "name": r.name, "summary": rich(r.summary), "count": r.count,
                 "affected": [{"name": n, "count": c} for n, c in r.affected], "more_affected": r.more_affected}
                for r in audit.recommendations if r.priority == p]}
            for p in SEVERITIES],
        "filters": {"severities": list(SEVERITIES),
                    "categories": [{"key": c["key"], "title": c["title"]} for c in cats if c["count"]],
                    "rules": rules_present},
        "scoring": {"coverage_points": COVERAGE_POINTS},
        "limits": {"findings_per_rule": MAX_FINDINGS_PER_RULE, "excerpts_per_rule": MAX_EXCERPTS_PER_RULE},
        "hidden": {"rows": sum(g["rows_hidden"] for c in cats for g in c["rules"]),
                   "excerpts": sum(g["excerpts_hidden"] for c in cats for g in c["rules"]),
                   "below_severity": len(review.below_severity) if review is not None else 0,
                   "min_severity": review.min_severity if review is not None else "low"},
        "warnings": [{"location": f"{w.path}:{w.line}" if w.line else w.path, "message": w.message}
                     for w in result.warnings[:50]],
        "warnings_hidden": max(0, len(result.warnings) - 50),
    }
    return _inert_all(view)


def _recognition(result) -> dict:
    """The share of Prisma-shaped calls analysed, and what was missed, for the headline."""
    rec = result.stats.get("recognition")
    if not rec:
        return {"headline": "", "incomplete": False, "top": [], "fix": None, "off_schema": []}
    return {"headline": recognition.headline(rec), "incomplete": recognition.incomplete(rec),
            "top": [{"receiver": t["receiver"], "calls": t["calls"], "files": t["files"]}
                    for t in rec["top_unresolved"][:5]],
            "fix": recognition.config_fix(rec, result.config["prisma"]["client_names"]),
            # Calls naming models the schema read lacks (stats.recognition.off_schema).
            "off_schema": rec.get("top_off_schema", [])[:5],
            "schema_files": list(result.schema.files) if result.schema is not None else []}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def render(result, **_options) -> str:
    env = environment()
    # The page allows exactly its own inline script and style (hashes in the CSP),
    # and nothing from any network.
    script = env.get_template("partials/script.js.j2").render()
    style = env.get_template("partials/style.css.j2").render()
    return env.get_template("report.html.j2").render(
        view=build_view(result), csp_script=_sha256(script), csp_style=_sha256(style),
    )

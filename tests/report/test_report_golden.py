"""The demo app's report, pinned: the view model's numbers and sections.

Coverage figures and the schema architecture do not depend on rules and are
pinned whole; the findings-dependent parts (summary, scores, categories,
recommendations) are pinned over a fixed `select` of rules, so rules added
later do not move them. Regenerate after an intended change with
`DBAUDIT_UPDATE_GOLDEN=1 python -m pytest tests/report/test_report_golden.py`
and review the diff.

Line numbers are left out (`path:line` becomes `path`): the demo app's
annotation comments move lines whenever a rule's expectations are added, and
exact lines are the fixture tests' business."""

from __future__ import annotations

import json
import os
import re

from conftest import FIXTURES, REPO, scan_dir
from scanner.report.html_report import build_view

DEMO = FIXTURES / "apps" / "academy"
GOLDEN = REPO / "tests" / "golden" / "academy_report.json"
SELECT = ("n-plus-one", "raw-sql-injection", "relation-missing-on-delete")


_MARK = {True: "+", False: "-", None: "~"}   # counted in the numerator / only the denominator / context


_LINE = re.compile(r"(\.(?:tsx?|jsx?|mts|cts|mjs|cjs|prisma)):\d+")


def _unlined(obj):
    if isinstance(obj, str):
        return _LINE.sub(r"\1", obj)
    if isinstance(obj, list):
        return [_unlined(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _unlined(v) for k, v in obj.items()}
    return obj


def _text(segments) -> str:
    return "".join(s["text"] for s in segments)


def snapshot() -> dict:
    view = build_view(scan_dir(str(DEMO), SELECT))
    return {
        "select": list(SELECT),
        "figures": [{"key": f["key"], "title": _text(f["title"]), "numerator": f["numerator"],
                     "denominator": f["denominator"], "percent": f["percent"],
                     "items": [f"{_MARK[i['ok']]} {i['location']} {i['label']}" for i in f["entries"]]}
                    for f in view["figures"]],
        "schema": {k: v for k, v in view["schema"].items() if k != "notes"} | {
            "notes": [_text(n) for n in view["schema"]["notes"]]},
        "summary": {"verdict": view["summary"]["verdict"], "score": view["summary"]["score"],
                    "strengths": [_text(s) for s in view["summary"]["strengths"]],
                    "concerns": [_text(s) for s in view["summary"]["concerns"]],
                    "critical": [_text(s) for s in view["summary"]["critical"]]},
        "counts": view["counts"],
        "scores": [{"area": r["area"], "score": r["score"], "exact": r["exact"], "status": r["status"],
                    "formula": r["formula"]} for r in view["scores"]],
        "overall": view["overall"],
        "categories": [{"key": c["key"], "count": c["count"], "rules": [
            {"id": g["id"], "severity": g["severity"], "count": g["count"],
             "findings": [f"{f['severity']} {f['location']}" for f in g["findings"]],
             "has_why": bool(g["why"]), "has_fix": bool(g["fix"])} for g in c["rules"]]}
            for c in view["categories"]],
        "recommendations": [{"priority": p["priority"], "rules": [
            {"rule": r["rule"], "count": r["count"], "affected": [f"{a['name']} x{a['count']}" for a in r["affected"]]}
            for r in p["rules"]]} for p in view["recommendations"]],
    }


def test_demo_report_matches_the_golden_snapshot():
    snap = _unlined(json.loads(json.dumps(snapshot(), ensure_ascii=False)))
    if os.environ.get("DBAUDIT_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(snap, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for part in expected:
        assert snap[part] == expected[part], f"the report's {part!r} changed; see the module docstring"
    assert set(snap) == set(expected)


def test_demo_report_reproduces_the_seed_audit():
    """The seed audit's own numbers, independent of the snapshot file."""
    snap = snapshot()
    assert snap["schema"]["models"] == 44
    assert snap["schema"]["indexes_by_kind"] == [{"kind": "id", "count": 43}, {"kind": "unique", "count": 34},
                                                 {"kind": "index", "count": 56}, {"kind": "fulltext", "count": 0}]
    assert snap["schema"]["provider"] == "sqlite"
    tx = next(f for f in snap["figures"] if f["key"] == "transactions")
    # "Only 5 transaction instances found": replay.ts x3, client-onboarding.ts, signals import route.
    assert sorted(i.split(" ")[1] for i in tx["items"]) == [
        "app/api/admin/signals/import/route.ts:41", "src/lib/actions/replay.ts:43",
        "src/lib/actions/replay.ts:64", "src/lib/actions/replay.ts:81", "src/lib/client-onboarding.ts:19"]
    missing = {r["name"].split(" ")[0] for r in snap["schema"]["relations_without_on_delete"]}
    assert missing == {"Question.event", "Question.user", "Vote.user", "Vote.question", "SignalTrade.createdBy"}
    assert [r["area"] for r in snap["scores"]] == [
        "Schema Design", "Data Integrity", "Query Patterns", "Transaction Management", "Error Handling",
        "Performance", "Security", "Scalability", "Maintainability"]
    assert any("sqlite" in n for n in snap["schema"]["notes"])

"""Baselines: the file format (stable, sorted, line-free, versioned), broken
files (exit 2 naming the file and the fix), fingerprints that survive edits,
and the demo app in a git repository: a baseline hides the known N+1 findings
and exactly one new N+1 is reported after lines shift."""

from __future__ import annotations

import json
import random
import shutil

import pytest

from cliutil import dbaudit, usage_error
from review_helpers import DEMO, commit_all, edit, new_repo
from scanner.baseline import (FORMAT_KEY, FORMAT_VERSION, Baseline, BaselineEntry, BaselineError,
                              load_baseline, match, render_baseline)
from scanner.config import load_config
from scanner.engine import scan
from scanner.findings import Finding, Severity

ANALYTICS = "app/api/learning/analytics/route.ts"
LOOP_BODY = "    const lessonIds = lessons.map((lesson) => lesson.id)\n"
NEW_QUERY = "    const quiz = await prisma.quiz.findFirst({ where: { trackId: e.trackId } })\n"


def _finding(fp: str, path: str = "a.ts", line: int = 1, rule: str = "n-plus-one") -> Finding:
    return Finding(rule, Severity.HIGH, "query-patterns", path, line, 1, line, 9, f"msg {fp}",
                   fingerprint=fp)


def test_a_listing_narrowed_to_some_rules_keeps_the_others_for_the_audit():
    """`scan --select/--ignore` (review's `rules_listed`): the other rules' findings leave the
    listing for `unselected`, their baseline entries are neither new nor fixed, and the
    headline names what is listed (issue 18)."""
    from scanner.review import review
    ran = ["n-plus-one", "raw-sql-injection", "unbounded-find-many", "swallowed-error", "float-for-money"]
    findings = [_finding("a1"), _finding("b2", rule="raw-sql-injection"), _finding("c3", rule="swallowed-error")]
    base = Baseline("b.json", (BaselineEntry("gone", "raw-sql-injection", "critical", "a.ts", "m"),
                               BaselineEntry("a1", "n-plus-one", "high", "a.ts", "m")))
    out = review(findings, {}, ran, baseline=base, rules_listed=["n-plus-one"])
    assert [f.fingerprint for f in out.reported] == []
    assert [f.fingerprint for f in out.baseline.baselined] == ["a1"]
    assert [f.fingerprint for f in out.unselected] == ["b2", "c3"]
    assert out.baseline.fixed == [], "an entry of a rule not listed is not fixed"
    assert out.narrowed() == [findings[0]]
    assert out.selection() == "of n-plus-one"
    assert review(findings, {}, ran, rules_listed=ran[:4]).selection() \
        == "of all rules but float-for-money"
    eight = [*ran, "json-in-string-column", "string-enum-column", "n-plus-two"]
    assert review(findings, {}, eight, rules_listed=ran[:4]).selection() == "of 4 selected rules"
    assert review(findings, {}, ran).selection() == ""
    assert review(findings, {}, ran, rules_listed=ran).selection() == ""
    assert review(findings, {}, ran, rules_listed=[]).selection() == "of no rule"


def test_baseline_file_is_sorted_line_free_and_stable():
    findings = [_finding("c3", "b.ts", 40), _finding("a1", "a.ts", 7), _finding("b2", "a.ts", 3, "raw-sql-injection")]
    text = render_baseline(findings)
    shuffled = findings[:]
    random.Random(7).shuffle(shuffled)
    assert render_baseline(shuffled) == text
    moved = [_finding(f.fingerprint, f.path, f.line + 100, f.rule) for f in findings]
    assert render_baseline(moved) == text, "line numbers leaked into the baseline"
    data = json.loads(text)
    assert data[FORMAT_KEY] == FORMAT_VERSION
    assert [e["fingerprint"] for e in data["findings"]] == ["a1", "b2", "c3"]
    assert all(set(e) == {"fingerprint", "rule", "severity", "path", "message", "confidence"}
               for e in data["findings"])
    assert text.endswith("\n") and "\n    {\n" in text, "one entry per block, for readable diffs"


def test_match_splits_new_baselined_and_fixed():
    base = Baseline("b.json", (BaselineEntry("a1", "n-plus-one", "high", "a.ts", "m"),
                               BaselineEntry("gone", "n-plus-one", "high", "a.ts", "m"),
                               BaselineEntry("other", "raw-sql-injection", "critical", "a.ts", "m")))
    now = [_finding("a1"), _finding("new")]
    m = match(now, now, base, rules_run=["n-plus-one"])
    assert [f.fingerprint for f in m.new] == ["new"]
    assert [f.fingerprint for f in m.baselined] == ["a1"]
    assert [e.fingerprint for e in m.fixed] == ["gone"], "entries of rules that did not run are not fixed"
    suppressed_now = match([], now, base, rules_run=["n-plus-one"])
    assert [e.fingerprint for e in suppressed_now.fixed] == ["gone"], "a suppressed finding is not fixed"


@pytest.mark.parametrize("content, expect", [
    ("{not json", "not valid JSON at line 1"),
    ('{"dbaudit_baseline": 1,\n<<<<<<< HEAD\n', "conflict markers"),
    ("[1, 2]", "not a dbaudit baseline"),
    ('{"findings": []}', "not a dbaudit baseline"),
    ('{"dbaudit_baseline": 99, "findings": []}', "format version 99 is not supported"),
    ('{"dbaudit_baseline": true, "findings": []}', "format version True is not supported"),
    ('{"dbaudit_baseline": 1, "findings": {}}', '"findings" must be a list'),
    ('{"dbaudit_baseline": 1, "findings": [{"rule": "n-plus-one"}]}', 'finding #1 has no "fingerprint"'),
])
def test_broken_baseline_files_name_the_file_and_the_fix(tmp_path, content, expect):
    f = tmp_path / "base.json"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError) as e:
        load_baseline(f)
    assert expect in str(e.value) and str(f) in str(e.value) and "dbaudit baseline" in str(e.value)


def test_cli_exits_2_on_a_broken_or_missing_baseline(tmp_path):
    project = tmp_path / "app"
    shutil.copytree(DEMO, project)
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"\xff\xfe garbage")
    line = usage_error(dbaudit("scan", project, "--baseline", broken))
    assert str(broken) in line and "Regenerate it with `dbaudit baseline" in line
    missing = tmp_path / "missing.json"
    line = usage_error(dbaudit("scan", project, "--baseline", missing))
    assert str(missing) in line and "does not exist" in line and f"-o {missing}" in line


def _prints(root) -> dict[tuple[str, str], int]:
    """fingerprint -> line, for the demo app's n-plus-one findings."""
    result = scan(root, load_config(root), select=["n-plus-one"])
    return {f.fingerprint: f.line for f in result.findings}


def test_fingerprints_survive_shifts_code_above_and_unrelated_edits(tmp_path):
    root = tmp_path / "app"
    shutil.copytree(DEMO, root)
    before = _prints(root)
    assert len(before) >= 3
    target = root / ANALYTICS
    # lines shift: blank lines and a new helper function above every finding
    text = target.read_text()
    first_import_end = text.index("\n") + 1
    target.write_text(text[:first_import_end] + "\n\n// moved down\nexport const VERSION = 2\n\n"
                      "function unrelated(a: number) {\n  return a * 2\n}\n" + text[first_import_end:])
    # an unrelated edit elsewhere in a file that has findings
    edit(target, "type TrackStats = {", "type TrackStats = {\n  note?: string")
    after = _prints(root)
    assert set(after) == set(before), "a fingerprint changed although the finding did not"
    assert any(after[fp] != line for fp, line in before.items()), "the edit did not move any finding"


def test_demo_app_in_git_baseline_then_one_new_n_plus_one(tmp_path):
    repo = new_repo(tmp_path / "academy", DEMO)
    base = tmp_path / "baseline.json"
    made = dbaudit("baseline", repo, "-o", base, "--select", "n-plus-one")
    assert made.code == 0, made.err
    recorded = json.loads(base.read_text())["findings"]
    assert len(recorded) >= 3 and all(e["rule"] == "n-plus-one" for e in recorded)
    assert dbaudit("scan", repo, "--select", "n-plus-one", "--fail-on", "high").code == 1, \
        "the demo app's N+1 findings fail the scan without a baseline"
    clean = dbaudit("scan", repo, "--select", "n-plus-one", "--baseline", base, "--fail-on", "high", "-f", "json")
    assert clean.code == 0, clean.out
    assert json.loads(clean.out)["findings"] == []
    assert json.loads(clean.out)["stats"]["baseline"] == {
        "file": str(base), "new": 0, "baselined": len(recorded), "fixed": 0}

    # shift every line of the file down, then add one N+1 inside its existing loop
    target = repo / ANALYTICS
    target.write_text("// Analytics for the learner dashboard.\n\n\n" + target.read_text())
    edit(target, LOOP_BODY, LOOP_BODY + NEW_QUERY)
    commit_all(repo, "add a quiz lookup")
    new_line = target.read_text().splitlines().index(NEW_QUERY.rstrip("\n")) + 1
    run = dbaudit("scan", repo, "--select", "n-plus-one", "--baseline", base, "--fail-on", "high", "-f", "json")
    assert run.code == 1
    report = json.loads(run.out)
    assert [(f["rule"], f["path"], f["line"]) for f in report["findings"]] == [("n-plus-one", ANALYTICS, new_line)]
    assert "prisma.quiz.findFirst()" in report["findings"][0]["message"]
    assert report["stats"]["baseline"]["baselined"] == len(recorded)
    assert report["stats"]["baseline"]["fixed"] == 0


def test_disappeared_findings_count_as_fixed(tmp_path):
    root = tmp_path / "app"
    shutil.copytree(DEMO, root)
    base = tmp_path / "baseline.json"
    assert dbaudit("baseline", root, "-o", base, "--select", "n-plus-one").code == 0
    # fix one N+1: the lessonProgress.count in the loop becomes a constant
    target = root / ANALYTICS
    text = target.read_text()
    start = text.index("    const completed = await prisma.lessonProgress.count(")
    end = text.index("    })\n", start) + len("    })\n")
    target.write_text(text[:start] + "    const completed = 0\n" + text[end:])
    run = dbaudit("scan", root, "--select", "n-plus-one", "--baseline", base, "-f", "markdown")
    assert run.code == 0, run.out
    assert "0 new findings** · " in run.out and "· 1 fixed" in run.out
    assert "Fixed since the baseline (1)" in run.out and "prisma.lessonProgress.count()" in run.out


def test_a_baseline_for_another_path_is_flagged(tmp_path):
    root = tmp_path / "app"
    shutil.copytree(DEMO, root)
    base = tmp_path / "baseline.json"
    base.write_text(render_baseline([_finding("f" * 32, "elsewhere/x.ts")]))
    result = scan(root, load_config(root), select=["n-plus-one"], baseline=load_baseline(base))
    assert any(w.kind == "baseline" and "none of the 1 findings" in w.message for w in result.warnings)


def test_every_rules_fingerprints_survive_a_shift_of_every_file(tmp_path):
    """All rules on the demo app: push every source and schema file down by a
    header comment; no fingerprint may change, every finding must move."""
    root = tmp_path / "app"
    shutil.copytree(DEMO, root)
    before = {f.fingerprint: (f.rule, f.path, f.line) for f in scan(root, load_config(root)).findings}
    assert len({rule for rule, _, _ in before.values()}) >= 5
    for p in root.rglob("*"):
        if p.suffix in (".ts", ".tsx", ".prisma"):
            p.write_text("// Copyright header added later.\n\n" + p.read_text(encoding="utf-8"), encoding="utf-8")
    after = {f.fingerprint: (f.rule, f.path, f.line) for f in scan(root, load_config(root)).findings}
    assert set(after) == set(before), sorted(set(before) ^ set(after))
    assert all(after[fp][2] == line + 2 for fp, (_, _, line) in before.items())

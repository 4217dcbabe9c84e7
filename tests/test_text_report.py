"""The text report, worst first and short where it should be (issue 18): the
verdict paragraph opens it, findings follow by severity, confidence, path and
line, many of one rule and severity fold into a line, related locations are
listed for critical and high only; `--min-severity` hides, in every shown
format, what `--fail-on`, the score and the JSON report still count."""

from __future__ import annotations

import json
import re

from cliutil import dbaudit
from conftest import FIXTURES, scan_dir
from treeutil import CLIENT_TS, make_tree

from scanner.findings import confidence_rank
from scanner.report import render, text_report

DEMO = FIXTURES / "apps" / "academy"
ENTRY = re.compile(r"^(\S+?):(\d+):(\d+)  (critical|high|medium|low)\s+([a-z-]+) \((\w+) confidence\)")
GROUP = re.compile(r"^(\d+) × ([a-z-]+) \((critical|high|medium|low)\) in (\d+) files?: ")
RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}


def _loops(n: int) -> dict[str, str]:
    """`n` loops each running one query: n high n-plus-one findings in src/loops.ts,
    on lines 4, 9, 14, …, each with one related location (the loop)."""
    body = "".join(f"export async function load{i}(ids: string[]) {{\n  for (const id of ids) {{\n"
                   "    await prisma.user.findFirst({ where: { id } })\n  }\n}\n" for i in range(n))
    return {"src/db.ts": CLIENT_TS, "src/loops.ts": 'import { prisma } from "./db"\n' + body}


def _entries(out: str) -> list[tuple]:
    """(severity rank, confidence rank, path, line) of each listed finding or group, in order."""
    rows = []
    for line in out.splitlines():
        if m := ENTRY.match(line):
            rows.append((RANK[m[4]], confidence_rank(m[6]), m[1], int(m[2])))
        elif m := GROUP.match(line):
            rows.append((RANK[m[3]], None, None, None))
    return rows


def test_demo_opens_with_the_verdict_then_the_worst_findings():
    out = dbaudit("scan", DEMO, "--fail-on", "critical").out
    lines = out.splitlines()
    assert lines[:4] == [
        "Audit: 6/10 Good foundation, needs work. 69 findings: 1 critical, 12 high, 43 medium, 13 low.",
        "97 of 97 Prisma-shaped calls analysed (100%).",
        "",
        "app/api/me/profile/route.ts:30:25  critical unvalidated-input (high confidence)  "
        "In a route-handler, the ",
    ]
    # the whole first screen (24 lines) is critical and high
    first_screen = [e for e in _entries("\n".join(lines[:24]))]
    assert first_screen and all(rank >= 3 for rank, *_ in first_screen)
    # the summary table and the scores close the report, after every finding
    last_entry = max(i for i, line in enumerate(lines) if ENTRY.match(line) or GROUP.match(line))
    assert lines.index(next(x for x in lines if "dbaudit summary" in x)) > last_entry
    assert lines.index(next(x for x in lines if x.startswith("area "))) > last_entry


def test_order_is_severity_then_confidence_then_path_and_line():
    out = dbaudit("scan", DEMO, "--fail-on", "critical", "--no-group", "--min-confidence", "low").out
    rows = _entries(out)
    assert len(rows) == 74    # 69 reported + 5 of low confidence
    keys = [(-s, -c, p, n) for s, c, p, n in rows]
    assert keys == sorted(keys)


def test_demo_groups_repeated_rules_and_no_group_lists_them():
    grouped = dbaudit("scan", DEMO, "--fail-on", "critical").out
    groups = [line for line in grouped.splitlines() if GROUP.match(line)]
    assert groups == [
        "6 × write-without-transaction (high) in 6 files: logAudit() and …; --no-group to list them",
        "12 × write-without-audit (medium) in 11 files: POST() (route-handler) writes …; --no-group to list them",
        "14 × json-in-string-column (medium) in 1 file: User.preferences stores JSON in a …; --no-group to list "
        "them",
        "11 × string-enum-column (low) in 1 file: User.role is a String used as an enum …; --no-group to list them",
    ]
    assert not re.search(r"^\S+:\d+:\d+  \w+\s+string-enum-column ", grouped, re.M)
    listed = dbaudit("scan", DEMO, "--fail-on", "critical", "--no-group").out
    assert not any(GROUP.match(line) for line in listed.splitlines())
    assert len(re.findall(r"^\S+:\d+:\d+  low      string-enum-column ", listed, re.M)) == 11


def test_more_than_five_fold_five_do_not(tmp_path):
    six = dbaudit("scan", make_tree(tmp_path / "six", _loops(6)), "--fail-on", "critical").out
    assert "6 × n-plus-one (high) in 1 file: prisma.user.findFirst() runs once per item of the …; " \
           "--no-group to list them" in six.splitlines()
    five = dbaudit("scan", make_tree(tmp_path / "five", _loops(5)), "--fail-on", "critical").out
    assert not any(GROUP.match(line) for line in five.splitlines())
    assert [line.split("  ")[0] for line in five.splitlines() if ENTRY.match(line)] == \
        [f"src/loops.ts:{4 + 5 * i}:11" for i in range(5)]


def test_related_locations_for_high_folded_below(tmp_path):
    root = make_tree(tmp_path / "high", _loops(1))
    high = dbaudit("scan", root, "--fail-on", "critical").out.splitlines()
    at = next(i for i, line in enumerate(high) if line.startswith("src/loops.ts:4:11  high     n-plus-one"))
    block = high[at + 1:high.index("", at)]
    assert [line for line in block if line.startswith("    ")] == [
        "    · the loop iterates the parameter `ids`: as many items as its callers pass, and "
        "the scan sees none of them",
        "    ↳ src/loops.ts:3 the loop",
    ]
    (root / ".dbaudit.yaml").write_text("rules:\n  severity: {n-plus-one: medium}\n", encoding="utf-8")
    medium = dbaudit("scan", root, "--fail-on", "critical").out
    assert "    · the loop iterates the parameter `ids`: as many items as its callers pass, and " \
           "the scan sees none of them\n" \
           "    (1 related location)\n" in medium
    assert "↳" not in medium


def test_min_severity_hides_from_every_shown_format_but_not_from_fail_on(tmp_path):
    root = make_tree(tmp_path, {**_loops(1), ".dbaudit.yaml": "rules:\n  severity: {n-plus-one: medium}\n"})
    full = dbaudit("scan", root, "--fail-on", "critical").out
    run = dbaudit("scan", root, "--min-severity", "high", "--fail-on", "medium")
    assert run.code == 1                                  # --fail-on still counts the hidden finding
    assert not [line for line in run.out.splitlines() if ENTRY.match(line)]
    assert "Not reported: 1 of severity below high (--min-severity low lists them)." in run.out
    assert run.out.splitlines()[0] == full.splitlines()[0]   # same verdict, score and counts
    elapsed = re.compile(r"\d+\.\d+s\b")               # the run's duration differs between runs
    assert elapsed.sub("_s", dbaudit("scan", root, "--min-severity", "medium", "--fail-on", "critical").out) \
        == elapsed.sub("_s", full)
    # JSON is the contract: every finding, whatever --min-severity says
    as_json = [dbaudit("scan", root, "-f", "json", *flags, "--fail-on", "critical").out
               for flags in ((), ("--min-severity", "critical"))]
    assert [len(json.loads(j)["findings"]) for j in as_json] == [1, 1]
    assert json.loads(as_json[0])["stats"] == {**json.loads(as_json[1])["stats"],
                                               "seconds": json.loads(as_json[0])["stats"]["seconds"]}
    sarif = json.loads(dbaudit("scan", root, "-f", "sarif", "--min-severity", "high", "--fail-on", "critical").out)
    assert sarif["runs"][0]["results"] == []
    github = dbaudit("scan", root, "-f", "github", "--min-severity", "high", "--fail-on", "critical").out
    assert github == ("dbaudit: 0 findings reported. Not reported: 1 of severity below high "
                      "(--min-severity low lists them).\n")
    markdown = dbaudit("scan", root, "-f", "markdown", "--min-severity", "high", "--fail-on", "critical").out
    assert "**0 findings** · 1 below high not listed" in markdown
    html = dbaudit("scan", root, "-f", "html", "--min-severity", "high", "--fail-on", "critical").out
    assert "1 finding(s) of severity below high are not listed" in html
    assert "src/loops.ts:4" not in html


def test_min_severity_is_applied_in_the_registry_not_per_reporter():
    result = scan_dir(str(DEMO))
    shown = text_report.render(result, min_severity="high")   # a reporter called directly shows all
    assert "string-enum-column" in shown.split("dbaudit summary")[0]
    view = render("text", result, min_severity="high")
    assert "string-enum-column" not in view
    assert "56 of severity below high (--min-severity low lists them)" in " ".join(view.split())
    assert render("json", result, min_severity="critical") == render("json", result)


def test_the_verdict_under_a_baseline_says_what_is_listed_and_what_is_audited(tmp_path):
    from cliutil import dbaudit
    from conftest import FIXTURES
    demo = FIXTURES / "apps" / "academy"
    baseline = tmp_path / "b.json"
    assert dbaudit("baseline", demo, "-o", baseline).code == 0
    full = dbaudit("scan", demo, "--fail-on", "critical").out.splitlines()[0]
    narrowed = dbaudit("scan", demo, "--baseline", baseline, "--fail-on", "critical").out
    assert full.startswith("Audit: ")
    assert " ".join(narrowed.split()).startswith(
        "0 new findings; the audit of the whole code: " + " ".join(full[len("Audit: "):].split()))

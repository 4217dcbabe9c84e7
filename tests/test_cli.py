"""The commands: `scan` (exit codes, the text summary), `rules`, `explain`,
`facts`, and the promise that a plain scan writes nothing into the scanned tree."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter

import pytest

from annotations import read_annotations
from cliutil import dbaudit, usage_error
from conftest import FIXTURES, scan_dir
from scanner.findings import CATEGORIES, Severity
from scanner.rules import REGISTRY, RULES_BY_ID
from treeutil import CLIENT_TS, LOOP_TS, make_tree, snapshot

DEMO = FIXTURES / "apps" / "academy"


@pytest.fixture
def one_high(tmp_path):
    return make_tree(tmp_path / "p", {"src/db.ts": CLIENT_TS, "src/load.ts": LOOP_TS})


# -- scan: exit codes -------------------------------------------------------------------------

def test_exit_codes(one_high, tmp_path):
    clean = make_tree(tmp_path / "clean", {"src/db.ts": CLIENT_TS,
                                           "src/one.ts": 'import { prisma } from "./db"\n'
                                                         "export const one = () => prisma.user.findFirst()\n"})
    assert dbaudit("scan", clean).code == 0
    assert dbaudit("scan", one_high).code == 1                               # high >= fail_on high
    for level, code in (("low", 1), ("medium", 1), ("high", 1), ("critical", 0)):
        assert dbaudit("scan", one_high, "--fail-on", level).code == code, level
    usage_error(dbaudit("scan", one_high, "--select", "nope"))               # 2
    run = dbaudit("scan", one_high, "--fail-on", "severe")                   # click's own usage error
    assert run.code == 2 and "Traceback" not in run.err


def test_exit_code_follows_the_reported_severity(one_high):
    # The threshold compares the severity after overrides, not the rule's default.
    (one_high / ".dbaudit.yaml").write_text("rules:\n  severity:\n    n-plus-one: low\n", encoding="utf-8")
    assert dbaudit("scan", one_high).code == 0
    assert dbaudit("scan", one_high, "--fail-on", "low").code == 1


# -- scan: text output -------------------------------------------------------------------------

def _summary_rows(text: str) -> dict[str, list[str]]:
    """rule -> [critical, high, medium, low, total] cells of the summary table."""
    start = text.index("dbaudit summary")
    rows = {}
    for line in text[start:].splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]
        if len(cells) == 6 and cells[0] not in ("rule", ""):
            rows[cells[0]] = cells[1:]
    return rows


def test_text_output_has_the_summary_table():
    run = dbaudit("scan", DEMO, "--fail-on", "critical", "--no-group")
    report = json.loads(dbaudit("scan", DEMO, "-f", "json", "--fail-on", "critical").out)
    rows = _summary_rows(run.out)
    by_rule = Counter((f["rule"], f["severity"]) for f in report["findings"])
    expected = {}
    for rule in {r for r, _ in by_rule}:
        counts = [by_rule.get((rule, s), 0) for s in ("critical", "high", "medium", "low")]
        expected[rule] = [str(c) if c else "" for c in counts] + [str(sum(counts))]
    sev = report["stats"]["by_severity"]
    expected["total"] = [str(sev[s]) for s in ("critical", "high", "medium", "low")] + [str(len(report["findings"]))]
    assert rows == expected
    # with --no-group every finding is listed as path:line:column, severity and rule
    for f in report["findings"]:
        assert re.search(rf"^{re.escape(f['path'])}:{f['line']}:{f['column']}\s+{f['severity']}\s+"
                         rf"{re.escape(f['rule'])}\b",
                         run.out, re.M), f
    assert f"{report['stats']['files_scanned']} files, {report['stats']['prisma_calls']} Prisma calls" in run.out


def test_text_output_of_a_clean_scan(tmp_path):
    root = make_tree(tmp_path, {"src/a.ts": "export const a = 1\n"})
    run = dbaudit("scan", root)
    assert run.code == 0
    assert _summary_rows(run.out) == {"total": ["0", "0", "0", "0", "0"]}
    assert "No schema.prisma found" in run.out


# -- rules and explain ------------------------------------------------------------------------

def test_rules_json_lists_the_registry():
    rules = json.loads(dbaudit("rules", "-f", "json").out)
    assert rules == [{"id": r.id, "name": r.name, "category": r.category, "severity": r.severity.value,
                      "summary": r.summary} for r in REGISTRY]
    for r in rules:
        assert r["category"] in CATEGORIES and Severity(r["severity"])


def test_rules_table():
    out = dbaudit("rules").out
    ids = [c.strip() for line in out.splitlines()
           for c in re.split(r"[│┃]", line)[1:2] if c.strip() and c.strip() != "id"]
    assert ids == [r.id for r in REGISTRY]
    for r in REGISTRY:
        assert re.search(rf"│ {re.escape(r.id)}\s+│ {r.severity.value}\s+│ {r.category}\s+│", out), r.id


@pytest.mark.parametrize("rule", [r.id for r in REGISTRY])
def test_explain_raw_prints_the_docs_page(rule):
    run = dbaudit("explain", rule, "--raw")
    assert run.code == 0
    assert run.out == RULES_BY_ID[rule].docs_path.read_text(encoding="utf-8") + "\n"


def test_explain_n_plus_one_and_an_unknown_rule():
    assert dbaudit("explain", "n-plus-one", "--raw").out.startswith("# n-plus-one")
    assert "Did you mean 'n-plus-one'?" in usage_error(dbaudit("explain", "n-plus-on"))


# -- facts ------------------------------------------------------------------------------------

def _annotated_calls(root) -> set[tuple[str, int, str]]:
    return set(read_annotations(root).items["prisma-call"])


def test_facts_json_lists_every_prisma_call_of_the_demo_app():
    run = dbaudit("facts", DEMO, "-f", "json")
    assert run.code == 0
    data = json.loads(run.out)
    got = {(c["path"], c["line"], f"{c['model']}.{c['operation']}" if c["model"] else c["operation"])
           for c in data["prisma_calls"]}
    assert len(got) == len(data["prisma_calls"])
    assert got == _annotated_calls(DEMO)
    assert [(c["path"], c["binding"]) for c in data["clients_created"]] == [("src/lib/prisma.ts", "prisma")]
    assert data["schema_models"] == len(scan_dir(str(DEMO)).schema.models)


def test_facts_text_lists_every_prisma_call_of_the_demo_app():
    out = dbaudit("facts", DEMO).out
    rows = set()
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) == 6 and cells[0]:
            path, _, lineno = cells[0].rpartition(":")
            rows.add((path, int(lineno), cells[1]))
    expected = _annotated_calls(DEMO)
    assert rows == expected
    assert f"Prisma calls: {len(expected)}" in out


def test_facts_of_a_fixture_with_transactions_and_loops():
    data = json.loads(dbaudit("facts", FIXTURES / "facts" / "monorepo", "-f", "json").out)
    assert {c["entry_point"] for c in data["prisma_calls"]} == {"route-handler", None}
    assert all(c["origin"] == "new PrismaClient" for c in data["prisma_calls"])


# -- a scan never writes into the scanned tree ---------------------------------------------------

def test_a_plain_scan_writes_nothing(tmp_path, monkeypatch):
    copy = tmp_path / "academy"
    shutil.copytree(DEMO, copy, symlinks=True)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    before = snapshot(copy)
    for args in (["scan", copy, "--no-cache"], ["scan", copy, "--no-cache", "-f", "html"],
                 ["scan", copy], ["scan", copy, "-f", "json"], ["facts", copy], ["facts", copy, "-f", "json"],
                 ["scan", copy / "app/api/learning/analytics/route.ts"]):
        assert dbaudit(*args).code in (0, 1), args
    assert snapshot(copy) == before
    assert list(cwd.iterdir()) == []


def test_output_file_is_the_only_write(one_high, tmp_path):
    before = snapshot(one_high)
    out = tmp_path / "r.json"
    run = dbaudit("scan", one_high, "-f", "json", "-o", out)
    assert run.code == 1 and run.out == ""
    assert json.loads(out.read_text(encoding="utf-8"))["findings"]
    assert snapshot(one_high) == before

"""The `-f json` report is a contract other tools read (CI, baselines, history):
its top-level keys and the keys of every finding are pinned here. Changing
them is a breaking change: update this test, the version and the README."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cliutil import dbaudit
from conftest import FIXTURES
from scanner import __version__
from scanner.findings import CATEGORIES, FINDING_KEYS, Severity
from treeutil import make_tree

DEMO = FIXTURES / "apps" / "academy"
TOP_LEVEL = ["version", "root", "findings", "stats", "warnings", "summary"]  # summary: 0.2.0
SUMMARY_KEYS = ["audit_of", "listed_findings", "audited_findings", "overall", "areas", "coverage",
                "by_severity", "by_confidence"]
PINNED_FINDING_KEYS = ("rule", "severity", "category", "path", "line", "column", "end_line", "end_column",
                       "message", "model", "field", "operation", "entry_point", "related", "snippet",
                       "fingerprint", "confidence", "evidence")  # confidence and evidence: version 0.2.0
WARNING_KEYS = ["path", "kind", "line", "message"]
STATS_REQUIRED = {"files_scanned": int, "files_out_of_scope": dict, "schema_files": int, "prisma_calls": int,
                  "prisma_calls_by_kind": dict, "rules_run": list, "findings": int, "by_severity": dict,
                  "by_rule": dict, "seconds": float,
                  # version 0.2.0, additive
                  "by_confidence": dict, "quiet_by_rule": dict, "recognition": dict, "below_confidence": int,
                  "min_confidence": str}
RECOGNITION_KEYS = ["prisma_shaped_calls", "analysed", "unresolved", "analysed_share", "top_unresolved",
                    "off_schema", "top_off_schema"]  # off_schema, top_off_schema: version 0.2.1, additive


def _report(*args) -> dict:
    run = dbaudit("scan", *args, "-f", "json", "--fail-on", "critical")
    assert run.code in (0, 1), run.err
    return json.loads(run.out)


def test_finding_keys_are_the_pinned_contract():
    assert FINDING_KEYS == PINNED_FINDING_KEYS


def _check_finding(f: dict, root: Path) -> None:
    assert tuple(f) == PINNED_FINDING_KEYS
    assert Severity(f["severity"]) and f["category"] in CATEGORIES
    assert isinstance(f["rule"], str) and f["rule"]
    p = f["path"]
    assert not p.startswith("/") and "\\" not in p and (root / p).is_file(), p
    assert all(isinstance(f[k], int) and f[k] >= 1 for k in ("line", "column", "end_line", "end_column"))
    assert (f["end_line"], f["end_column"]) >= (f["line"], f["column"])
    assert isinstance(f["message"], str) and f["message"] and "\n" not in f["message"]
    for k in ("model", "field", "operation", "entry_point"):
        assert f[k] is None or (isinstance(f[k], str) and f[k]), (k, f[k])
    for r in f["related"]:
        assert list(r) == ["path", "line", "message"]
        assert isinstance(r["line"], int) and r["line"] >= 1 and not r["path"].startswith("/")
    assert isinstance(f["snippet"], str)
    assert re.fullmatch(r"[0-9a-f]{32}", f["fingerprint"])
    assert f["confidence"] in ("low", "medium", "high")
    assert isinstance(f["evidence"], list) and all(isinstance(e, str) and e for e in f["evidence"])
    if f["confidence"] == "high":
        assert f["evidence"], "a high-confidence finding says why"


def test_demo_app_report_shape():
    report = _report(DEMO)
    assert list(report) == TOP_LEVEL
    assert report["version"] == __version__
    assert report["root"] == str(DEMO.resolve())
    assert report["findings"], "the demo app should have findings"
    for f in report["findings"]:
        _check_finding(f, DEMO)
    fingerprints = [f["fingerprint"] for f in report["findings"]]
    assert len(set(fingerprints)) == len(fingerprints)
    stats = report["stats"]
    for key, typ in STATS_REQUIRED.items():
        assert isinstance(stats[key], typ), key
    assert list(stats["by_severity"]) == ["critical", "high", "medium", "low"]
    assert list(stats["by_confidence"]) == ["high", "medium", "low"]
    assert list(stats["recognition"]) == RECOGNITION_KEYS
    assert stats["min_confidence"] == "medium"
    assert all(f["confidence"] != "low" for f in report["findings"]), "the default view is medium and up"
    summary = report["summary"]
    assert list(summary) == SUMMARY_KEYS
    assert summary["listed_findings"] == summary["audited_findings"] == len(report["findings"])
    assert isinstance(summary["overall"]["score"], int) and 0 <= summary["overall"]["score"] <= 10
    assert [a["area"] for a in summary["areas"]][0] == "Schema Design"
    for c in summary["coverage"]:
        assert 0 <= c["numerator"] <= c["denominator"]
    assert sum(summary["by_severity"].values()) == len(report["findings"])
    assert stats["findings"] == len(report["findings"]) == sum(stats["by_severity"].values())
    assert sum(stats["by_rule"].values()) == len(report["findings"])
    assert report["findings"] == sorted(report["findings"], key=lambda f: (f["path"], f["line"], f["column"], f["rule"]))


def test_warnings_shape_and_unicode(tmp_path):
    root = make_tree(tmp_path / "ünï", {
        "src/db.ts": 'import { PrismaClient } from "@prisma/client"\nexport const prisma = new PrismaClient()\n',
        "src/lööp.ts": 'import { prisma } from "./db"\nexport async function f(ids: string[]) {\n'
                       "  for (const id of ids) await prisma.user.findFirst({ where: { id } })\n}\n",
        "src/bin.ts": b"\x00\x01\x02",
        "src/broken.ts": "export const = ;\n",
    })
    run = dbaudit("scan", root, "-f", "json")
    assert "ünï" in run.out and "lööp" in run.out              # not \u-escaped
    report = json.loads(run.out)
    assert list(report) == TOP_LEVEL
    for w in report["warnings"]:
        assert list(w) == WARNING_KEYS
        assert w["line"] is None or isinstance(w["line"], int)
    kinds = {(w["path"], w["kind"]) for w in report["warnings"]}
    assert {("src/bin.ts", "skipped"), ("src/broken.ts", "parse")} <= kinds
    [f] = report["findings"]
    _check_finding(f, root)
    assert (f["path"], f["line"], f["entry_point"]) == ("src/lööp.ts", 3, None)


def test_output_file_matches_stdout(tmp_path):
    out = tmp_path / "r.json"
    assert dbaudit("scan", DEMO, "-f", "json", "-o", out, "--fail-on", "critical").code in (0, 1)
    from_file = json.loads(out.read_text(encoding="utf-8"))
    from_stdout = _report(DEMO)
    for report in (from_file, from_stdout):
        report["stats"].pop("seconds")
    assert from_file == from_stdout


def test_the_summary_scores_the_whole_code_under_a_baseline(tmp_path):
    """`--baseline` narrows the listed findings, never the audit (issue 18)."""
    full = _report(DEMO)
    baseline = tmp_path / "b.json"
    assert dbaudit("baseline", DEMO, "-o", baseline).code == 0
    narrowed = _report(DEMO, "--baseline", baseline)
    assert narrowed["findings"] == []
    assert narrowed["summary"]["listed_findings"] == 0
    assert narrowed["summary"]["audited_findings"] == full["summary"]["audited_findings"]
    assert narrowed["summary"]["overall"] == full["summary"]["overall"]
    assert narrowed["summary"]["areas"] == full["summary"]["areas"]


def test_the_html_audit_says_what_it_lists_and_what_it_weighs(tmp_path):
    baseline = tmp_path / "b.json"
    assert dbaudit("baseline", DEMO, "-o", baseline).code == 0
    html = dbaudit("scan", DEMO, "--baseline", baseline, "-f", "html", "--fail-on", "critical").out
    audited = _report(DEMO)["summary"]["audited_findings"]
    assert f"0 new findings listed below; the scores weigh all {audited} findings of the whole code." in html
    assert "listed below; the scores weigh" not in dbaudit("scan", DEMO, "-f", "html", "--fail-on", "critical").out
    selected = dbaudit("scan", DEMO, "--select", "n-plus-one", "-f", "html", "--fail-on", "critical").out
    assert f"4 findings of n-plus-one listed below; the scores weigh all {audited} findings of the whole code." \
        in selected
    assert f'<span class="score-badge">{_report(DEMO)["summary"]["overall"]["score"]}/10</span>' in selected


def test_reports_validate_against_the_published_json_schema(tmp_path):
    """docs/schema/report.schema.json describes the contract for other tools (issue 18)."""
    import jsonschema
    schema = json.loads((Path(__file__).parent.parent / "docs" / "schema" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    baseline = tmp_path / "b.json"
    assert dbaudit("baseline", DEMO, "-o", baseline).code == 0
    for args in ((), ("--min-confidence", "low"), ("--baseline", baseline)):
        jsonschema.validate(_report(DEMO, *args), schema)
    bad = _report(DEMO)
    bad["findings"][0]["confidence"] = "certain"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_the_summary_scores_the_whole_code_under_select():
    """`--select`/`--ignore` narrow the listed findings, never the audit (issue 18)."""
    full = _report(DEMO)
    for args, listed in ((("--select", "n-plus-one"), {"n-plus-one"}),
                         (("--ignore", "json-in-string-column,string-enum-column"),
                          {f["rule"] for f in full["findings"]} - {"json-in-string-column", "string-enum-column"})):
        narrowed = _report(DEMO, *args)
        assert {f["rule"] for f in narrowed["findings"]} == listed
        assert narrowed["findings"] == [f for f in full["findings"] if f["rule"] in listed]
        for key in ("overall", "areas", "coverage", "by_severity", "by_confidence", "audited_findings"):
            assert narrowed["summary"][key] == full["summary"][key], key
        assert narrowed["summary"]["listed_findings"] == len(narrowed["findings"]) < len(full["findings"])
        assert narrowed["stats"]["rules_run"] == full["stats"]["rules_run"]
        assert set(narrowed["stats"]["rules_listed"]) < set(full["stats"]["rules_listed"])
        assert narrowed["stats"]["findings"] == len(narrowed["findings"])
    assert _report(DEMO, "--select", "n-plus-one")["stats"]["rules_listed"] == ["n-plus-one"]


def test_select_chooses_what_fails_the_run_not_what_is_audited():
    # The demo app has critical findings, none of them string-enum-column's (low).
    run = dbaudit("scan", DEMO, "--select", "string-enum-column")
    assert run.code == 0, run.err
    first = " ".join(run.out.split("\n\n")[0].split())
    full = " ".join(dbaudit("scan", DEMO, "--fail-on", "critical").out.split("\n\n")[0].split())
    assert first == full.replace("Audit: ", "11 findings of string-enum-column; the audit of the whole code: ", 1)
    assert "Not reported: 58 of rules that --select/--ignore left out (the audit counts them)." \
        in " ".join(run.out.split())

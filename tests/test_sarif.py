"""`-f sarif` against the properties GitHub code scanning requires.

The official SARIF 2.1.0 schema (oasis-tcs/sarif-spec) is published under the
OASIS IPR policy, not a licence we could confirm as permissive, so it is not
copied here. `schemas/sarif-github-subset.schema.json` is written for these
tests from GitHub's documentation of the SARIF subset code scanning reads and
its upload limits; `jsonschema` validates every log against it, and the tests
below check what a schema cannot (indexes, columns, fingerprints, paths)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import jsonschema
import pytest

from conftest import scan_dir
from cliutil import dbaudit
from review_helpers import BOOKCLUB, DEMO, git, new_repo
from scanner.config import load_config
from scanner.engine import ScanResult
from scanner.findings import Finding, Related, Severity
from scanner.report import sarif
from scanner.rules import REGISTRY, Rule

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-github-subset.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _valid(log: dict) -> dict:
    errors = sorted(VALIDATOR.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    return log


def _result(findings, root: Path = Path("/project")) -> ScanResult:
    return ScanResult(root, list(findings), [], {}, None, None, load_config(Path(".")))


def _finding(rule="n-plus-one", severity=Severity.HIGH, path="app/a.ts", line=3, column=5, end_line=3,
             end_column=20, message="m", snippet="", fp="f" * 32, related=()) -> Finding:
    return Finding(rule, severity, "query-patterns", path, line, column, end_line, end_column, message,
                   related=tuple(related), snippet=snippet, fingerprint=fp)


@pytest.mark.parametrize("app", [DEMO, BOOKCLUB], ids=["academy", "bookclub"])
def test_real_scans_validate_and_describe_every_rule(app):
    result = scan_dir(str(app))
    log = _valid(json.loads(sarif.render(result)))
    assert log["$schema"].endswith("sarif-schema-2.1.0.json") and log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "dbaudit" and driver["version"] == result.version and driver["informationUri"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [r.id for r in REGISTRY]
    for desc, rule in zip(rules, REGISTRY):
        page = rule.docs_path.read_text(encoding="utf-8")
        assert desc["help"]["markdown"] == page
        assert desc["shortDescription"]["text"] == rule.summary
        assert desc["fullDescription"]["text"] in " ".join(page.replace("**", "").split())
        assert desc["defaultConfiguration"]["level"] == sarif.SARIF_LEVEL[rule.severity.value]
        assert rule.category in desc["properties"]["tags"]
        assert ("security-severity" in desc["properties"]) == ("security" in rule.tags)
    assert len(run["results"]) == len(result.findings) > 0
    for res, f in zip(run["results"], result.findings):
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"] == f.rule
        assert res["level"] == sarif.SARIF_LEVEL[f.severity.value]
        assert res["partialFingerprints"] == {sarif.FINGERPRINT_KEY: f.fingerprint}
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": sarif.artifact_uri(f.path), "uriBaseId": "%SRCROOT%"}
        region = loc["region"]
        assert (region["startLine"], region["endLine"]) == (f.line, max(f.end_line, f.line))
        if region["endLine"] == region["startLine"]:
            assert region["endColumn"] >= region["startColumn"]
        assert [r["message"]["text"] for r in res.get("relatedLocations", [])] == [r.message for r in f.related]


def test_security_rules_carry_security_severity():
    rule = Rule("sql-thing", "SQL thing", "input-validation", Severity.CRITICAL, "Summary.",
                lambda ctx: (), tags=("security", "external/cwe/cwe-89"))
    plain = Rule("slow-thing", "Slow thing", "query-patterns", Severity.MEDIUM, "Summary.", lambda ctx: ())
    log = _valid(json.loads(sarif.render(_result([]), rules=[rule, plain])))
    descs = log["runs"][0]["tool"]["driver"]["rules"]
    assert descs[0]["properties"]["security-severity"] == "9.5"
    assert descs[0]["properties"]["tags"] == ["input-validation", "security", "external/cwe/cwe-89"]
    assert "security-severity" not in descs[1]["properties"]
    assert descs[0]["fullDescription"]["text"] == "Summary." == descs[0]["help"]["text"], \
        "a rule without a docs page falls back to its summary"


def test_columns_count_characters_not_bytes():
    # byte columns from tree-sitter: "é" is 2 bytes, "😀" is 4 bytes and 2 UTF-16 units
    line = "  const é = 😀 + await prisma.user.findFirst()"
    start = len(line[:line.index("await")].encode()) + 1
    end = len(line.encode()) + 1
    f = _finding(column=start, end_column=end, snippet=line)
    region = sarif.result_object(f, {}, "")["locations"][0]["physicalLocation"]["region"]
    utf16_prefix = len(line[:line.index("await")].encode("utf-16-le")) // 2
    assert region["startColumn"] == utf16_prefix + 1
    assert region["endColumn"] == len(line.encode("utf-16-le")) // 2 + 1


@pytest.mark.parametrize("path, uri", [
    ("app/(app)/dashboard/page.tsx", "app/(app)/dashboard/page.tsx"),
    ("app/clubs/[clubId]/page.tsx", "app/clubs/%5BclubId%5D/page.tsx"),
    ("src/my file.ts", "src/my%20file.ts"),
    ("a:b/c.ts", "a%3Ab/c.ts"),
    ("src/café.ts", "src/caf%C3%A9.ts"),
])
def test_paths_are_uri_references(path, uri):
    log = _valid(json.loads(sarif.render(_result([_finding(path=path)]))))
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri


def test_paths_are_relative_to_the_repository_root(tmp_path):
    repo = new_repo(tmp_path / "mono")
    app = repo / "apps" / "web"
    app.mkdir(parents=True)
    f = _finding(path="app/a.ts", related=[Related("lib/b.ts", 9, "the query")])
    res = json.loads(sarif.render(_result([f], app), source_root=repo))["runs"][0]["results"][0]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "apps/web/app/a.ts"
    assert res["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "apps/web/lib/b.ts"


def test_cli_sarif_from_a_subfolder_of_a_git_repository(tmp_path):
    repo = tmp_path / "mono"
    (repo / "apps").mkdir(parents=True)
    import shutil
    shutil.copytree(DEMO, repo / "apps" / "academy")
    new_repo(repo)
    run = dbaudit("scan", repo / "apps" / "academy", "-f", "sarif", "--select", "n-plus-one")
    assert run.code == 1, run.err
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in _valid(json.loads(run.out))["runs"][0]["results"]}
    assert uris and all(u.startswith("apps/academy/") for u in uris)
    assert git(repo, "status", "--porcelain") == "", "the scan wrote into the repository"


def test_too_many_results_keeps_the_most_severe_with_a_warning():
    findings = [_finding(line=i, severity=Severity.LOW, fp=f"{i:032x}") for i in range(1, 8)]
    findings[4] = _finding(line=5, severity=Severity.CRITICAL, fp="c" * 32)
    warnings = []
    log = _valid(json.loads(sarif.render(_result(findings), max_results=3, warn=warnings.append)))
    results = log["runs"][0]["results"]
    assert len(results) == 3 and results[2]["partialFingerprints"][sarif.FINGERPRINT_KEY] == "c" * 32
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results] == [1, 2, 5]
    assert len(warnings) == 1 and "7 results exceed GitHub's limit of 3" in warnings[0]
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["level"] == "warning" and notes[0]["message"]["text"] == warnings[0]


def test_too_large_a_file_is_truncated_to_fit_with_a_warning():
    findings = [_finding(line=i, message=f"{i} " + "words that do not compress well %d " % (i * 7919) * 40,
                         fp=f"{i:032x}") for i in range(1, 400)]
    full = sarif.render(_result(findings), rules=[])
    limit = len(gzip.compress(full.encode())) // 3
    warnings = []
    text = sarif.render(_result(findings), rules=[], max_gzip_bytes=limit, warn=warnings.append)
    assert len(gzip.compress(text.encode())) <= limit
    kept = len(json.loads(text)["runs"][0]["results"])
    assert 0 < kept < len(findings)
    assert len(warnings) == 1 and f"kept the {kept} most severe of {len(findings)}" in warnings[0]

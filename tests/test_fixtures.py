"""One runner for every annotated fixture: rule fixtures compare exact
(rule, line) sets; fact fixtures compare exact Prisma-call sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations import read_annotations
from conftest import FIXTURES, scan_dir
from scanner.rules import REGISTRY, RULES_BY_ID

RULE_DIRS = sorted(p for p in (FIXTURES / "rules").iterdir() if p.is_dir()) if (FIXTURES / "rules").is_dir() else []
FACT_DIRS = sorted(p for p in (FIXTURES / "facts").iterdir() if p.is_dir()) if (FIXTURES / "facts").is_dir() else []
DEMO = FIXTURES / "apps" / "academy"


def _compare_rule(root: Path, rule: str, result) -> list[str]:
    exp = read_annotations(root)
    expected = exp.rule_lines("ruleid", rule) | exp.rule_lines("todook", rule)
    quiet = exp.rule_lines("ok", rule) | exp.rule_lines("todoruleid", rule)
    actual = {(f.path, f.line) for f in result.findings if f.rule == rule}
    problems = []
    for (p, l, r), level in sorted(exp.confidence.items()):
        got = [f.confidence for f in result.findings if f.rule == r == rule and (f.path, f.line) == (p, l)]
        if got and level not in got:
            problems.append(f"{rule} finding at {p}:{l} has confidence {got[0]}, annotated {level}")
    for p, l in sorted(expected - actual):
        problems.append(f"missing {rule} finding at {p}:{l}")
    for p, l in sorted(actual - expected):
        msg = next(f.message for f in result.findings if f.rule == rule and (f.path, f.line) == (p, l))
        tag = "on an `ok` line" if (p, l) in quiet else "unexpected"
        problems.append(f"{tag} {rule} finding at {p}:{l}: {msg}")
    return problems


def _compare_calls(root: Path, result) -> list[str]:
    exp = read_annotations(root)
    expected = exp.items["prisma-call"]
    actual = set()
    for c in result.index.prisma_calls:
        label = f"{c.model}.{c.operation}" if c.model else c.operation
        actual.add((c.path, c.line, label))
    problems = [f"missing Prisma call {lab} at {p}:{l}" for p, l, lab in sorted(expected - actual)]
    problems += [f"unexpected Prisma call {lab} at {p}:{l}" for p, l, lab in sorted(actual - expected)]
    not_calls = {(p, l) for p, l, _ in exp.items["not-prisma-call"]}
    problems += [f"look-alike reported as a Prisma call at {p}:{l}"
                 for p, l, _ in sorted(actual) if (p, l) in not_calls]
    return problems


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda p: p.name)
def test_rule_fixtures(rule_dir: Path):
    rule = rule_dir.name
    assert rule in RULES_BY_ID, f"fixtures for unknown rule {rule}"
    # Every confidence the rule gives (the default view hides low).
    result = scan_dir(str(rule_dir), (rule,), min_confidence="low")
    exp = read_annotations(rule_dir)
    assert exp.rule_lines("ruleid", rule), f"{rule_dir} has no `ruleid: {rule}` annotation"
    assert exp.rule_lines("ok", rule), f"{rule_dir} has no `ok: {rule}` annotation"
    problems = _compare_rule(rule_dir, rule, result)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("fact_dir", FACT_DIRS, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fact_fixtures(fact_dir: Path):
    result = scan_dir(str(fact_dir))
    exp = read_annotations(fact_dir)
    assert exp.items["prisma-call"], f"{fact_dir} has no prisma-call annotations"
    problems = _compare_calls(fact_dir, result)
    assert not problems, "\n".join(problems)


def test_every_rule_has_fixtures_and_docs():
    for rule in REGISTRY:
        d = FIXTURES / "rules" / rule.id
        assert d.is_dir() and any(d.rglob("*.*")), f"{rule.id} has no fixtures in {d}"
        assert rule.docs_path.is_file(), f"{rule.id} has no docs page at {rule.docs_path}"
        text = rule.docs_path.read_text(encoding="utf-8")
        for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "How confident", "References"):
            assert f"## {heading}" in text, f"{rule.docs_path} lacks the heading '## {heading}'"


@pytest.mark.skipif(not DEMO.is_dir(), reason="demo app not present")
def test_demo_app_prisma_calls():
    result = scan_dir(str(DEMO))
    problems = _compare_calls(DEMO, result)
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not DEMO.is_dir(), reason="demo app not present")
@pytest.mark.parametrize("rule", [r.id for r in REGISTRY])
def test_demo_app_rules(rule: str):
    result = scan_dir(str(DEMO), min_confidence="low")  # the annotations name every finding
    problems = _compare_rule(DEMO, rule, result)
    assert not problems, "\n".join(problems)

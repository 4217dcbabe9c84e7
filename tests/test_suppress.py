"""Inline suppressions: the directive grammar, where a comment applies (line
before, end of line, stacked comments, JSX, file header, .prisma), that a
malformed one suppresses nothing and is reported, unused ones, and that the
rule reads facts rather than files."""

from __future__ import annotations

from pathlib import Path

import pytest

from cliutil import dbaudit
from review_helpers import PRISMA_TS, write_files
from scanner.config import load_config
from scanner.engine import client_config, scan
from scanner.facts.comments import parse_directive, prisma_suppressions
from scanner.facts.extract import extract_facts
from scanner.facts.model import Span, SuppressionComment
from scanner.rules import RULES_BY_ID, RuleContext


@pytest.mark.parametrize("body, expected", [
    ("dbaudit-ignore n-plus-one: at most 3 tenants", ("line", ("n-plus-one",), "at most 3 tenants", None)),
    ("dbaudit-ignore n-plus-one , unbounded-find-many:  nightly   job",
     ("line", ("n-plus-one", "unbounded-find-many"), "nightly job", None)),
    ("dbaudit-ignore-file n-plus-one: admin export", ("file", ("n-plus-one",), "admin export", None)),
    ("dbaudit-ignore n-plus-one: reason: with a colon", ("line", ("n-plus-one",), "reason: with a colon", None)),
])
def test_well_formed_directives(body, expected):
    assert parse_directive(body) == expected


@pytest.mark.parametrize("body, problem", [
    ("dbaudit-ignore", "names no rule id"),
    ("dbaudit-ignore: because", "names no rule id"),
    ("dbaudit-ignore n-plus-one", "gives no reason"),
    ("dbaudit-ignore n-plus-one:   ", "gives no reason"),
    ("dbaudit-ignore n-plus-one because it is short", "is not a rule id"),
    ("dbaudit-ignore N_Plus_One: shouting", "is not a rule id"),
    ("dbaudit-ignore-next-line n-plus-one: habit", "is not a directive"),
])
def test_malformed_directives_say_why(body, problem):
    parsed = parse_directive(body)
    assert parsed is not None and parsed[3] is not None and problem in parsed[3]


@pytest.mark.parametrize("body", ["a comment about dbaudit-ignore usage", "TODO: dbaudit-ignore later", ""])
def test_prose_is_not_a_directive(body):
    assert parse_directive(body) is None


def _suppressions(path: str, source: str) -> tuple[SuppressionComment, ...]:
    cfg = client_config(load_config(Path(".")))
    return extract_facts(path, "lib", source.encode(), cfg).suppressions


def test_targets_line_before_stacked_comments_and_end_of_line():
    src = (
        "export async function f(ids: string[]) {\n"          # 1
        "  // dbaudit-ignore n-plus-one: reason one\n"          # 2 -> 3
        "  await a()\n"                                         # 3
        "  // dbaudit-ignore n-plus-one: reason two\n"          # 4 -> 8 (5-7 are comment lines)
        "  // ruleid: n-plus-one\n"                             # 5
        "  /* another\n     comment */\n"                       # 6-7
        "  await b()\n"                                         # 8
        "  await c() // dbaudit-ignore n-plus-one: reason three\n"  # 9 -> 9
        "  // dbaudit-ignore n-plus-one: blank line below\n"    # 10 -> 11
        "\n"                                                    # 11
        "  await d()\n"                                         # 12
        "}\n"
    )
    got = {(s.span.line, s.target) for s in _suppressions("a.ts", src)}
    assert got == {(2, 3), (4, 8), (9, 9), (10, 11)}


def test_jsx_comments_and_the_file_header():
    src = (
        "// licence header\n"                                                 # 1
        "// dbaudit-ignore-file unbounded-find-many: admin page\n"             # 2
        "'use client'\n"                                                       # 3
        "export default function P({ xs }: { xs: string[] }) {\n"              # 4
        "  return <ul>\n"                                                      # 5
        "    {/* dbaudit-ignore n-plus-one: rendering only */}\n"              # 6 -> 7
        "    {xs.map((x) => <li key={x}>{x}</li>)}\n"                          # 7
        "  </ul>\n"
        "}\n"
        "// dbaudit-ignore-file n-plus-one: too late\n"                        # 10
    )
    by_line = {s.span.line: s for s in _suppressions("p.tsx", src)}
    assert by_line[2].kind == "file" and by_line[2].problem is None and by_line[2].target == 0
    assert by_line[6].kind == "line" and by_line[6].target == 7 and by_line[6].problem is None
    assert by_line[10].problem is not None and "first comment block" in by_line[10].problem


def test_prisma_comments():
    text = (
        "// dbaudit-ignore-file float-for-money: legacy ledger\n"   # 1
        'datasource db {\n  provider = "postgresql"\n  url = "postgres://x"  // not a directive\n}\n'
        "model A {\n"                                                # 6
        "  id    String @id\n"                                       # 7
        "  // dbaudit-ignore foreign-key-missing-index: tiny table\n"  # 8 -> 9
        "  bId   String\n"                                           # 9
        "  price Float // dbaudit-ignore float-for-money: estimate\n"  # 10 -> 10
        "  // dbaudit-ignore-file n-plus-one: not in the header\n"   # 11
        "}\n"
    )
    got = {s.span.line: (s.kind, s.target, s.problem is None) for s in prisma_suppressions(text)}
    assert got == {1: ("file", 0, True), 8: ("line", 9, True), 10: ("line", 10, True), 11: ("file", 0, False)}


LOOPS = {
    "lib/prisma.ts": PRISMA_TS,
    "lib/jobs.ts": (
        "import { prisma } from './prisma'\n"                                          # 1
        "export async function run(ids: string[]) {\n"                                 # 2
        "  for (const id of ids) {\n"                                                  # 3
        "    // dbaudit-ignore n-plus-one: at most 3 ids, runs nightly\n"              # 4
        "    await prisma.user.findFirst({ where: { id } })\n"                         # 5 suppressed
        "    await prisma.post.findFirst({ where: { id } }) // dbaudit-ignore n-plus-one: cached\n"  # 6 suppressed
        "    // dbaudit-ignore n-plus-one\n"                                           # 7 invalid: no reason
        "    await prisma.tag.findFirst({ where: { id } })\n"                          # 8 reported
        "    // dbaudit-ignore unbounded-find-many: nothing here to suppress\n"        # 9 unused
        "    await prisma.like.findFirst({ where: { id } })\n"                         # 10 reported
        "  }\n"
        "}\n"
    ),
    "lib/export.ts": (
        "// dbaudit-ignore-file n-plus-one: one-off export over a few rows\n"
        "import { prisma } from './prisma'\n"
        "export async function dump(ids: string[]) {\n"
        "  for (const id of ids) await prisma.user.findFirst({ where: { id } })\n"   # 4 suppressed
        "}\n"
    ),
}


def test_scan_applies_suppressions_and_reports_bad_ones(tmp_path):
    root = write_files(tmp_path, LOOPS)
    result = scan(root, load_config(root), select=["n-plus-one", "unbounded-find-many", "invalid-suppression"])
    reported = {(f.rule, f.path, f.line) for f in result.findings}
    assert reported == {("n-plus-one", "lib/jobs.ts", 8), ("n-plus-one", "lib/jobs.ts", 10),
                        ("invalid-suppression", "lib/jobs.ts", 7)}
    assert {(f.path, f.line) for f in result.review.suppressed} == {
        ("lib/jobs.ts", 5), ("lib/jobs.ts", 6), ("lib/export.ts", 4)}
    assert [(u.path, u.line, u.rule) for u in result.review.unused_ignores] == [
        ("lib/jobs.ts", 9, "unbounded-find-many")]
    assert result.stats["suppressed"] == 3 and result.stats["by_rule"]["n-plus-one"] == 2


def test_a_suppression_of_a_rule_that_did_not_run_is_not_unused(tmp_path):
    root = write_files(tmp_path, LOOPS)
    result = scan(root, load_config(root), select=["n-plus-one"])
    assert result.review.unused_ignores == []


def test_cli_fail_on_counts_only_reported_findings_and_lists_unused(tmp_path):
    root = write_files(tmp_path, {"lib/prisma.ts": PRISMA_TS, "lib/a.ts": (
        "import { prisma } from './prisma'\n"
        "export async function f(ids: string[]) {\n"
        "  // dbaudit-ignore unbounded-find-many: left over from a refactor\n"
        "  for (const id of ids) await prisma.user.findFirst({ where: { id } }) // dbaudit-ignore n-plus-one: 2 ids\n"
        "}\n")})
    run = dbaudit("scan", root, "--fail-on", "low", "--report-unused-ignores", "-f", "json")
    assert run.code == 0, run.out + run.err
    assert "lib/a.ts:3: unused `dbaudit-ignore unbounded-find-many`" in run.err
    quiet = dbaudit("scan", root, "--fail-on", "low")
    assert quiet.code == 0 and "unused" not in quiet.err
    (root / "lib/a.ts").write_text((root / "lib/a.ts").read_text().replace(" // dbaudit-ignore n-plus-one: 2 ids", ""))
    assert dbaudit("scan", root, "--fail-on", "high").code == 1


def test_invalid_suppression_reads_facts_not_files():
    """The rule works from `RuleContext.suppressions` alone: these paths do not exist."""
    rule = RULES_BY_ID["invalid-suppression"]
    facts = {
        "nowhere/a.ts": (SuppressionComment("line", (), "", Span(3, 5, 3, 25), 4, "names no rule id"),
                         SuppressionComment("line", ("n-plus-one",), "fine", Span(9, 1, 9, 40), 10)),
        "nowhere/schema.prisma": (SuppressionComment("file", ("n-plus-1",), "typo", Span(1, 1, 1, 30), 0),),
    }
    ctx = RuleContext(None, load_config(Path(".")), rule, facts)
    found = sorted((f.path, f.line, f.severity.value, f.category) for f in rule.check(ctx))
    assert found == [("nowhere/a.ts", 3, "low", "maintainability"),
                     ("nowhere/schema.prisma", 1, "low", "maintainability")]
    messages = " ".join(f.message for f in rule.check(ctx))
    assert "names no rule id" in messages and "did you mean `n-plus-one`?" in messages


def test_prisma_file_suppressions_apply_to_schema_findings(tmp_path):
    """A .prisma comment suppresses findings placed in the schema (here the
    invalid-suppression finding of a malformed comment below the header)."""
    schema = ('datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
              "model A {\n  id String @id\n  // dbaudit-ignore float-for-money\n  x Int\n}\n")
    root = write_files(tmp_path, {"prisma/schema.prisma": schema, "lib/prisma.ts": PRISMA_TS})
    result = scan(root, load_config(root), select=["invalid-suppression"])
    assert [(f.path, f.line) for f in result.findings] == [("prisma/schema.prisma", 7)]
    (root / "prisma/schema.prisma").write_text(
        "// dbaudit-ignore-file invalid-suppression: kept as an example of the syntax\n" + schema)
    result = scan(root, load_config(root), select=["invalid-suppression"])
    assert result.findings == [] and [(f.path, f.line) for f in result.review.suppressed] == [
        ("prisma/schema.prisma", 8)]

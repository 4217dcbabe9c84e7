"""The HTML report as a file: self-contained, escaped, bounded for large scans."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re

from click.testing import CliRunner
from jinja2 import Environment

from conftest import FIXTURES, scan_dir
from report_helpers import finding
from scanner.cli import main
from scanner.report import REPORTERS, text_report
from scanner.report.html_report import (
    MAX_EXCERPTS_PER_RULE, MAX_FINDINGS_PER_RULE, build_view, inert, render,
)

DEMO = FIXTURES / "apps" / "academy"
COVERAGE = FIXTURES / "report" / "coverage"
HOSTILE = ("const q = '</script><script>alert(1)</script>' // <img src=x onerror=alert(1)> {{ 7*7 }} "
           "\u202eevil\u2066 \x1b[31m")


def _demo():
    return scan_dir(str(DEMO))


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_registered_as_a_reporter():
    assert REPORTERS["html"] is render


def test_page_is_self_contained_and_its_csp_pins_the_inline_script_and_style():
    page = render(_demo())
    assert page.startswith("<!DOCTYPE html>")
    # No external resource of any kind.
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?(?:https?:|//|data:)""", page, re.I)
    assert "<link" not in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(scripts) == 1 and len(styles) == 1
    # (Scanned code may say `url(` or `@import` as text; the stylesheet may not.)
    assert "@import" not in styles[0] and "url(" not in styles[0]
    assert f"script-src '{_csp_hash(scripts[0])}'" in csp
    assert f"style-src '{_csp_hash(styles[0])}'" in csp
    assert "innerHTML" not in scripts[0] and "insertAdjacentHTML" not in scripts[0]
    assert "eval(" not in scripts[0]


def test_demo_page_has_the_seed_sections():
    page = render(_demo())
    for heading in ("Executive summary", "Assessment score", "Coverage figures", "Schema architecture",
                    "Findings by category", "Recommendations by priority"):
        assert f"<h2>{heading}</h2>" in page
    for area in ("Schema Design", "Data Integrity", "Query Patterns", "Transaction Management",
                 "Error Handling", "Performance", "Security", "Scalability", "Maintainability", "Overall"):
        assert f">{area}</th>" in page
    for cat in ("Query patterns", "Transactions and integrity", "Error handling", "Input validation", "Schema"):
        assert f"<h3>{cat} <span" in page
    assert "<dt>Models</dt><dd>44</dd>" in page
    # Every $transaction use is listed, as the seed's §2.1 does.
    for loc in ("src/lib/actions/replay.ts:43", "src/lib/actions/replay.ts:64", "src/lib/actions/replay.ts:81",
                "src/lib/client-onboarding.ts:19", "app/api/admin/signals/import/route.ts:41"):
        assert f'<span class="loc">{loc}</span>' in page


def test_scanned_text_is_escaped_and_made_visible():
    result = _demo()
    bad = finding("n-plus-one", "high", "src/<b>x</b>.ts", 3, message=HOSTILE, snippet=HOSTILE + "\nnext line")
    page = render(dataclasses.replace(result, findings=[bad]))
    assert "<script><script>" not in page and "alert(1)</script>" not in page
    assert "<img" not in page and "<b>x</b>" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "{{ 7*7 }}" in page and ">49<" not in page
    for ch in ("\u202e", "\u2066", "\x1b"):
        assert ch not in page
    assert "&lt;U+202E&gt;evil&lt;U+2066&gt;" in page and "&lt;U+001B&gt;" in page


def test_inert_marks_invisible_characters():
    assert inert("a\u202eb\u200bc\td\ne") == "a<U+202E>b<U+200B>c\td\ne"


def test_ten_thousand_findings_are_grouped_and_capped():
    result = _demo()
    many = [finding("n-plus-one", "high", f"src/f{i % 50}.ts", i + 1, snippet="await prisma.a.findMany()")
            for i in range(9000)]
    many += [finding("unbounded-find-many", "medium", f"src/g{i}.ts", 2, snippet="x") for i in range(900)]
    many += [finding("swallowed-error", "low", "src/h.ts", i + 1, category="error-handling", snippet="y")
             for i in range(100)]
    view = build_view(dataclasses.replace(result, findings=many))
    groups = {g["id"]: g for c in view["categories"] for g in c["rules"]}
    assert {k: (g["count"], len(g["findings"]), g["rows_hidden"]) for k, g in groups.items()} == {
        "n-plus-one": (9000, MAX_FINDINGS_PER_RULE, 9000 - MAX_FINDINGS_PER_RULE),
        "unbounded-find-many": (900, MAX_FINDINGS_PER_RULE, 900 - MAX_FINDINGS_PER_RULE),
        "swallowed-error": (100, 100, 0),
    }
    for g in groups.values():
        assert sum(1 for f in g["findings"] if f["excerpt"]) == MAX_EXCERPTS_PER_RULE
    assert view["hidden"]["rows"] == 9500
    page = render(dataclasses.replace(result, findings=many))
    assert page.count('<article class="finding') == 2 * MAX_FINDINGS_PER_RULE + 100
    assert page.count('<pre class="excerpt">') == 3 * MAX_EXCERPTS_PER_RULE
    assert "9500 finding(s) are not listed on this page" in page
    assert len(page) < 1_500_000


def test_project_without_schema(tmp_path):
    (tmp_path / "lib.ts").write_text("import { prisma } from './db'\nexport const f = () => prisma.user.findMany()\n")
    (tmp_path / "db.ts").write_text("import { PrismaClient } from '@prisma/client'\nexport const prisma = new PrismaClient()\n")
    page = render(scan_dir(str(tmp_path)))
    assert "No <code>schema.prisma</code> was found" in page


def test_cli_writes_the_html_report(tmp_path):
    out = tmp_path / "report.html"
    res = CliRunner().invoke(main, ["scan", str(COVERAGE), "-f", "html", "-o", str(out), "--fail-on", "critical"])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "Database audit: coverage" in page and "<dt>Provider</dt><dd>postgresql</dd>" in page


def test_text_report_has_the_audit_summary_block():
    out = text_report.render(scan_dir(str(COVERAGE)))
    assert "Audit: " in out and "Transaction Management" in out and "Overall" in out
    assert "2/4 (50%) Functions with 2+ writes that run them in a transaction" in out
    assert "dbaudit summary" in out  # the existing per-rule table is still there


def test_empty_project_is_not_scored(tmp_path):
    (tmp_path / "README.md").write_text("nothing here\n")
    result = scan_dir(str(tmp_path))
    page = render(result)
    assert '<span class="score-badge">n/a</span>' in page
    assert "Nothing to score: no Prisma operation, schema or finding was found" in page
    assert "/10</td>" not in page
    assert "Audit: n/a Nothing to score" in text_report.render(result)


def test_every_in_page_link_has_its_target():
    page = render(_demo())
    targets = set(re.findall(r'href="#([^"]+)"', page))
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    assert targets and targets <= ids
    assert {t for t in targets if t.startswith("rule-")} == {f"rule-{r}" for r in _demo().stats["by_rule"]}


def test_findings_open_on_the_worst_group_and_fold_chains_below_high():
    from scanner.findings import Related
    result = _demo()
    rel = (Related("src/a.ts", 3, "the loop"),)
    many = [dataclasses.replace(finding("n-plus-one", "high", "src/a.ts", i + 1), related=rel) for i in range(5)]
    many += [dataclasses.replace(finding("unbounded-find-many", "medium", "src/b.ts", 1), related=rel)]
    many += [finding("float-for-money", "critical", "prisma/schema.prisma", 4, category="schema")]
    many += [finding("foreign-key-missing-index", "high", "prisma/schema.prisma", i + 1, category="schema")
             for i in range(9)]
    view = build_view(dataclasses.replace(result, findings=many))
    order = [(c["key"], [(g["id"], g["open"]) for g in c["rules"]]) for c in view["categories"] if c["rules"]]
    assert order == [
        ("schema", [("float-for-money", True), ("foreign-key-missing-index", False)]),
        ("query-patterns", [("n-plus-one", False), ("unbounded-find-many", False)]),
    ]
    page = render(dataclasses.replace(result, findings=many))
    assert page.count("<details class=\"rule-group\"") == 4
    assert len(re.findall(r'<details class="rule-group"[^>]*\sopen>', page)) == 1
    # The medium finding's chain is folded; the high ones are listed open.
    assert page.count('<details class="chain"><summary>1 related location(s)</summary>') == 1
    assert page.count('<ul class="related"') == 6


def test_code_paths_break_after_slashes_and_keep_their_punctuation():
    """A location in a summary card breaks after its slashes (`<wbr>`), not at an arbitrary
    point, so the comma after it stays on its line; the text around stays escaped."""
    page = render(_demo())
    assert "<code>app/<wbr>api/<wbr>learning/<wbr>analytics/<wbr>route.ts:30</code>," in page
    env = Environment(autoescape=True)
    macro = env.from_string(
        (FIXTURES.parent / "templates" / "partials" / "blocks.html.j2").read_text()).module.segments
    out = str(macro([{"text": "</code><script>a/b</script>", "code": True, "strong": False}]))
    assert out == "<code>&lt;/<wbr>code&gt;&lt;script&gt;a/<wbr>b&lt;/<wbr>script&gt;</code>"

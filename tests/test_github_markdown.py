"""`-f github` and `-f markdown`: escaping, severity mapping, truncation, links,
and golden files of the demo app (n-plus-one only, so that rules added later
do not move them) and of the bookclub fixture (every rule, suppressions, a
baseline). Regenerate the goldens with DBAUDIT_UPDATE_GOLDEN=1."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import scan_dir
from cliutil import dbaudit
from review_helpers import BOOKCLUB, DEMO, new_repo
from scanner.baseline import Baseline, BaselineEntry
from scanner.config import load_config
from scanner.engine import ScanResult, scan
from scanner.findings import Finding, Related, Severity
from scanner.report import github, markdown

GOLDEN = Path(__file__).parent / "golden"


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("DBAUDIT_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: run the tests with DBAUDIT_UPDATE_GOLDEN=1 to write it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from the golden file; if the change is intended, " \
                             "rerun with DBAUDIT_UPDATE_GOLDEN=1 and review the diff"


def _bookclub_with_baseline():
    """bookclub against a baseline that knows all but its first finding and
    one finding that has since been fixed."""
    full = scan(BOOKCLUB, load_config(BOOKCLUB))
    entries = [BaselineEntry(f.fingerprint, f.rule, f.severity.value, f.path, f.message)
               for f in full.findings[1:]]
    entries.append(BaselineEntry("0" * 32, "n-plus-one", "high", "app/api/old/route.ts",
                                 "prisma.member.findFirst() runs once per item of the `for (const c of clubs)`"))
    return scan(BOOKCLUB, load_config(BOOKCLUB), baseline=Baseline(".dbaudit-baseline.json", tuple(entries)))


CASES = {
    "academy-n-plus-one": lambda: scan_dir(str(DEMO), ("n-plus-one",)),
    "bookclub": lambda: scan_dir(str(BOOKCLUB)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_github_golden(name):
    result = CASES[name]()
    assert result.findings
    _golden(f"{name}.github.txt", github.render(result))


@pytest.mark.parametrize("name", sorted(CASES))
def test_markdown_golden(name):
    _golden(f"{name}.md", markdown.render(CASES[name]()))


def test_markdown_golden_with_a_baseline():
    result = _bookclub_with_baseline()
    assert result.review.baseline.fixed and result.review.baseline.baselined and result.findings
    _golden("bookclub-baseline.md", markdown.render(result, link_base="https://github.com/o/bookclub/blob/0123abc/"))


def test_bookclub_golden_exercises_suppressions():
    result = scan_dir(str(BOOKCLUB))
    assert {f.rule for f in result.findings} >= {"n-plus-one", "invalid-suppression"}
    suppressed = {(f.path, f.line) for f in result.review.suppressed}
    assert {("app/api/clubs/route.ts", 13), ("app/api/clubs/route.ts", 15),
            ("app/clubs/[clubId]/page.tsx", 13), ("app/api/reports/route.ts", 10)} <= suppressed


# -- github ------------------------------------------------------------------------

def _finding(**kw) -> Finding:
    base = dict(rule="n-plus-one", severity=Severity.HIGH, category="query-patterns", path="app/a.ts", line=4,
                column=3, end_line=4, end_column=30, message="m", fingerprint="f" * 32)
    base.update(kw)
    return Finding(**base)


def _result(findings, root=Path("/p")) -> ScanResult:
    return ScanResult(root, list(findings), [], {}, None, None, load_config(Path(".")))


def test_escaping_follows_the_runner():
    assert github.escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_command_shape_and_severity_mapping():
    f = _finding(path="app/[id]/x,y:z.ts", message="50% of rows\nsecond line",
                 related=(Related("lib/q.ts", 9, "the query"),))
    line = github.command(f)
    assert line == ("::error file=app/[id]/x%2Cy%3Az.ts,line=4,col=3,endLine=4,endColumn=30,"
                    "title=dbaudit n-plus-one (high)::50%25 of rows%0Asecond line%0A↳ lib/q.ts:9 the query")
    levels = {s: github.command(_finding(severity=s)).split(" ", 1)[0] for s in Severity}
    assert levels == {Severity.CRITICAL: "::error", Severity.HIGH: "::error",
                      Severity.MEDIUM: "::warning", Severity.LOW: "::notice"}


def test_multi_line_findings_leave_columns_out():
    line = github.command(_finding(line=4, end_line=9))
    assert "line=4,endLine=9,title=" in line and "col=" not in line


def test_github_paths_from_a_subfolder(tmp_path):
    repo = new_repo(tmp_path / "mono")
    (repo / "apps" / "web").mkdir(parents=True)
    out = github.render(_result([_finding()], repo / "apps" / "web"), source_root=repo)
    assert out.startswith("::error file=apps/web/app/a.ts,")
    assert out.endswith("dbaudit: 1 finding reported.\n")


# -- markdown ----------------------------------------------------------------------

def test_cells_escape_pipes_and_html_but_keep_code():
    assert markdown.cell("a | b <script> `x | y<T>`\nz") == "a \\| b &lt;script&gt; `x \\| y<T>` z"


def test_links_are_relative_or_absolute():
    f = _finding(path="app/clubs/[clubId]/page (1).tsx", line=3, end_line=5)
    rel = markdown.render(_result([f]))
    assert "[`app/clubs/[clubId]/page (1).tsx:3`](app/clubs/%5BclubId%5D/page%20%281%29.tsx#L3-L5)" in rel
    absolute = markdown.render(_result([f]), link_base="https://github.com/o/r/blob/abc")
    assert "(https://github.com/o/r/blob/abc/app/clubs/%5BclubId%5D/page%20%281%29.tsx#L3-L5)" in absolute


def test_fits_the_comment_limit_with_a_note():
    findings = [_finding(line=i, severity=Severity.LOW if i % 2 else Severity.CRITICAL,
                         message=f"finding {i} " + "x" * 300) for i in range(1, 500)]
    warnings = []
    text = markdown.render(_result(findings), warn=warnings.append)
    assert len(text.encode("utf-16-le")) // 2 <= markdown.COMMENT_LIMIT
    rows = [line for line in text.splitlines() if line.startswith("| critical |") or line.startswith("| low |")]
    left = int(re.search(r"and (\d+) more findings not shown", text).group(1))
    assert len(rows) + left == len(findings) and left > 0
    assert rows[0].startswith("| critical |") and all(
        r.startswith("| critical |") for r in rows[: min(len(rows), 249)]), "most severe first"
    assert len(warnings) == 1 and f"{left} of {len(findings)} findings left out" in warnings[0]
    small = markdown.render(_result(findings), max_chars=3000)
    assert len(small) <= 3000 and "more findings not shown" in small


def test_no_findings():
    text = markdown.render(_result([]))
    assert "**0 findings**" in text and "No findings." in text


def test_cli_markdown_and_github_together(tmp_path):
    import shutil
    app = tmp_path / "bookclub"
    shutil.copytree(BOOKCLUB, app)
    md = tmp_path / "summary.md"
    run = dbaudit("scan", app, "-f", "github", "--write", f"markdown:{md}", "--fail-on", "critical")
    assert run.code == 0, run.err
    assert run.out.splitlines()[0].startswith("::error file=app/api/clubs/route.ts,line=10,")
    assert md.read_text().startswith("## dbaudit\n")
    bad = dbaudit("scan", app, "--write", "pdf:out.pdf")
    assert bad.code == 2 and "expected FORMAT:FILE" in bad.err

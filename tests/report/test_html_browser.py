"""The HTML report in a real browser: headless Chromium (Debian's `chromium`)
driven by Playwright's Python package.

The demo app is copied and given one more file whose N+1 finding carries
hostile text in its code excerpt; the page must show it as text, run nothing
and request nothing. Skipped locally when Chromium or Playwright is missing;
with CI set, a missing browser is a failure. A screenshot is saved under
test-artifacts/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "test-artifacts"
PAYLOAD = ("</script><script>alert(1)</script> <img src=x onerror=alert(1)> {{ 7*7 }} "
           "\u202eevil\u2069")
HOSTILE_TS = f"""import {{ prisma }} from './prisma'

export async function hostileLookup(ids: string[]) {{
  for (const id of ids) {{
    await prisma.user.findFirst({{ where: {{ id }} }}) // {PAYLOAD}
  }}
}}
"""


def _browser_or_skip():
    missing = []
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
        missing.append("the playwright package")
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        missing.append(f"chromium at {CHROMIUM}")
    if missing:
        what = " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {what} for the browser test (.ci/run installs them)")
        pytest.skip(f"{what} not installed")
    return sync_playwright


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    from scanner.config import load_config
    from scanner.engine import scan
    from scanner.report.html_report import render
    app = tmp_path_factory.mktemp("app") / "academy"
    shutil.copytree(FIXTURES / "apps" / "academy", app)
    (app / "src" / "lib" / "hostile.ts").write_text(HOSTILE_TS, encoding="utf-8")
    # Imported by a module that runs, so loaded: a module nothing imports or names would be dead
    # code (low), and so would one only an unimported barrel re-exports.
    main = "import { hostileLookup } from './hostile'\nvoid hostileLookup\n"
    (app / "src" / "lib" / "hostile-main.ts").write_text(main, encoding="utf-8")
    result = scan(app, load_config(app))
    assert any(f.path == "src/lib/hostile.ts" and f.rule == "n-plus-one" for f in result.findings)
    out = tmp_path_factory.mktemp("out") / "report.html"
    out.write_text(render(result), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def browser():
    sync_playwright = _browser_or_skip()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
                              args=ARGS, headless=True)
        yield b
        b.close()


def _open(browser, report: Path, **context):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, **context)
    page = ctx.new_page()
    events = {"console": [], "requests": [], "dialogs": [], "errors": []}
    page.on("console", lambda m: events["console"].append((m.type, m.text)))
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    page.on("request", lambda r: events["requests"].append(r.url))
    page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    return ctx, page, events


def test_opens_quietly_and_requests_nothing(browser, report):
    ctx, page, events = _open(browser, report)
    try:
        assert page.title() == "Database audit: academy"
        assert events["errors"] == []
        assert [t for t in events["console"] if t[0] in ("error", "warning")] == []
        assert events["requests"] == [report.as_uri()]
        assert events["dialogs"] == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
        # In-page links stay in the page.
        page.locator('#recommendations a[href="#rule-n-plus-one"]').click()
        assert page.evaluate("location.hash") == "#rule-n-plus-one"
        assert events["requests"] == [report.as_uri()]
    finally:
        ctx.close()


def test_hostile_snippet_is_inert_visible_text(browser, report):
    ctx, page, events = _open(browser, report)
    try:
        finding = page.locator(".finding", has_text="src/lib/hostile.ts:5")
        assert finding.count() == 1
        group = page.locator("#rule-n-plus-one")
        if not group.evaluate("d => d.open"):
            group.locator("> summary").click()
        excerpt = finding.locator(".excerpt").inner_text()
        assert "</script><script>alert(1)</script>" in excerpt
        assert "<img src=x onerror=alert(1)>" in excerpt
        assert "{{ 7*7 }}" in excerpt
        assert "<U+202E>evil<U+2069>" in excerpt and "\u202e" not in excerpt
        assert finding.locator(".excerpt .line.marked").count() == 1
        # Nothing was parsed out of it: no image, no second script, no dialog.
        assert page.locator("img").count() == 0
        assert page.locator("script").count() == 1
        page.wait_for_timeout(200)
        assert events["dialogs"] == [] and events["errors"] == []
    finally:
        ctx.close()


def test_severity_filter_hides_and_shows_findings(browser, report):
    ctx, page, _ = _open(browser, report)
    try:
        high = page.locator('.finding[data-severity="high"]')
        others = page.locator('.finding:not([data-severity="high"])')
        n_high, n_other = high.count(), others.count()
        assert n_high > 0 and n_other > 0
        total = n_high + n_other
        assert page.locator("#shown").inner_text() == f"{total} of {total} findings shown"
        page.locator('#filters input[name="severity"][value="high"]').uncheck()
        assert all(high.nth(i).is_hidden() for i in range(n_high))
        assert page.locator('.finding:not([hidden])').count() == n_other
        assert page.locator("#shown").inner_text() == f"{n_other} of {total} findings shown"
        # A rule group with only high findings disappears with them.
        n1 = page.locator('.rule-group[data-rule="n-plus-one"]')
        assert n1.is_hidden()
        page.locator('#filters input[name="severity"][value="high"]').check()
        assert page.locator('.finding:not([hidden])').count() == total
        assert not n1.evaluate("g => g.hidden")
    finally:
        ctx.close()


def test_category_rule_and_search_filters(browser, report):
    ctx, page, _ = _open(browser, report)
    try:
        page.locator("#filters select[name=rule]").select_option("n-plus-one")
        shown = page.locator(".finding:not([hidden])")
        assert shown.count() > 0
        assert set(shown.evaluate_all("els => els.map(e => e.dataset.rule)")) == {"n-plus-one"}
        page.locator("#filters select[name=rule]").select_option("")
        page.locator("#filters input[name=q]").fill("hostile.ts")
        assert page.locator(".finding:not([hidden])").count() == 1
        page.locator("#filters input[name=q]").fill("")
        page.locator("#filters select[name=category]").select_option("schema")
        cats = page.locator(".finding:not([hidden])").evaluate_all("els => els.map(e => e.dataset.category)")
        assert cats and set(cats) == {"schema"}
        assert page.locator("#cat-query-patterns").is_hidden()
    finally:
        ctx.close()


def test_works_with_scripts_off(browser, report):
    ctx, page, events = _open(browser, report, java_script_enabled=False)
    try:
        assert page.locator("#filters").is_hidden()
        assert page.locator(".finding").count() == page.locator(".finding:not([hidden])").count() > 0
        group = page.locator("details.rule-group").last
        was_open = group.evaluate("d => d.open")
        group.locator("> summary").click()
        assert group.evaluate("d => d.open") is not was_open
        assert events["requests"] == [report.as_uri()]
    finally:
        ctx.close()


def test_dark_mode_and_print(browser, report):
    ctx, page, _ = _open(browser, report, color_scheme="dark")
    try:
        bg = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
        rgb = [int(x) for x in bg[bg.index("(") + 1:bg.index(")")].split(",")[:3]]
        assert sum(rgb) < 150, bg
        page.emulate_media(media="print", color_scheme="light")
        assert page.locator("#filters").is_hidden()
        pdf = page.pdf()  # prints without error
        assert pdf[:4] == b"%PDF"
    finally:
        ctx.close()


def _synthetic(n: int):
    """`n` findings over every registered rule, with excerpts, related chains and
    long paths: the demo scan's result with its findings replaced."""
    import dataclasses

    from conftest import scan_dir
    from report_helpers import finding
    from scanner.findings import Related
    from scanner.rules import RULES_BY_ID
    rules = list(RULES_BY_ID.values())
    severities = ("critical", "high", "medium", "low")
    snippet = "for (const id of ids) {\n  await prisma.user.findFirst({ where: { id } })\n}"
    out = []
    for i in range(n):
        r = rules[i % len(rules)]
        path = f"src/{'deeply/nested/' * (i % 7)}module_{i % 97}/handlers/route_{i}.ts"
        f = finding(r.id, severities[i % 4], path, i % 400 + 1, category=r.category,
                    message=f"`prisma.user.findFirst()` in a loop over `ids` ({i})", snippet=snippet,
                    end_line=i % 400 + 3)
        out.append(dataclasses.replace(f, related=tuple(Related(path, j + 1, f"step {j}") for j in range(3))))
    return dataclasses.replace(scan_dir(str(FIXTURES / "apps" / "academy")), findings=out)


@pytest.fixture(scope="module")
def big_report(tmp_path_factory) -> Path:
    from scanner.report.html_report import render
    out = tmp_path_factory.mktemp("big") / "report.html"
    out.write_text(render(_synthetic(10_000)), encoding="utf-8")
    return out


def test_ten_thousand_findings_open_in_under_two_seconds(browser, big_report):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(big_report.as_uri(), wait_until="load")
        ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        assert errors == []
        assert 0 < ms < 2000, f"load took {ms:.0f} ms"
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    finally:
        ctx.close()


def test_long_paths_wrap_and_the_page_opens_on_the_worst_group(browser, big_report):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(big_report.as_uri(), wait_until="load")
        # Open every group and chain: nothing is wider than the viewport.
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        groups = page.locator("details.rule-group")
        assert groups.first.evaluate("d => d.open")
        assert groups.first.locator(".sev-badge").first.inner_text().lower() == "critical"
    finally:
        ctx.close()

"""The history commands end to end on the demo app in a temporary git
repository: two commits, one finding added and one fixed between them, saved
with `scan --save` into SQLite and into PostgreSQL; then history, diff-scans,
trend and backfill; and the errors a user can hit."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from cliutil import dbaudit, usage_error
from history_helpers import BACKENDS, academy_repo, commit_all, git, store_url

RULE = ["--select", "n-plus-one"]  # stable counts while other rules are being added

NEW_FILE = """import { prisma } from './prisma'

export async function sendDigests(userIds: string[]) {
  for (const id of userIds) {
    await prisma.user.findUnique({ where: { id } })
  }
}
"""
PRISMA_TS = "import { PrismaClient } from '@prisma/client'\nexport const prisma = new PrismaClient()\n"
FIXED_FILE = "app/api/learning/analytics/route.ts"
FIXED_CALL = "const last = await prisma.quizSubmission.findFirst({"


@pytest.fixture(scope="module", autouse=True)
def _no_ci_branch():
    """Detached checkouts here must not borrow a branch name from a CI's environment."""
    from scanner.history.repo import _BRANCH_ENV
    with pytest.MonkeyPatch.context() as mp:
        for var in _BRANCH_ENV:
            mp.delenv(var, raising=False)
        yield


def second_commit(repo: Path) -> str:
    """Add one n-plus-one (a loop in a new file) and fix another (the
    per-enrollment quiz lookup no longer goes through Prisma)."""
    (repo / "src/lib/digest.ts").write_text(NEW_FILE, encoding="utf-8")
    route = repo / FIXED_FILE
    text = route.read_text(encoding="utf-8")
    assert FIXED_CALL in text, "the demo app changed: update the fixed call"
    route.write_text(text.replace(FIXED_CALL, "const last = await quizCache.findFirst({"), encoding="utf-8")
    return commit_all(repo, "digest; cache quiz lookups", "2024-01-08T09:00:00+00:00")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo repo at two commits (checked out at the second) and the first sha."""
    repo = academy_repo(tmp_path_factory.mktemp("demo"))
    first = git(repo, "rev-parse", "HEAD")
    second = second_commit(repo)
    return repo, first, second


@pytest.fixture(scope="module", params=BACKENDS)
def saved(request, demo, tmp_path_factory):
    """Both commits scanned and saved into a fresh store of each back end
    (read, never written, by the tests that use it)."""
    repo, first, second = demo
    tmp_path = tmp_path_factory.mktemp(request.param)
    url = store_url(request.param, tmp_path)
    git(repo, "checkout", "-q", first)
    try:
        r1 = dbaudit("scan", repo, *RULE, "--save", "--history", url, "-f", "json", "-o", tmp_path / "r1.json")
    finally:
        git(repo, "checkout", "-q", "main")
    r2 = dbaudit("scan", repo, *RULE, "--save", "--history", url, "-f", "json", "-o", tmp_path / "r2.json")
    assert r1.code in (0, 1) and r2.code in (0, 1), r1.out + r2.out
    assert "saved scan #" in r1.err and "saved scan #" in r2.err
    return repo, first, second, url


def test_history_lists_both_scans(saved):
    repo, first, second, url = saved
    out = dbaudit("history", repo, "--history", url)
    assert out.code == 0, out.out
    assert first[:7] in out.out and second[:7] in out.out
    assert out.out.index(first[:7]) < out.out.index(second[:7])   # oldest first
    data = json.loads(dbaudit("history", repo, "--history", url, "-f", "json").out)
    scans = data["scans"]
    assert [s["commit"] for s in scans] == [first, second]
    assert [s["commit_date"][:10] for s in scans] == ["2024-01-01", "2024-01-08"]
    assert [(s["new"], s["fixed"]) for s in scans] == [(None, None), (1, 1)]
    assert scans[0]["by_rule"] == {"n-plus-one": scans[0]["total"]} and scans[0]["total"] > 1
    assert scans[1]["total"] == scans[0]["total"]
    assert all(s["branch"] for s in scans[1:])


def test_diff_scans_shows_the_new_and_the_fixed_finding(saved):
    repo, first, second, url = saved
    data = json.loads(dbaudit("diff-scans", first[:8], second[:8], "-C", repo, "--history", url,
                          "-f", "json").out)
    assert [(f["rule"], f["path"], f["line"]) for f in data["new"]] == [("n-plus-one", "src/lib/digest.ts", 5)]
    assert [(f["rule"], f["path"]) for f in data["fixed"]] == [("n-plus-one", FIXED_FILE)]
    assert "quizSubmission.findFirst" in data["fixed"][0]["message"]
    text = dbaudit("diff-scans", "HEAD~1", "HEAD", "-C", repo, "--history", url).out
    assert "New (1)" in text and "Fixed (1)" in text and "src/lib/digest.ts:5" in text
    by_id = json.loads(dbaudit("diff-scans", str(data["from"]["id"]), f"#{data['to']['id']}", "-C", repo,
                           "--history", url, "-f", "json").out)
    assert by_id["new"] == data["new"] and by_id["fixed"] == data["fixed"]


def test_trend_page_has_both_points(saved, tmp_path):
    repo, first, second, url = saved
    page = tmp_path / "trend.html"
    out = dbaudit("trend", repo, "--history", url, "-o", page)
    assert out.code == 0, out.out
    html = page.read_text(encoding="utf-8")
    counts = re.search(r'<svg class="chart" id="counts-1".*?</svg>', html, re.S).group(0)
    total = re.search(r'data-series="total">(.*?)</g>', counts, re.S).group(1)
    assert re.findall(r'data-commit="([0-9a-f]+)"', total) == [first[:7], second[:7]]
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    bars = re.search(r'id="changes-1".*?</svg>', html, re.S).group(0)
    assert re.findall(r'class="bar b-(new|fixed)"[^>]*data-value="(\d+)"', bars) == [("new", "1"), ("fixed", "1")]
    assert 'id="rule-1-1"' in html and "n-plus-one" in html
    data = json.loads(dbaudit("trend", repo, "--history", url, "-f", "json").out)
    assert [s["short_sha"] for s in data["repos"][0]["scans"]] == [first[:7], second[:7]]


def test_backfill_saves_past_commits_without_touching_the_checkout(saved, tmp_path):
    repo, first, second, url = saved
    other = store_url("sqlite", tmp_path / "bf")
    status_before = git(repo, "status", "--porcelain")
    out = dbaudit("backfill", repo, "--commits", "5", *RULE, "--history", other)
    assert out.code == 0, out.out
    assert "backfilled 2 of 2 commit(s)" in out.out
    assert git(repo, "rev-parse", "HEAD") == second
    assert git(repo, "status", "--porcelain") == status_before
    assert len(git(repo, "worktree", "list").splitlines()) == 1
    back = json.loads(dbaudit("history", repo, "--history", other, "-f", "json").out)["scans"]
    live = json.loads(dbaudit("history", repo, "--history", url, "-f", "json").out)["scans"]
    assert [s["branch"] for s in back] == ["main", "main"]   # the walked branch, not the temp dir's
    key = ("commit", "commit_date", "total", "by_severity", "by_rule", "new", "fixed", "config_hash")
    assert [{k: s[k] for k in key} for s in back] == [{k: s[k] for k in key} for s in live]
    # N files, then N + 1 with one changed: the second commit parses only those two
    reused = re.search(r"(\d+) of (\d+) file\(s\) unchanged", out.out)
    files = (int(reused[2]) - 1) // 2
    assert files > 10 and int(reused[1]) == files - 1
    again = dbaudit("backfill", repo, "--commits", "5", *RULE, "--history", other)
    assert "backfilled 0 of 2" in again.out and again.out.count("already saved") == 2


def test_trend_all_repos(demo, tmp_path):
    repo, first, second = demo
    url = store_url("sqlite", tmp_path)
    other = tmp_path / "billing"
    other.mkdir()
    (other / "prisma.ts").write_text(PRISMA_TS, encoding="utf-8")
    (other / "jobs.ts").write_text(NEW_FILE, encoding="utf-8")
    git(other, "init", "-q", "-b", "main")
    git(other, "remote", "add", "origin", "git@github.com:Example/Billing.git")
    commit_all(other, "jobs", "2024-02-01T09:00:00+00:00")
    for path in (repo, other):
        assert dbaudit("scan", path, *RULE, "--save", "--history", url, "-o", tmp_path / "x.txt").code in (0, 1)
    page = dbaudit("trend", repo, "--all-repos", "--history", url).out
    assert "2 repositories" in page and 'href="#repo-2"' in page
    assert "github.com/example/billing" in page and "<h2>academy</h2>" in page
    data = json.loads(dbaudit("trend", repo, "--all-repos", "--history", url, "-f", "json").out)
    latest = {r["name"]: r["scans"][-1]["total"] for r in data["repos"]}
    assert latest["billing"] == 1 and latest["academy"] > 1 and len(latest) == 2
    single = dbaudit("trend", other, "--history", url).out
    assert "github.com/example/billing" in single and "academy" not in single


def test_default_store_lives_in_the_root_and_is_git_ignored(tmp_path, monkeypatch):
    monkeypatch.delenv("DBAUDIT_HISTORY_URL", raising=False)
    repo = academy_repo(tmp_path)
    out = dbaudit("scan", repo, *RULE, "--save", "-o", tmp_path / "r.txt")
    assert str(repo / ".dbaudit" / "history.sqlite") in out.err
    assert (repo / ".dbaudit" / "history.sqlite").is_file()
    assert git(repo, "status", "--porcelain") == ""   # .dbaudit/.gitignore keeps it out
    listed = dbaudit("history", repo)
    assert listed.code == 0 and git(repo, "rev-parse", "--short=7", "HEAD") in listed.out


def test_history_url_from_environment_and_config(tmp_path, monkeypatch):
    repo = academy_repo(tmp_path)
    env_store = tmp_path / "env.sqlite"
    monkeypatch.setenv("DBAUDIT_HISTORY_URL", str(env_store))
    dbaudit("scan", repo, *RULE, "--save", "-o", tmp_path / "r.txt")
    assert env_store.is_file() and not (repo / ".dbaudit").exists()
    monkeypatch.delenv("DBAUDIT_HISTORY_URL")
    (repo / ".dbaudit.yaml").write_text("history:\n  url: team/history.sqlite\n", encoding="utf-8")
    dbaudit("scan", repo, *RULE, "--save", "-o", tmp_path / "r.txt")
    assert (repo / "team" / "history.sqlite").is_file()


def _exit2(result, *needles: str) -> None:
    # A scan with -o writes its report (and says so on a line of its own) before --save fails.
    kept = [line for line in result.err.splitlines() if not line.startswith("dbaudit: wrote ")]
    line = usage_error(replace(result, err="\n".join(kept)))
    for needle in needles:
        assert needle in line


def test_corrupt_store_is_exit_2_with_path_and_fix(tmp_path):
    repo = academy_repo(tmp_path)
    bad = tmp_path / "corrupt.sqlite"
    bad.write_bytes(b"this is not a database at all\x00" * 200)
    _exit2(dbaudit("scan", repo, *RULE, "--save", "--history", bad, "-o", tmp_path / "r.txt"),
           str(bad), "not a dbaudit history", f"mv '{bad}'")
    _exit2(dbaudit("history", repo, "--history", bad), str(bad), "Move it aside")


def test_foreign_sqlite_store_is_exit_2_with_path_and_fix(tmp_path):
    repo = academy_repo(tmp_path)
    foreign = tmp_path / "app.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
    _exit2(dbaudit("scan", repo, *RULE, "--save", "--history", foreign, "-o", tmp_path / "r.txt"),
           str(foreign), "not a dbaudit history", "users", "--history")
    with sqlite3.connect(foreign) as conn:   # untouched
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["users"]


def test_reading_commands_never_create_a_store(tmp_path):
    repo = academy_repo(tmp_path)
    missing = tmp_path / "none.sqlite"
    _exit2(dbaudit("history", repo, "--history", missing), str(missing), "scan PATH --save")
    _exit2(dbaudit("trend", repo, "--history", missing), str(missing))
    _exit2(dbaudit("diff-scans", "1", "2", "-C", repo, "--history", missing), str(missing))
    assert not missing.exists() and not (repo / ".dbaudit").exists()


def test_unknown_scan_ref_and_other_repo(saved, tmp_path):
    repo, first, second, url = saved
    _exit2(dbaudit("diff-scans", "deadbeef", "HEAD", "-C", repo, "--history", url), "no saved scan matches 'deadbeef'")
    fresh = academy_repo(tmp_path, "fresh")
    _exit2(dbaudit("history", fresh, "--history", url), "no saved scans of fresh", "academy")


def test_bad_urls_and_backfill_options_are_exit_2(tmp_path):
    repo = academy_repo(tmp_path)
    _exit2(dbaudit("scan", repo, *RULE, "--save", "--history", "mysql://u@h/db", "-o", tmp_path / "r"),
           "unsupported database 'mysql'")
    _exit2(dbaudit("scan", repo, *RULE, "--save", "--history", "sqlite://", "-o", tmp_path / "r"), "names no file")
    _exit2(dbaudit("backfill", repo, "--history", tmp_path / "h.sqlite"), "--since", "--commits")
    _exit2(dbaudit("backfill", repo, "--since", "fortnight", "--history", tmp_path / "h.sqlite"), "6.months")
    _exit2(dbaudit("backfill", repo, "--commits", "2", "--every", "often", "--history", tmp_path / "h.sqlite"),
           "--every 'often'")
    _exit2(dbaudit("backfill", repo, "--commits", "2", "--select", "n-plus-on", "--history", tmp_path / "h.sqlite"),
           "unknown rule id")
    refused = dbaudit("history", repo, "--history", "postgres://ci:hunter2@127.0.0.1:1/dbaudit")
    _exit2(refused, "postgresql+psycopg://ci:***@127.0.0.1:1/dbaudit", "Check the URL")
    assert "hunter2" not in refused.err
    plain = tmp_path / "plain"
    plain.mkdir()
    _exit2(dbaudit("backfill", plain, "--commits", "2", "--history", tmp_path / "h.sqlite"), "not inside a git repository")


def test_backfill_since_every_on_a_sub_folder(tmp_path):
    """Weekly picks from commits three days apart, for a sub-folder that only
    exists from the second commit on; each scan keeps its commit's date."""
    root = tmp_path / "mono"
    root.mkdir()
    (root / "README.md").write_text("mono\n")
    git(root, "init", "-q", "-b", "main")
    shas = [commit_all(root, "readme", "2024-03-01T12:00:00+00:00")]
    web = root / "apps" / "web"
    web.mkdir(parents=True)
    (web / "prisma.ts").write_text(PRISMA_TS, encoding="utf-8")
    for i in range(1, 6):
        (web / f"job{i}.ts").write_text(NEW_FILE, encoding="utf-8")
        shas.append(commit_all(root, f"job {i}", f"2024-03-{1 + 3 * i:02d}T12:00:00+00:00"))
    store = tmp_path / "h.sqlite"
    out = dbaudit("backfill", web, "--since", "2024-02-20", "--every", "1.week", *RULE,
                  "--history", store, "-f", "json")
    assert out.code == 0, out.err
    data = json.loads(out.out)
    # commits on days 1, 4, 7, 10, 13, 16: the 16th, then the newest at least a week older (7th)
    assert [s["commit"] for s in data["saved"]] == [shas[2], shas[5]]
    assert data["missing"] == [] and data["repo"].endswith("mono#apps/web")
    back = json.loads(dbaudit("history", web, "--history", store, "-f", "json").out)["scans"]
    assert [(s["commit_date"][:10], s["total"]) for s in back] == [("2024-03-07", 2), ("2024-03-16", 5)]
    every = json.loads(dbaudit("backfill", web, "--commits", "10", *RULE, "--history", store,
                               "-f", "json").out)
    assert every["missing"] == [shas[0]] and len(every["skipped"]) == 2 and len(every["saved"]) == 3


def test_saved_counts_ignore_what_a_baseline_hides_from_the_report(tmp_path):
    repo = academy_repo(tmp_path)
    baseline = tmp_path / "baseline.json"
    assert dbaudit("baseline", repo, *RULE, "-o", baseline).code == 0
    store = tmp_path / "h.sqlite"
    quiet = dbaudit("scan", repo, *RULE, "--baseline", baseline, "--save", "--history", store, "-f", "json")
    assert json.loads(quiet.out)["findings"] == []
    full = json.loads(dbaudit("scan", repo, *RULE, "-f", "json").out)["findings"]
    saved = json.loads(dbaudit("history", repo, "--history", store, "-f", "json").out)["scans"]
    assert len(full) > 1 and saved[0]["total"] == len(full)

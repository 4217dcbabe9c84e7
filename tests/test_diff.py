"""`scan --diff REF`: only findings on lines changed since the merge base,
uncommitted and untracked changes included, with the project index still
built from the whole repository; clear exit-2 errors outside a repository
or for an unknown ref; the unified-diff parser on its own."""

from __future__ import annotations

import json

import pytest

from cliutil import dbaudit, usage_error
from review_helpers import PRISMA_TS, commit_all, edit, git, new_repo, write_files
from scanner.gitdiff import ChangedLines, changed_lines, parse_unified_diff

STATS = (
    "import { prisma } from './prisma'\n"
    "export async function loadStats(userId: string) {\n"
    "  return prisma.stat.findMany({ where: { userId }, take: 10 })\n"
    "}\n"
)
ORDERS = (
    "import { prisma } from '../lib/prisma'\n"                                  # 1
    "import { loadStats } from '../lib/stats'\n"                                # 2
    "export async function report(ids: string[]) {\n"                           # 3
    "  for (const id of ids) {\n"                                               # 4
    "    await prisma.order.findFirst({ where: { id } })\n"                     # 5  old N+1
    "  }\n"                                                                     # 6
    "  return ids.length\n"                                                     # 7
    "}\n"
)
USERS = (
    "import { prisma } from '../lib/prisma'\n"
    "export async function names(ids: string[]) {\n"
    "  return Promise.all(ids.map((id) => prisma.user.findFirst({ where: { id } })))\n"   # 3 old N+1
    "}\n"
)


@pytest.fixture
def repo(tmp_path):
    """main: two files with an N+1 each; branch `feature` checked out."""
    root = write_files(tmp_path / "repo", {"lib/prisma.ts": PRISMA_TS, "lib/stats.ts": STATS,
                                           "jobs/orders.ts": ORDERS, "jobs/users.ts": USERS})
    new_repo(root)
    git(root, "checkout", "-q", "-b", "feature")
    return root


def _reported(root, *args) -> list[tuple[str, int]]:
    run = dbaudit("scan", root, "--select", "n-plus-one", "-f", "json", *args)
    assert run.code in (0, 1), run.err
    return [(f["path"], f["line"]) for f in json.loads(run.out)["findings"]]


def test_only_findings_on_changed_lines(repo):
    assert _reported(repo) == [("jobs/orders.ts", 5), ("jobs/users.ts", 3)]
    # committed on the branch: a cross-file N+1 (loop here, query in an unchanged file)
    edit(repo / "jobs/orders.ts", "  return ids.length\n",
         "  for (const id of ids) await loadStats(id)\n  return ids.length\n")
    commit_all(repo, "stats per order")
    assert _reported(repo, "--diff", "main") == [("jobs/orders.ts", 7)], \
        "the old N+1 of orders.ts and everything in users.ts are on unchanged lines"
    # uncommitted edits count too, and so do untracked files
    edit(repo / "jobs/users.ts", "  return Promise.all(", "  return await Promise.all(")
    write_files(repo, {"jobs/new.ts": ORDERS.replace("report", "again")})
    assert _reported(repo, "--diff", "main") == [
        ("jobs/new.ts", 5), ("jobs/orders.ts", 7), ("jobs/users.ts", 3)]


def test_merge_base_not_the_tip_of_ref(repo):
    """Changes made on main after the branch point are not the branch's."""
    edit(repo / "jobs/orders.ts", "  return ids.length\n", "  for (const id of ids) await loadStats(id)\n"
         "  return ids.length\n")
    commit_all(repo, "feature work")
    git(repo, "checkout", "-q", "main")
    edit(repo / "jobs/users.ts", "  return Promise.all(", "  return await Promise.all(")
    commit_all(repo, "main moves on")
    git(repo, "checkout", "-q", "feature")
    assert _reported(repo, "--diff", "main") == [("jobs/orders.ts", 7)]


def test_unchanged_repository_reports_nothing_and_stats_say_why(repo):
    run = dbaudit("scan", repo, "--select", "n-plus-one", "-f", "json", "--diff", "main", "--fail-on", "high")
    assert run.code == 0
    stats = json.loads(run.out)["stats"]
    assert stats["diff"]["ref"] == "main" and stats["diff"]["outside_diff"] == 2
    assert stats["diff"]["merge_base"] == git(repo, "rev-parse", "main")


def test_the_callee_changing_does_not_report_the_unchanged_loop(repo):
    edit(repo / "jobs/orders.ts", "  return ids.length\n", "  for (const id of ids) await loadStats(id)\n"
         "  return ids.length\n")
    commit_all(repo, "loop")
    git(repo, "checkout", "-q", "-b", "later")
    edit(repo / "lib/stats.ts", "take: 10", "take: 20")
    assert _reported(repo, "--diff", "feature") == []


def test_scanning_a_subfolder_of_the_repository(repo):
    edit(repo / "jobs/users.ts", "  return Promise.all(", "  return await Promise.all(")
    changed = changed_lines(repo / "jobs", "main")
    assert changed.files == {"users.ts": frozenset({3})}


def test_outside_a_git_repository(tmp_path):
    root = write_files(tmp_path / "plain", {"lib/prisma.ts": PRISMA_TS, "jobs/orders.ts": ORDERS})
    line = usage_error(dbaudit("scan", root, "--diff", "main"))
    assert "not inside a git repository" in line and str(root) in line


def test_unknown_ref_and_a_repository_without_commits(repo, tmp_path):
    line = usage_error(dbaudit("scan", repo, "--diff", "origin/nope"))
    assert "unknown git ref 'origin/nope'" in line and "fetch-depth: 0" in line
    line = usage_error(dbaudit("scan", repo, "--diff", "--all"))
    assert "cannot start with '-'" in line
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q", "-b", "main")
    write_files(empty, {"a.ts": "export const a = 1\n"})
    assert "no commit yet" in usage_error(dbaudit("scan", empty, "--diff", "main"))


def test_parse_unified_diff():
    patch = (
        b"diff --git a/x.ts b/x.ts\n"
        b"--- a/x.ts\n+++ b/x.ts\n"
        b"@@ -3 +3,2 @@\n-old\n+new\n+++ added line that starts with two plus signs\n"
        b"@@ -10,2 +11,0 @@\n-gone\n-gone\n"
        b"@@ -20 +20 @@ function f() {\n-a\n+b\n"
        b"diff --git a/old.ts b/old.ts\ndeleted file mode 100644\n--- a/old.ts\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
        b'diff --git "a/caf\\303\\251 [id].ts" "b/caf\\303\\251 [id].ts"\n'
        b'--- "a/caf\\303\\251 [id].ts"\n+++ "b/caf\\303\\251 [id].ts"\n@@ -0,0 +1 @@\n+x\n'
        b"diff --git a/sp ace.ts b/sp ace.ts\n--- a/sp ace.ts\t\n+++ b/sp ace.ts\t\n@@ -1 +1 @@\n-a\n+b\n"
    )
    assert parse_unified_diff(patch) == {"x.ts": {3, 4, 20}, "café [id].ts": {1}, "sp ace.ts": {1}}


def test_changed_lines_touches_any_line_of_a_finding():
    c = ChangedLines("main", "abc", {"a.ts": frozenset({10}), "new.ts": None})
    assert c.touches("a.ts", 8, 12) and not c.touches("a.ts", 11, 12) and c.touches("new.ts", 1, 1)
    assert not c.touches("b.ts", 10, 10)

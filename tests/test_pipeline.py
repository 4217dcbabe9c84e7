"""The scan pipeline gives the same findings whichever way the facts arrive: cold
(files sent to the workers as discovery finds them), warm (facts and discovery's glob
decisions from the cache), after one file changed, after a change in a file other
files depend on (the module that exports the client), and under `--diff`."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from conftest import FIXTURES
from review_helpers import commit_all, new_repo
from scanner.collect import POOL_THRESHOLD, CacheOptions
from scanner.config import load_config
from scanner.engine import scan
from scanner.gitdiff import changed_lines
from scanner.report import render, write

DEMO = FIXTURES / "apps" / "academy"


def _scan(root: Path, cache_dir: Path | None, jobs: int | None = None, changed=None):
    cache = CacheOptions(enabled=cache_dir is not None, folder=cache_dir)
    return scan(root, load_config(root), cache=cache, jobs=jobs, changed=changed)


def _all(result):
    """Everything a finding says, in report order."""
    return [f.to_dict() for f in result.findings]


def _same_run(a, b) -> None:
    assert _all(a) == _all(b)
    assert [w.to_dict() for w in a.warnings] == [w.to_dict() for w in b.warnings]
    keep = lambda s: {k: v for k, v in s.items() if k not in ("seconds", "files_parsed", "files_from_cache")}  # noqa: E731
    assert keep(a.stats) == keep(b.stats)


def _age(root: Path, seconds: int = 3600) -> None:
    past = time.time_ns() - seconds * 1_000_000_000
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, ns=(past, past))


def _copies(root: Path, n: int) -> Path:
    """Enough copies of the demo app to go through the worker pool."""
    for i in range(n):
        shutil.copytree(DEMO, root / f"app{i}")
    return root


def test_cold_warm_and_uncached_scans_agree_through_the_pool(tmp_path):
    root = _copies(tmp_path / "many", POOL_THRESHOLD // 40 + 2)
    _age(root)
    cache = tmp_path / "cache"
    uncached = _scan(root, None, jobs=2)
    cold = _scan(root, cache, jobs=2)
    warm = _scan(root, cache, jobs=2)
    assert cold.stats["files_parsed"] == cold.stats["files_scanned"] >= POOL_THRESHOLD
    assert warm.stats["files_parsed"] == 0
    _same_run(uncached, cold)
    _same_run(cold, warm)


def test_files_streamed_before_their_role_was_settled_are_parsed_again(tmp_path, monkeypatch):
    """The walk sends files to the workers with the roles it gives them; a package.json
    script and a routes.ts settle two roles only after it, and those two are parsed again."""
    import scanner.collect as collect
    root = _copies(tmp_path / "many", POOL_THRESHOLD // 40 + 2)
    package = root / "app0" / "package.json"
    data = json.loads(package.read_text())
    data["scripts"]["backfill"] = "tsx src/lib/analytics.ts"
    package.write_text(json.dumps(data))
    (root / "app0" / "app" / "routes.ts").write_text('export default [route("c", "../src/lib/cache.ts")]\n')
    # The queries compile at once, so that the walk's first files go to workers.
    monkeypatch.setattr(collect.WorkerPrep, "ready", lambda self: (self.wait(), True)[1])
    dropped = []
    settle = collect.FactStream.settle
    monkeypatch.setattr(collect.FactStream, "settle", lambda self, todo: (
        lambda out: (dropped.extend(p for _, d in out[0] for p in d), out)[1])(settle(self, todo)))
    streamed = _scan(root, None, jobs=2)
    assert sorted(dropped) == ["app0/src/lib/analytics.ts", "app0/src/lib/cache.ts"]
    assert streamed.index.files["app0/src/lib/analytics.ts"].role == "script"
    assert streamed.index.files["app0/src/lib/cache.ts"].role == "remix-route"
    _same_run(_scan(root, None, jobs=1), streamed)


def test_one_changed_file_among_many_cached_gives_the_cold_findings(tmp_path):
    root = _copies(tmp_path / "many", POOL_THRESHOLD // 40 + 2)
    _age(root)
    cache = tmp_path / "cache"
    _scan(root, cache, jobs=2)
    route = root / "app1" / "app" / "api" / "events" / "route.ts"
    route.write_text(route.read_text() + "\nexport async function DELETE() {\n"
                     "  await prisma.event.deleteMany()\n}\n")
    warm = _scan(root, cache, jobs=2)
    assert warm.stats["files_parsed"] == 1   # parsed by one worker while the rest unpickles
    _same_run(_scan(root, None, jobs=1), warm)


def test_a_changed_dependency_changes_other_files_findings_as_in_a_cold_scan(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(DEMO, app)
    _age(app)
    cache = tmp_path / "cache"
    before = _scan(app, cache)
    # The helper a route calls in a loop no longer queries: the route's cross-file
    # N+1 goes away, although only the helper's file changed.
    helper = app / "src" / "lib" / "progress.ts"
    helper.write_text(helper.read_text().replace(
        "const rows = await prisma.lessonProgress.findMany({",
        "const rows: { lessonId: string }[] = [] && ({"))
    after = _scan(app, cache)
    assert after.stats["files_parsed"] == 1
    _same_run(_scan(app, None), after)
    route = "app/api/learning/analytics/route.ts"
    others = lambda r: [f for f in _all(r) if f["path"] == route]  # noqa: E731
    assert others(before) != others(after), "the edit must change another file's findings"


def test_gitignore_change_is_seen_by_a_warm_scan(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(DEMO, app)
    cache = tmp_path / "cache"
    first = _scan(app, cache)
    (app / ".gitignore").write_text("src/lib/progress.ts\n")
    warm = _scan(app, cache)
    assert "src/lib/progress.ts" in first.index.files
    assert "src/lib/progress.ts" not in warm.index.files
    _same_run(_scan(app, None), warm)


def test_diff_on_a_warm_cache_reports_what_a_cold_diff_reports(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(DEMO, app)
    new_repo(app)
    cache = tmp_path / "cache"
    _scan(app, cache)
    route = app / "app" / "api" / "events" / "route.ts"
    route.write_text(route.read_text() + "\nexport async function DELETE() {\n"
                     "  await prisma.event.deleteMany()\n}\n")
    changed = changed_lines(app, "HEAD")
    warm = _scan(app, cache, changed=changed)
    cold = _scan(app, None, changed=changed)
    full = _scan(app, None)
    assert _all(warm) == _all(cold)
    assert warm.findings and all(changed.touches(f.path, f.line, f.end_line) for f in warm.findings)
    expected = [f.to_dict() for f in full.findings if changed.touches(f.path, f.line, f.end_line)]
    assert _all(warm) == expected
    commit_all(app, "delete")


def test_streamed_reports_are_the_rendered_text(tmp_path):
    result = _scan(DEMO, None)
    for fmt in ("json", "sarif"):
        target = tmp_path / f"r.{fmt}"
        with open(target, "w", encoding="utf-8") as fh:
            write(fmt, result, fh)
        assert target.read_text(encoding="utf-8") == render(fmt, result)
    json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))


def test_a_skipped_file_is_not_read_again_by_a_warm_scan(tmp_path, monkeypatch):
    import scanner.collect as collect
    app = tmp_path / "app"
    shutil.copytree(DEMO, app)
    (app / "src" / "lib" / "bundle.js").write_text("var a=1;" * 5000 + "\n")   # one long line
    _age(app)
    cache = tmp_path / "cache"
    cold = _scan(app, cache)
    reads: list[str] = []
    real = collect.read_source
    monkeypatch.setattr(collect, "read_source", lambda sf, *a: (reads.append(sf.path), real(sf, *a))[1])
    warm = _scan(app, cache)
    assert reads == []
    skipped = [w.to_dict() for w in warm.warnings if w.kind == "skipped"]
    assert skipped and skipped == [w.to_dict() for w in cold.warnings if w.kind == "skipped"]
    _same_run(cold, warm)

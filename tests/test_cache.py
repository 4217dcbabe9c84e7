"""The facts cache: warm scans parse nothing and find the same; changes,
corruption and deleted files are handled; nothing is written into the repo."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES
from scanner.collect import POOL_THRESHOLD, CacheOptions
from scanner.config import load_config
from scanner.engine import scan

DEMO = FIXTURES / "apps" / "academy"


def _scan(root: Path, cache_dir: Path | None, jobs: int | None = None):
    cache = CacheOptions(enabled=cache_dir is not None, folder=cache_dir)
    return scan(root, load_config(root), cache=cache, jobs=jobs)


def _keys(result):
    return [(f.rule, f.path, f.line, f.fingerprint) for f in result.findings]


def test_warm_scan_parses_nothing_and_finds_the_same(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(DEMO, app)
    cache = tmp_path / "cache"
    uncached = _scan(app, None)
    cold = _scan(app, cache)
    warm = _scan(app, cache)
    assert cold.stats["files_parsed"] == cold.stats["files_scanned"] > 0
    assert warm.stats["files_parsed"] == 0
    assert warm.stats["files_from_cache"] == warm.stats["files_scanned"]
    assert _keys(uncached) == _keys(cold) == _keys(warm)
    assert not (app / ".dbaudit").exists(), "the cache must not be written into the scanned repo"


def test_one_changed_file_is_the_only_one_parsed(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(DEMO, app)
    cache = tmp_path / "cache"
    _scan(app, cache)
    route = app / "app" / "api" / "events" / "route.ts"
    route.write_text(route.read_text() + "\nexport const dynamic = 'force-dynamic'\n")
    again = _scan(app, cache)
    assert again.stats["files_parsed"] == 1
    # A deleted file's entry is pruned, and the scan still works.
    route.unlink()
    third = _scan(app, cache)
    assert third.stats["files_parsed"] == 0 and "app/api/events/route.ts" not in third.index.files


def test_corrupt_cache_is_ignored_and_rewritten(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(DEMO, app)
    cache = tmp_path / "cache"
    first = _scan(app, cache)
    for f in cache.iterdir():
        f.write_bytes(b"not a pickle at all")
    second = _scan(app, cache)
    assert any(w.kind == "cache" and "corrupt" in w.message for w in second.warnings)
    assert _keys(first) == _keys(second)
    assert _scan(app, cache).stats["files_parsed"] == 0


def test_unwritable_cache_folder_is_a_warning_not_a_failure(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(DEMO, app)
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    result = _scan(app, blocker / "cache")
    assert any(w.kind == "cache" for w in result.warnings)
    assert result.findings


def test_pool_and_serial_paths_agree(tmp_path):
    # Enough copies of the demo's files to go through the process pool.
    root = tmp_path / "many"
    copies = POOL_THRESHOLD // 40 + 2
    for i in range(copies):
        shutil.copytree(DEMO, root / f"app{i}")
    serial = _scan(root, None, jobs=1)
    pooled = _scan(root, None, jobs=2)
    assert serial.stats["files_parsed"] >= POOL_THRESHOLD
    assert _keys(serial) == _keys(pooled)


def test_cache_folder_keeps_only_recent_roots(tmp_path, monkeypatch):
    import scanner.cache as cache_mod
    monkeypatch.setattr(cache_mod, "MAX_ROOTS", 2)
    cache = tmp_path / "cache"
    for i in range(4):
        root = tmp_path / f"root{i}"
        (root / "lib").mkdir(parents=True)
        (root / "lib" / "a.ts").write_text("export const a = 1\n")
        _scan(root, cache)
    assert len(list(cache.glob("facts-*.pickle"))) == 2


def test_progress_is_reported_and_silent_off_a_terminal(tmp_path):
    from scanner.progress import ScanProgress
    calls = []
    app = tmp_path / "app"
    shutil.copytree(DEMO, app)
    result = scan(app, load_config(app), progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1] == result.stats["files_scanned"]
    quiet = ScanProgress(enabled=False)
    quiet.update(1, 10)
    assert quiet._bar is None


def test_json_report_is_valid_and_one_finding_per_line(tmp_path):
    import json
    from scanner.report import render
    result = _scan(DEMO, None)
    text = render("json", result)
    data = json.loads(text)
    assert set(data) == {"version", "root", "findings", "stats", "warnings", "summary"}
    assert len(data["findings"]) == len(result.findings) > 0
    finding_lines = [l for l in text.splitlines() if l.startswith('    {"rule": ')]
    assert len(finding_lines) == len(result.findings)


def _age(root: Path, seconds: int = 3600) -> None:
    """Give every file an mtime well before the cache is written (a checkout's files)."""
    import os
    import time
    past = time.time_ns() - seconds * 1_000_000_000
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, ns=(past, past))


def _count_reads(monkeypatch) -> list[str]:
    import scanner.collect as collect
    reads: list[str] = []
    real = collect.read_source

    def counting(sf, *args):
        reads.append(sf.path)
        return real(sf, *args)

    monkeypatch.setattr(collect, "read_source", counting)
    return reads


def test_warm_scan_trusts_size_and_mtime_and_reads_no_unchanged_file(tmp_path, monkeypatch):
    app = tmp_path / "app"
    shutil.copytree(DEMO, app)
    _age(app)
    cache = tmp_path / "cache"
    cold = _scan(app, cache)
    reads = _count_reads(monkeypatch)
    warm = _scan(app, cache)
    assert reads == [] and warm.stats["files_from_cache"] == warm.stats["files_scanned"]
    assert _keys(warm) == _keys(cold)


def test_an_edit_that_keeps_the_size_is_seen_by_its_mtime(tmp_path):
    import os
    app = tmp_path / "app"
    shutil.copytree(DEMO, app)
    _age(app)
    cache = tmp_path / "cache"
    _scan(app, cache)
    route = app / "app" / "api" / "events" / "route.ts"
    text = route.read_text(encoding="utf-8")
    edited = text.replace("findMany", "findMaNy", 1)
    assert edited != text and len(edited) == len(text)
    route.write_text(edited, encoding="utf-8")
    again = _scan(app, cache)
    assert again.stats["files_parsed"] == 1
    # A touch without a change is read and hashed once, then trusted again.
    os.utime(route)
    assert _scan(app, cache).stats["files_parsed"] == 0


def test_a_file_changed_just_before_the_cache_was_written_is_checked_by_its_bytes(tmp_path, monkeypatch):
    import os
    app = tmp_path / "app"
    shutil.copytree(DEMO, app)
    _age(app)
    route = app / "app" / "api" / "events" / "route.ts"
    os.utime(route)   # changed "now": racily clean for the cache written by this scan
    # However slow this machine is, the scan below counts as "just now" (no timing assumption).
    monkeypatch.setattr("scanner.cache.RACY_NS", 600 * 10**9)
    cache = tmp_path / "cache"
    _scan(app, cache)
    st = route.stat()
    text = route.read_text(encoding="utf-8")
    swapped = text.replace("findMany", "findMaNy", 1)
    assert swapped != text and len(swapped) == len(text)
    route.write_text(swapped, encoding="utf-8")
    os.utime(route, ns=(st.st_atime_ns, st.st_mtime_ns))   # same size, same mtime
    reads = _count_reads(monkeypatch)
    again = _scan(app, cache)
    assert "app/api/events/route.ts" in reads and again.stats["files_parsed"] == 1


def test_the_grammar_versions_in_the_cache_key_are_those_installed():
    # Read from the dist-info folders (importlib.metadata is not imported on a warm scan).
    from importlib import metadata
    from scanner.cache import _dist_version
    for dist, package in (("tree-sitter", "tree_sitter"), ("tree-sitter-typescript", "tree_sitter_typescript")):
        assert _dist_version(dist, package) == metadata.version(dist)
    assert _dist_version("no-such-dist", "no_such_package") == "?"

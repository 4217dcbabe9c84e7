"""What a scan derives from its index, kept with the project-scoped rules' results under
their key (project_results.Kept): a rescan whose key is unchanged loads no file's facts,
builds no index until something reads it, and reports exactly what a scan without cache
does (findings, warnings, stats, the audit summary with its coverage figures); a change
to any input the key covers (a file's code, the schema, the config, an option, a
tsconfig, a workspace manifest, a test file outside the scan, a new file) loads every
file's facts and reruns the rules again, and the rescan after it loads none."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_project_results import EDITS, edit_input
from test_rule_results import DEMO, _scan, _watching
from scanner.cache import FactCache
from scanner.collect import CacheOptions
from scanner.config import load_config
from scanner.engine import DeferredIndex, scan
from scanner.report import json_report
from scanner.rules import REGISTRY, RULES_BY_ID

VOLATILE = ("seconds", "files_parsed", "files_from_cache")
# A suppression over a finding and a syntax error: facts-derived parts of the report.
EXTRA = ("import { prisma } from '@/lib/prisma'\n\nexport async function wipeTags() {\n"
         "  // dbaudit-ignore bulk-write-without-where: test data only\n"
         "  await prisma.tag.deleteMany()\n}\n\nexport const broken = (;\n")


def _report(result) -> dict:
    out = json.loads(json_report.render(result))
    for key in VOLATILE:
        out["stats"].pop(key, None)
    return out


@pytest.fixture
def app(tmp_path) -> tuple[Path, Path]:
    """The demo app copied with EXTRA, and a cache folder its first scan filled."""
    root, cache = tmp_path / "app", tmp_path / "cache"
    shutil.copytree(DEMO, root)
    (root / "src" / "lib" / "wipe.ts").write_text(EXTRA)
    _scan(root, cache)
    return root, cache


@pytest.fixture
def loads(monkeypatch) -> list[str]:
    """The paths whose cached facts a scan unpickles."""
    seen: list[str] = []
    get = FactCache.get

    def counted(self, path, role, digest):
        seen.append(path)
        return get(self, path, role, digest)
    monkeypatch.setattr(FactCache, "get", counted)
    return seen


def _rescan(root: Path, cache: Path, loads: list[str], overrides: dict | None = None) -> int:
    """How many files' cached facts a rescan loaded; its report must be that of a scan
    without cache, and so must its index, once read."""
    loads.clear()
    warm = _scan(root, cache, overrides)
    n = len(loads)
    uncached = _scan(root, None, overrides)
    assert _report(warm) == _report(uncached)
    assert [(c.path, c.line, c.origin) for c in warm.index.prisma_calls] == \
        [(c.path, c.line, c.origin) for c in uncached.index.prisma_calls]
    return n


def test_a_warm_scan_loads_no_facts_and_reports_what_an_uncached_one_does(app, loads):
    root, cache = app
    uncached = _scan(root, None)
    assert uncached.review.suppressed and any(w.kind == "parse" for w in uncached.warnings)
    watched = [r.id for r in REGISTRY]
    with _watching(watched) as seen:
        warm = _scan(root, cache)
    assert loads == [] and isinstance(warm.index, DeferredIndex) and warm.index._index is None
    assert all(not calls for calls in seen.values()), "a warm scan ran a rule"
    assert _report(warm) == _report(uncached)   # the audit's coverage came from the cache
    assert warm.index._index is None
    # Read, the index is built from every file's facts: the one a scan without cache has.
    assert len(warm.index.files) == len(uncached.index.files) and len(loads) == len(uncached.index.files)
    assert warm.index.prisma_calls == uncached.index.prisma_calls


def test_a_comment_loads_no_facts_and_a_code_edit_loads_them(app, loads):
    root, cache = app
    users = root / "src" / "lib" / "users.ts"
    users.write_text(users.read_text() + "\n// a note, no code\n")
    assert _rescan(root, cache, loads) == 0
    users.write_text(users.read_text() + "\nexport async function everyone() {\n  return prisma.user.findMany();\n}\n")
    assert _rescan(root, cache, loads) > 1
    assert _rescan(root, cache, loads) == 0


@pytest.mark.parametrize("edit", [*EDITS, "option", "suppression"])
def test_an_edit_of_any_input_loads_them_again(app, loads, edit):
    root, cache = app
    overrides = None
    if edit == "option":
        overrides = {"error_handling": {"error_trackers": ["myTracker"]}}
    elif edit == "suppression":   # a comment, but one that is a fact
        path = root / "src" / "lib" / "wipe.ts"
        path.write_text(path.read_text().replace("dbaudit-ignore bulk-write-without-where: test data only",
                                                 "a note"))
    else:
        edit_input(root, edit)
    assert _rescan(root, cache, loads, overrides) > 1
    assert _rescan(root, cache, loads, overrides) == 0


def test_rules_the_kept_scan_did_not_run_run(app, loads):
    root, _ = app
    cache = root.parent / "another-cache"
    config = load_config(root, rule_ids=RULES_BY_ID)
    options = CacheOptions(folder=cache)
    scan(root, config, select=("n-plus-one",), cache=options)
    loads.clear()
    with _watching(["n-plus-one", "bulk-write-without-where"]) as seen:
        only = scan(root, config, select=("n-plus-one",), cache=options)
    assert loads == [] and not seen["n-plus-one"] and {f.rule for f in only.findings} == {"n-plus-one"}
    with _watching(["n-plus-one", "bulk-write-without-where"]) as seen:
        every = _scan(root, cache)   # all rules: the kept results hold one
    assert len(loads) > 1 and seen["bulk-write-without-where"] and not seen["n-plus-one"]
    assert _report(every) == _report(_scan(root, None))
    loads.clear()
    assert _report(_scan(root, cache)) == _report(every) and loads == []
    scan(root, config, select=("n-plus-one",), cache=options)
    assert loads == []

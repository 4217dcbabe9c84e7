"""Per-file results of the file-scoped rules, cached with the facts (rule_results.py):
a warm scan finds exactly what a cold one does, runs those rules over no file, and a
change anywhere their findings depend on (another file that decides whether a receiver
is a client, the rule's options or severity) invalidates what was cached."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from dataclasses import astuple
from pathlib import Path

import pytest
from conftest import FIXTURES
from scanner import rule_results
from scanner.cache import FactCache
from scanner.collect import CacheOptions
from scanner.config import load_config
from scanner.engine import scan
from scanner.findings import Severity
from scanner.rules import REGISTRY, RULES_BY_ID, Rule, RuleContext

DEMO = FIXTURES / "apps" / "academy"
SCHEMA = 'model User {\n  id Int @id\n  name String\n}\n'
CLIENT = 'import { PrismaClient } from "@prisma/client";\nexport const store = new PrismaClient();\n'
NOT_A_CLIENT = 'export const store = new Map<string, string>();\n'
JOBS = ('import { store } from "../lib/store";\n'
        'export async function wipe() {\n  await store.user.deleteMany();\n}\n')


def _scan(root: Path, cache_dir: Path | None, overrides: dict | None = None):
    cache = CacheOptions(enabled=cache_dir is not None, folder=cache_dir)
    return scan(root, load_config(root, overrides=overrides or {}, rule_ids=RULES_BY_ID), cache=cache)


def _all(result):
    return [astuple(f) for f in result.findings]


@contextmanager
def _watching(rule_ids):
    """Record the files each file-scoped check is asked to look at."""
    seen: dict[str, list] = {rid: [] for rid in rule_ids}
    saved = {r.id: r.check for r in REGISTRY if r.id in seen}
    for r in REGISTRY:
        if r.id in seen:
            def check(ctx, _check=r.check, _id=r.id):
                seen[_id].append(ctx.paths)
                return _check(ctx)
            object.__setattr__(r, "check", check)
    try:
        yield seen
    finally:
        for r in REGISTRY:
            if r.id in saved:
                object.__setattr__(r, "check", saved[r.id])


def _project(root: Path, store: str) -> Path:
    (root / "prisma").mkdir(parents=True)
    (root / "prisma" / "schema.prisma").write_text(SCHEMA)
    (root / "lib").mkdir()
    (root / "lib" / "store.ts").write_text(store)
    (root / "app").mkdir()
    (root / "app" / "jobs.ts").write_text(JOBS)
    return root


def _bulk(result) -> list[str]:
    return [f.path for f in result.findings if f.rule == "bulk-write-without-where"]


def test_file_scoped_rules_are_declared():
    file_rules = {r.id for r in REGISTRY if r.scope == "file"}
    assert {"full-scan-filter"} <= file_rules
    # raw-sql-injection reads the callers of the function around the SQL, in other files, and
    # bulk-write-without-where whether a timer runs the function, through its callers.
    assert not {"raw-sql-injection", "bulk-write-without-where"} & file_rules
    assert all(r.scope in ("file", "project") for r in REGISTRY)
    assert all(r.reads for r in REGISTRY if r.scope == "file")


@pytest.fixture
def demo(tmp_path) -> tuple[Path, Path]:
    """The demo app copied, and a cache folder its first (cold) scan filled."""
    app, cache = tmp_path / "app", tmp_path / "cache"
    shutil.copytree(DEMO, app)
    _scan(app, cache)
    return app, cache


def test_warm_scan_finds_what_a_cold_scan_finds_without_running_file_rules(demo, tmp_path):
    app, cache = demo
    uncached = _scan(app, None)
    cold = _scan(app, tmp_path / "another-cache")
    file_rules = [r.id for r in REGISTRY if r.scope == "file"]
    with _watching(file_rules) as seen:
        warm = _scan(app, cache)
    assert _all(uncached) == _all(cold) == _all(warm)
    assert any(f.rule in file_rules for f in warm.findings)
    assert all(not calls for calls in seen.values()), "a warm scan reran a file-scoped rule"


def test_one_changed_file_reruns_file_rules_on_that_file_only(demo):
    app, cache = demo
    route = app / "app" / "api" / "events" / "route.ts"
    route.write_text(f"// edited\n{route.read_text()}")
    with _watching(["full-scan-filter"]) as seen:
        again = _scan(app, cache)
    assert seen["full-scan-filter"] == [frozenset({"app/api/events/route.ts"})]
    assert _all(again) == _all(_scan(app, None))


def test_another_file_deciding_the_client_invalidates_the_cached_results(tmp_path):
    # jobs.ts never changes; whether `store` is a Prisma client is decided by lib/store.ts.
    root = _project(tmp_path / "p", CLIENT)
    cache = tmp_path / "cache"
    assert _bulk(_scan(root, cache)) == ["app/jobs.ts"]
    (root / "lib" / "store.ts").write_text(NOT_A_CLIENT)
    assert _bulk(_scan(root, cache)) == [] == _bulk(_scan(root, None))
    (root / "lib" / "store.ts").write_text(CLIENT)
    assert _bulk(_scan(root, cache)) == ["app/jobs.ts"] == _bulk(_scan(root, None))


def test_a_severity_override_or_a_schema_change_invalidates(tmp_path):
    root = _project(tmp_path / "p", CLIENT)
    cache = tmp_path / "cache"
    first = _scan(root, cache)
    assert [f.severity for f in first.findings if f.rule == "bulk-write-without-where"] == [Severity.CRITICAL]
    lowered = _scan(root, cache, {"rules": {"severity": {"bulk-write-without-where": "low"}}})
    assert [f.severity for f in lowered.findings if f.rule == "bulk-write-without-where"] == [Severity.LOW]
    # A schema without the model: `store.user` is no Prisma call any more.
    (root / "prisma" / "schema.prisma").write_text('model Post {\n  id Int @id\n}\n')
    assert _bulk(_scan(root, cache)) == [] == _bulk(_scan(root, None))


def _fake_rule(seen: list) -> Rule:
    def check(ctx: RuleContext):
        seen.append(ctx.paths)
        trackers = ctx.config["error_handling"]["error_trackers"]
        for call in ctx.prisma_calls():
            yield ctx.call_finding(call, f"trackers {len(trackers)}")
    return Rule("fake-file-rule", "Fake", "transactions", Severity.LOW, "fake", check,
                options=("error_handling.error_trackers",), scope="file", reads=("prisma_calls",))


def test_changing_a_rule_option_invalidates(tmp_path):
    root = _project(tmp_path / "p", CLIENT)
    cache = tmp_path / "cache"
    result = _scan(root, cache)
    fc = FactCache(cache, root, "unused")
    fc.key = "facts-key"
    keys = rule_results.file_keys(result.index, fc)
    base = rule_results.base_key(fc, [])
    seen: list = []
    rule = _fake_rule(seen)

    def run(config):
        return [f.message for f in rule_results.run(RuleContext(result.index, config, rule), fc, keys, base)]

    config = load_config(root, rule_ids=RULES_BY_ID)
    n = len(config["error_handling"]["error_trackers"])
    assert run(config) == [f"trackers {n}"] and seen == [frozenset(keys)]
    assert run(config) == [f"trackers {n}"] and len(seen) == 1   # cached
    more = load_config(root, overrides={"error_handling": {"error_trackers": ["a", "b", "c", "d", "e", "f", "g"]}},
                       rule_ids=RULES_BY_ID)
    assert run(more) == ["trackers 7"] and len(seen) == 2

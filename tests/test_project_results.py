"""Findings of the project-scoped rules, cached under a key over everything they can read
(project_results.py): a warm scan finds exactly what a cold one does and runs none of
them, and a change to any one input (a file's facts, the schema, the config, an option, a
tsconfig, a workspace manifest, a test file or test-runner config outside the facts, a
file added) runs them again, with the findings of a scan without cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_rule_results import _all, _scan, _watching, demo  # noqa: F401 - demo: the fixture
from scanner.rules import REGISTRY

PROJECT_RULES = [r.id for r in REGISTRY if r.scope == "project"]
WATCHED = "n-plus-one"


def _rescan(app: Path, cache: Path, overrides: dict | None = None) -> int:
    """How many times the watched project-scoped rule ran in a rescan; its findings must
    be those of a scan without cache."""
    with _watching([WATCHED]) as seen:
        warm = _scan(app, cache, overrides)
    assert _all(warm) == _all(_scan(app, None, overrides))
    return len(seen[WATCHED])


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def test_a_warm_scan_runs_no_project_rule_and_finds_what_a_cold_one_finds(demo, tmp_path):
    app, cache = demo
    assert WATCHED in PROJECT_RULES and len(PROJECT_RULES) > 10
    uncached = _scan(app, None)
    cold = _scan(app, tmp_path / "another-cache")
    with _watching(PROJECT_RULES) as seen:
        warm = _scan(app, cache)
    assert _all(uncached) == _all(cold) == _all(warm)
    assert {f.rule for f in warm.findings} & set(PROJECT_RULES)
    assert all(not calls for calls in seen.values()), "a warm scan reran a project-scoped rule"


def test_a_code_edit_in_any_file_reruns_them_and_a_comment_does_not(demo):
    app, cache = demo
    lib = app / "src" / "lib" / "users.ts"
    _append(lib, "\n// a note, no code\n")
    assert _rescan(app, cache) == 0   # the same facts: nothing a rule reads changed
    _append(lib, "\nexport async function everyone() {\n  return prisma.user.findMany();\n}\n")
    assert _rescan(app, cache) == 1
    assert _rescan(app, cache) == 0


EDITS = ["schema", "config", "tsconfig", "manifest", "test-file", "new-file"]


def edit_input(app: Path, edit: str) -> None:
    """One edit of an input besides the facts (one of EDITS) in the demo app."""
    if edit == "schema":
        _append(app / "prisma" / "schema.prisma", "\nmodel Extra {\n  id Int @id\n}\n")
    elif edit == "config":
        (app / ".dbaudit.yaml").write_text("rules:\n  severity:\n    n-plus-one: low\n")
    elif edit == "tsconfig":
        data = json.loads((app / "tsconfig.json").read_text())
        data["compilerOptions"]["paths"]["~/*"] = ["./src/*"]
        (app / "tsconfig.json").write_text(json.dumps(data))
    elif edit == "manifest":
        data = json.loads((app / "package.json").read_text())
        data["exports"] = {".": "./src/lib/prisma.ts"}
        (app / "package.json").write_text(json.dumps(data))
    elif edit == "test-file":   # outside the scan, read by imported_by_tests
        _append(app / "src" / "lib" / "__tests__" / "progress.test.ts", "\nimport '../users'\n")
    elif edit == "new-file":
        (app / "src" / "lib" / "extra.ts").write_text("export const x = 1;\n")


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_of_any_other_input_reruns_them(demo, edit):
    app, cache = demo
    edit_input(app, edit)
    assert _rescan(app, cache) == 1
    assert _rescan(app, cache) == 0


def test_an_option_or_a_test_runner_config_reruns_them(demo):
    app, cache = demo
    assert _rescan(app, cache, {"error_handling": {"error_trackers": ["myTracker"]}}) == 1
    assert _rescan(app, cache) == 1
    config = app / "vitest.config.ts"
    config.write_text("export default { test: { alias: {} } };\n")
    assert _rescan(app, cache) == 1
    # Its text, not only its facts: test_loads searches it for the modules it aliases.
    config.write_text("export default { test: { alias: { db: './src/lib/prisma' } } };\n")
    assert _rescan(app, cache) == 1
    assert _rescan(app, cache) == 0

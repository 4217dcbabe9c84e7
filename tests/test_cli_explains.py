"""Issue 18, a CLI that explains itself: PATH defaults to `.`, a tree with
nothing to scan is an error, report files are announced, `explain` renders
its page example first, `init` writes a commented `.dbaudit.yaml`."""

from __future__ import annotations

import json
import re

import pytest

from cliutil import dbaudit, usage_error
from conftest import FIXTURES
from scanner.config import load_config
from scanner.docs_page import example_first
from scanner.rules import REGISTRY, RULES_BY_ID
from treeutil import CLIENT_TS, LOOP_TS, make_tree

DEMO = FIXTURES / "apps" / "academy"


@pytest.fixture
def one_high(tmp_path):
    return make_tree(tmp_path / "p", {"src/db.ts": CLIENT_TS, "src/load.ts": LOOP_TS})


# -- PATH defaults to the current directory ------------------------------------------------------

def test_scan_facts_and_baseline_default_to_the_current_directory(one_high, monkeypatch):
    monkeypatch.chdir(one_high)
    here = json.loads(dbaudit("scan", "-f", "json").out)
    there = json.loads(dbaudit("scan", one_high, "-f", "json").out)
    assert [(f["path"], f["line"], f["rule"]) for f in here["findings"]] == \
           [(f["path"], f["line"], f["rule"]) for f in there["findings"]] == [("src/load.ts", 4, "n-plus-one")]
    assert json.loads(dbaudit("facts", "-f", "json").out)["prisma_calls"]
    assert json.loads(dbaudit("baseline").out) == json.loads(dbaudit("baseline", one_high).out)


# -- nothing to scan -----------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["scan", "facts", "baseline", "init"])
def test_a_folder_with_nothing_to_scan_is_exit_2(tmp_path, command):
    root = make_tree(tmp_path / "docs-only", {"README.md": "# hi\n", "node_modules/x/index.ts": CLIENT_TS,
                                              "src/a.test.ts": LOOP_TS})
    line = usage_error(dbaudit(command, root))
    assert line.startswith(f"dbaudit: error: nothing to scan in {root}: no .ts/")
    assert ".tsx" in line and ".prisma schema in scope" in line
    assert not (root / ".dbaudit.yaml").exists()


def test_nothing_to_scan_in_the_current_directory_names_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert f"nothing to scan in . ({tmp_path.resolve()})" in usage_error(dbaudit("scan"))


def test_a_schema_alone_is_something_to_scan(tmp_path):
    root = make_tree(tmp_path, {"prisma/schema.prisma": "model User {\n  id Int @id\n}\n"})
    assert dbaudit("scan", root).code == 0


# -- report files are announced ------------------------------------------------------------------

def test_each_report_file_is_announced_with_its_count(one_high, tmp_path):
    out, sarif = tmp_path / "r.json", tmp_path / "r.sarif"
    run = dbaudit("scan", one_high, "-f", "json", "-o", out, "--write", f"sarif:{sarif}")
    assert run.code == 1 and run.out == ""
    assert run.err.splitlines() == [f"dbaudit: wrote {out} (1 finding)", f"dbaudit: wrote {sarif} (1 finding)"]
    clean = make_tree(tmp_path / "clean", {"src/a.ts": "export const a = 1\n"})
    assert dbaudit("scan", clean, "-o", out).err == f"dbaudit: wrote {out} (0 findings)\n"
    assert dbaudit("scan", clean, "-o", "-").err == ""


# -- explain -------------------------------------------------------------------------------------

def _sections(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, re.M)


@pytest.mark.parametrize("rule", [r.id for r in REGISTRY])
def test_explain_shows_the_example_and_the_fix_first(rule):
    page = RULES_BY_ID[rule].docs_path.read_text(encoding="utf-8")
    run = dbaudit("explain", rule)
    assert run.code == 0 and run.err == ""
    assert "\x1b[" not in run.out and "**Severity:**" not in run.out and "## " not in run.out   # rendered, no colour
    assert run.out.lstrip().startswith(rule)
    order = [h for h in ("Example", "Use instead", "What it does", "Why is this bad?", "References")
             if re.search(rf"^{re.escape(h)}\s*$", run.out, re.M)]
    assert order == ["Example", "Use instead", "What it does", "Why is this bad?", "References"]
    positions = [re.search(rf"^{re.escape(h)}\s*$", run.out, re.M).start() for h in order]
    assert positions == sorted(positions)
    assert all(line == line.rstrip() for line in run.out.splitlines())
    # The reordering loses and adds nothing.
    moved = example_first(page)
    assert sorted(_sections(moved)) == sorted(_sections(page))
    assert sorted(filter(None, moved.split("\n"))) == sorted(filter(None, page.split("\n")))


def test_example_first_keeps_a_page_without_sections():
    assert example_first("# x\n\ntext\n") == "# x\n\ntext\n"


# -- init ----------------------------------------------------------------------------------------

def test_init_writes_a_config_that_loads(tmp_path):
    import shutil
    repo = tmp_path / "academy"
    shutil.copytree(DEMO, repo, symlinks=True)
    (repo / ".dbaudit.yaml").unlink(missing_ok=True)
    run = dbaudit("init", repo)
    assert run.code == 0 and run.out == ""
    assert run.err == f"dbaudit: wrote {repo / '.dbaudit.yaml'}\n"
    text = (repo / ".dbaudit.yaml").read_text(encoding="utf-8")
    cfg = load_config(repo)
    assert cfg["prisma"]["schema"] == "prisma/schema.prisma"
    assert cfg["prisma"]["client_names"] == load_config(None)["prisma"]["client_names"]
    assert "#   route-handler: app/api" in text
    assert '#   - "**/scripts/**"' in text or "#   - '**/scripts/**'" in text
    assert "#   test:" in text and "**/*.test.*" in text
    # The scan with it finds what the scan without it found.
    assert len(json.loads(dbaudit("scan", repo, "-f", "json").out)["findings"]) == \
           len(json.loads(dbaudit("scan", DEMO, "-f", "json").out)["findings"])


def test_init_refuses_to_overwrite_without_force(one_high):
    (one_high / ".dbaudit.yaml").write_text("fail_on: low\n", encoding="utf-8")
    line = usage_error(dbaudit("init", one_high))
    assert str(one_high / ".dbaudit.yaml") in line and "--force" in line
    assert (one_high / ".dbaudit.yaml").read_text(encoding="utf-8") == "fail_on: low\n"
    assert dbaudit("init", one_high, "--force").code == 0
    assert "fail_on: low" not in (one_high / ".dbaudit.yaml").read_text(encoding="utf-8")
    load_config(one_high)


def test_init_lists_unrecognised_receivers_commented_out(tmp_path, monkeypatch):
    root = make_tree(tmp_path, {
        "prisma/schema.prisma": "model User {\n  id Int @id\n}\n",
        "src/a.ts": ('import { store } from "./external"\n'
                     "export const f = () => store.user.findMany()\n"
                     "export const g = () => store.user.findFirst()\n")})
    monkeypatch.chdir(root)
    assert dbaudit("init").code == 0
    text = (root / ".dbaudit.yaml").read_text(encoding="utf-8")
    assert "#   store: 2 calls in 1 file (src/a.ts:2)" in text
    [suggested] = re.findall(r"^  # client_names: \[(.*)\]$", text, re.M)
    assert suggested.split(", ")[-1] == "store"
    assert "store" not in load_config(root)["prisma"]["client_names"]
    # Uncommented, the suggestion loads and makes the calls count.
    (root / ".dbaudit.yaml").write_text(text.replace("  # client_names:", "  client_names:")
                                        .replace("  client_names: [prisma,", "  # client_names: [prisma,", 1),
                                        encoding="utf-8")
    assert "store" in load_config(root)["prisma"]["client_names"]
    facts = json.loads(dbaudit("facts", "-f", "json").out)
    assert len(facts["prisma_calls"]) == 2


def test_init_pins_the_folder_of_a_multi_file_schema(tmp_path):
    root = make_tree(tmp_path, {
        "prisma/schema/main.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("D")\n}\n',
        "prisma/schema/user.prisma": "model User {\n  id Int @id\n}\n"})
    assert dbaudit("init", root).code == 0
    assert load_config(root)["prisma"]["schema"] == "prisma/schema"
    assert dbaudit("scan", root).code == 0

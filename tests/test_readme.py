"""The README stays true: its rule table is the registry, its CLI reference
names every command and option, its example output and config are real, and
`.ci/run` runs its test command verbatim."""

from __future__ import annotations

import json
import os
import re

import click
import pytest

from conftest import FIXTURES, REPO, scan_dir
from scanner.cli import main
from scanner.config import load_config
from scanner.findings import CATEGORIES, FINDING_KEYS
from scanner.report import text_report
from scanner.report.text_report import order
from scanner.rules import REGISTRY

README = (REPO / "README.md").read_text(encoding="utf-8")
DEMO = FIXTURES / "apps" / "academy"
SCAN_COMMAND = ("python3 -m venv .venv && . .venv/bin/activate && pip install -e . "
                "&& dbaudit scan fixtures/apps/academy")
TEST_COMMAND = ("python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' "
                "&& python -m pytest -q")


def rules_table() -> str:
    """By category (in the report's order), most severe first, then by id: the
    table does not churn when the registry's order changes."""
    cats = list(CATEGORIES)
    order = sorted(REGISTRY, key=lambda r: (cats.index(r.category) if r.category in cats else len(cats),
                                            r.category, -r.severity.rank, r.id))
    rows = ["| Rule | Severity | Category | What it finds |", "| --- | --- | --- | --- |"]
    for r in order:
        summary = r.summary.replace("|", "\\|")
        rows.append(f"| [`{r.id}`](docs/rules/{r.id}.md) | {r.severity.value} | {r.category} | {summary} |")
    return "\n".join(rows)


def _code_blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", README, re.S | re.M)


def test_rule_table_is_the_registry():
    m = re.search(r"<!-- rules:start[^>]*-->\n(.*?)\n<!-- rules:end -->", README, re.S)
    assert m, "README.md lost its <!-- rules:start --> … <!-- rules:end --> markers"
    expected = rules_table()
    assert m.group(1) == expected, ("README.md's rule table is out of date; replace the lines between the "
                                    "rules:start and rules:end markers with:\n\n" + expected)


def test_the_two_commands():
    blocks = [b.strip() for b in _code_blocks("sh")]
    assert SCAN_COMMAND in blocks and TEST_COMMAND in blocks


def test_ci_runs_the_readme_test_command_verbatim():
    lines = [line.strip() for line in (REPO / ".ci/run").read_text(encoding="utf-8").splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    assert commands[-1] == TEST_COMMAND, "the last command of .ci/run must be the README's test command"


def test_ci_script_is_executable():
    # CI calls `./.ci/run`; a commit that drops the mode bit breaks every fresh clone.
    assert os.access(REPO / ".ci/run", os.X_OK), "chmod +x .ci/run (git update-index --chmod=+x .ci/run)"


def _cli_surface() -> dict[str, list[str]]:
    """command name -> its option flags (the long form where there is one)."""
    out = {}
    for name, cmd in main.commands.items():
        flags = []
        for p in cmd.params:
            if isinstance(p, click.Option) and p.name != "help":
                longs = [o for o in p.opts if o.startswith("--")]
                flags.append(longs[0] if longs else p.opts[0])
        out[name] = flags
    return out


def test_cli_reference_names_every_command_and_option():
    prose = re.sub(r"^```.*?^```", "", README, flags=re.S | re.M)
    spans = re.findall(r"`([^`\n]+)`", prose)          # inline code: where the reference names things
    missing = []
    for name, flags in _cli_surface().items():
        if not any(span.startswith(f"dbaudit {name}") for span in spans):
            missing.append(f"command `dbaudit {name}`")
        for flag in flags:
            if not any(re.search(rf"(^|[\s\[/,]){re.escape(flag)}\b", span) for span in spans):
                missing.append(f"`dbaudit {name} {flag}`")
    assert not missing, "README.md's CLI reference lacks: " + ", ".join(missing)


def test_example_output_is_real():
    """Every finding line quoted in the example exists in a scan of the demo app,
    and the example keeps the report's order: worst first."""
    [block] = [b for b in _code_blocks("text") if "dbaudit summary" in b]
    found = scan_dir(str(DEMO)).findings
    findings = {(f.path, f.line, f.column, f.severity.value, f.rule) for f in found}
    quoted = []
    for line in block.splitlines():
        m = re.match(r"^(\S+?):(\d+):(\d+)\s+(critical|high|medium|low)\s+([a-z-]+)\s", line)
        if m:
            quoted.append((m[1], int(m[2]), int(m[3]), m[4], m[5]))
    assert len(quoted) >= 4
    stale = [q for q in quoted if q not in findings]
    assert not stale, (f"README.md's example output quotes findings the demo app no longer has: {stale}; "
                       "paste a fresh `dbaudit scan fixtures/apps/academy`")
    position = {(f.path, f.line, f.column, f.severity.value, f.rule): i for i, f in enumerate(order(found))}
    assert [position[q] for q in quoted] == sorted(position[q] for q in quoted), \
        "README.md's example output is not in the report's order (worst first)"
    [verdict] = [line for line in block.splitlines() if line.startswith("Audit: ")]
    assert verdict == text_report.render(scan_dir(str(DEMO))).splitlines()[0], \
        "README.md's example output opens with a stale verdict line"


def test_config_example_is_valid(tmp_path):
    [example] = [b for b in _code_blocks("yaml") if "fail_on" in b]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    cfg = load_config(None, path)
    assert cfg["fail_on"] == "critical"


def test_config_error_example_is_the_real_message(tmp_path):
    m = re.search(r"dbaudit: error: \.dbaudit\.yaml: (.+)", README)
    (tmp_path / ".dbaudit.yaml").write_text("prisma:\n  client_name: [db]\n", encoding="utf-8")
    with pytest.raises(Exception) as err:
        load_config(tmp_path)
    assert str(err.value) == f"{tmp_path / '.dbaudit.yaml'}: {m[1]}"


def test_json_example_has_the_contract_keys():
    [example] = [b for b in _code_blocks("json") if '"findings"' in b]
    data = json.loads(example)
    assert list(data) == ["version", "root", "findings", "stats", "warnings", "summary"]
    assert tuple(data["findings"][0]) == FINDING_KEYS


def _hosted_at() -> str:
    m = re.search(r"^DBAUDIT_REPO=(\S+)", README, re.M)
    assert m, "README.md's install section lost its DBAUDIT_REPO=… line"
    return m.group(1)


def test_install_from_the_git_repository_resolves(tmp_path):
    """`pip install "dbaudit @ git+$DBAUDIT_REPO"` works for a repository hosted anywhere:
    here a clone of this one at HEAD, reached by URL (pip resolves it without installing)."""
    import shlex
    import subprocess
    import sys
    line = next(line for block in _code_blocks("sh") for line in block.splitlines()
                if line.startswith("pip install") and "git+$DBAUDIT_REPO" in line)
    requirement = shlex.split(line.split("#", 1)[0])[2]
    assert requirement == "dbaudit @ git+$DBAUDIT_REPO"
    clone = tmp_path / "dbaudit"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True, capture_output=True)
    report = tmp_path / "report.json"
    url = f"file://localhost{clone.as_posix()}"   # a host part: older pip rejects `file:///` here
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--quiet",
                           "--report", str(report), requirement.replace("$DBAUDIT_REPO", url)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    [item] = json.loads(report.read_text())["install"]
    assert item["metadata"]["name"] == "dbaudit" and item["download_info"]["url"] == url


def test_the_action_and_the_hook_name_the_place_the_install_line_names():
    """One place, `$DBAUDIT_REPO`: the Action's `uses:` is its OWNER/NAME, pre-commit's
    `repo:` its URL; action.yml itself names no repository (it installs its own checkout)."""
    from urllib.parse import urlparse
    url = _hosted_at()
    owner_name = urlparse(url).path.strip("/")
    ci = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    for name, text in (("README.md", README), ("docs/ci.md", ci)):
        assert re.search(rf"uses: {re.escape(owner_name)}@\S+ +# OWNER/NAME of \$DBAUDIT_REPO", text), name
        assert re.search(rf"repo: {re.escape(url)} +# \$DBAUDIT_REPO", text), name
    import yaml
    action = (REPO / "action.yml").read_text(encoding="utf-8")
    assert owner_name not in action
    for step in yaml.safe_load(action)["runs"]["steps"]:
        assert "github.com/" not in json.dumps(step), step["name"]

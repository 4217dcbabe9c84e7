"""Configuration: packaged defaults < the root's .dbaudit.yaml < --config <
flags, and every mistake is one line on stderr naming the file, the key and
the fix, with exit 2 and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from cliutil import dbaudit, usage_error
from scanner.config import ConfigError, default_path, load_config
from scanner.rules import RULES_BY_ID
from treeutil import CLIENT_TS, LOOP_TS, RUNNING_AS_ROOT, make_tree



@pytest.fixture
def project(tmp_path) -> Path:
    """A project with exactly one finding: a high n-plus-one."""
    return make_tree(tmp_path / "proj", {"src/db.ts": CLIENT_TS, "src/load.ts": LOOP_TS})


def _other_rule() -> str:
    return next(r for r in sorted(RULES_BY_ID) if r != "n-plus-one")


# -- layering ---------------------------------------------------------------------------------

def test_layers_apply_in_order(project, tmp_path):
    other = _other_rule()
    (project / ".dbaudit.yaml").write_text(
        "fail_on: critical\nmax_file_bytes: 1000\nexclude: [from-project/]\n"
        "rules:\n  severity:\n    n-plus-one: low\n", encoding="utf-8")
    extra = tmp_path / "ci.yaml"
    extra.write_text(f"fail_on: medium\nexclude: [from-ci/]\nrules:\n  severity:\n    {other}: critical\n",
                     encoding="utf-8")
    assert load_config(project)["fail_on"] == "critical"
    cfg = load_config(project, extra, overrides={"fail_on": "low"})
    assert cfg["fail_on"] == "low"                                # flags win
    assert cfg["max_file_bytes"] == 1000                          # project over defaults
    assert cfg["exclude"] == ["from-ci/"]                         # a later list replaces an earlier one
    assert cfg["rules"]["severity"] == {"n-plus-one": "low", other: "critical"}   # merged by rule
    assert cfg["max_line_length"] == load_config(None)["max_line_length"]        # untouched default
    assert cfg.sources == (str(default_path()), str(project / ".dbaudit.yaml"), str(extra))


def test_out_of_scope_kinds_merge_one_by_one(project):
    (project / ".dbaudit.yaml").write_text('out_of_scope:\n  test: ["**/*.fixture.ts"]\n', encoding="utf-8")
    scope = load_config(project)["out_of_scope"]
    assert scope["test"] == ["**/*.fixture.ts"]
    assert scope["story"] == load_config(None)["out_of_scope"]["story"]


def test_flags_override_config_files(project, tmp_path):
    assert dbaudit("scan", project).code == 1                     # default fail_on: high
    (project / ".dbaudit.yaml").write_text("fail_on: critical\n", encoding="utf-8")
    assert dbaudit("scan", project).code == 0
    assert dbaudit("scan", project, "--fail-on", "high").code == 1
    extra = tmp_path / "strict.yaml"
    extra.write_text("fail_on: low\n", encoding="utf-8")
    assert dbaudit("scan", project, "--config", extra).code == 1
    assert dbaudit("scan", project, "--config", extra, "--fail-on", "critical").code == 0


def test_rule_selection_from_config_and_flags(project):
    (project / ".dbaudit.yaml").write_text("rules:\n  ignore: [n-plus-one]\n", encoding="utf-8")
    assert dbaudit("scan", project).code == 0
    (project / ".dbaudit.yaml").write_text("rules:\n  severity:\n    n-plus-one: medium\n", encoding="utf-8")
    assert dbaudit("scan", project).code == 0                     # medium is under fail_on high
    assert dbaudit("scan", project, "--fail-on", "medium").code == 1
    assert dbaudit("scan", project, "--ignore", "n-plus-one", "--fail-on", "low").code == 0
    assert dbaudit("scan", project, "--select", _other_rule(), "--fail-on", "low").code == 0


# -- mistakes -------------------------------------------------------------------------------------

BAD = [
    # (file content, what the one-line message must say)
    ("exclued: []\n", ["unknown key 'exclued'", "Did you mean 'exclude'?"]),
    ("prisma:\n  client_name: [db]\n", ["unknown key 'prisma.client_name'", "Did you mean 'prisma.client_names'?"]),
    ("zzz: 1\n", ["unknown key 'zzz'", "Known keys here:"]),
    ("max_file_bytes: big\n", ["'max_file_bytes' must be a number, got a string ('big')"]),
    ("max_file_bytes: 1.5\n", ["'max_file_bytes' must be a number"]),
    ("max_file_bytes: true\n", ["'max_file_bytes' must be a number, got true or false"]),
    ("exclude: src/legacy/\n", ["'exclude' must be a list, got a string"]),
    ("exclude: [1, 2]\n", ["'exclude' must be a list of strings"]),
    ("exclude:\n", ["'exclude' must be a list, got nothing (null)"]),
    ("prisma: [db]\n", ["'prisma' must be a mapping, got a list"]),
    ("fail_on: urgent\n", ["'fail_on' must be one of low, medium, high, critical"]),
    ("rules:\n  severity:\n    n-plus-one: huge\n", ["'rules.severity.n-plus-one' must be one of"]),
    ("rules:\n  select: [n-plus-two]\n", ["'rules.select' names unknown rule id 'n-plus-two'",
                                          "Did you mean 'n-plus-one'?"]),
    ("rules:\n  severity: {n-plus-tw0: low}\n", ["'rules.severity' names unknown rule id"]),
    ("include_out_of_scope: [tests]\n", ["'include_out_of_scope' names unknown kinds ['tests']", "use ["]),
    ('out_of_scope:\n  test: "**/*.test.ts"\n', ["'out_of_scope.test' must be a list of strings"]),
    ("- exclude\n- fail_on\n", ["the top level must be a mapping"]),
    ("exclude: [a, b\nfail_on: high\n", ["YAML syntax error", "line ", "Fix the YAML syntax there"]),
    ("rules:\n\tselect: []\n", ["YAML syntax error", "line 2", "replace the tab"]),
    (b"fail_on: \xff\n", ["not UTF-8 text; save the config file as UTF-8"]),
]


@pytest.mark.parametrize("where", ["project", "--config"])
@pytest.mark.parametrize("content,says", BAD, ids=[repr(c)[:40] for c, _ in BAD])
def test_config_mistakes_exit_2_with_one_line(project, tmp_path, where, content, says):
    target = project / ".dbaudit.yaml" if where == "project" else tmp_path / "extra.yaml"
    (target.write_bytes if isinstance(content, bytes) else target.write_text)(content)
    args = ["scan", project] + (["--config", target] if where == "--config" else [])
    line = usage_error(dbaudit(*args))
    assert line.startswith(f"dbaudit: error: {target}"), line          # names the file first
    for part in says:
        assert part in line, line
    with pytest.raises(ConfigError):
        load_config(project, target if where == "--config" else None, rule_ids=RULES_BY_ID)


def test_error_names_the_layer_that_brought_the_value(project, tmp_path):
    (project / ".dbaudit.yaml").write_text("fail_on: urgent\n", encoding="utf-8")
    extra = tmp_path / "fine.yaml"
    extra.write_text("max_file_bytes: 10\n", encoding="utf-8")
    line = usage_error(dbaudit("scan", project, "--config", extra))
    assert str(project / ".dbaudit.yaml") in line and str(extra) not in line


def test_unknown_rule_ids_in_flags(project):
    for flag in ("--select", "--ignore"):
        line = usage_error(dbaudit("scan", project, flag, "n-plus-one,n-plus-two"))
        assert "unknown rule id 'n-plus-two'" in line and "Did you mean 'n-plus-one'?" in line


def test_missing_config_file(project, tmp_path):
    line = usage_error(dbaudit("scan", project, "--config", tmp_path / "nope.yaml"))
    assert f"{tmp_path / 'nope.yaml'}: config file not found" in line


def test_missing_path(tmp_path):
    run = dbaudit("scan", tmp_path / "nowhere")
    assert run.code == 2 and "Traceback" not in run.err
    assert "does not exist" in run.err


def test_path_that_is_not_a_source_file(tmp_path):
    (tmp_path / "README.md").write_text("# hi\n", encoding="utf-8")
    assert "not a TypeScript/JavaScript source" in usage_error(dbaudit("scan", tmp_path / "README.md"))


# -- -o ------------------------------------------------------------------------------------------

def test_output_into_a_missing_folder(project, tmp_path):
    line = usage_error(dbaudit("scan", project, "-o", tmp_path / "missing" / "r.json", "-f", "json"))
    assert "does not exist" in line and str(tmp_path / "missing") in line
    assert not (tmp_path / "missing").exists()


def test_output_onto_a_folder(project, tmp_path):
    assert "that is a folder" in usage_error(dbaudit("scan", project, "-o", tmp_path))


@pytest.mark.skipif(RUNNING_AS_ROOT, reason="running as root: a read-only folder is still writable")
def test_output_into_a_read_only_folder(project, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        line = usage_error(dbaudit("scan", project, "-o", locked / "r.json"))
    finally:
        locked.chmod(0o755)
    assert "cannot write there" in line and not (locked / "r.json").exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_output_where_even_root_cannot_write(project):
    line = usage_error(dbaudit("scan", project, "-o", "/proc/dbaudit-report.json"))
    assert "/proc/dbaudit-report.json" in line


def test_the_packaged_defaults_read_alike_through_libyaml_and_pure_python():
    # load_config reads the defaults through libyaml when PyYAML has it; users' files
    # keep the pure-Python parser.
    import yaml
    from scanner import config as C
    text = default_path().read_text(encoding="utf-8")
    assert yaml.load(text, Loader=C._DEFAULTS_LOADER) == yaml.safe_load(text)

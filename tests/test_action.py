"""The GitHub Action and the pre-commit hook, run for real where they can be:
the Action's scan step (action/scan.sh) on a pull-request checkout made from
a local "origin" (full and shallow clones), a push, and a bad input; the
pre-commit hook's entry on a staged change."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from review_helpers import DEMO, GIT_ENV, REPO, commit_all, edit, git, new_repo

BIN = Path(sys.executable).parent
ANALYTICS = "app/api/learning/analytics/route.ts"
LOOP_BODY = "    const lessonIds = lessons.map((lesson) => lesson.id)\n"
NEW_QUERY = "    const quiz = await prisma.quiz.findFirst({ where: { trackId: e.trackId } })\n"

pytestmark = pytest.mark.skipif(not (BIN / "dbaudit").exists(), reason="dbaudit is not installed beside python")


def test_action_metadata():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"path", "fail-on", "baseline", "version", "dbaudit-source", "diff-base", "upload-sarif"} \
        <= set(action["inputs"])
    assert action["inputs"]["dbaudit-source"]["default"] == "", "the default is the action's own checkout"
    steps = {s["name"]: s for s in action["runs"]["steps"]}
    install = steps["Install dbaudit"]
    assert install["run"] == 'bash "$GITHUB_ACTION_PATH/action/install.sh"'
    assert install["env"] == {"DBAUDIT_SOURCE": "${{ inputs.dbaudit-source }}",
                              "DBAUDIT_VERSION": "${{ inputs.version }}",
                              "DBAUDIT_ACTION_REPOSITORY": "${{ github.action_repository }}",
                              "DBAUDIT_ACTION_REF": "${{ github.action_ref }}"}
    assert steps["Scan"]["run"] == 'bash "$GITHUB_ACTION_PATH/action/scan.sh"'
    assert steps["Scan"]["env"]["DBAUDIT_BASE_REF"] == "${{ github.base_ref }}"
    upload = steps["Upload SARIF to code scanning"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    assert "exit" in steps["Fail on findings"]["run"]
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), "inputs reach scripts through env, never inline"


def _install(**env) -> str:
    proc = subprocess.run(["bash", str(REPO / "action" / "install.sh")], capture_output=True, text=True,
                          env={"PATH": os.environ.get("PATH", ""), "DBAUDIT_INSTALL_DRY_RUN": "1", **env})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_action_installs_from_its_own_repository_unless_told_otherwise(tmp_path):
    """The install step names this repository by the variables the runner sets, never by a
    hard-coded URL (issue 18): the action's checkout by default, `dbaudit-source` or
    `version` when given."""
    action = str(tmp_path / "_actions" / "you" / "dbaudit" / "v0.2.0")
    assert _install(GITHUB_ACTION_PATH=action, DBAUDIT_ACTION_REPOSITORY="you/dbaudit",
                    DBAUDIT_ACTION_REF="v0.2.0") \
        == f"dbaudit: installing {action} (you/dbaudit@v0.2.0, the action's own checkout)"
    assert _install(GITHUB_ACTION_PATH=action) == f"dbaudit: installing {action} (the action, the action's own checkout)"
    assert _install(GITHUB_ACTION_PATH=action, DBAUDIT_SOURCE="acme/dbaudit@v0.3.0",
                    GITHUB_SERVER_URL="https://ghe.acme.test") \
        == ("dbaudit: installing dbaudit @ git+https://ghe.acme.test/acme/dbaudit@v0.3.0 "
            "(dbaudit-source: acme/dbaudit@v0.3.0)")
    assert _install(DBAUDIT_SOURCE="git+https://example.test/x/dbaudit@main") \
        == ("dbaudit: installing git+https://example.test/x/dbaudit@main "
            "(dbaudit-source: git+https://example.test/x/dbaudit@main)")
    assert _install(DBAUDIT_VERSION="0.2.0") == "dbaudit: installing dbaudit==0.2.0 (version: 0.2.0, from the package index)"
    proc = subprocess.run(["bash", str(REPO / "action" / "install.sh")], capture_output=True, text=True,
                          env={"PATH": os.environ.get("PATH", ""), "DBAUDIT_INSTALL_DRY_RUN": "1"})
    assert proc.returncode != 0 and "GITHUB_ACTION_PATH is not set" in proc.stderr


def _origin_and_pr(tmp_path: Path, depth: int | None = None) -> Path:
    """A bare origin with main (the demo app) and feature (one new N+1),
    cloned and checked out at feature as actions/checkout would."""
    seed = new_repo(tmp_path / "seed", DEMO)
    git(seed, "checkout", "-q", "-b", "feature")
    target = seed / ANALYTICS
    target.write_text("// moved down a little\n\n" + target.read_text())
    edit(target, LOOP_BODY, LOOP_BODY + NEW_QUERY)
    commit_all(seed, "quiz per enrollment")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(origin))
    work = tmp_path / "work"
    args = ["clone", "-q", "--branch", "feature", "--single-branch"]
    if depth:
        args += ["--depth", str(depth)]
    git(tmp_path, *args, f"file://{origin}", str(work))
    return work


def _run_scan_step(work: Path, state: Path, **env) -> tuple[subprocess.CompletedProcess, dict, str]:
    """Run the step as the runner would; `state` holds the runner's files."""
    summary, output, temp = state / "summary.md", state / "output.txt", state / "runner-temp"
    temp.mkdir(parents=True)
    full_env = {**os.environ, **GIT_ENV, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output), "RUNNER_TEMP": str(temp),
                "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/academy",
                "GITHUB_SHA": git(work, "rev-parse", "HEAD"), **env}
    proc = subprocess.run(["bash", str(REPO / "action" / "scan.sh")], cwd=work, env=full_env,
                          capture_output=True, text=True)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines()) if output.exists() else {}
    return proc, outputs, summary.read_text() if summary.exists() else ""


@pytest.mark.parametrize("depth", [None, 1], ids=["full-clone", "shallow-clone"])
def test_pull_request_reports_only_the_new_finding(tmp_path, depth):
    work = _origin_and_pr(tmp_path, depth)
    proc, outputs, summary = _run_scan_step(work, tmp_path / "runner", DBAUDIT_BASE_REF="main",
                                            DBAUDIT_FAIL_ON="high")
    assert proc.returncode == 0, proc.stderr
    annotations = [line for line in proc.stdout.splitlines() if line.startswith("::")]
    new_line = (work / ANALYTICS).read_text().splitlines().index(NEW_QUERY.rstrip("\n")) + 1
    assert len(annotations) == 1 and annotations[0].startswith(f"::error file={ANALYTICS},line={new_line},")
    assert outputs["exit-code"] == "1"
    sarif = json.loads(Path(outputs["sarif-file"]).read_text())
    assert len(sarif["runs"][0]["results"]) == 1
    assert "**1 new finding** (1 high)" in summary and "Only lines changed since `origin/main`" in summary
    assert f"https://github.com/o/academy/blob/{git(work, 'rev-parse', 'HEAD')}/{ANALYTICS}#L{new_line}" in summary
    assert git(work, "status", "--porcelain") == "", "the action wrote into the checkout"


def test_push_scans_everything_and_bad_input_exits_2(tmp_path):
    work = _origin_and_pr(tmp_path)
    proc, outputs, summary = _run_scan_step(work, tmp_path / "push", DBAUDIT_FAIL_ON="critical",
                                            DBAUDIT_PATH=".", GITHUB_EVENT_NAME="push")
    assert proc.returncode == 0 and outputs["exit-code"] in ("0", "1")
    assert sum(line.startswith("::") for line in proc.stdout.splitlines()) > 1
    assert "## dbaudit" in summary and "Only lines changed" not in summary
    proc, outputs, _ = _run_scan_step(work, tmp_path / "bad", DBAUDIT_BASELINE="missing.json")
    assert outputs["exit-code"] == "2" and "sarif-file" not in outputs
    assert "baseline missing.json does not exist" in proc.stderr


def test_pre_commit_hook_reports_the_staged_change(tmp_path):
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "dbaudit")
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    repo = new_repo(tmp_path / "academy", DEMO)
    cmd = shlex.split(hook["entry"])
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    clean = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    edit(repo / ANALYTICS, LOOP_BODY, LOOP_BODY + NEW_QUERY)
    git(repo, "add", ANALYTICS)
    dirty = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True)
    assert dirty.returncode == 1
    assert "prisma.quiz.findFirst()" in dirty.stdout and dirty.stdout.count("n-plus-one (") == 1
    assert shutil.which("git")

"""The distribution is real: the wheel carries its data folders, installs into a
fresh venv with its dependencies, and the installed `dbaudit` scans the demo app
from an unrelated directory with the same result as the source checkout.

One wheel and one venv per test session (the `installed` fixture); pip's own
cache keeps the dependency install quick on a second run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, scan_dir
from scanner.findings import FINDING_KEYS
from scanner.report.json_report import report_dict

pytestmark = pytest.mark.install

DEMO = FIXTURES / "apps" / "academy"
# repository folder -> where force-include puts it inside the wheel
DATA_FOLDERS = {"queries": "scanner/_data/queries", "templates": "scanner/_data/templates",
                "config": "scanner/_data/config", "docs/rules": "scanner/_data/docs/rules"}


def _run(cmd: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, **kw)


def _check(proc: subprocess.CompletedProcess, what: str) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, f"{what} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def _pip_has_python_option() -> bool:
    try:
        import pip
    except ImportError:
        return False
    major, minor = (int(x) for x in pip.__version__.split(".")[:2])
    return (major, minor) >= (22, 3)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _check(_run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)], cwd=out),
           "python -m build --wheel")
    wheels = list(out.glob("dbaudit-*.whl"))
    assert len(wheels) == 1, f"expected one wheel, got {wheels}"
    return wheels[0]


@pytest.fixture(scope="session")
def installed(wheel, tmp_path_factory) -> Path:
    """The bin folder of a fresh venv holding the wheel and its dependencies."""
    env_dir = tmp_path_factory.mktemp("venv")
    if _pip_has_python_option():
        # No pip inside the venv (ensurepip is the slow part): this process's pip
        # installs into it, resolving the dependencies as any user's install would.
        venv.EnvBuilder(with_pip=False).create(env_dir)
        cmd = [sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python")]
    else:
        venv.EnvBuilder(with_pip=True).create(env_dir)
        cmd = [str(env_dir / "bin" / "python"), "-m", "pip"]
    _check(_run(cmd + ["install", "--quiet", str(wheel)], cwd=env_dir), "pip install <wheel>")
    return env_dir / "bin"


def test_wheel_carries_the_data_folders(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, inside in DATA_FOLDERS.items():
        files = [p for p in (REPO / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        assert files, f"{folder}/ is empty in the checkout"
        for p in files:
            packed = f"{inside}/{p.relative_to(REPO / folder).as_posix()}"
            assert packed in names, f"{packed} is missing from {wheel.name}"
    assert "scanner/cli.py" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "dbaudit = scanner.cli:entry" in zipfile.ZipFile(wheel).read(entry_points).decode()
    assert not any(n.startswith(("tests/", "fixtures/")) for n in names), "tests or fixtures leaked into the wheel"


def test_installed_package_reads_its_own_data(installed, tmp_path):
    probe = ("from scanner.resources import data_dir; import scanner, json; "
             "print(json.dumps({'pkg': scanner.__file__, "
             "'dirs': {n: str(data_dir(n)) for n in ('queries', 'templates', 'config', 'docs/rules')}}))")
    out = json.loads(_check(_run([str(installed / "python"), "-c", probe], cwd=tmp_path), "probe").stdout)
    site = Path(out["pkg"]).parent
    assert REPO not in site.parents, f"the venv imported the checkout ({out['pkg']}), not the wheel"
    for name, path in out["dirs"].items():
        assert Path(path).is_relative_to(site / "_data"), f"{name} resolved outside the installed package: {path}"


def test_installed_dbaudit_scans_the_demo_app_from_elsewhere(installed, tmp_path):
    proc = _run([str(installed / "dbaudit"), "scan", str(DEMO), "-f", "json"], cwd=tmp_path)
    here = report_dict(scan_dir(str(DEMO)))
    failing = any(f["severity"] in ("high", "critical") for f in here["findings"])   # fail_on: high
    assert proc.returncode == (1 if failing else 0), f"exit {proc.returncode}:\n{proc.stderr}"
    report = json.loads(proc.stdout)
    assert list(report) == ["version", "root", "findings", "stats", "warnings", "summary"]
    assert report["root"] == str(DEMO.resolve())
    assert report["findings"], "the installed scanner found nothing in the demo app"
    for f in report["findings"]:
        assert tuple(f) == FINDING_KEYS
    # The installed copy (its own queries and config) sees exactly what the checkout sees.
    key = lambda f: (f["rule"], f["path"], f["line"], f["column"], f["fingerprint"])  # noqa: E731
    assert sorted(map(key, report["findings"])) == sorted(map(key, here["findings"]))
    for k in ("files_scanned", "prisma_calls", "prisma_calls_by_kind", "rules_run", "by_rule"):
        assert report["stats"][k] == here["stats"][k], k
    assert list(tmp_path.iterdir()) == [], "the scan wrote into the working directory"


def test_installed_dbaudit_explains_and_lists_rules(installed, tmp_path):
    rules = json.loads(_check(_run([str(installed / "dbaudit"), "rules", "-f", "json"], cwd=tmp_path),
                              "dbaudit rules").stdout)
    assert "n-plus-one" in {r["id"] for r in rules}
    page = _check(_run([str(installed / "dbaudit"), "explain", "n-plus-one", "--raw"], cwd=tmp_path), "dbaudit explain")
    assert page.stdout.rstrip("\n") == (REPO / "docs/rules/n-plus-one.md").read_text(encoding="utf-8").rstrip("\n")


def test_the_sdist_and_the_wheel_are_publish_ready(tmp_path):
    """Both distributions build and pass `twine check` (issue 18: publish-ready, the
    version in one place)."""
    _check(_run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(tmp_path), str(REPO)],
                cwd=tmp_path), "python -m build")
    dists = sorted(p.name for p in tmp_path.iterdir())
    assert any(n.endswith(".tar.gz") for n in dists) and any(n.endswith(".whl") for n in dists), dists
    from scanner import __version__
    assert all(f"-{__version__}" in n for n in dists), (dists, __version__)
    _check(_run([sys.executable, "-m", "twine", "check", "--strict", *map(str, tmp_path.iterdir())], cwd=tmp_path),
           "twine check")

"""Shared helpers of the history tests: store URLs for each back end,
synthetic scan records, and throwaway git repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

import history_pg
from scanner.history.record import FindingRow, ScanRecord
from scanner.history.repo import CommitInfo, RepoIdentity

BACKENDS = ("sqlite", "postgresql")
ACADEMY = Path(__file__).resolve().parent.parent / "fixtures" / "apps" / "academy"


def pg_cluster() -> history_pg.Cluster:
    """The session's PostgreSQL; skips locally without server binaries, fails under CI."""
    cluster = history_pg.cluster()
    if cluster is None:
        message = ("PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb "
                   "nor initdb on PATH): install Debian's `postgresql` package to run these tests")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: a missing server is a failure)")
        pytest.skip(message)
    return cluster


def store_url(backend: str, tmp_path: Path) -> str:
    """A fresh, empty store of the given back end."""
    if backend == "postgresql":
        return pg_cluster().new_database()
    return f"sqlite:///{tmp_path / 'store' / 'history.sqlite'}"


def record(sha: str | None, prints: dict[str, tuple[str, str]], when: datetime,
           repo: str = "example.com/org/app", config: str = "cfg1", branch: str = "main",
           dirty: bool = False) -> ScanRecord:
    """A scan record whose findings are `fingerprint -> (rule, severity)`."""
    rows = tuple(FindingRow(fp, rule, sev, f"src/{fp}.ts", i + 1, f"{rule} in {fp}")
                 for i, (fp, (rule, sev)) in enumerate(sorted(prints.items())))
    commit = CommitInfo(sha, branch, when, dirty) if sha else None
    return ScanRecord(RepoIdentity(repo, repo.rsplit("/", 1)[-1]), commit,
                      datetime.now(timezone.utc), "0.1.0", config, rows)


def git(cwd: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit_all(repo: Path, message: str, date: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-gpg-sign", "-m", message, date=date)
    return git(repo, "rev-parse", "HEAD")


def academy_repo(tmp_path: Path, name: str = "academy") -> Path:
    """The demo app copied into a new git repository with one commit."""
    repo = tmp_path / name
    shutil.copytree(ACADEMY, repo)
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "academy", "2024-01-01T09:00:00+00:00")
    return repo

"""Git identity of a scanned root: which repository (normalised remote URL, or
the folder's name), which commit, branch and commit date, and whether the
working tree had changes. Read-only: git runs with optional locks off so that
not even the index is refreshed in the scanned repository."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

_GIT_ENV = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}

# Detached checkouts (CI) name their branch in the environment.
_BRANCH_ENV = ("GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "BUILDKITE_BRANCH",
               "CIRCLE_BRANCH", "BITBUCKET_BRANCH", "BRANCH_NAME", "GIT_BRANCH")

_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")


@dataclass(frozen=True)
class RepoIdentity:
    key: str
    name: str


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    branch: str | None
    date: datetime
    dirty: bool = False


def git(cwd: Path, *args: str, check: bool = True) -> str | None:
    """Run git; its stdout, or None when git is missing or fails (check=False)."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, env=_GIT_ENV, capture_output=True,
                              text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        if check:
            raise GitError(f"git {' '.join(args)} failed in {cwd}: {done.stderr.strip()}")
        return None
    return done.stdout


class GitError(Exception):
    """A git command failed where it had to succeed."""


def toplevel(path: Path) -> Path | None:
    out = git(path, "rev-parse", "--show-toplevel", check=False)
    return Path(out.strip()) if out and out.strip() else None


def normalise_remote(url: str) -> str:
    """`git@github.com:Org/App.git`, `https://user:token@github.com/org/app/` and
    `ssh://git@github.com:22/org/app.git` all become `github.com/org/app`
    (credentials and ports dropped, lower-cased); a local path stays a path."""
    url = url.strip()
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme == "file":
            return parts.path.rstrip("/").removesuffix(".git")
        host, path = parts.hostname or "", parts.path
    else:
        m = _SCP_LIKE.match(url)
        if not m:
            return url.rstrip("/").removesuffix(".git")
        host, path = m["host"], m["path"]
    path = path.strip("/").removesuffix(".git").strip("/")
    return f"{host}/{path}".lower()


def _remote(top: Path) -> str | None:
    names = (git(top, "remote", check=False) or "").split()
    if not names:
        return None
    name = "origin" if "origin" in names else names[0]
    url = git(top, "remote", "get-url", name, check=False)
    return url.strip() if url and url.strip() else None


def identify(root: Path) -> tuple[RepoIdentity, Path | None]:
    """The repository identity of a scanned root, and its git top level (None
    outside git). A sub-folder of a repository is its own identity."""
    root = root.resolve()
    top = toplevel(root)
    if top is None:
        return RepoIdentity(root.name or str(root), root.name or str(root)), None
    remote = _remote(top)
    key = normalise_remote(remote) if remote else top.name
    name = key.rstrip("/").rsplit("/", 1)[-1] or top.name
    sub = root.relative_to(top.resolve()).as_posix() if root != top.resolve() else ""
    if sub and sub != ".":
        key, name = f"{key}#{sub}", f"{name}/{sub}"
    return RepoIdentity(key, name), top


def branch_name(top: Path) -> str | None:
    out = git(top, "symbolic-ref", "--short", "-q", "HEAD", check=False)
    if out and out.strip():
        return out.strip()
    for var in _BRANCH_ENV:
        value = os.environ.get(var, "").strip()
        if value:
            return value.removeprefix("refs/heads/").removeprefix("origin/")
    return None


def git_revision(top: Path, ref: str) -> str:
    """The full sha a git revision (`HEAD~1`, `main`, `v1.2`) names; scan ids
    (`12`, `#12`) and hex prefixes are returned as they are."""
    text = ref.strip()
    if text.startswith("#") or re.fullmatch(r"[0-9a-fA-F]+", text):
        return ref
    out = git(top, "rev-parse", "--verify", "--quiet", f"{text}^{{commit}}", check=False)
    return out.strip() if out and out.strip() else ref


def parse_git_date(text: str) -> datetime:
    return datetime.fromisoformat(text.strip()).astimezone(timezone.utc)


def commit_info(top: Path, root: Path | None = None, rev: str = "HEAD",
                branch: str | None = None) -> CommitInfo | None:
    """The commit `rev` of the repository at `top`; `dirty` tells whether the
    working tree under `root` differs from it (only meaningful for HEAD)."""
    out = git(top, "log", "-1", "--format=%H%x00%cI", rev, "--", check=False)
    if not out or "\x00" not in out:
        return None  # a repository without commits yet
    sha, date = out.strip().split("\x00")
    dirty = False
    if root is not None:
        status = git(top, "status", "--porcelain", "--", str(root.resolve()), check=False)
        dirty = bool(status and status.strip())
    return CommitInfo(sha, branch if branch is not None else branch_name(top), parse_git_date(date), dirty)

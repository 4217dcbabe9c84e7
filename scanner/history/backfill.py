"""Backfill: scan past commits of a repository and save each with its own
commit's sha, branch and date. Each commit's tree is read with `git archive`
into a temporary folder, so the working tree, index and HEAD of the scanned
repository are never touched."""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from .errors import HistoryError
from .repo import _GIT_ENV, CommitInfo, branch_name, git, parse_git_date

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400,
          "month": 30 * 86400, "year": 365 * 86400}
_SPAN = re.compile(r"^\s*(\d+)\s*[. ]?\s*(second|minute|hour|day|week|month|year)s?\s*(?:\.?ago)?\s*$",
                   re.IGNORECASE)


def parse_span(text: str, option: str) -> timedelta:
    """`1.week`, `2 weeks`, `6.months` (a month is 30 days, a year 365)."""
    m = _SPAN.match(text)
    if not m or int(m[1]) <= 0:
        raise HistoryError(f"{option} {text!r}: expected a count and a unit such as 1.week, "
                           "3.days or 6.months.")
    return timedelta(seconds=int(m[1]) * _UNITS[m[2].lower()])


def parse_since(text: str, now: datetime) -> datetime:
    """A span back from now (`6.months`) or a date (`2024-01-31`)."""
    try:
        day = datetime.fromisoformat(text.strip())
    except ValueError:
        return now - parse_span(text, "--since")
    return day if day.tzinfo else day.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Commit:
    sha: str
    date: datetime


def first_parent_commits(top: Path, ref: str, since: datetime | None,
                         limit: int | None = None) -> list[Commit]:
    """The commits of `ref` along first parents (the main line, not every
    merged branch's commits), newest first."""
    args = ["log", "--first-parent", "--format=%H%x00%cI"]
    if limit is not None:
        args.append(f"--max-count={limit}")
    if since is not None:
        args.append(f"--since={since.isoformat()}")
    out = git(top, *args, ref, "--", check=False)
    if out is None:
        raise HistoryError(f"cannot read the history of '{ref}' in {top}: is it a branch, tag "
                           "or commit of this repository?")
    commits = []
    for line in out.splitlines():
        if "\x00" in line:
            sha, date = line.split("\x00")
            commits.append(Commit(sha, parse_git_date(date)))
    return commits


def pick_commits(newest_first: list[Commit], every: timedelta | None, limit: int | None) -> list[Commit]:
    """Thin to at most one commit per `every` (keeping the newest of each
    stretch, counting back from the newest commit), then keep the newest
    `limit`; returned oldest first, the order they are scanned and saved in."""
    picked: list[Commit] = []
    for c in newest_first:
        if every is None or not picked or c.date <= picked[-1].date - every:
            picked.append(c)
    if limit is not None:
        picked = picked[:limit]
    return picked[::-1]


def _safe_member(member: tarfile.TarInfo, dest: str):
    """tarfile's `data` filter where Python has it; members it refuses
    (links leaving the tree, device files) are left out rather than abort."""
    data_filter = getattr(tarfile, "data_filter", None)
    if data_filter is None:
        if member.issym() or member.islnk() or member.isdev():
            return None
        return member
    try:
        return data_filter(member, dest)
    except tarfile.FilterError:
        return None


def export_tree(top: Path, sha: str, dest: Path, sub: str = "") -> None:
    """Write the tree of commit `sha` (or its folder `sub`) under `dest`."""
    args = ["git", "archive", "--format=tar", sha]
    if sub:
        args += ["--", sub]
    proc = subprocess.Popen(args, cwd=top, env=_GIT_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    # Members were filtered already; "fully_trusted" just keeps 3.12+ from warning.
    trusted = {"filter": "fully_trusted"} if hasattr(tarfile, "data_filter") else {}
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            for member in tar:
                safe = _safe_member(member, str(dest))
                if safe is not None:
                    tar.extract(safe, dest, set_attrs=False, **trusted)
    except tarfile.ReadError:
        pass  # no archive at all: git failed, and the check below says why
    finally:
        proc.stdout.close()
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        code = proc.wait()
    if code != 0:
        raise HistoryError(f"git archive {sha[:12]} failed in {top}: {err.strip()}")


def ref_branch(top: Path, ref: str) -> str | None:
    """The branch name a ref stands for (`main` for main or origin/main)."""
    if ref == "HEAD":
        return branch_name(top)
    full = (git(top, "rev-parse", "--symbolic-full-name", ref, check=False) or "").strip()
    for prefix in ("refs/heads/", "refs/remotes/"):
        if full.startswith(prefix):
            name = full[len(prefix):]
            return name.split("/", 1)[1] if prefix == "refs/remotes/" and "/" in name else name
    return None


@dataclass
class BackfillResult:
    saved: list[tuple[Commit, int, int]] = field(default_factory=list)   # commit, scan id, total
    skipped: list[Commit] = field(default_factory=list)                  # already saved
    missing: list[Commit] = field(default_factory=list)                  # folder absent then
    files_parsed: int = 0
    files_from_cache: int = 0   # facts reused from an earlier commit of this run


def run_backfill(top: Path, sub: str, commits: list[Commit], branch: str | None,
                 already: set[str], scan_tree: Callable[[Path, Path], object],
                 save: Callable[[object, CommitInfo], int], progress) -> BackfillResult:
    """Scan each commit not in `already` (shas saved with this config) and
    save it. `scan_tree(folder, cache_folder)` scans, `save(result, commit)`
    stores; `progress(commit)` is called before each commit.

    Every commit is unpacked at the same path, with a facts cache private to
    this run: the cache is keyed by root and content, so a file unchanged
    since the previous commit is not parsed again, and nothing is left behind."""
    out = BackfillResult()
    with tempfile.TemporaryDirectory(prefix="dbaudit-backfill-") as tmp:
        tree, cache = Path(tmp) / "tree", Path(tmp) / "cache"
        for c in commits:
            progress(c)
            if c.sha in already:
                out.skipped.append(c)
                continue
            if sub and git(top, "cat-file", "-e", f"{c.sha}:{sub}", check=False) is None:
                out.missing.append(c)
                continue
            shutil.rmtree(tree, ignore_errors=True)
            tree.mkdir()
            export_tree(top, c.sha, tree, sub)
            result = scan_tree(tree / sub if sub else tree, cache)
            out.files_parsed += result.stats.get("files_parsed", 0)
            out.files_from_cache += result.stats.get("files_from_cache", 0)
            scan_id = save(result, CommitInfo(c.sha, branch, c.date, dirty=False))
            out.saved.append((c, scan_id, len(result.findings)))
    return out

"""What each history command does, in terms of the store. The CLI parses
options, loads the config and calls one function here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .. import __version__
from .backfill import first_parent_commits, parse_since, parse_span, pick_commits, ref_branch, run_backfill
from .database import Store, resolve_url
from .errors import HistoryError
from .query import list_repos, saved_commits
from .record import config_hash, record_from_result
from .render import diff_json, diff_text, history_json, history_text
from .repo import CommitInfo, RepoIdentity, commit_info, git_revision, identify
from .save import save_record
from .timeline import diff_scans, timeline
from .trend import build_repo_trend, render_html, render_json


def scan_root(path: Path) -> Path:
    path = path.resolve()
    return path if path.is_dir() else path.parent


def store_url(root: Path, option: str | None, config) -> str:
    return resolve_url(option, config.get("history.url"), root)


@dataclass(frozen=True)
class Saved:
    scan_id: int
    where: str
    repo: RepoIdentity
    commit: CommitInfo | None

    def message(self) -> str:
        if self.commit is None:
            what = "not a git checkout"
        else:
            what = f"{self.commit.sha[:7]}{' with uncommitted changes' if self.commit.dirty else ''}" \
                   f"{f' on {self.commit.branch}' if self.commit.branch else ''}"
        return f"dbaudit: saved scan #{self.scan_id} of {self.repo.name} ({what}) to {self.where}"


def save_scan(result, option: str | None, select=(), ignore=()) -> Saved:
    """`scan --save`: record a finished scan with the repository's identity."""
    root = scan_root(result.root)
    repo, top = identify(root)
    commit = commit_info(top, root) if top else None
    record = record_from_result(result, repo, commit, select, ignore)
    with Store.open(store_url(root, option, result.config), create=True) as store:
        return Saved(save_record(store, record), store.where, repo, commit)


def _no_scans(conn, where: str, repo: RepoIdentity, branch: str | None) -> HistoryError:
    others = [name for key, name in list_repos(conn) if key != repo.key]
    on = f" on branch {branch}" if branch else ""
    hint = (f" It holds scans of: {', '.join(others[:10])}{' …' if len(others) > 10 else ''}."
            if others else "")
    return HistoryError(f"no saved scans of {repo.key}{on} in {where}.{hint} Save one with "
                        "`dbaudit scan PATH --save`, or fill the past with `dbaudit backfill PATH`.")


def history_report(path: Path, option: str | None, config, branch: str | None = None,
                   fmt: str = "text", color: bool = False, width: int = 120) -> str:
    root = scan_root(path)
    repo, _ = identify(root)
    with Store.open(store_url(root, option, config), create=False) as store, store.read() as conn:
        entries = timeline(conn, repo.key, branch)
        if not entries:
            raise _no_scans(conn, store.where, repo, branch)
        where = store.where
    name = entries[-1].scan.repo_name
    if fmt == "json":
        return history_json(repo.key, name, where, entries)
    return history_text(name, where, entries, color=color, width=width)


def diff_report(a: str, b: str, path: Path, option: str | None, config, fmt: str = "text",
                color: bool = False) -> str:
    root = scan_root(path)
    repo, top = identify(root)
    if top is not None:  # git revisions (HEAD~3, main, v1.2) name their commit
        a, b = git_revision(top, a), git_revision(top, b)
    with Store.open(store_url(root, option, config), create=False) as store, store.read() as conn:
        diff = diff_scans(conn, a, b, store.where, prefer_repo=repo.key)
    return diff_json(diff) if fmt == "json" else diff_text(diff, color=color)


def trend_report(path: Path, option: str | None, config, all_repos: bool = False,
                 branch: str | None = None, fmt: str = "html") -> str:
    root = scan_root(path)
    with Store.open(store_url(root, option, config), create=False) as store, store.read() as conn:
        if all_repos:
            keys = list_repos(conn)
            if not keys:
                raise HistoryError(f"no saved scans in {store.where}; save some with "
                                   "`dbaudit scan PATH --save` first.")
        else:
            repo, _ = identify(root)
            keys = [(repo.key, repo.name)]
        trends = []
        for key, _name in keys:
            entries = timeline(conn, key, branch)
            if entries:
                trends.append(build_repo_trend(key, entries[-1].scan.repo_name, entries))
            elif not all_repos:
                raise _no_scans(conn, store.where, repo, branch)
        if not trends:
            raise HistoryError(f"no saved scans on branch {branch} in {store.where}.")
        where = store.where
    if fmt == "json":
        return render_json(trends, where, branch)
    return render_html(trends, where, __version__, branch)


def backfill(path: Path, option: str | None, config, select=(), ignore=(), since: str | None = None,
             every: str | None = None, commits: int | None = None, ref: str = "HEAD",
             force: bool = False, fmt: str = "text") -> str:
    """Scan past commits of `ref` and save each (skipping those already saved
    with this config unless `force`). The config is the current one, so past
    and present scans are judged by the same rules and stay comparable."""
    from ..collect import CacheOptions
    from ..engine import scan as run_scan
    from ..rules import select_rules
    select_rules(select, ignore)  # unknown rule ids fail before any work
    if since is None and commits is None:
        raise HistoryError("backfill needs --since (e.g. 6.months) or --commits N to know how far back to go.")
    if commits is not None and commits < 1:
        raise HistoryError(f"--commits {commits}: give a positive number of commits.")
    now = datetime.now(timezone.utc)
    since_at = parse_since(since, now) if since else None
    step = parse_span(every, "--every") if every else None
    root = scan_root(path)
    repo, top = identify(root)
    if top is None:
        raise HistoryError(f"backfill reads past commits, but {root} is not inside a git repository.")
    sub = root.relative_to(top.resolve()).as_posix() if root != top.resolve() else ""
    newest = first_parent_commits(top, ref, since_at, None if step else commits)
    picked = pick_commits(newest, step, commits)
    branch = ref_branch(top, ref)
    chash = config_hash(config.data, select, ignore)
    with Store.open(store_url(root, option, config), create=True) as store:
        with store.read() as conn:
            already = set() if force else saved_commits(conn, repo.key, chash)

        def scan_tree(folder: Path, cache_folder: Path):
            return run_scan(folder, config, select=list(select), ignore=list(ignore),
                            cache=CacheOptions(enabled=True, folder=cache_folder))

        def save(result, commit: CommitInfo) -> int:
            return save_record(store, record_from_result(result, repo, commit, select, ignore))

        with _progress_bar(len(picked)) as progress:
            done = run_backfill(top, sub, picked, branch, already, scan_tree, save, progress)
        where = store.where
    if fmt == "json":
        return json.dumps({
            "store": where, "repo": repo.key, "branch": branch,
            "saved": [{"commit": c.sha, "commit_date": c.date.isoformat(), "scan_id": i, "total": n}
                      for c, i, n in done.saved],
            "skipped": [c.sha for c in done.skipped], "missing": [c.sha for c in done.missing],
            "files_parsed": done.files_parsed, "files_from_cache": done.files_from_cache,
        }, indent=2) + "\n"
    rows = [(c.date, c.sha, f"{n:>5} finding(s)  saved as #{i}") for c, i, n in done.saved]
    rows += [(c.date, c.sha, "already saved with this config (--force rescans)") for c in done.skipped]
    rows += [(c.date, c.sha, f"{sub} did not exist yet") for c in done.missing]
    lines = [f"{sha[:7]}  {date:%Y-%m-%d}  {what}" for date, sha, what in sorted(rows)]
    head = (f"backfilled {len(done.saved)} of {len(picked)} commit(s) of {repo.name}"
            f"{f' ({branch})' if branch else ''} into {where}")
    reused = (f"{done.files_from_cache} of {done.files_parsed + done.files_from_cache} file(s) "
              "unchanged from an earlier commit were not parsed again") if done.saved else ""
    return "\n".join([head, *lines, *([reused] if reused else [])]) + "\n"


class _progress_bar:
    """A rich progress bar on stderr; silent when stderr is not a terminal."""

    def __init__(self, total: int):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        console = Console(stderr=True)
        self.total = total
        self.done = 0
        self.bar = Progress(TextColumn("backfill {task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=console, disable=not console.is_terminal)
        self.task = self.bar.add_task("", total=total)

    def __enter__(self):
        self.bar.__enter__()
        return self

    def __call__(self, commit) -> None:
        self.bar.update(self.task, completed=self.done, description=f"{commit.sha[:7]} {commit.date:%Y-%m-%d}")
        self.done += 1

    def __exit__(self, *exc):
        self.bar.update(self.task, completed=self.done)
        return self.bar.__exit__(*exc)

"""History building blocks without a store: repository identity, store URLs,
config hash, backfill commit selection, chart geometry and the trend page's
escaping."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from history_helpers import commit_all, git
from scanner.config import load_config
from scanner.history.backfill import Commit, parse_since, parse_span, pick_commits
from scanner.history.charts import change_bars, line_chart, nice_step
from scanner.history.database import normalise_url, resolve_url
from scanner.history.errors import HistoryError
from scanner.history.record import config_hash
from scanner.history.repo import _BRANCH_ENV, commit_info, identify, normalise_remote
from scanner.history.timeline import Entry
from scanner.history.query import SavedScan
from scanner.history.trend import build_repo_trend, render_html


@pytest.mark.parametrize("remote", [
    "git@github.com:Acme/Academy.git",
    "https://github.com/acme/academy",
    "https://ci-bot:s3cr3t-token@github.com/acme/academy.git/",
    "ssh://git@github.com:22/acme/academy.git",
    "git+ssh://git@GitHub.com/acme/academy",
])
def test_remote_urls_normalise_to_one_identity(remote):
    assert normalise_remote(remote) == "github.com/acme/academy"


def test_local_remote_paths_stay_paths():
    assert normalise_remote("/srv/git/academy.git") == "/srv/git/academy"
    assert normalise_remote("file:///srv/git/academy.git") == "/srv/git/academy"


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    for var in _BRANCH_ENV:
        monkeypatch.delenv(var, raising=False)
    root = tmp_path / "shop"
    (root / "apps" / "web").mkdir(parents=True)
    (root / "apps" / "web" / "a.ts").write_text("export const a = 1\n")
    git(root, "init", "-q", "-b", "trunk")
    commit_all(root, "one", "2024-05-02T10:00:00+02:00")
    return root


def test_identity_without_remote_is_the_folder_name(repo):
    identity, top = identify(repo)
    assert (identity.key, identity.name, top) == ("shop", "shop", repo.resolve())


def test_identity_with_remote_and_sub_folder(repo):
    git(repo, "remote", "add", "origin", "https://token@gitlab.example.com/Team/Shop.git")
    assert identify(repo)[0].key == "gitlab.example.com/team/shop"
    sub, _ = identify(repo / "apps" / "web")
    assert (sub.key, sub.name) == ("gitlab.example.com/team/shop#apps/web", "shop/apps/web")


def test_identity_outside_git(tmp_path):
    plain = tmp_path / "plain-folder"
    plain.mkdir()
    assert identify(plain) == (identify(plain)[0], None)
    assert identify(plain)[0].key == "plain-folder"


def test_commit_info_branch_date_and_dirty(repo, monkeypatch):
    info = commit_info(repo, repo)
    assert info.branch == "trunk" and not info.dirty
    assert info.date == datetime(2024, 5, 2, 8, 0, tzinfo=timezone.utc)
    assert info.sha == git(repo, "rev-parse", "HEAD")
    (repo / "apps" / "web" / "a.ts").write_text("export const a = 2\n")
    assert commit_info(repo, repo).dirty
    git(repo, "checkout", "-q", "--detach")
    assert commit_info(repo, repo).branch is None
    monkeypatch.setenv("GITHUB_REF_NAME", "release/2")
    assert commit_info(repo, repo).branch == "release/2"


def test_url_precedence_flag_env_config_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DBAUDIT_HISTORY_URL", raising=False)
    root = tmp_path / "root"
    assert resolve_url(None, "", root) == f"sqlite:///{root / '.dbaudit' / 'history.sqlite'}"
    assert resolve_url(None, "h.sqlite", root) == f"sqlite:///{root / 'h.sqlite'}"
    monkeypatch.setenv("DBAUDIT_HISTORY_URL", "postgresql://ci@db.internal/dbaudit")
    assert resolve_url(None, "h.sqlite", root) == "postgresql+psycopg://ci@db.internal/dbaudit"
    assert resolve_url("flag.sqlite", "h.sqlite", root) == f"sqlite:///{tmp_path / 'flag.sqlite'}"


def test_url_normalisation():
    base = Path("/base")
    assert normalise_url("postgres://u:pw@h:5433/db", base) == "postgresql+psycopg://u:pw@h:5433/db"
    assert normalise_url("postgresql+psycopg://u@h/db", base) == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///rel/h.sqlite", base) == "sqlite:////base/rel/h.sqlite"
    assert normalise_url("~/h.sqlite", base).endswith("/h.sqlite") and "~" not in normalise_url("~/h.sqlite", base)
    for bad, why in (("mysql://u@h/db", "unsupported"), ("sqlite://", "names no file"),
                     ("sqlite:///:memory:", "names no file"), ("://x", "not a valid"), ("postgresql://u@h:port/db", "not a valid")):
        with pytest.raises(HistoryError, match=why):
            normalise_url(bad, base)


def test_config_hash_follows_what_changes_findings(tmp_path):
    data = load_config(tmp_path).data
    base = config_hash(data)
    assert config_hash(data) == base
    assert config_hash({**data, "fail_on": "low"}) == base                # does not change findings
    assert config_hash({**data, "history": {"url": "x"}}) == base         # where it is stored
    assert config_hash(data, select=["n-plus-one"]) != base               # --select does
    assert config_hash({**data, "exclude": ["legacy/"]}) != base
    assert config_hash(data, select=["b", "a"]) == config_hash(data, select=["a", "b"])


def test_spans_and_since():
    assert parse_span("1.week", "--every") == timedelta(days=7)
    assert parse_span("3 days", "--every") == timedelta(days=3)
    assert parse_span("6.months", "--since") == timedelta(days=180)
    assert parse_span("2.years.ago", "--since") == timedelta(days=730)
    for bad in ("week", "0.weeks", "1.fortnight", ""):
        with pytest.raises(HistoryError, match="1.week"):
            parse_span(bad, "--every")
    now = datetime(2024, 7, 1, tzinfo=timezone.utc)
    assert parse_since("2.weeks", now) == datetime(2024, 6, 17, tzinfo=timezone.utc)
    assert parse_since("2024-01-31", now) == datetime(2024, 1, 31, tzinfo=timezone.utc)


def test_pick_commits_one_per_interval_newest_of_each():
    t = datetime(2024, 3, 31, tzinfo=timezone.utc)
    # newest first, every 2 days for 4 weeks
    commits = [Commit(f"{i:040x}", t - timedelta(days=2 * i)) for i in range(14)]
    weekly = pick_commits(commits, timedelta(days=7), None)
    # counting back from the 31st: the newest commit at least a week older each time
    assert [c.date.day for c in weekly] == [7, 15, 23, 31]          # oldest first
    assert [c.date.day for c in pick_commits(commits, timedelta(days=7), 2)] == [23, 31]
    assert pick_commits(commits, None, 3) == commits[:3][::-1]
    assert pick_commits([], timedelta(days=7), None) == []


def test_nice_steps():
    assert [nice_step(v) for v in (0, 1, 4, 5, 9, 23, 47, 180, 1234)] == [1, 1, 1, 1, 2, 5, 10, 50, 500]


def test_line_chart_geometry():
    chart = line_chart(["d1", "d2", "d3"], ["a", "b", "c"], ["t1", "t2", "t3"],
                       [("total", "total", [10, 0, 5])], width=200, height=120, margin=(10, 10, 10, 20))
    pts = chart.series[0].points
    assert [p.x for p in pts] == [20, 105, 190]
    assert [p.y for p in pts] == [10, 110, 60]          # 10 is the axis top, 0 the bottom
    assert chart.series[0].path == "M20,10 L105,110 L190,60"
    assert [t.label for t in chart.y_ticks] == ["0", "2", "4", "6", "8", "10"]
    single = line_chart(["d"], ["a"], ["t"], [("total", "total", [0])], width=200, height=120,
                        margin=(10, 10, 10, 20))
    assert single.series[0].points[0].x == 105 and single.series[0].points[0].y == 110


def test_change_bars_up_for_new_down_for_fixed():
    chart = change_bars(["a", "b", "c"], ["a", "b", "c"], [None, 3, 0], [None, 1, 2])
    assert [(b.css, b.value) for b in chart.bars] == [("new", 3), ("fixed", 1), ("fixed", 2)]
    new, fixed = chart.bars[0], chart.bars[1]
    assert new.y + new.height == chart.zero and fixed.y == chart.zero
    assert new.height == pytest.approx(3 * fixed.height)


def _entry(i: int, total: int, name: str) -> Entry:
    scan = SavedScan(i, name, name, f"{i:07d}" + "0" * 33, "main", False,
                     datetime(2024, 1, i, tzinfo=timezone.utc), datetime(2024, 1, i, tzinfo=timezone.utc),
                     "0.1.0", "cfg", total, {"critical": 0, "high": total, "medium": 0, "low": 0})
    return Entry(scan, {"<img src=x onerror=alert(1)>": total}, None if i == 1 else 0,
                 None if i == 1 else 1, False)


def test_trend_page_escapes_names_and_stays_offline():
    evil = "<script>alert('repo')</script>"
    page = render_html([build_repo_trend(evil, evil, [_entry(1, 3, evil), _entry(2, 2, evil)])],
                       "sqlite:///x", "0.1.0")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x" in page
    assert "src=" not in page.replace("&lt;img src=x", "") and "@import" not in page
    assert page.count("<svg") >= 3

"""The history store against both back ends (a SQLite file and a real,
throwaway PostgreSQL): saving, replacing, reading the timeline, finding scans,
migrations, and concurrent savers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from history_helpers import BACKENDS, record, store_url
from scanner.history import migrations
from scanner.history.database import Store
from scanner.history.errors import HistoryError
from scanner.history.query import find_scan, finding_rows, list_repos, list_scans
from scanner.history.save import save_record
from scanner.history.store import findings, scans
from scanner.history.timeline import diff_scans, timeline

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
A = {"fa": ("n-plus-one", "high"), "fb": ("n-plus-one", "high"), "fc": ("raw-sql-injection", "critical")}
B = {"fb": ("n-plus-one", "high"), "fc": ("raw-sql-injection", "critical"), "fd": ("unbounded-find-many", "medium")}


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path) -> str:
    return store_url(request.param, tmp_path)


@pytest.fixture
def store(url):
    with Store.open(url, create=True) as s:
        yield s


def test_save_and_timeline(store):
    first = save_record(store, record("a" * 40, A, T0))
    second = save_record(store, record("b" * 40, B, T0 + timedelta(days=7)))
    with store.read() as conn:
        entries = timeline(conn, "example.com/org/app")
        rows = finding_rows(conn, second)
    assert [e.scan.id for e in entries] == [first, second]
    one, two = entries
    assert (one.new, one.fixed) == (None, None)
    assert (two.new, two.fixed) == (1, 1)          # fd appeared, fa went away
    assert one.scan.total == 3 and one.scan.by_severity == {"critical": 1, "high": 2, "medium": 0, "low": 0}
    assert two.by_rule == {"n-plus-one": 1, "raw-sql-injection": 1, "unbounded-find-many": 1}
    assert two.scan.commit_date == T0 + timedelta(days=7)
    assert two.scan.commit_date.tzinfo is not None
    assert two.scan.short_sha == "bbbbbbb" and two.scan.branch == "main"
    assert {(r.fingerprint, r.rule, r.severity) for r in rows} == {
        ("fb", "n-plus-one", "high"), ("fc", "raw-sql-injection", "critical"),
        ("fd", "unbounded-find-many", "medium")}


def test_timeline_orders_by_commit_date_not_save_order(store):
    late = save_record(store, record("c" * 40, B, T0 + timedelta(days=30)))
    early = save_record(store, record("d" * 40, A, T0))
    with store.read() as conn:
        assert [e.scan.id for e in timeline(conn, "example.com/org/app")] == [early, late]


def test_resaving_same_commit_and_config_replaces(store):
    save_record(store, record("a" * 40, A, T0))
    again = save_record(store, record("a" * 40, B, T0))
    other_config = save_record(store, record("a" * 40, A, T0, config="cfg2"))
    with store.read() as conn:
        saved = list_scans(conn, "example.com/org/app")
        assert sorted(s.id for s in saved) == sorted([again, other_config])
        assert {f.fingerprint for f in finding_rows(conn, again)} == set(B)
        # the replaced scan's findings went with it
        assert conn.execute(sa.select(sa.func.count()).select_from(findings)).scalar() == len(B) + len(A)


def test_scans_outside_git_never_replace_each_other(store):
    save_record(store, record(None, A, T0))
    save_record(store, record(None, A, T0))
    with store.read() as conn:
        assert len(list_scans(conn, "example.com/org/app")) == 2


def test_find_scan_by_id_and_sha_prefix(store):
    first = save_record(store, record("abcdef1" + "0" * 33, A, T0))
    save_record(store, record("abcdef2" + "0" * 33, B, T0 + timedelta(days=1)))
    save_record(store, record("abcdef1" + "0" * 33, A, T0, repo="example.com/org/other"))
    with store.read() as conn:
        assert find_scan(conn, str(first), "store").id == first
        assert find_scan(conn, f"#{first}", "store").id == first
        assert find_scan(conn, "ABCDEF1", "store", prefer_repo="example.com/org/app").id == first
        with pytest.raises(HistoryError, match="matches 2 saved scans"):
            find_scan(conn, "abcdef1", "store")
        with pytest.raises(HistoryError, match="matches 3 saved scans"):
            find_scan(conn, "abcdef", "store", prefer_repo="example.com/org/nowhere")
        with pytest.raises(HistoryError, match="no saved scan matches 'fffff'"):
            find_scan(conn, "fffff", "store")


def test_diff_scans_by_fingerprint(store):
    save_record(store, record("a" * 40, A, T0))
    save_record(store, record("b" * 40, B, T0 + timedelta(days=1)))
    save_record(store, record("e" * 40, A, T0, repo="example.com/org/other"))
    with store.read() as conn:
        diff = diff_scans(conn, "aaaa", "bbbb", "store", prefer_repo="example.com/org/app")
        assert [f.fingerprint for f in diff.new] == ["fd"]
        assert [f.fingerprint for f in diff.fixed] == ["fa"]
        with pytest.raises(HistoryError, match="different repositories"):
            diff_scans(conn, "aaaa", "eeee", "store")


def test_repos_listed_once_each(store):
    save_record(store, record("a" * 40, A, T0))
    save_record(store, record("b" * 40, A, T0, repo="example.com/org/zeta"))
    save_record(store, record("c" * 40, A, T0))
    with store.read() as conn:
        assert list_repos(conn) == [("example.com/org/app", "app"), ("example.com/org/zeta", "zeta")]


def test_reopening_keeps_the_data_and_version(url):
    with Store.open(url, create=True) as s:
        save_record(s, record("a" * 40, A, T0))
    with Store.open(url, create=False) as s, s.read() as conn:
        assert len(list_scans(conn, "example.com/org/app")) == 1
        versions = conn.execute(sa.select(migrations.schema_version.c.version)).scalars().all()
        assert versions == [migrations.CURRENT]


def test_forward_migration_runs_once_and_stamps(url, monkeypatch):
    with Store.open(url, create=True) as s:
        save_record(s, record("a" * 40, A, T0))
    ran = []

    def add_note_column(conn):
        ran.append(1)
        conn.execute(sa.text("ALTER TABLE dbaudit_scans ADD COLUMN note VARCHAR(100)"))

    monkeypatch.setattr(migrations, "CURRENT", migrations.CURRENT + 1)
    monkeypatch.setitem(migrations.MIGRATIONS, migrations.CURRENT, add_note_column)
    for _ in range(2):
        with Store.open(url, create=False) as s, s.read() as conn:
            assert "note" in {c["name"] for c in sa.inspect(conn).get_columns("dbaudit_scans")}
            versions = conn.execute(sa.select(migrations.schema_version.c.version)
                                    .order_by(migrations.schema_version.c.version)).scalars().all()
            assert versions == [migrations.CURRENT - 1, migrations.CURRENT]
            assert len(list_scans(conn, "example.com/org/app")) == 1
    assert ran == [1]


def test_store_from_a_newer_dbaudit_is_refused(url):
    with Store.open(url, create=True) as s, s.write() as conn:
        conn.execute(migrations.schema_version.insert().values(
            version=migrations.CURRENT + 5, applied_at=T0))
    with pytest.raises(HistoryError, match="newer dbaudit"):
        Store.open(url, create=False)


# -- concurrency: four processes saving at once --------------------------------

SAVER = r"""
import sys, time
from datetime import datetime, timedelta, timezone
from pathlib import Path
sys.path.insert(0, {tests!r})
from history_helpers import record
from scanner.history.database import Store
from scanner.history.save import save_record

url, worker, count, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
while not go.exists():
    time.sleep(0.005)
t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
prints = {{f"w{{worker}}-{{i}}": ("n-plus-one", "high") for i in range(150)}}
with Store.open(url, create=True) as store:
    for n in range(count):
        save_record(store, record(f"{{worker:02d}}{{n:038d}}", prints, t0 + timedelta(hours=n)))
    # every worker also saves the same commit: one must replace the others
    save_record(store, record("f" * 40, prints, t0))
print("ok")
"""

WORKERS, SAVES = 4, 5


def test_four_processes_saving_at_once(url, tmp_path):
    go = tmp_path / "go"
    script = SAVER.format(tests=str(Path(__file__).resolve().parent))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-c", script, url, str(w), str(SAVES), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for w in range(WORKERS)]
    time.sleep(0.3)  # let every worker reach its start line (not a timing assertion)
    go.touch()
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert "locked" not in err.lower()
        assert p.returncode == 0 and out.strip() == "ok", err
    with Store.open(url, create=False) as s, s.read() as conn:
        saved = list_scans(conn, "example.com/org/app")
        assert len(saved) == WORKERS * SAVES + 1
        assert sum(1 for x in saved if x.sha == "f" * 40) == 1
        per_scan = dict(conn.execute(sa.select(findings.c.scan_id, sa.func.count())
                                     .group_by(findings.c.scan_id)).all())
        assert all(per_scan[x.id] == 150 and x.total == 150 for x in saved)
        assert conn.execute(sa.select(sa.func.count()).select_from(scans)).scalar() == WORKERS * SAVES + 1

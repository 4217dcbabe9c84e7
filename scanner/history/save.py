"""Writing one scan: one transaction that upserts the repository, replaces any
earlier scan of the same (repository, commit, config hash), and inserts the
scan with its per-rule counts and findings."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .database import Store
from .errors import HistoryError
from .record import ScanRecord
from .store import findings, repos, rule_counts, scans

# Two savers of the same new commit on PostgreSQL can both find nothing to
# replace; the second then hits the unique key and retries, replacing the first.
_ATTEMPTS = 5


def save_record(store: Store, record: ScanRecord) -> int:
    """Save a scan; returns its id."""
    for attempt in range(_ATTEMPTS):
        try:
            with store.write() as conn:
                return _insert(conn, record)
        except IntegrityError as e:
            last = e
    raise HistoryError(f"could not save the scan to {store.where} after {_ATTEMPTS} attempts: "
                       f"{str(last.orig).strip().splitlines()[0] if last.orig else last}")


def _repo_id(conn: Connection, record: ScanRecord) -> int:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(repos).values(key=record.repo.key, name=record.repo.name)
                 .on_conflict_do_nothing(index_elements=["key"]))
    return conn.execute(sa.select(repos.c.id).where(repos.c.key == record.repo.key)).scalar_one()


def _insert(conn: Connection, record: ScanRecord) -> int:
    repo_id = _repo_id(conn, record)
    commit = record.commit
    if commit is not None:
        conn.execute(sa.delete(scans).where(scans.c.repo_id == repo_id,
                                            scans.c.commit_sha == commit.sha,
                                            scans.c.config_hash == record.config_hash))
    severity = record.by_severity()
    scan_id = conn.execute(scans.insert().values(
        repo_id=repo_id,
        commit_sha=commit.sha if commit else None,
        branch=commit.branch if commit else None,
        dirty=commit.dirty if commit else False,
        commit_date=commit.date if commit else None,
        scan_date=record.scan_date,
        version=record.version,
        config_hash=record.config_hash,
        total=len(record.findings),
        **severity,
    )).inserted_primary_key[0]
    counts = [{"scan_id": scan_id, "rule": rule, "severity": sev, "count": n}
              for (rule, sev), n in record.rule_counts().items()]
    if counts:
        conn.execute(rule_counts.insert(), counts)
    if record.findings:
        conn.execute(findings.insert(), [{"scan_id": scan_id, **f.to_dict()} for f in record.findings])
    return int(scan_id)

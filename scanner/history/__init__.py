"""Scan history: saved scans in SQLite (`.dbaudit/history.sqlite`) or a team's
PostgreSQL, with the views over it (history table, scan diff, trend page) and
git backfill.

    store.py       table definitions (both back ends)
    migrations.py  schema version and forward migrations
    database.py    URL resolution, engines, the Store handle
    repo.py        git identity of a scanned root
    record.py      ScanRecord built from a ScanResult, config hash
    save.py        one transaction per saved scan
    query.py       reading scans; timeline.py: new/fixed over time, scan diffs
    render.py      history and diff as text or JSON
    charts.py      SVG geometry; trend.py: the trend page
    backfill.py    past commits via git archive
    commands.py    what each CLI command does
"""

from .errors import HistoryError

__all__ = ["HistoryError"]

"""Confidence and evidence (rules.md §8): the default view shows medium and up, and the
flag, config, SARIF, baseline and history each carry the confidence (issue 17)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from cliutil import dbaudit
from conftest import FIXTURES
from history_helpers import record
from scanner.config import ConfigError, load_config
from scanner.history.database import Store
from scanner.history.query import finding_rows
from scanner.history.record import FindingRow
from scanner.history.save import save_record

DEMO = FIXTURES / "apps" / "academy"
LEVELS = {"low": 0, "medium": 1, "high": 2}


def _json(*args) -> dict:
    run = dbaudit("scan", DEMO, "-f", "json", "--fail-on", "critical", *args)
    assert run.code in (0, 1), run.err
    return json.loads(run.out)


def test_the_default_view_is_medium_and_up_and_low_lists_all():
    shown, everything = _json(), _json("--min-confidence", "low")
    assert {f["confidence"] for f in shown["findings"]} <= {"medium", "high"}
    low = [f for f in everything["findings"] if f["confidence"] == "low"]
    assert low, "the demo app has low-confidence findings (route params, best-effort catches)"
    assert len(everything["findings"]) == len(shown["findings"]) + len(low)
    assert shown["stats"]["below_confidence"] == len(low)
    assert everything["stats"]["below_confidence"] == 0
    assert shown["stats"]["by_confidence"] == everything["stats"]["by_confidence"]
    high = _json("--min-confidence", "high")
    assert {f["confidence"] for f in high["findings"]} == {"high"}
    text = dbaudit("scan", DEMO, "--fail-on", "critical").out
    assert f"{len(low)} of confidence below medium (--min-confidence low lists them)" in text


def test_fail_on_counts_only_the_shown_findings(tmp_path):
    # Only a low-confidence finding: a string route parameter in a unique lookup.
    root = tmp_path / "app"
    (root / "app/api/notes/[id]").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "src/db.ts").write_text('import { PrismaClient } from "@prisma/client"\n'
                                    "export const prisma = new PrismaClient()\n")
    (root / "app/api/notes/[id]/route.ts").write_text(
        'import { prisma } from "../../../../src/db"\n'
        "export async function GET(req: Request, { params }: { params: { id: string } }) {\n"
        "  return Response.json(await prisma.note.findUnique({ where: { id: params.id } }))\n}\n")
    assert dbaudit("scan", root, "--select", "unvalidated-input", "--fail-on", "low").code == 0
    run = dbaudit("scan", root, "--select", "unvalidated-input", "--fail-on", "low", "--min-confidence", "low")
    assert run.code == 1 and "unvalidated-input (low confidence)" in run.out


def test_min_confidence_config_is_checked(tmp_path):
    (tmp_path / ".dbaudit.yaml").write_text("min_confidence: sure\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'min_confidence' must be one of low, medium, high"):
        load_config(tmp_path)


def test_sarif_carries_precision_rank_and_evidence():
    log = json.loads(dbaudit("scan", DEMO, "-f", "sarif", "--fail-on", "critical").out)
    results = log["runs"][0]["results"]
    assert results and all(r["properties"]["precision"] in ("medium", "high") for r in results)
    assert all(0 <= r["rank"] <= 100 for r in results)
    high = [r for r in results if r["properties"]["precision"] == "high"]
    assert high and all(r["properties"]["evidence"] for r in high)
    crit = [r["rank"] for r in results if r["properties"]["severity"] == "critical"]
    low = [r["rank"] for r in results if r["properties"]["severity"] == "medium"]
    assert min(crit) > max(low)


def test_the_baseline_keeps_findings_below_the_view(tmp_path):
    out = tmp_path / "baseline.json"
    assert dbaudit("baseline", DEMO, "-o", out).code == 0
    entries = json.loads(out.read_text())["findings"]
    everything = _json("--min-confidence", "low")["findings"]
    assert len(entries) == len(everything)
    assert {e["confidence"] for e in entries} == {f["confidence"] for f in everything}


def test_history_stores_confidence_and_migrates_a_version_1_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    now = datetime.now(timezone.utc)
    store = Store.open(url, create=True)
    rec = record("a" * 40, {"f1": ("n-plus-one", "high")}, now)
    rows = (FindingRow("f1", "n-plus-one", "high", "src/f1.ts", 1, "m", "medium"),)
    scan_id = save_record(store, rec.__class__(**{**rec.__dict__, "findings": rows}))
    with store.read() as conn:
        assert [r.confidence for r in finding_rows(conn, scan_id)] == ["medium"]
    store.close()
    # A store written by dbaudit 0.1.0: no confidence column, schema version 1.
    db = sqlite3.connect(tmp_path / "h.sqlite")
    db.execute("ALTER TABLE dbaudit_findings DROP COLUMN confidence")
    db.execute("UPDATE dbaudit_schema_version SET version = 1")
    db.commit()
    db.close()
    store = Store.open(url, create=False)
    with store.read() as conn:
        assert conn.execute(sa.text("SELECT max(version) FROM dbaudit_schema_version")).scalar() == 2
        assert [r.confidence for r in finding_rows(conn, scan_id)] == [None]
    store.close()


def test_n_plus_one_keeps_one_parents_rows_medium():
    """A loop over rows a filter pins to one parent (its foreign key, or the to-one relation
    by a unique field) stays medium like a status filter: measured on the labelled samples,
    such loops were real N+1s as often as other medium ones (docs/accuracy.md, session 26)."""
    from conftest import scan_dir
    from test_fixtures import _compare_rule

    root = FIXTURES / "projects" / "pinned-parents"
    result = scan_dir(str(root), ("n-plus-one",), min_confidence="low")
    assert _compare_rule(root, "n-plus-one", result) == []
    evidence = {f.line: " ".join(f.evidence) for f in result.findings}
    assert "filtered on receiptId: bounded by the filter" in evidence[10]


def test_a_loop_over_rows_pinned_by_a_unique_field_runs_once_at_most(tmp_path):
    # `findMany({ where: { userId } })` on a model whose userId is @unique returns one row at
    # most, and pinned to a list of values written out (`{ in: [a, 'b'] }`) or to a constant
    # list (`{ in: [...SYSTEM_IDS] }`, seven values) as many rows as the list holds: the loop
    # over it is no N+1 (quiet), as a loop over the constant list itself is. Near misses: the
    # unique field pinned to a list a variable holds (`{ in: ids }`), and a plain foreign key.
    from scanner.engine import scan
    from treeutil import CLIENT_TS, make_tree
    make_tree(tmp_path, {
        "prisma/schema.prisma": "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n"
                                "model User {\n  id String @id\n}\n"
                                "model Password {\n  id String @id\n  userId String @unique\n}\n"
                                "model Session {\n  id String @id\n  userId String\n}\n",
        "src/db.ts": CLIENT_TS,
        "src/users.ts": 'import { prisma } from "./db"\n'
                        "const SYSTEM_IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g']\n"
                        "export async function reset(userId: string, ids: string[]) {\n"
                        "  const system = await prisma.password.findMany({ where: { userId: { in: [...SYSTEM_IDS] } } })\n"
                        "  for (const s of system) {\n"
                        "    await prisma.password.update({ where: { id: s.id }, data: { userId } })\n"
                        "  }\n"
                        "  const records = await prisma.password.findMany({ where: { userId } })\n"
                        "  for (const r of records) {\n"
                        "    await prisma.password.update({ where: { id: r.id }, data: { userId } })\n"
                        "  }\n"
                        "  const many = await prisma.password.findMany({ where: { userId: { in: [userId, 'b'] } } })\n"
                        "  for (const m of many) {\n"
                        "    await prisma.password.update({ where: { id: m.id }, data: { userId } })\n"
                        "  }\n"
                        "  const listed = await prisma.password.findMany({ where: { userId: { in: ids } } })\n"
                        "  for (const l of listed) {\n"
                        "    await prisma.password.update({ where: { id: l.id }, data: { userId } })\n"
                        "  }\n"
                        "  const sessions = await prisma.session.findMany({ where: { userId } })\n"
                        "  for (const s of sessions) {\n"
                        "    await prisma.session.update({ where: { id: s.id }, data: { userId } })\n"
                        "  }\n"
                        "}\n",
    })
    result = scan(tmp_path, load_config(tmp_path, overrides={"min_confidence": "low"}), select=["n-plus-one"])
    assert [(f.line, f.confidence) for f in result.findings] == [(18, "medium"), (22, "medium")]

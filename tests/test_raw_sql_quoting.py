"""raw-sql-injection and text escaped by doubling its quotes (facts/raw_quoting.py): escaped
where a backslash is plain text, so the schema's provider decides."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import scan_dir

_ROUTE = """import { prisma } from '@/lib/prisma'

export async function GET(req: Request) {
  const url = new URL(req.url)
  const status = url.searchParams.get('status') ?? ''
  const from = url.searchParams.get('from') ?? ''
  let where = 'WHERE 1=1'
  if (status) where += ` AND status = '${status.replace(/'/g, "''")}'`
  const rows = await prisma.$queryRawUnsafe(`SELECT * FROM "Job" ${where}`)
  let range = 'WHERE 1=1'
  if (from) range += ` AND "createdAt" >= '${from}'`
  const late = await prisma.$queryRawUnsafe(`SELECT * FROM "Job" ${range}`)
  let bare = 'WHERE 1=1'
  if (status) bare += ` AND status = ${status.replaceAll("'", "''")}`
  const loose = await prisma.$queryRawUnsafe(`SELECT * FROM "Job" ${bare}`)
  return Response.json({ rows, late, loose })
}
"""


def _project(root: Path, provider: str | None) -> Path:
    (root / "app" / "api" / "jobs").mkdir(parents=True)
    (root / "app" / "api" / "jobs" / "route.ts").write_text(_ROUTE, encoding="utf-8")
    (root / "lib").mkdir()
    (root / "lib" / "prisma.ts").write_text(
        "import { PrismaClient } from '@prisma/client'\nexport const prisma = new PrismaClient()\n", encoding="utf-8")
    if provider is not None:
        (root / "prisma").mkdir()
        (root / "prisma" / "schema.prisma").write_text(
            f'datasource db {{\n  provider = "{provider}"\n  url = env("DATABASE_URL")\n}}\n\n'
            "model Job {\n  id String @id\n  status String\n  createdAt DateTime @default(now())\n}\n",
            encoding="utf-8")
    return root


def _lines(root: Path) -> dict[int, str]:
    result = scan_dir(str(root), ("raw-sql-injection",), min_confidence="low")
    return {f.line: f.confidence for f in result.findings}


@pytest.mark.parametrize("provider", ["postgresql", "sqlite", "sqlserver"])
def test_doubled_quotes_escape_where_backslash_is_text(tmp_path: Path, provider: str):
    found = _lines(_project(tmp_path, provider))
    # Line 9, doubled inside quotes: escaped. Line 12: `from` spliced as it is. Line 15: doubled,
    # but outside quotes, where a value needs no quote to change the statement.
    assert 9 not in found
    assert 12 in found and 15 in found


@pytest.mark.parametrize("provider", ["mysql", None])
def test_doubled_quotes_stay_unproven_on_mysql_or_without_schema(tmp_path: Path, provider: str | None):
    result = scan_dir(str(_project(tmp_path, provider)), ("raw-sql-injection",), min_confidence="low")
    at9 = [f for f in result.findings if f.line == 9]
    assert [f.confidence for f in at9] == ["medium"]
    assert any("doubles its quotes" in e and "MySQL" in e for e in at9[0].evidence)
    assert {12, 15} <= {f.line for f in result.findings}

"""swallowed-error: a catch around a write that only appends to the audit trail is best-effort
work (low); a catch around the change itself, or around the trail entry and the change
together, keeps its grade."""

from __future__ import annotations

from scanner.config import load_config
from scanner.engine import scan
from treeutil import make_tree

SCHEMA = ('datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
          "model User {\n  id String @id\n  name String\n}\n"
          "model AuditLog {\n  id String @id\n  action String\n}\n")
ROUTE = """import { PrismaClient } from '@prisma/client'
const prisma = new PrismaClient()

async function recordAudit(action: string) {
  try {
    await prisma.auditLog.create({ data: { action } })
  } catch (error) {
    console.warn('audit failed', error)
  }
}

export async function POST(req: Request) {
  const { name } = await req.json()
  try {
    await prisma.user.create({ data: { id: 'u', name } })
    await prisma.auditLog.create({ data: { action: 'user.create' } })
  } catch (error) {
    console.error(error)
  }
  await recordAudit('user.create')
  return Response.json({ ok: true })
}
"""


def test_a_catch_around_an_audit_entry_only_is_low(tmp_path):
    root = make_tree(tmp_path / "app", {"prisma/schema.prisma": SCHEMA, "app/api/users/route.ts": ROUTE})
    result = scan(root, load_config(root, overrides={"min_confidence": "low"}), select=["swallowed-error"])
    by_line = {f.line: f for f in result.findings}
    assert set(by_line) == {7, 17}
    assert by_line[7].confidence == "low"
    assert "only appends to the audit trail (AuditLog)" in by_line[7].evidence[-1]
    # The change and its trail entry together: the user row is what the caller relies on.
    assert by_line[17].confidence == "high"

"""Models no scanned code touches (analysis/untouched_models.py): the query rules' findings
on them are low; a schema scanned without code, and the column-type rules, keep their grade."""

from __future__ import annotations

from conftest import scan_dir

SCHEMA = """
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Board {
  id     String  @id
  cards  Card[]
  drafts Draft[]
}

model Card {
  id      String @id
  boardId String
  price   Float
  board   Board  @relation(fields: [boardId], references: [id])
}

model Draft {
  id      String @id
  boardId String
  price   Float
  board   Board  @relation(fields: [boardId], references: [id])
}
"""

CODE = """
import { PrismaClient } from '@prisma/client'
const prisma = new PrismaClient()
export async function cardsOf(boardId: string) {
  return prisma.card.findMany({ where: { boardId }, select: { id: true, price: true }, take: 10 })
}
"""

RULES = ("relation-missing-on-delete", "foreign-key-missing-index", "float-for-money")


def _grades(tmp_path, with_code: bool) -> dict[tuple[str, str], str]:
    (tmp_path / "prisma").mkdir()
    (tmp_path / "prisma" / "schema.prisma").write_text(SCHEMA)
    if with_code:
        (tmp_path / "lib").mkdir()
        (tmp_path / "lib" / "cards.ts").write_text(CODE)
    result = scan_dir(str(tmp_path), RULES, min_confidence="low")
    return {(f.rule, f.model): f.confidence for f in result.findings}


def test_untouched_model_query_findings_are_low(tmp_path):
    grades = _grades(tmp_path, with_code=True)
    assert grades[("relation-missing-on-delete", "Draft")] == "low"
    assert grades[("foreign-key-missing-index", "Draft")] == "low"
    assert grades[("relation-missing-on-delete", "Card")] != "low"
    # How a column stores money is a fact of the schema, touched or not: the code spells
    # `price` (a field unspelled anywhere is low, see fixtures/rules/float-for-money).
    assert grades[("float-for-money", "Draft")] == grades[("float-for-money", "Card")] == "high"


def test_schema_without_code_keeps_grades(tmp_path):
    grades = _grades(tmp_path, with_code=False)
    assert grades[("relation-missing-on-delete", "Draft")] != "low"
    assert grades[("foreign-key-missing-index", "Draft")] != "low"

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
    # Money in a Float of a table no code touches: no amount is stored or computed in it by
    # this code, although the code spells `price` for another model (low); the touched one's
    # stays high (a field unspelled anywhere is low too, see fixtures/rules/float-for-money).
    assert grades[("float-for-money", "Draft")] == "low"
    assert grades[("float-for-money", "Card")] == "high"


def test_schema_without_code_keeps_grades(tmp_path):
    grades = _grades(tmp_path, with_code=False)
    assert grades[("relation-missing-on-delete", "Draft")] != "low"
    assert grades[("foreign-key-missing-index", "Draft")] != "low"


WEB = "export function DraftBadge({ draft }: { draft: { id: string } }) { return draft.id }\n"


def _monorepo(tmp_path, web_spelling: str, api_spelling: str = "",
              web_manifest: str = '{"name": "web"}') -> dict[tuple[str, str], str]:
    files = {"api/package.json": '{"name": "api"}', "web/package.json": web_manifest,
             "api/prisma/schema.prisma": SCHEMA, "api/lib/cards.ts": CODE + api_spelling,
             "web/components/draft-badge.ts": web_spelling}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    result = scan_dir(str(tmp_path), RULES, min_confidence="low")
    return {(f.rule, f.model): f.confidence for f in result.findings}


def test_a_front_end_package_spelling_a_model_does_not_touch_it(tmp_path):
    # The web package makes no Prisma call: its `draft` cannot reach the table.
    grades = _monorepo(tmp_path / "a", WEB)
    assert grades[("relation-missing-on-delete", "Draft")] == "low"
    # Near miss: the API package spells it (a type import of the model): as graded.
    grades = _monorepo(tmp_path / "b", WEB, "import type { Draft } from '@prisma/client'\n")
    assert grades[("relation-missing-on-delete", "Draft")] != "low"
    # Near miss: the web package depends on a database client of its own (Supabase), through
    # which it may query the table by name: as graded.
    grades = _monorepo(tmp_path / "c", WEB,
                       web_manifest='{"name": "web", "dependencies": {"@supabase/supabase-js": "^2.0.0"}}')
    assert grades[("relation-missing-on-delete", "Draft")] != "low"
    # … or its workspace root does, for every package below it.
    root = tmp_path / "d"
    root.mkdir()
    (root / "package.json").write_text('{"name": "mono", "dependencies": {"pg": "^8.0.0"}}')
    assert _monorepo(root, WEB)[("relation-missing-on-delete", "Draft")] != "low"


def test_comments_and_table_declarations_do_not_touch_a_model(tmp_path):
    # A word in a comment, or in SQL that only declares the table, runs no query against it.
    said = ("// TODO: move drafts to Draft once the editor ships\n"
            "/* Draft */\n"
            "export async function bootstrap() {\n"
            "  await prisma.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS \"Draft\" (id text primary key)`)\n"
            "}\n")
    grades = _monorepo(tmp_path / "a", WEB, said)
    assert grades[("relation-missing-on-delete", "Draft")] == "low"
    # Near miss: SQL that reads its rows touches it, whatever else the text declares.
    read = "export const drafts = () => prisma.$queryRawUnsafe('SELECT id FROM \"Draft\"')\n"
    grades = _monorepo(tmp_path / "b", WEB, read)
    assert grades[("relation-missing-on-delete", "Draft")] != "low"
    # Near miss: the word in code (a string that is not SQL) keeps the grade.
    grades = _monorepo(tmp_path / "c", WEB, "export const kinds = ['Draft']\n")
    assert grades[("relation-missing-on-delete", "Draft")] != "low"

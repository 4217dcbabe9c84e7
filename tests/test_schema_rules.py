"""Schema rules beyond the annotated fixtures: severities that depend on the
datasource, silence without a schema, the model/field a finding carries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.config import load_config
from scanner.engine import scan
from scanner.report import REPORTERS

SCHEMA_RULES = ("relation-missing-on-delete", "foreign-key-missing-index", "json-in-string-column",
                "string-enum-column", "float-for-money", "unindexed-filter")

MODELS = """
model User {
  id    String @id
  votes Vote[]
}

model Vote {
  id     String @id
  userId String
  user   User   @relation(fields: [userId], references: [id])
}
"""


def _project(tmp_path: Path, datasource: str, models: str = MODELS, code: str | None = None) -> Path:
    (tmp_path / "prisma").mkdir(parents=True)
    (tmp_path / "prisma" / "schema.prisma").write_text(datasource + models)
    if code is not None:
        (tmp_path / "lib").mkdir()
        (tmp_path / "lib" / "votes.ts").write_text(code)
    return tmp_path


def _scan(root: Path, *rules: str):
    return scan(root, load_config(root), select=list(rules))


def _datasource(provider: str, relation_mode: str | None = None) -> str:
    mode = f'\n  relationMode = "{relation_mode}"' if relation_mode else ""
    return f'datasource db {{\n  provider = "{provider}"\n  url = env("DB"){mode}\n}}\n'


@pytest.mark.parametrize("rule", ["relation-missing-on-delete", "foreign-key-missing-index"])
def test_relation_mode_prisma_raises_severity(tmp_path, rule):
    root = _project(tmp_path, _datasource("mysql", "prisma"))
    [finding] = _scan(root, rule).findings
    assert finding.severity.value == "high"
    assert "relationMode" in finding.message


@pytest.mark.parametrize("rule", ["relation-missing-on-delete", "foreign-key-missing-index"])
def test_database_foreign_keys_are_medium(tmp_path, rule):
    root = _project(tmp_path, _datasource("postgresql"))
    [finding] = _scan(root, rule).findings
    assert finding.severity.value == "medium"
    assert (finding.model, finding.field) == ("Vote", "user" if rule.startswith("relation") else "userId")


def test_required_relation_default_is_restrict_optional_is_set_null(tmp_path):
    models = MODELS.replace("userId String\n", "userId String?\n").replace("user   User ", "user   User?")
    root = _project(tmp_path, _datasource("postgresql"), models)
    [finding] = _scan(root, "relation-missing-on-delete").findings
    assert "SetNull" in finding.message and "Vote.userId to NULL" in finding.message
    required = _scan(_project(tmp_path / "r", _datasource("postgresql")), "relation-missing-on-delete")
    assert "(Restrict)" in required.findings[0].message
    # An optional relation field over a required key (a schema older Prisma accepted): only a
    # nullable key can be set to NULL, so the key decides.
    legacy = MODELS.replace("user   User ", "user   User?")
    assert legacy != MODELS
    [finding] = _scan(_project(tmp_path / "l", _datasource("postgresql"), legacy), "relation-missing-on-delete").findings
    assert "(Restrict)" in finding.message and "NULL" not in finding.message


def test_mongodb_many_to_many_id_lists_take_no_referential_action(tmp_path):
    # `products Product[] @relation(fields: [productIds], …)` on MongoDB: Prisma allows no
    # onDelete there, so there is nothing to state. Near miss: the one-to-many relation beside
    # it, whose owning side is a scalar id, is still reported.
    models = """
model Category {
  id         String    @id @map("_id") @db.ObjectId
  productIds String[]  @db.ObjectId
  products   Product[] @relation(fields: [productIds], references: [id])
  ownerId    String    @db.ObjectId
  owner      Owner     @relation(fields: [ownerId], references: [id])
}

model Product {
  id          String     @id @map("_id") @db.ObjectId
  categoryIds String[]   @db.ObjectId
  categories  Category[] @relation(fields: [categoryIds], references: [id])
}

model Owner {
  id         String     @id @map("_id") @db.ObjectId
  categories Category[]
}
"""
    root = _project(tmp_path, _datasource("mongodb"), models)
    got = [(f.model, f.field) for f in _scan(root, "relation-missing-on-delete").findings]
    assert got == [("Category", "owner")]


def test_sqlserver_required_default_is_no_action(tmp_path):
    root = _project(tmp_path, _datasource("sqlserver"))
    [finding] = _scan(root, "relation-missing-on-delete").findings
    assert "(NoAction)" in finding.message


def test_mysql_foreign_keys_are_indexed_by_innodb(tmp_path):
    """InnoDB indexes every foreign key constraint itself; with relationMode
    prisma there is no constraint, so the index is missing."""
    root = _project(tmp_path, _datasource("mysql"))
    assert _scan(root, "foreign-key-missing-index").findings == []


def test_no_schema_keeps_schema_rules_silent(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "a.ts").write_text(
        "import { prisma } from './db'\n"
        "export const f = (t: string) => prisma.vote.findMany({ where: { tag: t }, take: 5 })\n"
        "export const g = (x: any) => prisma.vote.create({ data: { meta: JSON.stringify(x), kind: 'a' } })\n"
        "export const h = () => prisma.vote.create({ data: { kind: 'b' } })\n")
    result = _scan(tmp_path, *SCHEMA_RULES)
    assert result.schema is None
    assert result.findings == []
    text = REPORTERS["text"](result)
    assert "No schema.prisma found" in text


def test_json_report_carries_model_and_field(tmp_path):
    root = _project(tmp_path, _datasource("postgresql"))
    result = _scan(root, "relation-missing-on-delete")
    data = json.loads(REPORTERS["json"](result))
    [finding] = data["findings"]
    assert (finding["model"], finding["field"]) == ("Vote", "user")
    assert finding["path"] == "prisma/schema.prisma" and finding["line"] == 14


@pytest.mark.parametrize("name, money", [
    ("price", True), ("totalAmount", True), ("unit_price", True), ("total", True),
    ("grandTotal", True), ("monthlyFees", True), ("pnl", True), ("balanceUSD", True),
    ("totalViews", False), ("totalItems", False), ("discountPct", False), ("exchangeRate", False),
    ("priceChangePercent", False), ("costMs", False), ("durationSeconds", False),
    ("score", False), ("latitude", False),
])
def test_money_names(name, money):
    from scanner.rules.float_for_money import says_money
    assert says_money(name) is money


@pytest.mark.parametrize("comment, values", [
    ('"guest" | "member" | "admin"', ["guest", "member", "admin"]),
    ("light|dark|system", ["light", "dark", "system"]),
    ("One of: daily, weekly, off.", ["daily", "weekly", "off"]),
    ("'low', 'medium', 'high'", ["low", "medium", "high"]),
    ("possible values (draft / published)", ["draft", "published"]),
    ("string | null", []),
    ('Serialized list of tag slugs, e.g. ["bitcoin","analysis"].', []),
    ('e.g. "USD", "EUR"', []),
    ('(e.g., "like", "dislike", "love", etc.)', []),
    ("MDX body", []),
])
def test_comment_values(comment, values):
    from scanner.rules.string_enum_column import comment_values
    assert comment_values(comment) == values


def test_unindexed_filter_severity_follows_the_access_path():
    """Medium when some query reads the whole table; low when every query first
    narrows through an index prefix it pins, with the composite index as fix."""
    from conftest import FIXTURES, scan_dir
    result = scan_dir(str(FIXTURES / "rules" / "unindexed-filter"), ("unindexed-filter",))
    by_field = {(f.model, f.field): f for f in result.findings}
    assert by_field[("UserInterest", "tag")].severity.value == "medium"
    weight = by_field[("UserInterest", "weight")]
    assert weight.severity.value == "low" and "@@index([userId, weight])" in weight.message
    pinned = by_field[("Post", "pinned")]
    assert pinned.severity.value == "low" and "foreign-key-missing-index" in pinned.message
    tag = by_field[("UserInterest", "tag")]
    assert [(r.path, r.line) for r in tag.related] == [("lib/interests.ts", 4), ("lib/posts.ts", 4)]


def test_composite_foreign_key_partly_indexed_is_low():
    from conftest import FIXTURES, scan_dir
    result = scan_dir(str(FIXTURES / "rules" / "foreign-key-missing-index"), ("foreign-key-missing-index",))
    by_model = {f.model: f for f in result.findings}
    assert by_model["ShelfTag"].severity.value == "low"
    assert "covers only tenantId" in by_model["ShelfTag"].message
    assert by_model["ShelfNote"].severity.value == "medium"
    assert [r.message for r in by_model["ShelfNote"].related] == ["relation shelf", "relation tenant"]


JSON_MODELS = """
model Setting {
  id    String @id
  value String @default("{}")
}
"""


@pytest.mark.parametrize("provider, prisma, confidence", [
    ("sqlite", "^5.8.0", "low"),        # no Json type on SQLite before Prisma 6.2: the fix waits
    ("sqlite", "^6.2.1", "medium"),     # near miss: SQLite has it from 6.2
    ("sqlite", None, "medium"),         # near miss: no version asked for, nothing proven
    ("postgresql", "^5.8.0", "medium"),  # near miss: PostgreSQL has had Json all along
])
def test_json_in_string_on_sqlite_before_prisma_6_2_is_low(tmp_path, provider, prisma, confidence):
    root = _project(tmp_path, _datasource(provider), JSON_MODELS)
    deps = {"@prisma/client": prisma} if prisma else {}
    (root / "package.json").write_text(json.dumps({"name": "app", "dependencies": deps}))
    config = load_config(root, overrides={"min_confidence": "low"})
    [finding] = scan(root, config, select=["json-in-string-column"]).findings
    assert finding.confidence == confidence


ENUM_MODELS = """
model Ticket {
  id     String @id
  status String @default("open") // open | closed | archived
}
"""


@pytest.mark.parametrize("provider, prisma, confidence", [
    ("sqlite", "~5.8.1", "low"),        # no enum blocks on SQLite before Prisma 6.2: the fix waits
    ("sqlite", "6.2.0", "medium"),      # near miss: SQLite has them from 6.2
    ("postgresql", "^5.8.0", "medium"),  # near miss: PostgreSQL has had enums all along
])
def test_string_enum_on_sqlite_before_prisma_6_2_is_low(tmp_path, provider, prisma, confidence):
    root = _project(tmp_path, _datasource(provider), ENUM_MODELS)
    (root / "package.json").write_text(json.dumps({"name": "app", "devDependencies": {"prisma": prisma}}))
    config = load_config(root, overrides={"min_confidence": "low"})
    [finding] = scan(root, config, select=["string-enum-column"]).findings
    assert finding.confidence == confidence

"""Broken input yields warnings with line numbers and partial results, never an exception."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scanner.schema import Schema, parse_schema_files

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "fixtures/schema/broken"
FULL = ROOT / "fixtures/schema/full/schema.prisma"


def parse_fixture(name: str) -> Schema:
    return parse_schema_files([(name, (BROKEN / name).read_text(encoding="utf-8"))])


def warnings(schema: Schema) -> list[tuple[int, str]]:
    return [(w.line, w.message) for w in schema.warnings]


def test_unclosed_blocks_and_parenthesis():
    schema = parse_fixture("unclosed.prisma")
    assert warnings(schema) == [
        (6, "model Account is not closed before line 10"),
        (13, "unclosed parenthesis or bracket"),
        (13, "cannot parse: @default(now()"),
        (16, "model Token is not closed"),
    ]
    assert [(m.name, m.line, m.end_line, [f.name for f in m.fields]) for m in schema.models] == [
        ("Account", 6, 9, ["id", "owner"]),
        ("Session", 10, 14, ["id", "accountId", "expires"]),
        ("Token", 16, 18, ["id"]),
    ]
    assert schema.provider == "sqlite"


def test_garbage_lines_and_unknown_attributes():
    schema = parse_fixture("garbage.prisma")
    assert warnings(schema) == [
        (3, "expected `key = value` in datasource db"),
        (6, "unexpected text outside a block"),
        (11, "unknown attribute @frobnicate"),
        (12, "cannot parse field: ???"),
        (13, "cannot parse: trailing junk"),
        (14, "unknown attribute @@whatever"),
        (15, "cannot parse field: items"),
        (17, "unexpected text outside a block"),
    ]
    order = schema.model("Order")
    assert [f.name for f in order.fields] == ["id", "total", "note"]
    # What could be read on a damaged line is kept.
    assert order.field("total").attributes == ("@frobnicate",)
    assert order.field("note").default == '"x"'
    assert [(i.kind, i.fields) for i in order.indexes] == [("id", ("id",)), ("index", ("id",))]
    assert schema.provider == "postgresql"
    assert schema.datasource.url is None


def test_file_that_is_not_a_schema():
    schema = parse_fixture("not_a_schema.prisma")
    assert warnings(schema) == [
        (1, "unexpected text outside a block"),
        (
            1,
            "no datasource, generator, model, view, type or enum block found: not a Prisma schema?",
        ),
    ]
    assert (schema.models, schema.enums, schema.datasource) == ((), (), None)


@pytest.mark.parametrize("text", ["", "\n\n", "// only a comment\n/// and a doc\n", "\ufeff"])
def test_empty_files_parse_silently(text):
    schema = parse_schema_files([("empty.prisma", text)])
    assert (schema.models, schema.warnings) == ((), ())


def test_empty_fixture():
    assert parse_fixture("empty.prisma").warnings == ()


def test_binary_like_text():
    text = "\x00\x01PK\x03\x04\ufffd\ufffd model \x00 {\n\x7f\x1b[0m }\n\x0c\x0b\u2028junk"
    schema = parse_schema_files([("blob.prisma", text)])
    assert schema.models == ()
    assert schema.warnings  # reported, not raised


def test_line_numbers_count_only_real_line_breaks():
    # A form feed or U+2028 inside a comment must not shift later lines.
    schema = parse_schema_files([("a.prisma", "// a\x0cb\u2028c\nmodel A {\n  id Int @id\n}\n")])
    assert schema.models[0].line == 2


def test_block_header_without_brace():
    schema = parse_schema_files([("a.prisma", "model A\n{\n  id Int @id\n}\n")])
    assert warnings(schema)[0] == (1, "expected '{' after model A")


def test_field_problems_are_reported_where_they_are():
    schema = parse_schema_files(
        [
            (
                "a.prisma",
                "model A {\n"
                "  id Int @id\n"
                "  tags String[]? \n"
                "  b Nope\n"
                "  @@index([missing])\n"
                "  c C @relation(fields: [cId], references: [id])\n"
                "}\n"
                "model C {\n  id Int @id\n}\n",
            )
        ]
    )
    assert warnings(schema) == [
        (3, "list field tags cannot be optional"),
        (4, "unknown type Nope for A.b"),
        (5, "@@index on unknown field A.missing"),
        (6, "@relation on A.c names unknown field cId"),
    ]


def _mutations(lines: list[str], rng: random.Random) -> str:
    lines = list(lines)
    for _ in range(rng.randint(1, 6)):
        i = rng.randrange(len(lines))
        op = rng.choice(("delete", "duplicate", "truncate", "swap"))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "truncate":
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        else:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def test_random_damage_never_raises():
    lines = FULL.read_text(encoding="utf-8").split("\n")
    rng = random.Random(20240601)
    for _ in range(300):
        schema = parse_schema_files([("damaged.prisma", _mutations(lines, rng))])
        assert all(w.line >= 1 for w in schema.warnings)


def test_hypothesis_damage_never_raises():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies
    lines = FULL.read_text(encoding="utf-8").split("\n")

    @hypothesis.settings(max_examples=200, deadline=None)
    @hypothesis.given(
        seed=st.integers(), cut=st.integers(0, len("\n".join(lines))), noise=st.text(max_size=40)
    )
    def check(seed, cut, noise):
        text = _mutations(lines, random.Random(seed))
        parse_schema_files([("h.prisma", text[:cut] + noise + text[cut:])])

    check()

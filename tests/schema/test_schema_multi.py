"""Multi-file (folder) schemas, merging across files, and the demo app schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.schema import Schema, find_schema_files, parse_schema_files

ROOT = Path(__file__).resolve().parents[2]
MULTI = ROOT / "fixtures/schema/multi"
ACADEMY = ROOT / "fixtures/apps/academy/prisma/schema.prisma"


def parse_paths(paths: list[Path]) -> Schema:
    return parse_schema_files(
        [(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8")) for p in paths]
    )


@pytest.fixture(scope="module")
def multi() -> Schema:
    return parse_paths(find_schema_files(MULTI))


def test_folder_schema_files_are_found_recursively(multi):
    assert multi.files == (
        "fixtures/schema/multi/prisma/schema/blog/post.prisma",
        "fixtures/schema/multi/prisma/schema/schema.prisma",
        "fixtures/schema/multi/prisma/schema/user.prisma",
    )


def test_blocks_from_every_file_are_merged(multi):
    assert multi.warnings == ()
    assert multi.datasource.path == "fixtures/schema/multi/prisma/schema/schema.prisma"
    assert multi.provider == "postgresql"
    assert [g.name for g in multi.generators] == ["client"]
    assert [(m.name, m.path.rsplit("/", 1)[1], m.line) for m in multi.models] == [
        ("Post", "post.prisma", 2),
        ("User", "user.prisma", 1),
    ]
    assert [e.name for e in multi.enums] == ["Role"]


def test_types_resolve_across_files(multi):
    author = multi.model("Post").field("author")
    assert author.is_relation
    assert author.relation.fields == ("authorId",)
    assert multi.model("User").field("posts").is_relation
    assert multi.model("User").field("role").is_enum
    assert multi.by_client_name("post").name == "Post"


def test_same_file_alone_reports_unknown_types():
    post = MULTI / "prisma/schema/blog/post.prisma"
    schema = parse_paths([post])
    assert [(w.line, w.message) for w in schema.warnings] == [
        (6, "unknown type User for Post.author")
    ]
    assert not schema.model("Post").field("author").is_relation


def test_duplicates_across_files_keep_the_first():
    schema = parse_schema_files(
        [
            ("a.prisma", 'datasource db {\n  provider = "sqlite"\n}\nmodel A {\n  id Int @id\n}\n'),
            (
                "b.prisma",
                'datasource db2 {\n  provider = "mysql"\n}\n\nmodel A {\n  key String @id\n}\n',
            ),
        ]
    )
    assert schema.provider == "sqlite"
    assert [(m.name, m.path) for m in schema.models] == [("A", "a.prisma")]
    assert [(w.path, w.line, w.message) for w in schema.warnings] == [
        ("b.prisma", 1, "more than one datasource block (first: a.prisma:1)"),
        ("b.prisma", 5, "duplicate declaration of A (first: a.prisma:4)"),
    ]


def test_academy_demo_schema():
    if not ACADEMY.is_file():
        pytest.skip(f"{ACADEMY.relative_to(ROOT)} is not written yet")
    schema = parse_paths([ACADEMY])
    assert schema.warnings == ()
    assert len([m for m in schema.models if m.kind == "model"]) == 44

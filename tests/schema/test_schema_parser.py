"""The schema parser on the full fixture and on focused snippets."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from scanner.schema import Field, Index, Relation, Schema, parse_schema_files, parse_schema_text

ROOT = Path(__file__).resolve().parents[2]
FULL = "fixtures/schema/full/schema.prisma"


def parse(text: str, path: str = "schema.prisma") -> Schema:
    return parse_schema_files([(path, text)])


@pytest.fixture(scope="module")
def full() -> Schema:
    return parse((ROOT / FULL).read_text(encoding="utf-8"), FULL)


def test_full_fixture_has_no_warnings(full):
    assert full.warnings == ()
    assert full.files == (FULL,)


def test_blocks_in_order_with_kinds_and_lines(full):
    assert [(m.name, m.kind, m.line, m.end_line) for m in full.models] == [
        ("User", "model", 19, 41),
        ("Profile", "model", 43, 50),
        ("Post", "model", 52, 70),
        ("Tag", "model", 72, 78),
        ("TagsOnPosts", "model", 80, 89),
        ("Invoice", "model", 91, 100),
        ("UserStats", "view", 102, 107),
        ("Address", "type", 109, 113),
    ]
    [status] = full.enums
    assert (status.name, status.values, status.line) == (
        "Status",
        ("ACTIVE", "SUSPENDED", "DELETED"),
        115,
    )
    assert (status.map, status.schema) == ("user_status", "public")


def test_datasource_and_generator(full):
    ds = full.datasource
    assert (ds.name, ds.provider, ds.relation_mode, ds.url, ds.line) == (
        "db",
        "postgresql",
        "foreignKeys",
        'env("DATABASE_URL")',
        10,
    )
    assert full.provider == "postgresql"
    assert full.relation_mode == "foreignKeys"
    [gen] = full.generators
    assert (gen.name, gen.provider, gen.output, gen.line) == (
        "client",
        "prisma-client-js",
        "../generated/prisma",
        4,
    )
    assert gen.preview_features == ("multiSchema", "views", "fullTextIndex")


def test_model_attributes_and_doc(full):
    user = full.model("User")
    assert (user.map, user.schema, user.ignored) == ("users", "public", False)
    assert user.doc == "A person who can sign in.\nDocs can span several lines."
    invoice = full.model("Invoice")
    assert (invoice.schema, invoice.ignored) == ("billing", True)


def test_field_with_nested_default_and_native_type(full):
    f = full.model("User").field("id")
    assert f == Field(
        name="id",
        type="String",
        optional=False,
        is_list=False,
        attributes=("@id", '@default(dbgenerated("gen_random_uuid()"))', "@db.Uuid"),
        is_id=True,
        is_unique=False,
        default='dbgenerated("gen_random_uuid()")',
        relation=None,
        map=None,
        db_type="@db.Uuid",
        comment=None,
        doc=None,
        leading_comment=None,
        ignored=False,
        is_updated_at=False,
        path=FULL,
        line=20,
    )


@pytest.mark.parametrize(
    "name, default",
    [
        ("role", '"guest"'),
        ("tags", '"[]"'),
        ("nickname", r'"say \"hi\" // not a comment"'),
        ("status", "ACTIVE"),
        ("balance", "0"),
        ("createdAt", "now()"),
        ("email", None),
    ],
)
def test_defaults_are_raw_text(full, name, default):
    assert full.model("User").field(name).default == default


def test_comments(full):
    user = full.model("User")
    # `//` inside a string starts no comment; a second `//` stays in the text.
    assert user.field("name").comment == 'display name, "optional" // not a second comment'
    assert user.field("nickname").comment is None
    assert user.field("tags").comment == "JSON string array"
    assert user.field("role").comment == '"guest" | "member" | "admin"'
    assert user.field("role").leading_comment == "Note: SQLite has no enums, so roles are strings"
    assert user.field("tags").leading_comment is None


def test_modifiers_and_type_resolution(full):
    user = full.model("User")
    name, scores, status, address, posts, profile = (
        user.field(n) for n in ("name", "scores", "status", "address", "posts", "profile")
    )
    assert (name.optional, name.is_list) == (True, False)
    assert (scores.is_list, scores.is_scalar_list, scores.is_relation) == (True, True, False)
    assert (status.is_enum, status.is_relation) == (True, False)
    assert (address.is_composite, address.is_relation, address.optional) == (True, False, True)
    assert (posts.is_relation, posts.is_list, posts.is_scalar_list) == (True, True, False)
    assert (profile.is_relation, profile.optional) == (True, True)
    area = full.model("Invoice").field("area")
    assert (area.type, area.optional, area.is_unsupported) == ('Unsupported("polygon")', True, True)
    assert full.model("UserStats").field("userId").is_unique


def test_other_field_attributes(full):
    user = full.model("User")
    assert user.field("createdAt").map == "created_at"
    assert user.field("createdAt").attributes == ("@default(now())", '@map("created_at")')
    assert user.field("updatedAt").is_updated_at
    assert user.field("legacyField").ignored
    assert user.field("email").db_type == "@db.VarChar(255)"
    assert full.model("Invoice").field("amount").db_type == "@db.Decimal(12, 2)"
    assert full.model("Address").field("zip").map == "postal_code"


def test_relations(full):
    profile_user = full.model("Profile").field("user").relation
    assert profile_user == Relation(None, ("userId",), ("id",), "Cascade", "NoAction")
    post = full.model("Post")
    assert post.field("author").relation == Relation("Authored", ("authorId",), ("id",), None, None)
    assert post.field("author").relation.is_owning_side
    back = full.model("User").field("posts").relation
    assert back == Relation("Authored", (), (), None, None)
    assert not back.is_owning_side


def test_relation_spanning_lines_in_any_order(full):
    reviewer = full.model("Post").field("reviewer")
    assert reviewer.line == 59
    assert reviewer.relation == Relation("Reviewed", ("reviewerId",), ("id",), "SetNull", None)
    assert reviewer.attributes == (
        '@relation(name: "Reviewed", references: [id], fields: [reviewerId], onDelete: SetNull)',
    )
    # The field after the multi-line attribute keeps its own line number.
    assert full.model("Post").field("tags").line == 65


def test_indexes_in_source_order(full):
    def summary(model):
        return [
            (i.kind, i.fields, i.name, i.map, i.line, i.source) for i in full.model(model).indexes
        ]

    assert summary("User") == [
        ("id", ("id",), None, None, 20, "field"),
        ("unique", ("email",), None, "user_email_key", 21, "field"),
        ("index", ("createdAt", "role"), None, "user_created_role_idx", 38, "block"),
    ]
    assert summary("Post") == [
        ("id", ("id",), None, None, 53, "field"),
        ("index", ("authorId",), None, None, 67, "block"),
        ("fulltext", ("title", "body"), None, None, 68, "block"),
    ]
    assert summary("TagsOnPosts") == [
        ("id", ("postId", "tagId"), None, None, 86, "block"),
        ("unique", ("tagId", "postId"), "tag_post", "tag_post_key", 87, "block"),
    ]
    assert summary("Invoice") == [
        ("id", ("id",), None, None, 92, "field"),
        ("unique", ("amount", "id"), "amount_id", None, 97, "block"),
    ]
    assert full.model("Post").indexes[1] == Index(
        "index", ("authorId",), None, None, FULL, 67, "block"
    )


def test_model_helpers(full):
    assert full.model("TagsOnPosts").leading_index_fields() == {"postId", "tagId"}
    # The fulltext index on (title, body) does not count.
    assert full.model("Post").leading_index_fields() == {"id", "authorId"}
    assert [f.name for f in full.model("Post").relation_fields()] == ["author", "reviewer", "tags"]
    assert full.model("User").field("missing") is None


def test_client_names(full):
    assert full.model("TagsOnPosts").client_name == "tagsOnPosts"
    assert full.by_client_name("tagsOnPosts").name == "TagsOnPosts"
    assert full.by_client_name("userStats").kind == "view"
    assert full.by_client_name("address") is None  # composite types have no accessor
    assert full.by_client_name("map") is None
    rsvp = parse("model RSVP {\n  id Int @id\n}\n")
    assert rsvp.models[0].client_name == "rSVP"
    assert rsvp.by_client_name("rSVP").name == "RSVP"


def test_schema_is_picklable_hashable_and_frozen(full):
    again = pickle.loads(pickle.dumps(full))
    assert again == full
    assert hash(again) == hash(full)
    assert again.model("User") == full.model("User")
    with pytest.raises(AttributeError):
        full.models = ()  # type: ignore[misc]


def test_crlf_and_bom_change_nothing(full):
    text = (ROOT / FULL).read_text(encoding="utf-8")
    assert parse("\ufeff" + text.replace("\n", "\r\n"), FULL) == full


def test_relation_mode_prisma():
    path = "fixtures/schema/relation_mode/schema.prisma"
    schema = parse((ROOT / path).read_text(encoding="utf-8"), path)
    assert schema.warnings == ()
    assert (schema.provider, schema.relation_mode) == ("mysql", "prisma")
    assert schema.model("Member").field("team").relation.on_delete is None


@pytest.mark.parametrize(
    "datasource, mode",
    [
        ('provider = "postgresql"', "foreignKeys"),
        ('provider = "mongodb"', "prisma"),  # Prisma's default on MongoDB
        ('provider = "mysql"\n  referentialIntegrity = "prisma"', "prisma"),  # pre-4.5 name
    ],
)
def test_relation_mode_defaults(datasource, mode):
    assert parse(f"datasource db {{\n  {datasource}\n}}\n").relation_mode == mode


def test_no_datasource_defaults():
    schema = parse("model A {\n  id Int @id\n}\n")
    assert (schema.datasource, schema.provider, schema.relation_mode) == (None, None, "foreignKeys")


def test_parse_schema_text_returns_unresolved_file_parts():
    part = parse_schema_text("model A {\n  id Int @id\n  b B\n}\n", "a.prisma")
    assert part.path == "a.prisma"
    assert [m.name for m in part.models] == ["A"]
    assert part.models[0].field("b").is_relation is False  # resolved only when merged
    assert part.warnings == ()
    assert pickle.loads(pickle.dumps(part)) == part


@pytest.mark.parametrize(
    "line, expected",
    [
        ('a String @default("(") @map("x")', ('@default("(")', '@map("x")')),
        ('a String @default("a\\"b)")', ('@default("a\\"b)")',)),
        ("a Int[] @default([1, 2])", ("@default([1, 2])",)),
        ('a String @default("x", map: "df_a")', ('@default("x", map: "df_a")',)),
        ("a Int@id", ("@id",)),
    ],
)
def test_attribute_tokenising(line, expected):
    schema = parse(f"model M {{\n  {line}\n}}\n")
    assert schema.warnings == ()
    assert schema.models[0].fields[0].attributes == expected


def test_default_with_map_keeps_only_the_value():
    schema = parse('model M {\n  a String @default("x", map: "df_a")\n}\n')
    assert schema.models[0].field("a").default == '"x"'


def test_named_index_arguments_and_composite_paths():
    schema = parse(
        "model M {\n"
        '  id Int @id(map: "pk_m")\n'
        "  a String @unique(length: 10, sort: Desc)\n"
        "  loc Loc\n"
        '  @@index(fields: [a(ops: raw("gin_trgm_ops"))], type: Gin)\n'
        '  @@index([loc.city]) @@unique(fields: [a, id], map: "m_a_id")\n'
        "}\n"
        "type Loc {\n  city String\n}\n"
    )
    assert schema.warnings == ()
    m = schema.model("M")
    assert [(i.kind, i.fields, i.map, i.line) for i in m.indexes] == [
        ("id", ("id",), "pk_m", 2),
        ("unique", ("a",), None, 3),
        ("index", ("a",), None, 5),
        ("index", ("loc.city",), None, 6),
        ("unique", ("a", "id"), "m_a_id", 6),
    ]


def test_relation_with_positional_name_and_options_in_any_order():
    schema = parse(
        'model A {\n  id Int @id\n  bs B[] @relation("AB")\n}\n'
        "model B {\n  id Int @id\n  aId Int\n"
        '  a A @relation(onUpdate: Cascade, references: [id], "AB", onDelete: Restrict, fields: [aId])\n}\n'
    )
    assert schema.warnings == ()
    assert schema.model("B").field("a").relation == Relation(
        "AB", ("aId",), ("id",), "Restrict", "Cascade"
    )


def test_doc_comments_are_detached_by_blank_lines():
    schema = parse(
        "/// orphan\n\nmodel A {\n  /// the key\n  // plain\n  id Int @id\n\n  // far\n\n  b Int\n}\n"
    )
    a = schema.model("A")
    assert a.doc is None
    assert (a.field("id").doc, a.field("id").leading_comment) == ("the key", "plain")
    assert (a.field("b").doc, a.field("b").leading_comment) == (None, None)


def test_empty_blocks_and_one_line_block():
    schema = parse("model A {}\nenum E {\n}\nmodel B {\n}\n")
    assert [(m.name, m.line, m.end_line, m.fields) for m in schema.models] == [
        ("A", 1, 1, ()),
        ("B", 4, 5, ()),
    ]
    assert schema.enums[0].values == ()
    assert schema.warnings == ()


def test_large_schema_parses_without_warnings():
    text = (ROOT / FULL).read_text(encoding="utf-8")
    body = text[text.index("/// A person") :]
    names = (
        "model User",
        "model Profile",
        "model Post",
        "model Tag",
        "model TagsOnPosts",
        "model Invoice",
        "view UserStats",
        "type Address",
        "enum Status",
    )
    chunks = [text]
    copy = 0
    while sum(c.count("\n") for c in chunks) < 5000:
        copy += 1
        chunk = body
        for name in names:
            chunk = chunk.replace(f"{name} ", f"{name}{copy} ")
        chunks.append(chunk)
    big = "".join(chunks)
    # Speed is measured in bench/, never asserted here; this pins correctness at size.
    schema = parse(big, "big.prisma")
    assert schema.warnings == ()
    assert len(schema.models) == 8 * (copy + 1)


def test_block_attribute_and_setting_spanning_lines():
    schema = parse(
        "generator client {\n"
        '  provider = "prisma-client-js"\n'
        "  previewFeatures = [\n"
        '    "views", // for reporting\n'
        '    "multiSchema"\n'
        "  ]\n"
        "}\n"
        "model M {\n"
        "  id Int @id\n"
        "  at DateTime\n"
        "  @@index([\n"
        "    id,\n"
        "    at(sort: Desc)\n"
        '  ], map: "m_id_at")\n'
        "  enum String\n"
        "}\n"
    )
    assert schema.warnings == ()
    assert schema.generators[0].preview_features == ("views", "multiSchema")
    m = schema.model("M")
    assert [(i.fields, i.map, i.line) for i in m.indexes] == [
        (("id",), None, 9),
        (("id", "at"), "m_id_at", 11),
    ]
    # A field may be named like a block keyword.
    assert (m.field("enum").type, m.field("enum").line) == ("String", 15)


BLOCK_COMMENTS = "fixtures/schema/block_comments/schema.prisma"


def test_block_comments_anywhere_parse_without_warnings_and_are_kept():
    schema = parse((ROOT / BLOCK_COMMENTS).read_text(encoding="utf-8"), BLOCK_COMMENTS)
    assert schema.warnings == ()
    assert schema.provider == "postgresql"
    user = schema.model("User")
    assert user.doc == "A user of the app."
    kept = {f.name: (f.comment, f.doc, f.leading_comment) for f in user.fields}
    assert kept == {
        "id": ("between attributes", "The primary key.", None),
        "email": ("at the end of a line", None, "a plain block comment before a field"),
        "name": ("doc-style at the end and a line comment", None, None),
        "role": (None, None, "A block comment\nover several lines."),
        "posts": ('"quotes" and // slashes inside', None, None),
        "note": (None, None, None),
    }
    assert user.field("id").attributes == ("@id", "@default(autoincrement())")
    assert user.field("note").default == '"/* not a comment */"'
    assert [ix.fields for ix in user.indexes if ix.source == "block"] == [("email",)]
    author = schema.model("Post").field("author")
    assert (author.comment, author.relation.fields, author.relation.references) == ("why", ("authorId",), ("id",))
    [role] = schema.enums
    assert (role.values, role.doc) == (("USER", "ADMIN", "GUEST"), "Roles a user can have.")

"""What the schema rules ask of a parsed Schema: which models hold tables,
where a field is, what its comments say, which foreign keys a model owns and
which column lists an index can serve, and whether the schema says a String
field holds JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..facts.model import Span
from ..schema.model import Field, Index, Model, Schema

# Test-fixture annotations and suppressions sit in the comment lines above a
# field; they are instructions to tools, not descriptions of the field.
_TOOL_COMMENT = re.compile(r"^\s*(?:todoruleid|todook|ruleid|ok|dbaudit-ignore)\b")


def table_models(schema: Schema) -> list[Model]:
    """Models backed by a table the schema owns: not views, composite types or @@ignore'd."""
    return [m for m in schema.models if m.kind == "model" and not m.ignored]


def field_span(f: Field) -> Span:
    return Span(f.line, 1, f.line, 1)


def comment_text(f: Field) -> str:
    """The field's `///` doc, the `//` lines above it and its trailing comment."""
    parts = [f.doc, f.leading_comment, f.comment]
    lines = [ln for p in parts if p for ln in p.splitlines() if not _TOOL_COMMENT.match(ln)]
    return "\n".join(lines)


def is_plain_string(f: Field) -> bool:
    return f.type == "String" and not f.is_list and not f.ignored


def string_fields(schema: Schema):
    """(model, field) for every single-valued String field of models and
    composite types (views are left alone: their data is another table's)."""
    for model in schema.models:
        if model.ignored or model.kind == "view":
            continue
        for f in model.fields:
            if is_plain_string(f):
                yield model, f


# A field that marks a row retired instead of deleting it: soft deletion (`deletedAt`,
# `isDeleted`, `archived`) or a lifecycle the app moves rows along (`isActive`, `status`).
_RETIREMENT = re.compile(r"^(?:is_?)?(?:deleted|archived|removed|disabled|active|enabled)(?:_?at)?$|"
                         r"^(?:status|state)$", re.I)


def retirement_field(model: Model) -> str | None:
    """The field a model's rows are retired by, if it has one (see _RETIREMENT)."""
    return next((f.name for f in model.fields if f.relation is None and _RETIREMENT.match(f.name)), None)


def relation_is_optional(model: Model, f: Field) -> bool:
    """A relation is optional when any of its scalar fields is: only a nullable key can be
    set to NULL. `user User? @relation(fields: [userId])` over a required `userId` (a schema
    older Prisma accepted) is required: SetNull cannot apply there. Without scalar fields
    (the other side), the relation field says."""
    scalars = [model.field(n) for n in f.relation.fields] if f.relation and f.relation.fields else []
    known = [s for s in scalars if s is not None]
    if not known:
        return f.optional
    return any(s.optional for s in known)


@dataclass(frozen=True, slots=True)
class ForeignKey:
    model: Model
    relation: Field           # the relation field holding `@relation(fields: ...)`
    columns: tuple[str, ...]  # the scalar fields

    @property
    def first(self) -> Field | None:
        return self.model.field(self.columns[0])


def foreign_keys(model: Model) -> list[ForeignKey]:
    """The owning sides of the model's relations, one per distinct column list."""
    out: dict[tuple[str, ...], ForeignKey] = {}
    for f in model.fields:
        if f.relation is None or not f.relation.is_owning_side or f.ignored:
            continue
        out.setdefault(f.relation.fields, ForeignKey(model, f, f.relation.fields))
    return list(out.values())


def mysql_indexes_foreign_keys(schema: Schema) -> bool:
    """InnoDB creates an index for every foreign key constraint by itself, so on
    MySQL with database foreign keys (relationMode `foreignKeys`) they are indexed."""
    return schema.provider == "mysql" and schema.relation_mode == "foreignKeys"


def serving_indexes(model: Model) -> list[Index]:
    """Indexes a B-tree lookup can use (a fulltext index cannot serve one)."""
    return [ix for ix in model.indexes if ix.fields and ix.kind != "fulltext"]


def covers_columns(model: Model, columns: tuple[str, ...]) -> bool:
    """Whether some id, unique or index starts with these columns (in any order)."""
    want = set(columns)
    return any(set(ix.fields[:len(want)]) == want for ix in serving_indexes(model))


def foreign_key_unindexed(fk: ForeignKey, schema: Schema) -> bool:
    return not mysql_indexes_foreign_keys(schema) and not covers_columns(fk.model, fk.columns)


def compound_names(ix: Index) -> set[str]:
    """The where-unique key Prisma Client generates for a compound id/unique."""
    names = {"_".join(ix.fields)}
    if ix.name:
        names.add(ix.name)
    return names


def _index_column_lists(model: Model, schema: Schema) -> list[tuple[str, ...]]:
    """Column lists of the model's indexes, plus its foreign keys: indexed by
    InnoDB on MySQL, and otherwise what foreign-key-missing-index asks for."""
    return [ix.fields for ix in serving_indexes(model)] + [fk.columns for fk in foreign_keys(model)]


def served_by_index(model: Model, column: str, points: set[str], schema: Schema) -> bool:
    """Whether a query that pins `points` (equality or `in` at the top level of
    its where) can reach `column` through an index: some index has `column`
    after a prefix of pinned columns, or a unique key is fully pinned (the
    query then reads at most one row per value)."""
    for cols in _index_column_lists(model, schema):
        for c in cols:
            if c == column:
                return True
            if c not in points:
                break
    for ix in serving_indexes(model):
        if ix.kind in ("id", "unique") and (set(ix.fields) <= points or compound_names(ix) & points):
            return True
    return False


def pinned_prefix(model: Model, points: set[str], schema: Schema) -> tuple[str, ...]:
    """The longest index prefix a query pins: the rows it narrows to through an
    index before other conditions are tested row by row (() for none)."""
    best: tuple[str, ...] = ()
    for cols in _index_column_lists(model, schema):
        n = 0
        while n < len(cols) and cols[n] in points:
            n += 1
        if n > len(best):
            best = tuple(cols[:n])
    return best


# "JSON", but not "not JSON", "JSON Web Token" or "jsonb".
_JSON_WORD = re.compile(r"(?<![\w-])(?<!not )(?<!no )(?<!non-)json(?![\w-])(?!\s+web\s+token)", re.I)
# Encrypted or hashed JSON is ciphertext in the column: a Json type cannot hold it.
_SEALED = re.compile(r"encrypt|cipher|hashed", re.I)
_JSON_NAME = re.compile(r"(?:^|[a-z0-9_])(?:Json|JSON|_json)$|^json$")


def json_default(default: str | None) -> bool:
    if not default or not default.startswith('"'):
        return False
    try:
        value = json.loads(json.loads(default))
    except ValueError:
        return False
    return isinstance(value, (list, dict))


def json_comment_line(comments: str) -> str | None:
    """The comment line that says the field holds JSON, if any."""
    return next((ln.strip() for ln in comments.splitlines()
                 if _JSON_WORD.search(ln) and not _SEALED.search(ln)), None)


def json_name(name: str) -> bool:
    """The field's name says JSON (`metadataJson`, `settings_json`, `json`)."""
    return bool(_JSON_NAME.search(name))


def declared_json(f: Field) -> bool:
    """The schema itself says the field holds JSON (default, comment or name):
    json-in-string-column's reading, which string-enum-column leaves alone."""
    return (json_default(f.default) or json_comment_line(comment_text(f)) is not None
            or json_name(f.name))


# A column named after another model's id: `userId` beside `User`, `project_id`.
NAMED_ID = re.compile(r"([A-Za-z][A-Za-z0-9]*?)(?:Id|_id|ID)")


def unique_fields(model) -> set[str]:
    """Fields that alone pick at most one row: @id, @unique, one-field @@id/@@unique."""
    out = {f.name for f in model.fields if f.is_id or f.is_unique}
    out |= {ix.fields[0] for ix in model.indexes if len(ix.fields) == 1 and ix.kind in ("id", "unique")}
    return out


def parent_fields(model, schema) -> dict[str, str]:
    """Fields that, pinned to one value, select one parent's rows, with why: a relation's
    foreign key; the to-one relation itself (`team: { slug }`); the leading column of a
    compound @@id/@@unique (`@@id([userId, teamId])`: one user's memberships); a column
    named after another model's id (`userId` beside a `User` model) or like another model's
    id column (`id_project` beside `projects.id_project @id`) where the schema declares no
    relation. A column named `id` is the row's own identifier, whatever key it leads, and
    names no parent however many models name theirs `id`."""
    out: dict[str, str] = {}
    for ix in model.indexes:
        if ix.kind in ("id", "unique") and len(ix.fields) > 1 and ix.fields[0] != "id":
            out[ix.fields[0]] = f"the leading column {ix.fields[0]} of the compound key ({', '.join(ix.fields)})"
    names = {m.name.lower() for m in schema.models}
    # `id_project` beside `model projects { id_project String @id }`: the other model's own
    # id column, by name, whatever the naming convention.
    ids = {f.name: m.name for m in schema.models if m is not model for f in m.fields if f.is_id}
    for f in model.fields:
        if f.relation is not None or f.is_list:
            continue
        m = NAMED_ID.fullmatch(f.name)
        if m and m.group(1).lower() in names:
            out[f.name] = f"{f.name}, named after the id of {m.group(1)}"
        elif f.name in ids and not f.is_id and f.name != "id":
            out[f.name] = f"{f.name}, named like the id column of {ids[f.name]}"
    for f in model.fields:
        if f.relation is not None and f.relation.fields and not f.is_list:
            for name in f.relation.fields:
                out[name] = f"the foreign key {name}"
    return out


def pinned_parent(model, schema, relation_points) -> str | None:
    """`team: { slug }` where Team.slug is unique (or pins Team's own parent): the filter
    names one parent row through a to-one relation."""
    for point in relation_points:
        rel, key = point.split(".", 1)
        f = model.field(rel)
        if f is None or f.relation is None or f.is_list:
            continue
        parent = schema.model(f.type)
        if parent is None:
            continue
        if key in unique_fields(parent):
            return f"the relation {rel} by its unique {key}: one {parent.name}'s rows"
        above = parent_fields(parent, schema)
        if key in above:
            return f"the relation {rel} by {above[key]}: rows under one parent"
    return None


_SQLITE_TYPES = (6, 2)   # Prisma's first release with `Json` and `enum` on SQLite


def sqlite_before_6_2(index, schema: Schema) -> str | None:
    """The Prisma version the project asks for (`prisma` or `@prisma/client` in any
    package.json, the newest) when the datasource is SQLite and that version has no `Json` or
    `enum` there (before 6.2), else None: the fix json-in-string-column and
    string-enum-column name is not available yet."""
    if schema.provider != "sqlite":
        return None
    found = [v for pkg in index.modules.packages.values() for name in ("prisma", "@prisma/client")
             if (v := pkg.version(name)) is not None and v[1] is not None]
    newest = max(found, default=None)
    return f"{newest[0]}.{newest[1]}" if newest is not None and newest < _SQLITE_TYPES else None


def waits_for_sqlite_upgrade(index, schema: Schema, feature: str) -> dict:
    """The grade of a finding whose fix (`feature`, a `Json` type or `enum` blocks) SQLite
    gets only from Prisma 6.2, when the project asks for an older one (sqlite_before_6_2):
    low, with that as evidence; else nothing to change."""
    old = sqlite_before_6_2(index, schema)
    return {} if old is None else {"confidence": "low", "evidence": (
        f"the datasource is SQLite and the project asks for Prisma {old}: SQLite has {feature} "
        "only from Prisma 6.2, so the fix waits for an upgrade",)}

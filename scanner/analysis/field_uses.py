"""Code facts about model fields, settled against the schema: which schema
field each `FieldUse` lands on (through relations and compound unique keys),
and which fields the settled Prisma queries filter or sort on."""

from __future__ import annotations

from dataclasses import dataclass

from ..facts.operations import UNIQUE_WHERE_OPS
from ..index import PrismaCall, ProjectIndex
from ..schema.model import Field, Model, Schema
from .schema_shape import compound_names


@dataclass(frozen=True, slots=True)
class CodeUse:
    """A FieldUse settled on a schema field."""
    path: str
    line: int
    action: str          # write, filter, compare, parse
    value: str           # literal, json, computed, pattern, other
    literal: str | None
    call: PrismaCall


@dataclass(frozen=True, slots=True)
class QueryKey:
    """A settled query that filters (`where`) or sorts (`orderBy`) on a field."""
    call: PrismaCall
    clause: str          # where, orderBy


FieldKey = tuple[str, str]  # (model name, field name)


def resolve_path(schema: Schema, model: Model | None,
                 path: tuple[str, ...]) -> tuple[Model, Field] | None:
    """The scalar field a path of field names reaches from `model`:
    `("lesson", "resources")` from Quiz is Lesson.resources; a compound unique
    key (`userId_trackId`) stays on the same model."""
    if model is None or not path:
        return None
    for seg in path[:-1]:
        f = model.field(seg)
        if f is not None and (f.is_relation or f.is_composite):
            model = schema.model(f.type)
            if model is None:
                return None
        elif f is None and any(seg in compound_names(ix) for ix in model.indexes
                               if ix.kind in ("id", "unique")):
            continue
        else:
            return None
    f = model.field(path[-1])
    if f is None or f.is_relation or f.is_composite:
        return None
    return model, f


def _settled(index: ProjectIndex) -> dict:
    return {(c.path, c.call.span): c for c in index.prisma_calls}


def field_uses(index: ProjectIndex) -> dict[FieldKey, list[CodeUse]]:
    """Every settled code use per (model, field), in path and line order."""
    return index.memo("field-uses", lambda: _field_uses(index))


def _field_uses(index: ProjectIndex) -> dict[FieldKey, list[CodeUse]]:
    out: dict[FieldKey, list[CodeUse]] = {}
    schema = index.schema
    if schema is not None:
        settled = _settled(index)
        for path in sorted(index.files):
            facts = index.files[path]
            for u in facts.field_uses:
                if not 0 <= u.call < len(facts.prisma_calls):
                    continue
                call = settled.get((path, facts.prisma_calls[u.call].span))
                if call is None or call.model is None:
                    continue
                hit = resolve_path(schema, schema.by_client_name(call.model), u.path)
                if hit is None:
                    continue
                model, f = hit
                out.setdefault((model.name, f.name), []).append(
                    CodeUse(path, u.span.line, u.action, u.value, u.literal, call))
    return out


def query_keys(index: ProjectIndex) -> dict[FieldKey, list[QueryKey]]:
    """Per (model, scalar field): the settled queries whose `where` tests it
    (other than only with substring/full-text operators, which no B-tree index
    serves) or whose `orderBy` sorts on it. Unique-key lookups are left out:
    the unique key finds the row (the `where` of facts/operations.py)."""
    return index.memo("query-keys", lambda: _query_keys(index))


def _query_keys(index: ProjectIndex) -> dict[FieldKey, list[QueryKey]]:
    out: dict[FieldKey, list[QueryKey]] = {}
    schema = index.schema
    if schema is not None:
        for call in index.prisma_calls:
            model = schema.by_client_name(call.model) if call.model else None
            if model is None or call.operation in UNIQUE_WHERE_OPS:
                continue
            args = call.call.args
            pattern = set(args.where_pattern_fields)
            keys = [(n, "where") for n in args.where_fields if n not in pattern]
            keys += [(n, "orderBy") for n in args.order_by_fields]
            for name, clause in keys:
                f = model.field(name)
                if f is None or f.is_relation or f.is_composite:
                    continue
                out.setdefault((model.name, name), []).append(QueryKey(call, clause))
    return out


def joined_keys(index: ProjectIndex, schema: Schema | None) -> dict[FieldKey, PrismaCall]:
    """Per (model, relation field holding a foreign key): a settled query that reads the
    relation from the other side through `include` / `select` (`user.findMany({ include:
    { posts: true } })` joins Post on Post.authorId), which an index on the key serves."""
    if schema is None:
        return {}
    return index.memo("joined-keys", lambda: _joined_keys(index, schema))


def _joined_keys(index: ProjectIndex, schema: Schema) -> dict[FieldKey, PrismaCall]:
    out: dict[FieldKey, PrismaCall] = {}
    for call in index.prisma_calls:
        start = schema.by_client_name(call.model) if call.model and call.call.args.reads else None
        for path in call.call.args.reads if start is not None else ():
            model = start
            for seg in path.split("."):
                f = model.field(seg) if model is not None else None
                target = schema.model(f.type) if f is not None and f.is_relation else None
                if target is None:
                    break
                if f.relation is None or not f.relation.is_owning_side:
                    name = f.relation.name if f.relation is not None else None
                    owner = next((g for g in target.fields if g.type == model.name and g.relation is not None
                                  and g.relation.is_owning_side and g.relation.name == name), None)
                    if owner is not None:
                        out.setdefault((target.name, owner.name), call)
                model = target
    return out

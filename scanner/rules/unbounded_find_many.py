"""unbounded-find-many: a findMany with no `take` (rules.md §1, §8).

Confidence follows what bounds the filter: a set (`in:`) or a unique field bounds
the rows (quiet); equality on a parent's foreign key pins one parent's rows (low:
usually small by design); no `where`, or only filters that keep growing sets
(status, flags, dates), is medium, and high in a request entry point with no
`where` at all, where every request reads the whole table."""

from __future__ import annotations

import re

from ..findings import Severity
from ..index import FunctionKey
from ..facts.entries import a_kind
from .base import Rule, RuleContext
from ..analysis.created_models import created_models, lookup_models


def _unique_fields(model) -> set[str]:
    """Fields that alone pick at most one row: @id, @unique, one-field @@id/@@unique."""
    out = {f.name for f in model.fields if f.is_id or f.is_unique}
    out |= {ix.fields[0] for ix in model.indexes if len(ix.fields) == 1 and ix.kind in ("id", "unique")}
    return out


def _parent_fields(model, schema) -> dict[str, str]:
    """Fields that, pinned to one value, select one parent's rows, with why: a relation's
    foreign key; the to-one relation itself (`team: { slug }`); the leading column of a
    compound @@id/@@unique (`@@id([userId, teamId])`: one user's memberships); a column
    named after another model's id (`userId` beside a `User` model) or like another model's
    id column (`id_project` beside `projects.id_project @id`) where the schema declares no
    relation."""
    out: dict[str, str] = {}
    for ix in model.indexes:
        if ix.kind in ("id", "unique") and len(ix.fields) > 1:
            out[ix.fields[0]] = f"the leading column {ix.fields[0]} of the compound key ({', '.join(ix.fields)})"
    names = {m.name.lower() for m in schema.models}
    # `id_project` beside `model projects { id_project String @id }`: the other model's own
    # id column, by name, whatever the naming convention.
    ids = {f.name: m.name for m in schema.models if m is not model for f in m.fields if f.is_id}
    for f in model.fields:
        if f.relation is not None or f.is_list:
            continue
        m = _NAMED_ID.fullmatch(f.name)
        if m and m.group(1).lower() in names:
            out[f.name] = f"{f.name}, named after the id of {m.group(1)}"
        elif f.name in ids and not f.is_id:
            out[f.name] = f"{f.name}, named like the id column of {ids[f.name]}"
    for f in model.fields:
        if f.relation is not None and f.relation.fields and not f.is_list:
            for name in f.relation.fields:
                out[name] = f"the foreign key {name}"
    return out


def _pinned_parent(model, schema, relation_points) -> str | None:
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
        if key in _unique_fields(parent):
            return f"the relation {rel} by its unique {key}: one {parent.name}'s rows"
        above = _parent_fields(parent, schema)
        if key in above:
            return f"the relation {rel} by {above[key]}: rows under one parent"
    return None


_NAMED_ID = re.compile(r"([A-Za-z][A-Za-z0-9]*?)(?:Id|_id|ID)")


def _drained_flag(call, index) -> tuple[str, str] | None:
    """A read filtered on a field that the same function (or a function it calls) then
    writes on the same model (`where: { mailSent: false }`, then `data: { mailSent: true }`):
    (field, the write's label and line)."""
    tested = set(call.call.args.where_fields)
    if not tested:
        return None
    key = FunctionKey(call.path, index.owner(call.path, call.call.ctx.function))
    for w in index.reachable_calls(key, depth=1):
        if w.model == call.model and w.kind == "write" and w.call.args is not None:
            hit = tested & set(w.call.args.data_fields)
            if hit:
                return sorted(hit)[0], f"{w.label}() at line {w.line}"
    return None


def _grade(call, schema, in_entry: bool, index=None) -> tuple[str, tuple[str, ...]]:
    args = call.call.args
    if index is not None and call.model in lookup_models(index, schema):
        return "low", (f"only seeds and scripts create {call.model} rows, no application code: a lookup "
                       "table, as large as what they wrote",)
    if not args.present or "where" not in args.keys or args.where_empty:
        created = created_models(index, schema) if index is not None else None
        if in_entry and created is not None and call.model not in created[0]:
            # High says the table grows with use; nothing here shows that it does.
            return "medium", (f"no `where` in a request entry point, but no code in the scan creates "
                              f"{call.model} rows (seeded by SQL, or written by another service): how "
                              "large the table grows is not known",)
        if in_entry:
            return "high", ("no `where` in a request entry point: every request reads the whole table, "
                            f"and the application creates {call.model} rows" if created is not None else
                            "no `where` in a request entry point: every request reads the whole table",)
        return "medium", ("no `where`: it reads the whole table",)
    if args.where_set:
        return "quiet", ("`where` takes a given set of values (`in:`): at most that many rows",)
    model = schema.by_client_name(call.model) if schema is not None and call.model else None
    points = set(args.where_points)
    if model is not None:
        unique = points & _unique_fields(model)
        if unique:
            return "quiet", (f"`where` pins the unique field {sorted(unique)[0]}: at most one row",)
        parents = _parent_fields(model, schema)
        parent = sorted(points & set(parents))
        if parent:
            return "low", (f"`where` pins {parents[parent[0]]}: one parent's rows, usually few by design",)
        through = _pinned_parent(model, schema, args.where_relation_points)
        if through is not None:
            return "low", (f"`where` pins {through}, usually few by design",)
    drained = _drained_flag(call, index) if index is not None else None
    if drained is not None:
        return "low", (f"the same work sets {drained[0]} on {call.model} rows ({drained[1]}), which its "
                       "filter tests: a queue it drains, holding what arrived since the last run",)
    if args.where_opaque:
        return "medium", ("part of `where` is a variable: what bounds the rows is not known",)
    fields = ", ".join(args.where_fields[:3]) or "its filters"
    return "medium", (f"`where` filters on {fields}, which does not bound how many rows match",)


def _check(ctx: RuleContext):
    small = {m[:1].lower() + m[1:] for m in ctx.config["rules"]["small_models"]}
    for call in ctx.index.prisma_calls:
        if call.operation != "findMany" or call.model in small:
            continue
        args = call.call.args
        if args.opaque or "take" in args.keys:
            continue  # a variable or spread we cannot see into: not reported
        in_entry = call.entry_kind is not None
        where = "" if args.present and "where" in args.keys else " and no `where`"
        place = f"in {a_kind(call.entry_kind)}" if in_entry else "outside a request entry point"
        confidence, evidence = _grade(call, ctx.schema, in_entry, ctx.index)
        yield ctx.call_finding(
            call,
            f"{call.label}() has no `take`{where} ({place}): it loads every matching "
            f"{call.model} row, however many the table grows to. Add `take` (and a cursor "
            f"for the next page).",
            severity=Severity.MEDIUM if in_entry else Severity.LOW,
            confidence=confidence, evidence=evidence,
        )


RULE = Rule(
    id="unbounded-find-many",
    name="findMany without take",
    category="query-patterns",
    severity=Severity.MEDIUM,
    summary="A findMany with no `take` loads an unbounded number of rows.",
    check=_check,
    options=("rules.small_models",),
    tags=("performance", "scalability"),
)

"""unbounded-find-many: a findMany with no `take` (rules.md §1, §8).

Confidence follows what bounds the filter: a set (`in:`) or a unique field bounds
the rows (quiet); equality on a parent's foreign key pins one parent's rows (low:
usually small by design); no `where`, or only filters that keep growing sets
(status, flags, dates), is medium, and high in a request entry point with no
`where` at all, where every request reads the whole table."""

from __future__ import annotations

from ..findings import Severity
from ..index import FunctionKey
from ..facts.entries import a_kind
from .base import Rule, RuleContext
from ..analysis.created_models import created_models, lookup_models, snapshot_models
from ..analysis.schema_shape import parent_fields, pinned_parent, unique_fields


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
    wipe = snapshot_models(index, schema).get(call.model) if index is not None else None
    if wipe is not None:
        return "low", (f"the application empties {call.model} ({wipe}) before each time it creates rows: "
                       "the table holds one batch, what the last run wrote",)
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
        unique = points & unique_fields(model)
        if unique:
            return "quiet", (f"`where` pins the unique field {sorted(unique)[0]}: at most one row",)
        parents = parent_fields(model, schema)
        parent = sorted(points & set(parents))
        if parent:
            return "low", (f"`where` pins {parents[parent[0]]}: one parent's rows, usually few by design",)
        through = pinned_parent(model, schema, args.where_relation_points)
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
        # A helper every caller of which runs in a request entry point is on the request path too.
        reached = None if in_entry else ctx.index.through_callers(
            call.path, call.call.ctx.function, lambda p, f: ctx.index.entry_kind(p, f))
        place = f"in {a_kind(call.entry_kind)}" if in_entry else \
            f"in a function {a_kind(reached[1])} calls" if reached else "outside a request entry point"
        confidence, evidence = _grade(call, ctx.schema, in_entry, ctx.index)
        yield ctx.call_finding(
            call,
            f"{call.label}() has no `take`{where} ({place}): it loads every matching "
            f"{call.model} row, however many the table grows to. Add `take` (and a cursor "
            f"for the next page).",
            severity=Severity.MEDIUM if in_entry or reached else Severity.LOW,
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

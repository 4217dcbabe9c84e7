"""unindexed-filter: a field that queries filter or sort on, which no id,
unique or index of its model can serve (rules.md §1, seed §1.4)."""

from __future__ import annotations

from ..analysis.field_uses import query_keys
from ..analysis.schema_shape import (
    covers_columns, field_span, foreign_key_unindexed, foreign_keys, mysql_indexes_foreign_keys,
    pinned_prefix, served_by_index, table_models,
)
from ..findings import Related, Severity
from .base import Rule, RuleContext

# Types no plain `@@index` makes searchable.
_UNINDEXABLE = frozenset({"Json", "Bytes"})


def _unserved(model, f, keys, schema):
    """(query, pinned index prefix) for each query the field's indexes do not
    serve. A query whose where hides conditions (a variable, a spread) or
    narrows through a relation (`team: { organizationId }`) has an access
    path we cannot see, and is left out."""
    out = []
    for q in keys:
        args = q.call.call.args
        points = set(args.where_points)
        if args.where_opaque or any(_is_relation(model, p) for p in points):
            continue
        if q.clause == "where" and f.type == "String" and f.name in args.where_null_fields:
            continue  # `reasoning: { not: null }`: a presence test on text, not a lookup
        if not served_by_index(model, f.name, points, schema):
            out.append((q, pinned_prefix(model, points, schema)))
    return out


def _is_relation(model, name: str) -> bool:
    f = model.field(name)
    return f is not None and f.is_relation


def _cost_and_fix(model, f, uses, schema) -> tuple[str, str, Severity]:
    """What the unserved queries cost, the index that fixes them, and how bad it is."""
    prefixes = {p for _, p in uses}
    if () in prefixes:
        return ("the database reads the whole table (or what the rest of the where leaves)",
                f"Add `@@index([{f.name}])`", Severity.MEDIUM)
    # Every query narrows by an index prefix first: the cost is the rows of one key.
    one = len(uses) == 1
    by = " or ".join(", ".join(p) for p in sorted(prefixes))
    prefix = max(sorted(prefixes), key=len)  # sorted: the same index every run, not set order
    cols = ", ".join(prefix)
    indexed = covers_columns(model, prefix) or mysql_indexes_foreign_keys(schema)
    through = ("through an index first" if indexed else
               "(a foreign key still without an index, see foreign-key-missing-index)")
    what = "test" if any(q.clause == "where" for q, _ in uses) else "sort"
    cost = (f"{'the query narrows' if one else 'the queries narrow'} by {by} {through}, then "
            f"{'reads' if one else 'read'} all those rows to {what} {f.name}")
    return cost, f"Add `@@index([{cols}, {f.name}])`", Severity.LOW


def _check(ctx: RuleContext):
    schema = ctx.schema
    if schema is None:
        return
    keys = query_keys(ctx.index)
    for model in table_models(schema):
        # An unindexed foreign key is foreign-key-missing-index's finding (same fix).
        owned = {c for fk in foreign_keys(model) if foreign_key_unindexed(fk, schema)
                 for c in fk.columns}
        for f in model.fields:
            if f.name in owned or f.type in _UNINDEXABLE or f.is_list or f.is_unsupported:
                continue
            uses = _unserved(model, f, keys.get((model.name, f.name), ()), schema)
            if not uses:
                continue
            n = len(uses)
            verbs = {"where": "filter on", "orderBy": "sort by"} if n > 1 else \
                {"where": "filters on", "orderBy": "sorts by"}
            how = " and ".join(verbs[c] for c in sorted({q.clause for q, _ in uses}, reverse=True))
            cost, fix, severity = _cost_and_fix(model, f, uses, schema)
            yield ctx.finding(
                f.path, field_span(f),
                f"{n} quer{'y' if n == 1 else 'ies'} {how} {model.name}.{f.name}, but no id, "
                f"unique or index of {model.name} serves it: {cost}. {fix}.",
                severity=severity, model=model.name, field=f.name,
                related=tuple(Related(q.call.path, q.call.line, f"{q.call.label}() {q.clause}")
                              for q, _ in uses),
                matched=f"{model.name}.{f.name}",
            )


RULE = Rule(
    id="unindexed-filter",
    name="Filter or sort on an unindexed field",
    category="query-patterns",
    severity=Severity.MEDIUM,
    summary="Queries filter or sort on a field that no index of its model starts with.",
    check=_check,
    tags=("performance",),
)

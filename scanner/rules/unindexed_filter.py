"""unindexed-filter: a field that queries filter or sort on, which no id,
unique or index of its model can serve (rules.md §1, seed §1.4)."""

from __future__ import annotations

from ..findings import Related, Severity
from .base import Rule, RuleContext
from .field_uses import query_keys
from .schema_shape import (
    field_span, foreign_key_unindexed, foreign_keys, served_by_index, table_models,
)

# Types no plain `@@index` makes searchable.
_UNINDEXABLE = frozenset({"Json", "Bytes"})


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
            uses = [q for q in keys.get((model.name, f.name), ())
                    if not served_by_index(model, f.name, set(q.call.call.args.where_points), schema)]
            if not uses:
                continue
            n = len(uses)
            verbs = {"where": "filter on", "orderBy": "sort by"} if n > 1 else \
                {"where": "filters on", "orderBy": "sorts by"}
            how = " and ".join(verbs[c] for c in sorted({q.clause for q in uses}, reverse=True))
            yield ctx.finding(
                f.path, field_span(f),
                f"{n} quer{'y' if n == 1 else 'ies'} {how} {model.name}.{f.name}, but no id, "
                f"unique or index of {model.name} starts with it (or has it right after "
                f"columns those queries pin): the database reads every row the rest of the "
                f"query leaves. Add `@@index([{f.name}])`, or extend an index those queries "
                f"already use.",
                model=model.name, field=f.name,
                related=tuple(Related(q.call.path, q.call.line, f"{q.call.label}() {q.clause}")
                              for q in uses),
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

"""foreign-key-missing-index: relation scalar fields that no id, unique or
index starts with (rules.md §5, seed §1.4)."""

from __future__ import annotations

from ..findings import Related, Severity
from .base import Rule, RuleContext
from .field_uses import query_keys
from .schema_shape import (
    ForeignKey, field_span, foreign_key_unindexed, foreign_keys, table_models,
)


def _grouped(unindexed: list[ForeignKey]) -> list[list[ForeignKey]]:
    """Unindexed foreign keys grouped by the one index that fixes them all: a
    key whose columns lead a longer key's columns is served by that key's
    index (`fields: [programId]` by `@@index([programId, partnerId])`)."""
    groups: list[list[ForeignKey]] = []
    for fk in sorted(unindexed, key=lambda k: -len(k.columns)):
        home = next((g for g in groups
                     if set(g[0].columns[:len(fk.columns)]) == set(fk.columns)), None)
        if home is None:
            groups.append([fk])
        else:
            home.append(fk)
    return groups


def _check(ctx: RuleContext):
    schema = ctx.schema
    if schema is None:
        return
    emulated = schema.relation_mode == "prisma"
    queries = query_keys(ctx.index)
    for model in table_models(schema):
        unindexed = [fk for fk in foreign_keys(model)
                     if fk.first is not None and foreign_key_unindexed(fk, schema)]
        for group in _grouped(unindexed):
            fk, first = group[0], group[0].first
            cols = ", ".join(fk.columns)
            what = (f"{model.name}.{first.name}" if len(fk.columns) == 1
                    else f"{model.name} ({cols})")
            relations = " and ".join(f"{model.name}.{k.relation.name} → {k.relation.type}"
                                     for k in group)
            targets = sorted({k.relation.type for k in group})
            why = ("with relationMode = \"prisma\" there is no database foreign key, so every "
                   "relation query and emulated referential action scans the table"
                   if emulated else
                   f"deleting {' or '.join(targets)} rows (or changing their key) and every join "
                   f"from {' or '.join(targets)} scan {model.name}")
            used = [q for c in fk.columns for q in queries.get((model.name, c), ())]
            seen = f"; {len(used)} quer{'y filters' if len(used) == 1 else 'ies filter'} on it" \
                if used else ""
            yield ctx.finding(
                first.path, field_span(first),
                f"{what}, the foreign key{'s' * (len(group) > 1)} of {relations}, has no index "
                f"starting with it: "
                f"{why}{seen}. Add `@@index([{cols}])`.",
                severity=Severity.HIGH if emulated else Severity.MEDIUM,
                model=model.name, field=first.name,
                related=tuple(Related(k.relation.path, k.relation.line, f"relation {k.relation.name}")
                              for k in group)
                + tuple(Related(q.call.path, q.call.line, f"{q.call.label}() {q.clause}")
                        for q in used),
                matched=f"{model.name}.{cols}",
            )


RULE = Rule(
    id="foreign-key-missing-index",
    name="Foreign key without an index",
    category="schema",
    severity=Severity.MEDIUM,
    summary="A relation's scalar fields are not the leading columns of any index.",
    check=_check,
    tags=("performance",),
)

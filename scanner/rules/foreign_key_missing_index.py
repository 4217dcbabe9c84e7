"""foreign-key-missing-index: relation scalar fields that no id, unique or
index starts with (rules.md §5, seed §1.4)."""

from __future__ import annotations

from ..findings import Related, Severity
from .base import Rule, RuleContext
from .field_uses import query_keys
from .schema_shape import field_span, foreign_key_unindexed, foreign_keys, table_models


def _check(ctx: RuleContext):
    schema = ctx.schema
    if schema is None:
        return
    emulated = schema.relation_mode == "prisma"
    queries = query_keys(ctx.index)
    for model in table_models(schema):
        for fk in foreign_keys(model):
            first = fk.first
            if first is None or not foreign_key_unindexed(fk, schema):
                continue
            cols = ", ".join(fk.columns)
            target = fk.relation.type
            what = (f"{model.name}.{first.name}" if len(fk.columns) == 1
                    else f"{model.name} ({cols})")
            why = ("with relationMode = \"prisma\" there is no database foreign key, so every "
                   "relation query and emulated referential action scans the table"
                   if emulated else
                   f"deleting {target} rows (or changing their key) and every join from "
                   f"{target} scan {model.name}")
            used = [q for c in fk.columns for q in queries.get((model.name, c), ())]
            seen = f"; {len(used)} quer{'y filters' if len(used) == 1 else 'ies filter'} on it" \
                if used else ""
            yield ctx.finding(
                first.path, field_span(first),
                f"{what}, the foreign key of {model.name}.{fk.relation.name} → {target}, has no "
                f"index starting with it: {why}{seen}. Add `@@index([{cols}])`.",
                severity=Severity.HIGH if emulated else Severity.MEDIUM,
                model=model.name, field=first.name,
                related=(Related(fk.relation.path, fk.relation.line, f"relation {fk.relation.name}"),)
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

"""foreign-key-missing-index: relation scalar fields that no id, unique or
index starts with (rules.md §5, seed §1.4)."""

from __future__ import annotations

from ..analysis.created_models import deleted_models
from ..analysis.field_uses import joined_keys, query_keys
from ..analysis.schema_shape import (
    ForeignKey, covers_columns, field_span, foreign_key_unindexed, foreign_keys, serving_indexes, table_models,
)
from ..findings import Related, Severity
from .base import Rule, RuleContext


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


def _covered_prefix(fk: ForeignKey) -> tuple[str, ...]:
    """The longest leading part of a composite key that some index starts with."""
    for k in range(len(fk.columns) - 1, 0, -1):
        if covers_columns(fk.model, fk.columns[:k]):
            return fk.columns[:k]
    return ()


def _why(group: list[ForeignKey], emulated: bool) -> tuple[str, Severity]:
    fk = group[0]
    covered = _covered_prefix(fk)
    if covered:
        # `fields: [accountId, userId]` with `@@index([accountId])`: lookups narrow by
        # accountId and test userId row by row, usually a handful of rows.
        return (f"an index covers only {', '.join(covered)}, so lookups by the whole key "
                f"narrow by that and test the rest row by row", Severity.LOW)
    if emulated:
        return ("with relationMode = \"prisma\" there is no database foreign key, so every "
                "relation query and emulated referential action scans the table", Severity.HIGH)
    targets = " or ".join(sorted({k.relation.type for k in group}))
    return (f"deleting {targets} rows (or changing their key) and every join from {targets} "
            f"scan {fk.model.name}", Severity.MEDIUM)


def _check(ctx: RuleContext):
    schema = ctx.schema
    if schema is None:
        return
    emulated = schema.relation_mode == "prisma"
    queries = query_keys(ctx.index)
    joins = joined_keys(ctx.index, schema)
    deleted = deleted_models(ctx.index, schema)
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
            why, severity = _why(group, emulated)
            used = [q for c in fk.columns for q in queries.get((model.name, c), ())]
            seen = f"; {len(used)} quer{'y filters' if len(used) == 1 else 'ies filter'} on it" \
                if used else ""
            yield ctx.finding(
                first.path, field_span(first),
                f"{what}, the foreign key{'s' * (len(group) > 1)} of {relations}, has no index "
                f"starting with it: {why}{seen}. Add `@@index([{cols}])`.",
                severity=severity, model=model.name, field=first.name,
                related=tuple(Related(k.relation.path, k.relation.line, f"relation {k.relation.name}")
                              for k in group)
                + tuple(Related(q.call.path, q.call.line, f"{q.call.label}() {q.clause}")
                        for q in used),
                matched=f"{model.name}.{cols}",
                **_grade(group, used, joins, deleted, emulated),
            )


def _grade(group: list[ForeignKey], used, joins, deleted: dict[str, str], emulated: bool) -> dict:
    """High when the code shows the index would be used: a query filters or sorts on the
    key, one reads the relation from the parent's side (`include`), or code deletes the
    parent's rows (each delete checks the children by the key); else medium."""
    fk = group[0]
    joined = next((joins[(fk.model.name, k.relation.name)] for k in group
                   if (fk.model.name, k.relation.name) in joins), None)
    parent = next((k.relation.type for k in group if k.relation.type in deleted), None)
    served = _served_after_prefix(fk, used) if used and joined is None and parent is None else None
    if served is not None:
        return {"confidence": "low", "evidence": (
            f"every query that filters or sorts on it also pins {', '.join(served.fields[:served.fields.index(fk.columns[0])])}"
            f" first, so @@index([{', '.join(served.fields)}]) serves them; no code deletes {fk.relation.type} rows "
            f"or reads the relation from {fk.relation.type}'s side",)}
    if used:
        verb = "sorts" if used[0].clause == "orderBy" else "filters"
        why = f"{used[0].call.label}() at {used[0].call.path}:{used[0].call.line} {verb} on it"
    elif joined is not None:
        why = f"{joined.label}() at {joined.path}:{joined.line} reads the relation from {fk.relation.type}'s side"
    elif parent is not None:
        why = f"the code deletes {parent} rows ({deleted[parent]}), and each delete looks the children up by it"
    elif emulated:
        why = "relationMode = \"prisma\": Prisma Client finds related rows by it for every relation query"
    else:
        return {"confidence": "medium", "evidence": (
            "no index of the model starts with the key; no query in the scan filters or sorts on it, "
            f"reads the relation from {fk.relation.type}'s side, or deletes {fk.relation.type} rows: "
            "whether the index would be used is not known",)}
    return {"confidence": "high", "evidence": ("no index of the model starts with the key", why)}


def _served_after_prefix(fk: ForeignKey, used):
    """The index that holds the (one-column) key after other columns (`@@index([tenantId,
    dealId])`) when every query that uses the key also tests those leading columns in its
    `where` (and shows all of it): the index serves each of them. None otherwise."""
    if len(fk.columns) != 1:
        return None
    col = fk.columns[0]
    for ix in serving_indexes(fk.model):
        if col not in ix.fields[1:]:
            continue
        lead = set(ix.fields[:ix.fields.index(col)])
        if all(not q.call.call.args.where_opaque and lead <= set(q.call.call.args.where_fields) for q in used):
            return ix
    return None


RULE = Rule(
    id="foreign-key-missing-index",
    name="Foreign key without an index",
    category="schema",
    severity=Severity.MEDIUM,
    summary="A relation's scalar fields are not the leading columns of any index.",
    check=_check,
    tags=("performance",),
    on_queries=True,
)

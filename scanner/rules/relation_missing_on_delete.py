"""relation-missing-on-delete: the owning side of a relation without an
explicit `onDelete` (rules.md §5, seed §1.2). The schema proves the missing action; the code
proves it matters when it deletes the parent's rows (high), else medium; low when nothing
deletes them and the parent has a field that retires its rows instead (`deletedAt`,
`isActive`, `status`). A relation to a lookup table, whose rows only seeds and scripts
create and no application code deletes, is
low: the default is what such a table wants."""

from __future__ import annotations

from ..analysis.created_models import deleted_models, lookup_models
from ..analysis.schema_shape import field_span, relation_is_optional, retirement_field, table_models
from ..discover import SCRIPT_ROLES
from ..facts.operations import DELETE_OPS
from ..findings import Related, Severity
from ..index import FunctionKey
from .base import Rule, RuleContext


def _lookup_tables(ctx: RuleContext, schema) -> frozenset[str]:
    """Models (schema names) whose rows only seeds and scripts create and no application code
    deletes: lookup tables. A relation to one keeps the default on purpose: Restrict guards
    rows nothing is meant to delete."""
    lookups = lookup_models(ctx.index, schema)
    deleted = set(_app_deletes(ctx.index))
    return frozenset(m.name for m in schema.models if m.client_name in lookups - deleted)


def _app_deletes(index) -> dict[str, list]:
    """Client model name -> the direct deletes of its rows in application code (not scripts)."""
    def compute():
        out: dict[str, list] = {}
        for c in index.prisma_calls:
            if c.model and c.operation in DELETE_OPS and index.files[c.path].role not in SCRIPT_ROLES:
                out.setdefault(c.model, []).append(c)
        return out
    return index.memo("app-deletes", compute)


def _handled_first(index, parent, child, f) -> tuple[str, str] | None:
    """(a delete of `parent` rows, the call before it) when every direct delete of them in
    application code comes after a query, in the same function, on the `child` rows that
    point at them: a count that refuses (`if (await prisma.order.count({ where: { productId } }))
    throw …`), a `deleteMany` of them, or an update that unlinks them. None when a delete has no
    such query before it, or when the parent's rows only go by cascade or a nested write."""
    keys = {f.name, *(f.relation.fields or ())}
    found = None
    for d in _app_deletes(index).get(parent.client_name, ()):
        owner = FunctionKey(d.path, index.owner(d.path, d.call.ctx.function))
        before = next((c for c in index.calls_by_function.get(owner, ())
                       if c.model == child.client_name and c.call.ctx.start < d.call.ctx.start
                       and keys & {*c.call.args.where_points, *c.call.args.where_fields}), None)
        if before is None:
            return None
        found = found or (f"{d.label}() at {d.path}:{d.line}", f"{before.label}() at line {before.line}")
    return found


def _default_action(provider: str | None, optional: bool) -> str:
    """Prisma's default referential action for onDelete."""
    if optional:
        return "SetNull"
    return "NoAction" if provider == "sqlserver" else "Restrict"


def _check(ctx: RuleContext):
    schema = ctx.schema
    if schema is None:
        return
    emulated = schema.relation_mode == "prisma"
    lookups = _lookup_tables(ctx, schema)
    deleted = deleted_models(ctx.index, schema)
    for model in table_models(schema):
        for f in model.fields:
            rel = f.relation
            if rel is None or not rel.is_owning_side or rel.on_delete is not None or f.ignored:
                continue
            if f.is_list:
                # MongoDB's many-to-many through id lists (`products Product[] @relation(fields:
                # [productIds], …)`): Prisma takes no referential action there; nothing to state.
                continue
            optional = relation_is_optional(model, f)
            action = _default_action(schema.provider, optional)
            columns = ", ".join(f"{model.name}.{c}" for c in rel.fields)
            if optional:
                effect = (f"deleting the {f.type} sets {columns} to NULL, leaving those "
                          f"{model.name} rows without their {f.type}")
            else:
                effect = f"deleting the {f.type} fails while {model.name} rows still point at it"
            where = (' (relationMode = "prisma": no database foreign key, Prisma Client '
                     'emulates the action only for deletes it runs)') if emulated else ""
            target = schema.model(f.type)
            handled = _handled_first(ctx.index, target, model, f) if f.type in deleted and target else None
            if handled is not None:
                confidence, evidence = "low", (
                    f"every delete of {f.type} rows the code runs ({handled[0]}) first handles the "
                    f"{model.name} rows that point at them ({handled[1]}): the default {action} never "
                    "decides anything, so leaving it is a choice",)
            elif f.type in deleted:
                confidence, evidence = "high", (
                    f"the schema declares the relation without onDelete, and the code deletes {f.type} rows "
                    f"({deleted[f.type]}): the default {action} applies there",)
            elif (retired := retirement_field(target) if target is not None else None) is not None:
                confidence, evidence = "low", (
                    f"no code in the scan deletes {f.type} rows, which {f.type}.{retired} retires "
                    f"instead: the default {action} never decides anything the app does",)
            else:
                confidence, evidence = "medium", (
                    f"the schema declares the relation without onDelete; no code in the scan deletes "
                    f"{f.type} rows, so whether the default {action} ever applies is not known",)
            if f.type in lookups:
                confidence, evidence = "low", (
                    f"only seeds and scripts create {f.type} rows and no application code deletes them: "
                    f"a lookup table, which the default {action} guards as intended",)
            yield ctx.finding(
                f.path, field_span(f),
                f"{model.name}.{f.name} has no onDelete: the default ({action}) applies, so "
                f"{effect}{where}. Say what should happen: `onDelete: Cascade`, `SetNull` "
                f"or `Restrict`.",
                severity=Severity.HIGH if emulated else Severity.MEDIUM,
                model=model.name, field=f.name,
                related=((Related(target.path, target.line, f"model {target.name}"),)
                         if target is not None else ()),
                matched=f"{model.name}.{f.name}", confidence=confidence, evidence=evidence,
            )


RULE = Rule(
    id="relation-missing-on-delete",
    name="Relation without onDelete",
    category="schema",
    severity=Severity.MEDIUM,
    summary="The owning side of a relation leaves onDelete to the default.",
    check=_check,
    confidence="high",
    proof="the schema declares the relation without onDelete",
    tags=("integrity",),
    on_queries=True,
)

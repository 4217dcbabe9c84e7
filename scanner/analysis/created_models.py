"""Which models the application itself creates rows of: a create-like operation
(`create`, `createMany`, `createManyAndReturn`, `upsert`) on the model, or a nested
`create` / `createMany` / `connectOrCreate` / `upsert` through a relation field of
another model's write, split by whether a script or seed file does it. A model that
seeds or scripts create and no application code does is a lookup table: its rows come
from those, and reading all of them is bounded by what they wrote (unbounded-find-many,
rules.md §8 low). A model nothing in the scan creates is not one: another service may
write it. Also which models code deletes rows of (relation-missing-on-delete,
foreign-key-missing-index: where a missing action or index comes into play), and which
models the application empties before each time it fills them (a snapshot: one batch)."""

from __future__ import annotations

import re

from ..discover import SCRIPT_ROLES
from ..facts.args import NESTED_CREATES
from ..facts.operations import CREATE_OPS, DELETE_OPS
from .schema_shape import table_models
from .sources import seed_sources



def created_models(index, schema) -> tuple[frozenset[str], frozenset[str]] | None:
    """(models application code creates, models scripts and seeds create), as client names
    (`category`); None without a schema (nested writes cannot be told apart then)."""
    if schema is None:
        return None

    def compute() -> tuple[frozenset[str], frozenset[str]]:
        app: set[str] = set()
        scripts: set[str] = set()
        for call in index.prisma_calls:
            if call.model is None:
                continue
            out = scripts if index.files[call.path].role in SCRIPT_ROLES else app
            if call.operation in CREATE_OPS:
                out.add(call.model)
            for _, target in nested_targets(call, schema.by_client_name(call.model), NESTED_CREATES):
                out.add(target[:1].lower() + target[1:])
        if _auth_adapter(index):
            app |= {m.client_name for m in schema.models if m.name.lower() in _ADAPTER_MODELS}
        return frozenset(app), frozenset(scripts | _seeded(index, schema))
    return index.memo("created-models", compute)


# An auth library's Prisma adapter (`PrismaAdapter(prisma)` of Auth.js, `prismaAdapter(prisma, …)`
# of better-auth, Lucia's) creates the rows of its models on sign-up and sign-in: application
# writes the scan sees no call of.
_ADAPTERS = frozenset({"PrismaAdapter", "prismaAdapter"})
_ADAPTER_MODELS = frozenset({"user", "users", "account", "accounts", "session", "sessions", "verificationtoken",
                             "verification", "authenticator"})


def _auth_adapter(index) -> bool:
    return any(s.callee.rsplit(".", 1)[-1] in _ADAPTERS for facts in index.files.values() for s in facts.call_sites)


# `.currency.createMany(` in a seed's text: the model accessor, then a create-like operation.
_SEED_CREATE = re.compile(rb"\.\s*([A-Za-z_$][\w$]*)\s*\.\s*(" + b"|".join(
    re.escape(op.encode()) for op in sorted(CREATE_OPS)) + rb")\s*\(")


def _seeded(index, schema) -> set[str]:
    """Models (client names) the seed files the scan left out create rows of, as their text
    spells it (`prisma.currency.createMany(`): out of scope, they are not parsed, but what
    they insert is where a lookup table's rows come from."""
    names = {m.client_name for m in schema.models}
    return {name for src in seed_sources(index).values() for m in _SEED_CREATE.finditer(src)
            if (name := m.group(1).decode()) in names}


def snapshot_models(index, schema) -> dict[str, str]:
    """{model (client name): the wipe} for the models every application write that creates
    rows of (directly; none nested through another model) follows a `deleteMany()` of all
    their rows in the same function, on every path to it (`prisma.$transaction([
    news.deleteMany(), news.createMany({ data: page })])`; a wipe in another branch, `if
    (bulkSet) { deleteMany() … } else { upsert() }`, is none): the table holds one batch,
    what the last run wrote."""
    if schema is None:
        return {}   # (nested writes cannot be told apart without one)

    def compute() -> dict[str, str]:
        wipes, creates, nested = {}, {}, set()
        for call in index.prisma_calls:
            if call.model is None or index.files[call.path].role in SCRIPT_ROLES:
                continue
            a = call.call.args
            if call.operation == "deleteMany" and (not a.present or "where" not in a.keys or a.where_empty):
                key = (call.path, index.owner(call.path, call.call.ctx.function), call.model)
                wipes.setdefault(key, []).append(call)
            elif call.operation in CREATE_OPS:
                creates.setdefault(call.model, []).append(call)
            for _, target in nested_targets(call, schema.by_client_name(call.model), NESTED_CREATES):
                nested.add(target[:1].lower() + target[1:])
        out = {}
        for model, calls in creates.items():
            found = [next((w for w in wipes.get((c.path, index.owner(c.path, c.call.ctx.function), model), ())
                           if w.call.ctx.start < c.call.ctx.start and w.call.ctx.arms_within(c.call.ctx)), None)
                     for c in calls]
            if model not in nested and all(found):
                out[model] = f"{found[0].label}() at {found[0].path}:{found[0].line}"
        return out
    return index.memo("snapshot-models", compute)


def nested_targets(call, model, ops):
    """(operation, related model's schema name) of each nested write of `call` through a
    relation field of `model` whose operation is one of `ops` (`posts: { create: … }`)."""
    for w in call.call.args.nested_writes if model is not None else ():
        field_name, op = w.split(".", 1)
        target = next((f.type for f in model.fields if f.name == field_name and f.is_relation), None)
        if op in ops and target is not None:
            yield op, target


def lookup_models(index, schema) -> frozenset[str]:
    """Models (client names) whose rows seeds and scripts create and no application code
    does: lookup tables, as large as what those wrote. Empty without a schema."""
    created = created_models(index, schema)
    return created[1] - created[0] if created is not None else frozenset()


def deleted_models(index, schema) -> dict[str, str]:
    """Models (schema names) whose rows code in the scan deletes, with where: a `delete` /
    `deleteMany` on the model, a nested `delete` / `deleteMany` through a relation field, or
    a cascade from a deleted model (`onDelete: Cascade` to it, transitively)."""
    return index.memo("deleted-models", lambda: _deleted(index, schema))


def _deleted(index, schema) -> dict[str, str]:
    out: dict[str, str] = {}
    by_client = {m.client_name: m for m in schema.models}
    for c in index.prisma_calls:
        model = by_client.get(c.model or "")
        if model is None:
            continue
        where = f"{c.label}() at {c.path}:{c.line}"
        if c.operation in DELETE_OPS:
            out.setdefault(model.name, where)
        for op, target in nested_targets(c, model, DELETE_OPS):
            out.setdefault(target, f"a nested {op} in {where}")
    grew = True
    while grew:
        grew = False
        for m in table_models(schema):
            for f in m.fields:
                rel = f.relation
                if m.name not in out and rel is not None and rel.on_delete == "Cascade" and f.type in out:
                    out[m.name] = f"a cascade from {f.type} ({out[f.type]})"
                    grew = True
    return out

"""Which models the application itself creates rows of: a create-like operation
(`create`, `createMany`, `createManyAndReturn`, `upsert`) on the model, or a nested
`create` / `createMany` / `connectOrCreate` / `upsert` through a relation field of
another model's write, split by whether a script or seed file does it. A model that
seeds or scripts create and no application code does is a lookup table: its rows come
from those, and reading all of them is bounded by what they wrote (unbounded-find-many,
rules.md §8 low). A model nothing in the scan creates is not one: another service may
write it."""

from __future__ import annotations

from ..discover import SCRIPT_ROLES
from ..facts.args import NESTED_CREATES
from ..facts.operations import CREATE_OPS



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
            nested = [w.split(".", 1) for w in call.call.args.nested_writes]
            model = schema.by_client_name(call.model) if nested else None
            for field_name, op in nested:
                if op not in NESTED_CREATES or model is None:
                    continue
                target = next((f.type for f in model.fields if f.name == field_name and f.is_relation), None)
                if target is not None:
                    out.add(target[:1].lower() + target[1:])
        return frozenset(app), frozenset(scripts)
    return index.memo("created-models", compute)


def lookup_models(index, schema) -> frozenset[str]:
    """Models (client names) whose rows seeds and scripts create and no application code
    does: lookup tables, as large as what those wrote. Empty without a schema."""
    created = created_models(index, schema)
    return created[1] - created[0] if created is not None else frozenset()

"""Schema architecture: what the schema holds, counted (seed audit §1).

Pure over the parsed `Schema` and the migration files discovery saw; no rule
findings go in."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..schema.model import Schema

# Providers where only one connection writes at a time.
SINGLE_WRITER_PROVIDERS = frozenset({"sqlite"})
LARGEST_MODELS = 5


@dataclass(frozen=True, slots=True)
class RelationRef:
    model: str
    field: str
    target: str
    on_delete: str | None
    optional: bool
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class SchemaOverview:
    files: tuple[str, ...]
    provider: str | None
    relation_mode: str
    models: int
    views: int
    composite_types: int
    fields: int
    relations: int                      # owning sides (`@relation(fields: ...)`)
    indexes_by_kind: tuple[tuple[str, int], ...]   # id, unique, index, fulltext
    enums: int
    with_on_delete: tuple[RelationRef, ...]
    without_on_delete: tuple[RelationRef, ...]
    on_delete_actions: tuple[tuple[str, int], ...]
    largest_models: tuple[tuple[str, int, str, int], ...]  # (name, fields, path, line)
    migration_files: int
    migrations_folder: str | None
    notes: tuple[str, ...]

    @property
    def indexes(self) -> int:
        return sum(n for _, n in self.indexes_by_kind)

    def to_dict(self) -> dict:
        def rel(r: RelationRef) -> dict:
            return {"model": r.model, "field": r.field, "target": r.target, "on_delete": r.on_delete,
                    "optional": r.optional, "path": r.path, "line": r.line}
        return {
            "files": list(self.files), "provider": self.provider, "relation_mode": self.relation_mode,
            "models": self.models, "views": self.views, "composite_types": self.composite_types,
            "fields": self.fields, "relations": self.relations, "indexes": self.indexes,
            "indexes_by_kind": dict(self.indexes_by_kind), "enums": self.enums,
            "relations_with_on_delete": len(self.with_on_delete),
            "relations_without_on_delete": [rel(r) for r in self.without_on_delete],
            "on_delete_actions": dict(self.on_delete_actions),
            "largest_models": [{"model": n, "fields": c, "path": p, "line": ln}
                               for n, c, p, ln in self.largest_models],
            "migration_files": self.migration_files, "migrations_folder": self.migrations_folder,
            "notes": list(self.notes),
        }


def _migrations_folder(migration_files: list[str]) -> str | None:
    """The folder Prisma Migrate keeps its history in: the parent of
    `migration_lock.toml`, or of the `<timestamp>_<name>/` folders."""
    folders = Counter()
    for f in migration_files:
        p = PurePosixPath(f)
        folders[str(p.parent if p.name == "migration_lock.toml" else p.parent.parent)] += 1
    return folders.most_common(1)[0][0] if folders else None


def schema_overview(schema: Schema, migration_files: list[str] | tuple[str, ...] = ()) -> SchemaOverview:
    models = [m for m in schema.models if m.kind == "model"]
    with_od, without_od = [], []
    for m in models:
        for f in m.fields:
            if f.relation is None or not f.relation.is_owning_side:
                continue
            r = RelationRef(m.name, f.name, f.type, f.relation.on_delete, f.optional, f.path, f.line)
            (with_od if r.on_delete else without_od).append(r)
    kinds = Counter(ix.kind for m in models for ix in m.indexes)
    ranked = sorted(models, key=lambda m: (-len(m.fields), m.name))[:LARGEST_MODELS]
    folder = _migrations_folder(list(migration_files))
    sql_files = sum(1 for f in migration_files if f.endswith("migration.sql"))
    provider = schema.provider
    notes = []
    if provider in SINGLE_WRITER_PROVIDERS:
        notes.append(f"The provider is {provider}: one writer at a time, so concurrent writes queue "
                     "and the database cannot scale out.")
    if folder is None:
        notes.append("No Prisma Migrate folder (`prisma/migrations`) was found: the schema's history "
                     "is not versioned with the code (`prisma db push` or manual changes).")
    if schema.relation_mode == "prisma":
        notes.append('relationMode = "prisma": the database has no foreign keys; referential '
                     "integrity and cascades are emulated by Prisma Client only.")
    return SchemaOverview(
        files=tuple(schema.files), provider=provider, relation_mode=schema.relation_mode,
        models=len(models), views=sum(1 for m in schema.models if m.kind == "view"),
        composite_types=sum(1 for m in schema.models if m.kind == "type"),
        fields=sum(len(m.fields) for m in models), relations=len(with_od) + len(without_od),
        indexes_by_kind=tuple((k, kinds.get(k, 0)) for k in ("id", "unique", "index", "fulltext")),
        enums=len(schema.enums), with_on_delete=tuple(with_od), without_on_delete=tuple(without_od),
        on_delete_actions=tuple(sorted(Counter(r.on_delete for r in with_od).items())),
        largest_models=tuple((m.name, len(m.fields), m.path, m.line) for m in ranked),
        migration_files=sql_files, migrations_folder=folder, notes=tuple(notes),
    )

"""The parsed Prisma schema as plain, frozen, picklable records.

Everything is a tuple or a frozen dataclass so a Schema can be cached by
content hash, sent to worker processes and compared in tests. Lines are
1-based; paths are relative to the scan root, as given to the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ModelKind = Literal["model", "view", "type"]
IndexKind = Literal["id", "unique", "index", "fulltext"]
IndexSource = Literal["field", "block"]


@dataclass(frozen=True, slots=True)
class SchemaWarning:
    path: str
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Relation:
    """The arguments of one `@relation(...)` attribute."""

    name: str | None
    fields: tuple[str, ...]
    references: tuple[str, ...]
    on_delete: str | None
    on_update: str | None

    @property
    def is_owning_side(self) -> bool:
        """True on the side that holds the foreign key (`fields: [...]`)."""
        return bool(self.fields)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: str  # base type without modifiers; `Unsupported("...")` kept whole
    optional: bool
    is_list: bool
    attributes: tuple[str, ...]  # raw text of each `@attr(...)`, in order
    is_id: bool
    is_unique: bool
    default: str | None  # raw first argument of @default: `now()`, `"[]"`
    relation: Relation | None
    map: str | None
    db_type: str | None  # e.g. "@db.VarChar(255)"
    comment: str | None  # trailing `//` comment
    doc: str | None  # preceding `///` lines, joined with "\n"
    leading_comment: str | None  # preceding plain `//` lines, joined with "\n"
    ignored: bool
    is_updated_at: bool
    path: str
    line: int
    # Resolved once every file of the schema is read (types may live elsewhere).
    is_relation: bool = False  # type is a model or view
    is_enum: bool = False
    is_composite: bool = False  # type is a composite `type` (embedded, not a relation)

    @property
    def is_scalar_list(self) -> bool:
        return self.is_list and not (self.is_relation or self.is_composite)

    @property
    def is_unsupported(self) -> bool:
        return self.type.startswith("Unsupported")


@dataclass(frozen=True, slots=True)
class Index:
    kind: IndexKind
    fields: tuple[str, ...]  # names only: `createdAt(sort: Desc)` -> "createdAt"
    name: str | None
    map: str | None
    path: str
    line: int
    source: IndexSource


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    kind: ModelKind
    fields: tuple[Field, ...]
    indexes: tuple[Index, ...]
    map: str | None
    schema: str | None  # @@schema
    doc: str | None
    path: str
    line: int
    end_line: int
    ignored: bool  # @@ignore

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def client_name(self) -> str:
        """The accessor Prisma Client generates: `RSVP` -> `prisma.rSVP`."""
        return self.name[:1].lower() + self.name[1:]

    def leading_index_fields(self) -> frozenset[str]:
        """Fields that are the first column of some id, unique or index
        (a fulltext index cannot serve an equality lookup, so it is left out)."""
        return frozenset(ix.fields[0] for ix in self.indexes if ix.fields and ix.kind != "fulltext")

    def relation_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_relation)


@dataclass(frozen=True, slots=True)
class Enum:
    name: str
    values: tuple[str, ...]
    path: str
    line: int
    map: str | None = None
    schema: str | None = None
    doc: str | None = None


@dataclass(frozen=True, slots=True)
class Datasource:
    name: str
    provider: str | None
    relation_mode: str | None  # `relationMode` (or the older `referentialIntegrity`)
    url: str | None  # raw value as written, e.g. `env("DATABASE_URL")`
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Generator:
    name: str
    provider: str | None
    output: str | None
    preview_features: tuple[str, ...]
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Schema:
    files: tuple[str, ...]
    datasource: Datasource | None
    generators: tuple[Generator, ...]
    models: tuple[Model, ...]  # models, views and composite types, in file order
    enums: tuple[Enum, ...]
    warnings: tuple[SchemaWarning, ...]
    # Lookup tables derived from `models`; kept out of equality and hashing.
    models_by_name: dict[str, Model] = field(init=False, repr=False, compare=False, hash=False)
    _by_client_name: dict[str, Model] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        by_name = {m.name: m for m in self.models}
        # Composite types have no client accessor.
        by_client = {m.client_name: m for m in self.models if m.kind != "type"}
        object.__setattr__(self, "models_by_name", by_name)
        object.__setattr__(self, "_by_client_name", by_client)

    def model(self, name: str) -> Model | None:
        return self.models_by_name.get(name)

    def by_client_name(self, name: str) -> Model | None:
        """The model or view behind `prisma.<name>`, if any."""
        return self._by_client_name.get(name)

    def enum(self, name: str) -> Enum | None:
        return next((e for e in self.enums if e.name == name), None)

    @property
    def provider(self) -> str | None:
        return self.datasource.provider if self.datasource else None

    @property
    def relation_mode(self) -> str:
        """`relationMode`, defaulting as Prisma does (`prisma` on MongoDB)."""
        if self.datasource and self.datasource.relation_mode:
            return self.datasource.relation_mode
        return "prisma" if self.provider == "mongodb" else "foreignKeys"

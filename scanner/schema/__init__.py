"""Prisma schema support: locate the `.prisma` files and parse them into a Schema."""

from .locate import find_schema_files, group_schemas
from .model import (
    Datasource,
    Enum,
    Field,
    Generator,
    Index,
    Model,
    Relation,
    Schema,
    SchemaWarning,
)
from .parser import parse_schema_files, parse_schema_text

__all__ = [
    "Datasource",
    "Enum",
    "Field",
    "Generator",
    "Index",
    "Model",
    "Relation",
    "Schema",
    "SchemaWarning",
    "find_schema_files",
    "group_schemas",
    "parse_schema_files",
    "parse_schema_text",
]

"""Prisma schema support: locate the `.prisma` files and parse them into a Schema."""

from .locate import SchemaLocation, find_schema_files, group_schemas, locate_schema
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
    "SchemaLocation",
    "SchemaWarning",
    "find_schema_files",
    "group_schemas",
    "locate_schema",
    "parse_schema_files",
    "parse_schema_text",
]

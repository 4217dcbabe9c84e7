"""A tolerant, dependency-free parser for `schema.prisma` files.

It never raises on bad input: whatever cannot be understood becomes a
SchemaWarning and parsing goes on, so one broken file cannot stop an audit.
Files are parsed one by one (`parse_schema_text`, cacheable per file) and
then merged (`parse_schema_files`), because in a multi-file schema a field's
type may be declared in another file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ._lex import Attribute, Line, list_names, logical_lines, parse_args, read_attributes, unquote
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

SCALAR_TYPES = frozenset(
    {"String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes"}
)
_FIELD_ATTRIBUTES = frozenset(
    {"id", "unique", "default", "relation", "map", "updatedAt", "ignore", "shardKey"}
)
_BLOCK_ATTRIBUTES = frozenset(
    {"id", "unique", "index", "fulltext", "map", "schema", "ignore", "shardKey"}
)
_ENUM_VALUE_ATTRIBUTES = frozenset({"map"})
_INDEX_KINDS = frozenset({"id", "unique", "index", "fulltext"})

_HEADER = re.compile(r"(datasource|generator|model|view|type|enum)\s+([A-Za-z_]\w*)\s*(.*)\Z")
_FIELD = re.compile(
    r'([A-Za-z_]\w*)\s+(Unsupported\s*\(\s*"(?:[^"\\]|\\.)*"\s*\)|[A-Za-z_]\w*)'
    r"(\[\])?(\?)?(?:\s+|(?=@)|\Z)(.*)\Z",
    re.S,
)
_ENUM_VALUE = re.compile(r"([A-Za-z_]\w*)(?:\s+(.*))?\Z", re.S)
_SETTING = re.compile(r"([A-Za-z_]\w*)\s*=\s*(.*)\Z", re.S)


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """One file's blocks before cross-file resolution."""

    path: str
    datasources: tuple[Datasource, ...]
    generators: tuple[Generator, ...]
    models: tuple[Model, ...]
    enums: tuple[Enum, ...]
    warnings: tuple[SchemaWarning, ...]


def parse_schema_text(text: str, path: str) -> ParsedFile:
    return _FileParser(text, path).parse()


def parse_schema_files(files: list[tuple[str, str]]) -> Schema:
    """Parse and merge the files of one schema: (path relative to root, text)."""
    parsed = [parse_schema_text(text, path) for path, text in files]
    return merge_parsed(parsed)


def merge_parsed(parsed: list[ParsedFile]) -> Schema:
    """Merge the files of one schema and resolve field types across them."""
    file_order = {p.path: i for i, p in enumerate(parsed)}
    warnings = [w for p in parsed for w in p.warnings]
    datasources = [d for p in parsed for d in p.datasources]
    for extra in datasources[1:]:
        first = datasources[0]
        warnings.append(
            _warning(extra, f"more than one datasource block (first: {first.path}:{first.line})")
        )
    models = _unique_by_name([m for p in parsed for m in p.models], warnings)
    enums = _unique_by_name([e for p in parsed for e in p.enums], warnings)
    models = _resolve_types(models, enums, warnings)
    return Schema(
        files=tuple(p.path for p in parsed),
        datasource=datasources[0] if datasources else None,
        generators=tuple(g for p in parsed for g in p.generators),
        models=tuple(models),
        enums=tuple(enums),
        warnings=tuple(sorted(warnings, key=lambda w: (file_order.get(w.path, 0), w.line))),
    )


def _warning(item, message: str) -> SchemaWarning:
    return SchemaWarning(item.path, item.line, message)


def _unique_by_name(items: list, warnings: list[SchemaWarning]) -> list:
    """Keep the first declaration of each name; duplicates are warned about and dropped."""
    seen: dict[str, object] = {}
    for item in items:
        first = seen.setdefault(item.name, item)
        if first is not item:
            warnings.append(
                _warning(
                    item, f"duplicate declaration of {item.name} (first: {first.path}:{first.line})"
                )
            )
    return list(seen.values())


def _resolve_types(
    models: list[Model], enums: list[Enum], warnings: list[SchemaWarning]
) -> list[Model]:
    """Mark relation/enum/composite fields and check names that must exist."""
    kinds = {m.name: m.kind for m in models}
    enum_names = {e.name for e in enums}
    resolved = []
    for model in models:
        fields = []
        for f in model.fields:
            kind = kinds.get(f.type)
            if kind:
                f = replace(f, is_relation=kind != "type", is_composite=kind == "type")
            elif f.type in enum_names:
                f = replace(f, is_enum=True)
            elif f.type not in SCALAR_TYPES and not f.is_unsupported:
                warnings.append(_warning(f, f"unknown type {f.type} for {model.name}.{f.name}"))
            fields.append(f)
        resolved.append(replace(model, fields=tuple(fields)))
        _check_field_references(model, warnings)
    return resolved


def _check_field_references(model: Model, warnings: list[SchemaWarning]) -> None:
    names = {f.name for f in model.fields}
    for ix in model.indexes:
        # MongoDB may index into a composite field: `address.city`.
        for name in (n for n in ix.fields if n.split(".")[0] not in names):
            warnings.append(_warning(ix, f"@@{ix.kind} on unknown field {model.name}.{name}"))
    for f in model.fields:
        for name in (n for n in (f.relation.fields if f.relation else ()) if n not in names):
            warnings.append(
                _warning(f, f"@relation on {model.name}.{f.name} names unknown field {name}")
            )


class _Block:
    """The block being read: its header and what has been collected so far."""

    def __init__(self, keyword: str, name: str, line: int, doc: str | None):
        self.keyword, self.name, self.line, self.doc = keyword, name, line, doc
        self.fields: list[Field] = []
        self.indexes: list[Index] = []
        self.values: list[str] = []
        self.settings: dict[str, str] = {}
        self.attrs: dict[str, str | None] = {}  # @@map / @@schema / @@ignore


class _FileParser:
    """A line-by-line state machine over one file's logical lines."""

    def __init__(self, text: str, path: str):
        self.path = path
        self.lines = logical_lines(text)
        self.warnings: list[SchemaWarning] = []
        self.datasources: list[Datasource] = []
        self.generators: list[Generator] = []
        self.models: list[Model] = []
        self.enums: list[Enum] = []
        self.block: _Block | None = None
        self.docs: list[str] = []  # pending `///` lines
        self.comments: list[str] = []  # pending plain `//` lines
        self.garbage_from: int | None = None  # first line of a run of stray text

    def parse(self) -> ParsedFile:
        for line in self.lines:
            self._line(line)
        self._flush_garbage()
        if self.block:
            self._warn(self.block.line, f"{self.block.keyword} {self.block.name} is not closed")
            self._close(self.lines[-1].number)
        if not (self.datasources or self.generators or self.models or self.enums) and any(
            line.code for line in self.lines
        ):
            self._warn(
                1,
                "no datasource, generator, model, view, type or enum block found: not a Prisma schema?",
            )
        return ParsedFile(
            self.path,
            tuple(self.datasources),
            tuple(self.generators),
            tuple(self.models),
            tuple(self.enums),
            tuple(self.warnings),
        )

    def _warn(self, line: int, message: str) -> None:
        self.warnings.append(SchemaWarning(self.path, line, message))

    # -- line dispatch -------------------------------------------------------

    def _line(self, line: Line) -> None:
        if not line.code:
            self._comment_line(line)
            return
        header = _HEADER.match(line.code)
        if header and (header.group(3).startswith("{") or self.block is None):
            self._header(line, header)
        elif self.block is None:
            self.garbage_from = self.garbage_from or line.number
        elif line.code.startswith("}"):
            self._end_block(line)
        else:
            if line.unclosed:
                self._warn(line.number, "unclosed parenthesis or bracket")
            self._block_line(line)
        self.docs, self.comments = [], []

    def _comment_line(self, line: Line) -> None:
        if line.comment is None:  # a blank line detaches comments from what follows
            self.docs, self.comments = [], []
        elif line.is_doc:
            if line.comment or self.docs:  # a `/**` opener line adds no empty first line
                self.docs.append(line.comment)
        elif line.comment:
            self.comments.append(line.comment)

    def _flush_garbage(self) -> None:
        if self.garbage_from is not None:
            self._warn(self.garbage_from, "unexpected text outside a block")
            self.garbage_from = None

    def _header(self, line: Line, header: re.Match) -> None:
        self._flush_garbage()
        keyword, name, rest = header.groups()
        if self.block:
            self._warn(
                self.block.line,
                f"{self.block.keyword} {self.block.name} is not closed before line {line.number}",
            )
            self._close(line.number - 1)
        if not rest.startswith("{"):
            self._warn(line.number, f"expected '{{' after {keyword} {name}")
            return
        self.block = _Block(keyword, name, line.number, _joined(self.docs))
        rest = rest[1:].strip()
        if rest == "}":
            self._close(line.number)
        elif rest:
            self._warn(line.number, f"unexpected text after '{{': {rest}")

    def _end_block(self, line: Line) -> None:
        if line.code != "}":
            self._warn(line.number, f"unexpected text after '}}': {line.code[1:].strip()}")
        self._close(line.number)

    def _block_line(self, line: Line) -> None:
        keyword = self.block.keyword
        if line.code.startswith("@@"):
            self._block_attributes(line)
        elif keyword in ("model", "view", "type"):
            self._field(line)
        elif keyword == "enum":
            self._enum_value(line)
        else:
            self._setting(line)

    # -- block contents ------------------------------------------------------

    def _setting(self, line: Line) -> None:
        m = _SETTING.match(line.code)
        if not m:
            self._warn(
                line.number, f"expected `key = value` in {self.block.keyword} {self.block.name}"
            )
            return
        self.block.settings[m.group(1)] = m.group(2).strip()

    def _enum_value(self, line: Line) -> None:
        m = _ENUM_VALUE.match(line.code)
        if not m:
            self._warn(line.number, f"invalid enum value: {line.code}")
            return
        self.block.values.append(m.group(1))
        self._attributes(line, m.group(2) or "", allowed=_ENUM_VALUE_ATTRIBUTES)

    def _block_attributes(self, line: Line) -> None:
        for attr in self._attributes(line, line.code, allowed=_BLOCK_ATTRIBUTES):
            positional, named = parse_args(attr.args)
            first = positional[0] if positional else None
            if attr.name in _INDEX_KINDS:
                self.block.indexes.append(
                    Index(
                        kind=attr.name,
                        fields=list_names(named.get("fields", first)),
                        name=unquote(named.get("name")),
                        map=unquote(named.get("map")),
                        path=self.path,
                        line=line.number,
                        source="block",
                    )
                )
            elif attr.name in ("map", "schema"):
                self.block.attrs[attr.name] = unquote(named.get("name", first))
            elif attr.name == "ignore":
                self.block.attrs["ignore"] = None

    def _attributes(self, line: Line, text: str, allowed: frozenset[str]) -> list[Attribute]:
        """Read attributes, warning about stray text and unknown names."""
        attrs, rest = read_attributes(text)
        if rest:
            self._warn(line.number, f"cannot parse: {rest[:60]}")
        prefix = "@@" if text.startswith("@@") else "@"
        for attr in attrs:
            if attr.name not in allowed and not attr.name.startswith("db."):
                self._warn(line.number, f"unknown attribute {prefix}{attr.name}")
        return attrs

    def _field(self, line: Line) -> None:
        m = _FIELD.match(line.code)
        if not m:
            self._warn(line.number, f"cannot parse field: {line.code[:60]}")
            return
        name, type_, is_list, optional, rest = m.groups()
        if is_list and optional:
            self._warn(line.number, f"list field {name} cannot be optional")
        attrs = self._attributes(line, rest, allowed=_FIELD_ATTRIBUTES)
        by_name = {a.name: a for a in attrs}
        for attr in attrs:
            if attr.name in ("id", "unique"):
                self.block.indexes.append(self._field_index(attr, name, line))
        db_type = next((a.raw for a in attrs if a.name.startswith("db.")), None)
        self.block.fields.append(
            Field(
                name=name,
                type=type_,
                optional=bool(optional),
                is_list=bool(is_list),
                attributes=tuple(a.raw for a in attrs),
                is_id="id" in by_name,
                is_unique="unique" in by_name,
                default=_first_arg(by_name["default"], "value") if "default" in by_name else None,
                relation=_relation(by_name["relation"]) if "relation" in by_name else None,
                map=unquote(_first_arg(by_name["map"], "name")) if "map" in by_name else None,
                db_type=db_type,
                comment=line.comment,
                doc=_joined(self.docs),
                leading_comment=_joined(self.comments),
                ignored="ignore" in by_name,
                is_updated_at="updatedAt" in by_name,
                path=self.path,
                line=line.number,
            )
        )

    def _field_index(self, attr: Attribute, field_name: str, line: Line) -> Index:
        _, named = parse_args(attr.args)
        return Index(
            kind=attr.name,
            fields=(field_name,),
            name=None,
            map=unquote(named.get("map")),
            path=self.path,
            line=line.number,
            source="field",
        )

    # -- closing a block -----------------------------------------------------

    def _close(self, end_line: int) -> None:
        block, self.block = self.block, None
        kw = block.keyword
        if kw in ("model", "view", "type"):
            self.models.append(
                Model(
                    name=block.name,
                    kind=kw,
                    fields=tuple(block.fields),
                    indexes=tuple(block.indexes),
                    map=block.attrs.get("map"),
                    schema=block.attrs.get("schema"),
                    doc=block.doc,
                    path=self.path,
                    line=block.line,
                    end_line=end_line,
                    ignored="ignore" in block.attrs,
                )
            )
        elif kw == "enum":
            self.enums.append(
                Enum(
                    block.name,
                    tuple(block.values),
                    self.path,
                    block.line,
                    map=block.attrs.get("map"),
                    schema=block.attrs.get("schema"),
                    doc=block.doc,
                )
            )
        elif kw == "datasource":
            s = block.settings
            self.datasources.append(
                Datasource(
                    name=block.name,
                    provider=unquote(s.get("provider")),
                    relation_mode=unquote(s.get("relationMode", s.get("referentialIntegrity"))),
                    url=s.get("url"),
                    path=self.path,
                    line=block.line,
                )
            )
        else:
            s = block.settings
            self.generators.append(
                Generator(
                    name=block.name,
                    provider=unquote(s.get("provider")),
                    output=unquote(s.get("output")),
                    preview_features=tuple(list_names(s.get("previewFeatures"))),
                    path=self.path,
                    line=block.line,
                )
            )


def _relation(attr: Attribute) -> Relation:
    positional, named = parse_args(attr.args)
    on_delete, on_update = named.get("onDelete"), named.get("onUpdate")
    return Relation(
        name=unquote(named.get("name", positional[0] if positional else None)),
        fields=list_names(named.get("fields")),
        references=list_names(named.get("references")),
        on_delete=on_delete,
        on_update=on_update,
    )


def _first_arg(attr: Attribute, keyword: str) -> str | None:
    positional, named = parse_args(attr.args)
    return named.get(keyword, positional[0] if positional else None)


def _joined(lines: list[str]) -> str | None:
    """Comment lines as one text; a closing ` */` or bare `///` adds no empty last line."""
    return "\n".join(lines).rstrip("\n") or None

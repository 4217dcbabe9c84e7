"""string-enum-column: a `String` field used as an enum (rules.md §5, seed
§1.3.1). Known from a comment listing its values (`"a" | "b"`, `a|b|c`,
`one of: a, b`), or from code that only ever writes literals into it and
filters or compares it with a few (2 to 8) short literal values, the schema
default counting as one.
Free-text fields (names, titles, emails, slugs, urls, keys, codes, ...),
ids, unique fields and foreign keys are left alone."""

from __future__ import annotations

import re

from ..analysis.field_uses import field_uses
from ..analysis.schema_shape import (
    comment_text, declared_json, field_span, foreign_keys, string_fields, waits_for_sqlite_upgrade,
)
from ..findings import Related, Severity
from .base import Rule, RuleContext

MAX_VALUES = 8
# The last word of a free-text (or identifier-like) field name.
FREE_TEXT_WORDS = frozenset({
    "name", "title", "email", "slug", "url", "uri", "description", "key", "code", "token",
    "identifier", "path", "label", "text", "body", "content", "message", "note", "notes",
    "comment", "summary", "locale", "language", "lang", "timezone", "tz", "currency", "country",
    "host", "domain", "ip", "agent", "hash", "password", "secret", "id", "ref", "image", "avatar",
    "icon", "color", "colour", "address", "phone", "username", "handle", "subject", "html",
    "markdown", "query", "search", "prompt", "answer", "bio", "website", "link", "href", "src",
    "file", "filename", "mime", "version", "value", "data", "payload", "json", "metadata",
    "signature", "nonce", "salt", "cursor", "etag", "sku", "number", "zip", "city", "street",
})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
# A value that reads like an enum member: a short token without spaces.
_TOKEN = re.compile(r"^[A-Za-z][\w.:-]{0,39}$")
# Type names that show up in comments like `string | null`, not values.
_TYPE_WORDS = frozenset({"string", "number", "null", "undefined", "boolean", "bool", "int",
                         "float", "object", "array", "any", "unknown"})
_QUOTED = r"""(["'`])([A-Za-z][\w .:-]{0,39})\1"""
_QUOTED_LIST = re.compile(_QUOTED + r"""(?:\s*(?:\||,|/|\bor\b)\s*""" + _QUOTED + r")+")
_QUOTED_ONE = re.compile(_QUOTED)
_PIPED = re.compile(r"(?<![\w|])[A-Za-z][\w.:-]*(?:\s*\|\s*[A-Za-z][\w.:-]*)+(?![\w|])")
# An example is not the list of values: `e.g. "USD", "EUR"`, `["a","b"]`.
_EXAMPLE = re.compile(r"(?:\be\.?g\.?,?|\bfor example|\bsuch as|\blike|\[)\s*$", re.I)
_INTRO = re.compile(r"\b(?:one of|possible values|allowed values|valid values|values|options|"
                    r"enum)\s*[:=]?\s*(?:\(|\[)?([^.;()\[\]\n]+)", re.I)


def _last_word(name: str) -> str:
    ws = _WORD.findall(name)
    return ws[-1].lower() if ws else name.lower()


def comment_values(comment: str) -> list[str]:
    """The values a comment lists, or [] when it lists none."""
    for line in comment.splitlines():
        m = _QUOTED_LIST.search(line)
        if m and not _EXAMPLE.search(line[:m.start()]):
            return _dedupe(v for _, v in _QUOTED_ONE.findall(m.group(0)))
        m = _INTRO.search(line)
        if m:
            values = [v.strip().strip("'\"`") for v in re.split(r",|\||/|\bor\b", m.group(1))]
            values = [v for v in values if _TOKEN.match(v)]
            if len(values) >= 2:
                return _dedupe(values)
        m = _PIPED.search(line)
        if m:
            values = [v.strip() for v in m.group(0).split("|")]
            if len(values) >= 2 and not {v.lower() for v in values} & _TYPE_WORDS:
                return _dedupe(values)
    return []


def _dedupe(values) -> list[str]:
    return list(dict.fromkeys(values))


def _default_literal(default: str | None) -> str | None:
    if default and len(default) >= 2 and default[0] == default[-1] == '"':
        value = default[1:-1]
        return value if _TOKEN.match(value) else None
    return None


def code_values(uses, default: str | None) -> list[str] | None:
    """The literal values code gives the field, when they look like an enum's."""
    literals: list[str] = []
    for u in uses:
        if u.value in ("computed", "pattern", "json"):
            return None  # built or searched like text
        if u.action == "write" and u.value == "other":
            return None  # also written from a variable: values the code does not list
        if u.value == "literal":
            if not _TOKEN.match(u.literal or ""):
                return None
            literals.append(u.literal)
    if not literals:
        return None
    values = _dedupe(literals + ([d] if (d := _default_literal(default)) else []))
    return values if 2 <= len(values) <= MAX_VALUES else None


def _candidate(f, fk_columns) -> bool:
    return (not f.is_id and not declared_json(f) and not f.is_unique and f.name not in fk_columns
            and _last_word(f.name) not in FREE_TEXT_WORDS
            and not (f.default or "").endswith(")"))  # cuid(), uuid(), nanoid(), dbgenerated()


def _check(ctx: RuleContext):
    schema = ctx.schema
    if schema is None:
        return
    uses = field_uses(ctx.index)
    fix = ("a lookup table or a CHECK constraint (SQL Server has no enums in Prisma)"
           if schema.provider == "sqlserver" else "an `enum` block")
    graded = waits_for_sqlite_upgrade(ctx.index, schema, "`enum` blocks")
    fk_columns = {m.name: {c for fk in foreign_keys(m) for c in fk.columns} for m in schema.models}
    for model, f in string_fields(schema):
        if not _candidate(f, fk_columns[model.name]):
            continue
        listed = comment_values(comment_text(f))
        code = uses.get((model.name, f.name), [])
        seen = code_values(code, f.default)
        if len(listed) < 2 and seen is None:
            continue
        values = _dedupe(listed + (seen or []))
        source = " and ".join(s for s, ok in (("its comment", len(listed) >= 2),
                                             ("the code", seen is not None)) if ok)
        shown = ", ".join(f'"{v}"' for v in values[:MAX_VALUES + 2])
        yield ctx.finding(
            f.path, field_span(f),
            f"{model.name}.{f.name} is a String used as an enum ({source}: {shown}): the "
            f"database accepts any other string too, and a typo is a silent new state. "
            f"Use {fix}.",
            model=model.name, field=f.name,
            related=tuple(Related(u.path, u.line, f'{u.action} "{u.literal}"')
                          for u in code if u.value == "literal") if seen else (),
            matched=f"{model.name}.{f.name}", **graded,
        )


RULE = Rule(
    id="string-enum-column",
    name="String used as an enum",
    category="schema",
    severity=Severity.LOW,
    summary="A String field that only ever holds a few fixed values.",
    check=_check,
    tags=("integrity",),
    refuted_by_check=True,
)

"""json-in-string-column: a `String` field that holds JSON (rules.md §5,
seed §1.3.2). Known from a `"[]"`/`"{}"` default (or any default that is a
JSON array or object), a comment or a field name saying JSON, or code that
`JSON.parse`s the value read from the field or writes `JSON.stringify(...)`
into it."""

from __future__ import annotations

from ..analysis.field_uses import field_uses
from ..analysis.schema_shape import (
    comment_text, field_span, json_comment_line, json_default, json_name, string_fields, waits_for_sqlite_upgrade,
)
from ..findings import Related, Severity
from .base import Rule, RuleContext

def _quote(line: str, limit: int = 60) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _evidence(f, code) -> list[str]:
    """Why the field holds JSON, most direct reason first."""
    out: list[str] = []
    if json_default(f.default):
        out.append(f"default {f.default}")
    said = json_comment_line(comment_text(f))
    if said is not None:
        out.append(f'comment "{_quote(said)}"')
    if json_name(f.name):
        out.append("its name")
    parsed = sum(1 for u in code if u.action == "parse")
    written = len(code) - parsed
    if written:
        out.append(f"JSON.stringify written to it in {written} place{'s' * (written > 1)}")
    if parsed:
        out.append(f"JSON.parse of it in {parsed} place{'s' * (parsed > 1)}")
    return out


def _check(ctx: RuleContext):
    schema = ctx.schema
    if schema is None:
        return
    uses = field_uses(ctx.index)
    fix = ("a related table (SQL Server has no Json type in Prisma)" if schema.provider == "sqlserver"
           else "a `Json` column (jsonb on PostgreSQL) or a related table")
    graded = waits_for_sqlite_upgrade(ctx.index, schema, "a `Json` type")
    for model, f in string_fields(schema):
        code = [u for u in uses.get((model.name, f.name), ())
                if u.value == "json" and u.action in ("write", "parse")]
        evidence = _evidence(f, code)
        if not evidence:
            continue
        yield ctx.finding(
            f.path, field_span(f),
            f"{model.name}.{f.name} stores JSON in a String ({'; '.join(evidence)}): the "
            f"database cannot validate, index or query inside it, and every read pays a "
            f"parse. Use {fix}.",
            model=model.name, field=f.name,
            related=tuple(Related(u.path, u.line, "JSON.parse of the value read here"
                                  if u.action == "parse" else "JSON.stringify written here")
                          for u in code),
            matched=f"{model.name}.{f.name}", **graded,
        )


RULE = Rule(
    id="json-in-string-column",
    name="JSON stored in a String column",
    category="schema",
    severity=Severity.MEDIUM,
    summary="A String field holds serialised JSON.",
    check=_check,
    tags=("integrity", "performance"),
)

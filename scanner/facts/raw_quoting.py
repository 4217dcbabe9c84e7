"""Text escaped by doubling its quotes and spliced between quotes: `'${v.replace(/'/g, "''")}'`.
Inside a standard SQL string literal a doubled quote is a quote, so the value cannot close the
literal: complete escaping where a backslash is plain text (PostgreSQL with its default
standard strings, SQLite, SQL Server), not in MySQL, whose backslash escapes let `\\'` through.
The facts keep such values apart; raw-sql-injection decides by the schema's provider."""

from __future__ import annotations

import re

import tree_sitter as ts

from .nodes import field, text, unwrap

_OPEN = re.compile(r"'%?$")     # `= '${v}'`, `LIKE '%${v}%'`
_CLOSE = re.compile(r"^%?'")


def between_quotes(substitution: ts.Node) -> bool:
    """The `${…}` of a template sits right inside a quoted SQL string."""
    before, after = substitution.prev_sibling, substitution.next_sibling
    return before is not None and before.type == "string_fragment" and _OPEN.search(text(before)) is not None \
        and after is not None and after.type == "string_fragment" and _CLOSE.match(text(after)) is not None


def doubles_quotes(node: ts.Node | None) -> bool:
    """`v.replace(/'/g, "''")`, `v.replaceAll("'", "''")`: every single quote doubled."""
    call = unwrap(node)
    fn = unwrap(field(call, "function")) if call is not None and call.type == "call_expression" else None
    args = field(call, "arguments") if fn is not None else None
    if fn is None or fn.type != "member_expression" or args is None or len(args.named_children) != 2:
        return False
    method = text(field(fn, "property"))
    pattern, replacement = (unwrap(a) for a in args.named_children)
    if pattern is None or replacement is None or replacement.type != "string" \
            or _string_value(replacement) != "''":
        return False
    if pattern.type == "regex":
        flags = field(pattern, "flags")
        return method in ("replace", "replaceAll") and text(field(pattern, "pattern")) == "'" \
            and flags is not None and "g" in text(flags)
    return method == "replaceAll" and pattern.type == "string" and _string_value(pattern) == "'"


def _string_value(node: ts.Node) -> str:
    """The text of a string literal, escapes `\\'` read as the quote."""
    return text(node)[1:-1].replace("\\'", "'")

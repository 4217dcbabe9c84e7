"""Expressions whose value is always a string (or a list of strings), whatever request input
went in: an object sent where a string was expected throws or prints as text, so no filter
object can pass (facts/taint_values.py)."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import FUNCTION_TYPES, field, map_callback, text, unwrap

# The check a value made a string on the way carries (`String(x)`, a template, `.trim()`).
STRING_CHECK = "string"
# Methods only strings have: a value they are called on that is not a string throws.
_STRING_METHODS = frozenset({"trim", "trimStart", "trimEnd", "toLowerCase", "toUpperCase",
                             "toLocaleLowerCase", "toLocaleUpperCase", "normalize",
                             # …and methods whose result is a string whatever they are called on
                             # (`part.data.toString()`, `new Date(x).toISOString()`).
                             "toString", "toISOString"})


def parsed_text(node: ts.Node) -> ts.Node | None:
    """The text argument of `JSON.parse(text)`, else None."""
    if node.type != "call_expression" or text(field(node, "function")) != "JSON.parse":
        return None
    args = field(node, "arguments")
    return args.named_children[0] if args is not None and args.named_children else None


def string_forced(node: ts.Node) -> ts.Node | None:
    """The operand of an expression whose value is always a string: `String(x)`, `x.trim()`
    (and the other string-only methods), a template literal with one substitution; or a list
    of strings, `ids.map((id) => String(id))`."""
    t = node.type
    if t == "call_expression":
        fn = field(node, "function")
        args = field(node, "arguments")
        if fn is not None and fn.type == "identifier" and text(fn) == "String":
            first = args.named_children[0] if args is not None and args.named_children else None
            return first
        if fn is not None and fn.type == "member_expression" and (
                text(field(fn, "property")) in _STRING_METHODS or _maps_to_strings(node)):
            return field(fn, "object")
        return None
    if t == "template_string":
        subs = [c for c in node.named_children if c.type == "template_substitution"]
        return subs[0].named_children[0] if len(subs) == 1 and subs[0].named_children else None
    return None


def _maps_to_strings(call: ts.Node) -> bool:
    """`ids.map(String)`, `ids.map((id) => String(id).trim())`: a list whose every item the
    callback turns into a string."""
    cb = map_callback(call)
    if cb is not None and cb.type == "identifier":
        return text(cb) == "String"
    body = field(cb, "body") if cb is not None and cb.type in FUNCTION_TYPES else None
    return body is not None and body.type != "statement_block" and string_forced(unwrap(body) or body) is not None

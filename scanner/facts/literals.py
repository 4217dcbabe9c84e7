"""Values read out of array and object literals: the element a destructuring path starts in,
the value of an object literal's property; and the module a `require("…")` call names."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import field, text, unwrap


def array_element(value: ts.Node | None, path: tuple[str, ...]) -> tuple[ts.Node | None, tuple[str, ...]]:
    """`const [{ db }, x] = await Promise.all([import("./db"), …])`: the element a
    destructuring path starts in, and the rest of the path."""
    # `[0]` is an array position; `[KEY]` a computed key of an object pattern.
    while path and path[0].startswith("[") and path[0][1:-1].isdigit() and value is not None:
        v = unwrap(value)
        if v is not None and v.type == "call_expression" and text(field(v, "function")) == "Promise.all":
            args = field(v, "arguments")
            v = unwrap(args.named_children[0]) if args is not None and args.named_children else None
        if v is None or v.type != "array":
            break
        i = int(path[0][1:-1])
        items = [c for c in v.named_children if c.type != "comment"]
        if i >= len(items) or any(c.type == "spread_element" for c in items[:i + 1]):
            break
        value, path = items[i], path[1:]
    return value, path



def object_property(obj: ts.Node, prop: str) -> ts.Node | None:
    """The value of `prop` in an object literal (a shorthand property is its own value)."""
    for c in obj.named_children:
        if c.type == "pair" and text(field(c, "key")).strip("'\"") == prop:
            return field(c, "value")
        if c.type == "shorthand_property_identifier" and text(c) == prop:
            return c
    return None


def required_module(call: ts.Node) -> str | None:
    """`x` of `require("x")` (a CommonJS import), else None."""
    required = call.type == "call_expression" and text(field(call, "function")) == "require"
    args = field(call, "arguments") if required else None
    first = args.named_children[0] if args is not None and args.named_children else None
    return text(first).strip("'\"`") if first is not None and first.type == "string" else None


def longest_listed(obj: ts.Node | None) -> int | None:
    """How many items the longest list of an object literal holds when its every value is a
    literal array without a spread (`{ leads: [a, b, c], deals: [d] }`: 3), else None."""
    if obj is None or obj.type != "object":
        return None
    lens = []
    for c in obj.named_children:
        if c.type == "comment":
            continue
        v = unwrap(field(c, "value")) if c.type == "pair" else None
        if v is None or v.type != "array" or any(x.type == "spread_element" for x in v.named_children):
            return None
        lens.append(sum(1 for x in v.named_children if x.type != "comment"))
    return max(lens) if lens else None

"""A class's constant: a field initialised with a literal object or list that no code can
change (`static readonly RATES = {…}`), or that only the class can change and does not (a
`private static tableNameMap = {…}` its methods only read). Iterating it, or its keys, runs a
fixed number of rounds, as a module constant does (rules.md §8, n-plus-one quiet)."""

from __future__ import annotations

import re

import tree_sitter as ts

from .nodes import enclosing, field, text, unwrap


def class_constant(obj: ts.Node | None, prop: str, resolver) -> str | None:
    """A note naming the constant `obj.prop` reads (`TaxService.RATES` of a class the file
    declares, or `this.RATES` in the class's own methods); None when it is none."""
    obj = unwrap(obj)
    if obj is None or not prop:
        return None
    if obj.type == "this":
        body = enclosing(obj, ("class_body",))
    else:
        b = resolver.lookup(text(obj), obj) if obj.type == "identifier" else None
        body = field(b.node, "body") if b is not None and b.kind == "class" else None
    for member in body.named_children if body is not None else ():
        if member.type != "public_field_definition" or text(field(member, "name")) != prop:
            continue
        words = {c.type for c in member.children}
        value = unwrap(field(member, "value"))
        if value is None or value.type not in ("object", "array") \
                or any(c.type == "spread_element" for c in value.named_children):
            return None
        private = prop.startswith("#") or any(text(c) == "private" for c in member.children
                                                if c.type == "accessibility_modifier")
        if "readonly" in words and "static" in words or private and not _changed(body, member, prop):
            return f"the class constant {text(obj)}.{prop}"
    return None


def _changed(body: ts.Node, member: ts.Node, prop: str) -> bool:
    """Whether the class's code, outside the field's own declaration, assigns the field, one
    of its entries, or grows it (`this.map = …`, `Cls.map[k] = …`, `this.list.push(…)`)."""
    source = body.text or b""
    rest = (source[:member.start_byte - body.start_byte] + source[member.end_byte - body.start_byte:]).decode(
        "utf-8", "replace")
    name = re.escape(prop)
    assigned = rf"\.{name}\s*(?:\[[^\]]*\]|\.[\w$]+)?\s*(?:[-+*/%&|^]|\|\||&&|\?\?)?=(?![=>])"
    grown = rf"\.{name}\.(?:push|unshift|splice|set|delete|clear|add)\(|delete\s+[\w$.]*\.{name}\b"
    return re.search(f"{assigned}|{grown}", rest) is not None

"""The declared TypeScript type of a binding, as text: a parameter's annotation, and for a
name destructured from a parameter (`{ userId }: Opts`) the type of that property in an
inline object type or in an interface / type alias of the same file. Enough to tell a
`number` from a `string` where raw SQL splices it; types from other files are not read."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import field, short, text, unwrap

_MAX_ALIAS_HOPS = 4


def _annotation(node: ts.Node | None) -> ts.Node | None:
    """The type inside a `type_annotation` (`: number` -> `number`)."""
    if node is not None and node.type == "type_annotation":
        return next((c for c in node.named_children if c.type != "comment"), None)
    return node


def _root(node: ts.Node) -> ts.Node:
    while node.parent is not None:
        node = node.parent
    return node


def _named_type(root: ts.Node, name: str) -> ts.Node | None:
    """The body of `interface name {…}` or the value of `type name = …` at the top of the file."""
    for stmt in root.named_children:
        decl = stmt.named_children[0] if stmt.type == "export_statement" and stmt.named_children else stmt
        if decl.type in ("interface_declaration", "type_alias_declaration") \
                and text(field(decl, "name")) == name:
            return field(decl, "body") if decl.type == "interface_declaration" else field(decl, "value")
    return None


def _member_type(shape: ts.Node | None, prop: str, root: ts.Node, hops: int = 0) -> ts.Node | None:
    shape = unwrap(shape)
    if shape is None or hops > _MAX_ALIAS_HOPS:
        return None
    if shape.type == "type_identifier":
        return _member_type(_named_type(root, text(shape)), prop, root, hops + 1)
    if shape.type == "intersection_type":   # `Input & { userId: number }`: any part may declare it
        return next((t for part in shape.named_children
                     if (t := _member_type(part, prop, root, hops + 1)) is not None), None)
    if shape.type not in ("object_type", "interface_body"):
        return None
    for sig in shape.named_children:
        if sig.type == "property_signature" and text(field(sig, "name")) == prop:
            return _annotation(field(sig, "type"))
    return None


def declared_type(b, members: tuple[str, ...] = ()) -> str:
    """The declared type of a `param` binding (`b.path` = the property path destructured),
    or of `members` read on it (`params.vector` -> ("vector",))."""
    if b.kind != "param" or b.node.type not in ("required_parameter", "optional_parameter"):
        return ""
    t = _annotation(field(b.node, "type"))
    root = _root(b.node)
    for prop in (*b.path, *members):
        if t is None or prop == "...":
            return ""
        t = _member_type(t, prop, root)
    return short(t, 60) if t is not None else ""

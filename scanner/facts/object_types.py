"""The type an object literal is declared as (`const repo: Repo = {…}`, `{…} satisfies
Repo`), which types its methods' parameters."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import FUNCTION_TYPES, enclosing, field, text


def object_method(fn: ts.Node) -> tuple[ts.Node, str] | None:
    """(the object literal, the method's name) for a method of an object literal
    (`{ async find(handle) {…} }`, `{ find: async (handle) => … }`)."""
    p = fn.parent
    if fn.type == "method_definition" and p is not None and p.type == "object":
        return p, text(field(fn, "name"))
    if p is not None and p.type == "pair" and p.parent is not None and p.parent.type == "object":
        value = field(p, "value")
        if value is not None and value.start_byte == fn.start_byte:
            return p.parent, text(field(p, "key")).strip("'\"")
    return None


def contextual_type(obj: ts.Node) -> ts.Node | None:
    """The type an object literal is declared as, which types its methods' parameters: the
    return type of the function returning it (`function repo(): Repo { return {…} }`), the
    annotation of the variable it initialises (`const repo: Repo = {…}`), or `{…} satisfies
    Repo` / `{…} as Repo` / `<Repo>{…}`."""
    n, p = obj, obj.parent
    while p is not None and p.type == "parenthesized_expression":
        n, p = p, p.parent
    if p is None:
        return None
    if p.type in ("satisfies_expression", "as_expression"):
        return next((c for c in p.named_children if c.start_byte > n.start_byte), None)
    if p.type == "type_assertion":   # `<Command>{ execute(bot, interaction) {…} }`
        args = p.named_children[0] if p.named_children and p.named_children[0].type == "type_arguments" else None
        return args.named_children[0] if args is not None and args.named_children else None
    if p.type == "variable_declarator":
        return field(p, "type")
    if p.type == "arrow_function" and field(p, "body") is not None and field(p, "body").start_byte == n.start_byte:
        return field(p, "return_type")
    if p.type == "return_statement":
        fn = enclosing(p, FUNCTION_TYPES)
        return field(fn, "return_type") if fn is not None else None
    return None

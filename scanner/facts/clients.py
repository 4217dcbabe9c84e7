"""Where `new PrismaClient()` runs (and whether it is kept on `globalThis`), and the
file's constant arrays."""

from __future__ import annotations

import re

import tree_sitter as ts

from .frames import literal_len
from .functions import function_name
from .model import ClientCreation
from .nodes import FUNCTION_TYPES, field, span, text, unwrap
from .parsed import ParsedFile, enclosing
from .scopes import _returned_expressions


def extract(pf: ParsedFile) -> tuple[ClientCreation, ...]:
    out = []
    for node in pf.captures("new_client").get("new_client", []):
        cls = text(field(node, "constructor")).split(".")[-1]
        if cls not in pf.config.classes:
            continue
        binding = None
        holder = node.parent
        global_reuse = False
        while holder is not None and holder.type in ("binary_expression", "parenthesized_expression",
                                                     "call_expression", "member_expression",
                                                     "as_expression", "arguments", "assignment_expression"):
            if holder.type in ("binary_expression", "assignment_expression") and _mentions_global(pf, holder):
                global_reuse = True
            holder = holder.parent
        if holder is not None and holder.type == "variable_declarator":
            binding = text(field(holder, "name"))
        if not global_reuse:
            global_reuse = _factory_cached_on_global(pf, node)
        out.append(ClientCreation(span(node), pf.fid(node), binding, global_reuse,
                                  _returned(node, binding), _production_only(node)))
    return tuple(out)


_PRODUCTION = re.compile(r"""NODE_ENV\s*(===?|!==?)\s*['"]production['"]|['"]production['"]\s*(===?|!==?)\s*"""
                         r"""(process\.env\.)?NODE_ENV""")


def _production_only(node: ts.Node) -> bool:
    """Inside the arm of an `if` (or `?:`) that runs only when NODE_ENV is production: the
    consequence of `=== 'production'`, the alternative of `!== 'production'`."""
    child, n = node, node.parent
    while n is not None and n.type not in FUNCTION_TYPES:
        condition = text(field(n, "condition")) if n.type in ("if_statement", "ternary_expression") else ""
        if condition and "&&" not in condition and "||" not in condition:
            m = _PRODUCTION.search(condition)
            if m is not None:
                equal = "!" not in (m.group(1) or m.group(2) or "")
                arm = field(n, "consequence") if equal else field(n, "alternative")
                if arm is not None and arm.start_byte <= child.start_byte and child.end_byte <= arm.end_byte:
                    return True
        child, n = n, n.parent
    return False


def _returned(node: ts.Node, binding: str | None) -> bool:
    fn = enclosing(node, FUNCTION_TYPES)
    if fn is None:
        return False
    for result in _returned_expressions(fn):
        if result.start_byte <= node.start_byte and node.end_byte <= result.end_byte:
            return True
        r = unwrap(result)
        if binding is not None and r is not None and r.type == "identifier" and text(r) == binding:
            return True
    return False


def _mentions_global(pf: ParsedFile, node: ts.Node) -> bool:
    """`globalThis.prisma ?? …`, or through an alias `const g = globalThis as …`."""
    if "global" in text(node):
        return True
    left = unwrap(field(node, "left"))
    while left is not None and left.type == "member_expression":
        left = unwrap(field(left, "object"))
    if left is not None and left.type == "identifier":
        b = pf.resolver.lookup(text(left), left)
        return b is not None and b.kind == "var" and "global" in text(b.value)
    return False


def const_arrays(pf: ParsedFile) -> tuple[tuple[str, int], ...]:
    out = []
    for stmt in pf.root.named_children:
        decl = field(stmt, "declaration") if stmt.type == "export_statement" else stmt
        if decl is None or decl.type != "lexical_declaration" \
                or not any(c.type == "const" for c in decl.children):
            continue
        for d in decl.named_children:
            name = field(d, "name") if d.type == "variable_declarator" else None
            if name is not None and name.type == "identifier":
                n = literal_len(field(d, "value"), pf.resolver)
                if n is not None:
                    out.append((text(name), n))
    return tuple(out)


def _factory_cached_on_global(pf: ParsedFile, node: ts.Node) -> bool:
    """`const make = () => new PrismaClient()` used as `global.prisma ?? make()`."""
    fn = enclosing(node, FUNCTION_TYPES)
    if fn is None:
        return False
    name, _ = function_name(fn)
    if not name.isidentifier():
        return False
    for stmt in pf.root.named_children:
        decl = field(stmt, "declaration") if stmt.type == "export_statement" else stmt
        if decl is None or decl.type not in ("lexical_declaration", "variable_declaration"):
            continue
        for d in decl.named_children:
            value = field(d, "value") if d.type == "variable_declarator" else None
            if value is not None and value.type == "binary_expression" \
                    and "global" in text(field(value, "left")) \
                    and text(field(value, "right")).startswith(name + "("):
                return True
    return False

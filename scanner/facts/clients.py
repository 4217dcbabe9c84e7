"""Where `new PrismaClient()` runs (and whether it is kept on `globalThis`), and the
file's constant arrays."""

from __future__ import annotations

import re

import tree_sitter as ts

from .frames import literal_len
from .functions import function_name
from .model import ClientCreation
from .nodes import FUNCTION_TYPES, field, mention, span, terminates, text, unwrap
from .parsed import ParsedFile, enclosing
from .scopes import _returned_expressions


def extract(pf: ParsedFile) -> tuple[ClientCreation, ...]:
    out = []
    for node in pf.captures("new_client").get("new_client", []):
        if not pf.resolver.client_class(field(node, "constructor")):
            continue
        binding = assigned = None
        holder = node.parent
        global_reuse = False
        while holder is not None and holder.type in ("binary_expression", "parenthesized_expression",
                                                     "call_expression", "member_expression", "as_expression",
                                                     "arguments", "assignment_expression",
                                                     "augmented_assignment_expression"):
            if holder.type in ("binary_expression", "assignment_expression", "augmented_assignment_expression") \
                    and _mentions_global(pf, holder):
                global_reuse = True
            left = unwrap(field(holder, "left")) if holder.type.endswith("assignment_expression") else None
            if left is not None and left.type == "identifier":
                assigned = holder
            holder = holder.parent
        if holder is not None and holder.type == "variable_declarator":
            binding = text(field(holder, "name"))
        kept = binding or (text(field(assigned, "left")) if assigned is not None else None)
        if not global_reuse:
            global_reuse = _factory_cached_on_global(pf, node) or _kept_on_global(pf, kept)
        out.append(ClientCreation(span(node), pf.fid(node), binding, global_reuse,
                                  _returned(node, binding), _production_only(node),
                                  assigned is not None and _memoised(pf, node, assigned),
                                  _class_module(pf, field(node, "constructor"))))
    return tuple(out)


def _class_module(pf: ParsedFile, ctor: ts.Node | None) -> str:
    """The module the client class is imported from (`@prisma/client`, a generator's output)."""
    name = text(ctor).split(".")[0]
    b = pf.resolver.lookup(name, ctor) if ctor is not None else None
    return (b.module or "") if b is not None and b.kind == "import" else ""


def _memoised(pf: ParsedFile, node: ts.Node, assignment: ts.Node) -> bool:
    """`if (!prisma) prisma = new PrismaClient()`, `prisma ??= new PrismaClient()`, or the
    assignment after `if (prisma) return prisma`, inside a function, `prisma` declared at module
    level: the function creates one client, the first time it runs, and hands back the same one
    after (a lazy singleton)."""
    fn = enclosing(node, FUNCTION_TYPES)
    left = unwrap(field(assignment, "left"))
    b = pf.resolver.lookup(text(left), left) if fn is not None else None
    if b is None or b.kind != "var" or enclosing(b.node, FUNCTION_TYPES) is not None:
        return False
    if assignment.type == "augmented_assignment_expression":
        return text(field(assignment, "operator")) in ("??=", "||=")
    n, named = assignment, mention(b.name)
    while n is not None and n != fn:
        if n.type == "if_statement" and named.search(text(field(n, "condition"))):
            return True
        # `if (prisma) return prisma` before it: the function hands back the kept client
        # whenever it is set, and creates one only the first time.
        prev = n.prev_named_sibling
        while prev is not None:
            if prev.type == "if_statement" and named.search(text(field(prev, "condition"))) \
                    and field(prev, "alternative") is None and terminates(field(prev, "consequence")):
                return True
            prev = prev.prev_named_sibling
        n = n.parent
    return False


def _global_fallbacks(pf: ParsedFile) -> list[str]:
    """The right sides of module-level `… = globalThis.x ?? <right>` declarations."""
    out = []
    for stmt in pf.root.named_children:
        decl = field(stmt, "declaration") if stmt.type == "export_statement" else stmt
        if decl is None or decl.type not in ("lexical_declaration", "variable_declaration"):
            continue
        for d in decl.named_children:
            value = unwrap(field(d, "value")) if d.type == "variable_declarator" else None
            if value is not None and value.type == "binary_expression" and "global" in text(field(value, "left")):
                out.append(text(unwrap(field(value, "right"))))
    return out


def _kept_on_global(pf: ParsedFile, name: str | None) -> bool:
    """`let client; if (…) client = new PrismaClient(a) else client = new PrismaClient(b)` and
    then `export const prisma = globalThis.prisma ?? client`: the module keeps the client on
    `globalThis` through the variable."""
    return bool(name) and name in _global_fallbacks(pf)


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
                value = unwrap(field(d, "value"))
                n = _key_count(value) if value is not None and value.type == "object" \
                    else literal_len(value, pf.resolver)
                if n is not None:
                    out.append((text(name), n))
    return tuple(out)


def _key_count(obj: ts.Node) -> int | None:
    """How many keys a config object literal writes out (`Object.entries(CONFIG)` runs that many
    rounds); None when a spread adds keys not written here."""
    if any(c.type == "spread_element" for c in obj.named_children):
        return None
    return sum(c.type in ("pair", "shorthand_property_identifier", "method_definition") for c in obj.named_children)


def _factory_cached_on_global(pf: ParsedFile, node: ts.Node) -> bool:
    """`const make = () => new PrismaClient()` used as `global.prisma ?? make()`."""
    fn = enclosing(node, FUNCTION_TYPES)
    if fn is None:
        return False
    name, _ = function_name(fn)
    return name.isidentifier() and any(r.startswith(name + "(") for r in _global_fallbacks(pf))

"""A loop that searches: it stops at the first item whose call finds something.

`for (const rule of rules) { const user = await pick(rule); if (user) return assign(user); }`
runs the call until one item yields a value, and hands that value on: a search in order,
which in the common case runs once, not once per item. A value that stops the loop only to
report an error (`if (existing) return { error }`, `if (existing) throw …`) is a check the
happy path passes for every item, so it is no search."""

from __future__ import annotations

import re

import tree_sitter as ts

from .nodes import FUNCTION_TYPES, LOOP_TYPES, field, mention, text

__all__ = ("found_exit",)

# `!x`, `x == null`, `x === undefined`, `x.length === 0`, `x.count < 1`: tests that the value
# is missing or empty, the opposite of "found".
_MISSING = re.compile(r"(?<![!=])===?\s*(null|undefined|0|false)\b|\b(null|undefined|0)\s*===?(?!=)|<\s*1\b|<=\s*0\b")


def found_exit(site: ts.Node, chain: list[ts.Node], name: str) -> int:
    """The line of the `return` (or `break`) that hands on the value `const name = await
    site` found, in an `if` that tests it right after its declaration, in the same block
    inside the loop; 0 when there is none. `chain` is the site's ancestors, innermost
    first."""
    decl = None
    for n in chain:
        if n.type in FUNCTION_TYPES or n.type in LOOP_TYPES:
            return 0  # declared outside the loop, or in a function inside it
        if n.type in ("lexical_declaration", "variable_declaration"):
            decl = n
            break
    block = decl.parent if decl is not None else None
    if block is None or block.type != "statement_block":
        return 0
    after = False
    for stmt in block.named_children:
        if stmt.start_byte == decl.start_byte:
            after = True
        elif after and stmt.type == "if_statement":
            line = _hands_on(stmt, name)
            if line:
                return line
            if _mentions(field(stmt, "condition"), name):
                return 0  # the first test of the value decides
    return 0


def _hands_on(stmt: ts.Node, name: str) -> int:
    """`if (name) return f(name)` / `if (name) { x = name; break; }`: the line that leaves the
    loop with the value, when the test asks that it was found."""
    test = text(field(stmt, "condition")).strip("() \n")
    if not _mentions(field(stmt, "condition"), name) or _MISSING.search(test) \
            or re.search(rf"!\s*\(?\s*{re.escape(name)}(?![\w$])", test) \
            or field(stmt, "alternative") is not None:
        return 0
    body = field(stmt, "consequence")
    stmts = body.named_children if body is not None and body.type == "statement_block" else [body]
    stmts = [c for c in stmts if c is not None and c.type != "comment"]
    if not stmts:
        return 0
    last = stmts[-1]
    if last.type == "return_statement" and _mentions(last, name):
        return last.start_point[0] + 1
    if last.type == "break_statement" and any(_mentions(c, name) for c in stmts[:-1]):
        return last.start_point[0] + 1
    return 0


def _mentions(node: ts.Node | None, name: str) -> bool:
    """`name` is read somewhere in `node` (not as a property: `a.name`)."""
    return node is not None and mention(name).search(text(node)) is not None

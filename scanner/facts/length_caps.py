"""The caps a function's own code puts on a list before a loop over it: an `if` that throws or
returns when the list is longer than N (`if (items.length > MAX_ITEMS) throw …`), or not
exactly N long (`if (starters.length !== 11) throw …`)."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import FUNCTION_TYPES, field, terminates, text, unwrap


def length_cap(collection: ts.Node | None, resolver) -> tuple[int, int] | None:
    """(N, line) when an `if` before the loop, in a block around it within its function,
    throws or returns when the collection holds more than N items (`if (items.length >
    MAX_ITEMS) throw …`), N a number or a constant of the file holding one."""
    coll = unwrap(collection)
    if coll is None or coll.type not in ("identifier", "member_expression"):
        return None
    node = coll
    while node.parent is not None and node.type not in FUNCTION_TYPES:
        parent = node.parent
        if parent.type in ("statement_block", "program"):
            for stmt in parent.named_children:
                if stmt.start_byte >= node.start_byte:
                    break
                cap = _rejected_beyond(stmt, text(coll), resolver) if stmt.type == "if_statement" else None
                if cap is not None:
                    return cap, stmt.start_point[0] + 1
        node = parent
    return None


def _rejected_beyond(stmt: ts.Node, name: str, resolver) -> int | None:
    """N of `if (name.length > N) throw|return` (also `>=` N - 1, `N < name.length`, `!== N`
    for exactly N, and any operand of an `||` test: each one alone rejects)."""
    if not terminates(field(stmt, "consequence")):
        return None
    tests, caps = [unwrap(field(stmt, "condition"))], []
    while tests:
        cond = tests.pop()
        if cond is not None and cond.type == "binary_expression" and text(field(cond, "operator")) == "||":
            tests += [unwrap(field(cond, "left")), unwrap(field(cond, "right"))]
        elif cond is not None and cond.type == "binary_expression":
            cap = _length_test(cond, name, resolver)
            caps += [cap] if cap is not None else []
    return min(caps, default=None)


def _length_test(cond: ts.Node, name: str, resolver) -> int | None:
    op, left, right = text(field(cond, "operator")), unwrap(field(cond, "left")), unwrap(field(cond, "right"))
    if op in ("<", "<=", "!==", "!=") and right is not None and text(right) == f"{name}.length":
        op, left, right = {"<": ">", "<=": ">="}.get(op, op), right, left
    if op not in (">", ">=", "!==", "!=") or left is None or text(left) != f"{name}.length":
        return None
    value = right
    if value is not None and value.type == "identifier":
        b = resolver.lookup(text(value), value)
        value = unwrap(b.value) if b is not None and b.kind == "var" and not b.path else None
    if value is None or value.type != "number" or not text(value).isdigit():
        return None
    return int(text(value)) - (1 if op == ">=" else 0)

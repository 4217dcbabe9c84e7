"""The caps a function's own code puts on a list before a loop over it: an `if` that throws or
returns when the list is longer than N (`if (items.length > MAX_ITEMS) throw …`), or not
exactly N long (`if (starters.length !== 11) throw …`); and how many items a slice with
written bounds keeps (`xs.slice(0, 3)`)."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import FUNCTION_TYPES, field, terminates, text, unwrap
from .scopes import const_binding


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


def slice_size(args: ts.Node | None, resolver) -> int | None:
    """How many items `xs.slice(start, end)` keeps at most when the code writes the bounds:
    `slice(0, 3)` three, `slice(-5)` the last five; None when a variable or the list's own
    length decides it (`slice(1)`, `slice(0, -1)`)."""
    bounds = [number(c, resolver) for c in (args.named_children if args is not None else ())
              if c.type != "comment"]
    if not bounds or None in bounds or len(bounds) > 2:
        return None
    start, end = bounds[0], bounds[1] if len(bounds) == 2 else None
    if end is None:
        return -start if start < 0 else None
    if (start < 0) != (end < 0):
        return None   # (`slice(0, -1)`: all but the last, as many as the list holds)
    return max(0, end - start)


def number(node: ts.Node | None, resolver) -> int | None:
    """An integer the code writes: a literal (`3`, `-5`) or a `const` bound to one."""
    v = unwrap(node)
    if v is not None and v.type == "identifier":
        b = const_binding(resolver.lookup(text(v), v))
        v = unwrap(b.value) if b is not None else None
    if v is None:
        return None
    t = text(v).replace("_", "")
    if v.type == "unary_expression" and t.startswith("-") and t[1:].isdigit():
        return -int(t[1:])
    return int(t) if v.type == "number" and t.isdigit() else None

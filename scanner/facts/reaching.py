"""The value a `let` variable holds where it is read: the assignment that reaches it.

`let pairings: Pairing[]; … pairings = [{ … }]; for (const p of pairings) …` iterates the
list assigned right before the loop, not what the declaration said (nothing, here). The
assignment found is the last statement `name = value` before the read, in its block or an
enclosing one, with no statement between that could assign the name again (a branch, a loop
or a call with a callback that mentions `name =`)."""

from __future__ import annotations

import re

import tree_sitter as ts

from .nodes import FUNCTION_TYPES, LOOP_TYPES, field, text

__all__ = ("reaching_value",)

_BLOCKS = frozenset({"statement_block", "program", "switch_case", "switch_default"})


def reaching_value(read: ts.Node, name: str, declared: ts.Node | None) -> ts.Node | None:
    """The value of the last `name = value` statement that reaches `read`, or None (none, or
    one the walk cannot prove is the last: an assignment inside a branch or loop between)."""
    decl = declared.parent if declared is not None else None
    if decl is not None and decl.type == "lexical_declaration" and decl.child(0).type == "const":
        return None  # a `const` holds its declared value
    assigns = re.compile(rf"(?<![\w$.]){re.escape(name)}\s*(?:[-+*/%&|^?]|\|\||&&|\?\?)?=(?!=)")
    stmt = read
    while stmt is not None:
        parent = stmt.parent
        if parent is None or stmt.type in FUNCTION_TYPES:
            return None
        if stmt.type in LOOP_TYPES and stmt.start_byte < read.start_byte and assigns.search(text(stmt)) \
                and not (field(stmt, "right") is not None and field(stmt, "right").start_byte <= read.start_byte
                         < field(stmt, "right").end_byte):
            return None  # a loop around the read assigns it again for later rounds
        if parent.type in _BLOCKS:
            for prev in reversed(_before(parent, stmt)):
                if declared is not None and prev.start_byte <= declared.start_byte < prev.end_byte:
                    return None  # the declaration itself: what it holds is the declared value
                value = _plain_assignment(prev, name)
                if value is not None:
                    return value
                if assigns.search(text(prev)):
                    return None
        stmt = parent
    return None


def _before(block: ts.Node, stmt: ts.Node) -> list[ts.Node]:
    """The statements of `block` before `stmt`."""
    out = []
    for c in block.named_children:
        if c.start_byte >= stmt.start_byte:
            break
        out.append(c)
    return out


def _plain_assignment(stmt: ts.Node, name: str) -> ts.Node | None:
    """`value` of a statement `name = value;`."""
    if stmt.type != "expression_statement" or stmt.named_child_count != 1:
        return None
    e = stmt.named_child(0)
    if e.type != "assignment_expression":
        return None
    left = field(e, "left")
    return field(e, "right") if left is not None and left.type == "identifier" and text(left) == name else None

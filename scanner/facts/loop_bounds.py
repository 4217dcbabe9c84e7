"""Bounds a counted loop states in its body rather than its condition: `for (let round = 0;
; round++) { …; if (round >= MAX_ROUNDS) break }` runs at most that many rounds."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import field, text, unwrap

# `round >= N` stops the loop: it ran while `round < N` (and `>` while `<=`, `===` while `<`).
_AS_CONDITION = {">=": "<", ">": "<=", "===": "<", "==": "<"}


def break_bound(stmt: ts.Node) -> tuple[str, ts.Node] | None:
    """(operator, bound) of the condition a `for` with no condition of its own keeps in a
    statement of its body that leaves the loop (`if (i >= N) break`, or `return`), written as
    the loop's condition would be (`i < N`); None when there is none."""
    init = field(stmt, "initializer")
    decl = init.named_children[0] if init is not None and init.type == "lexical_declaration" \
        and init.named_children else None
    counter = text(field(decl, "name")) if decl is not None else ""
    body = field(stmt, "body")
    if not counter or body is None or body.type != "statement_block":
        return None
    for s in body.named_children:
        if s.type != "if_statement" or field(s, "alternative") is not None:
            continue
        arm = field(s, "consequence")
        leaves = arm.named_children[0] if arm is not None and arm.type == "statement_block" \
            and len(arm.named_children) == 1 else arm
        cond = unwrap(field(s, "condition"))
        if leaves is None or leaves.type not in ("break_statement", "return_statement") \
                or cond is None or cond.type != "binary_expression":
            continue
        op = _AS_CONDITION.get(text(field(cond, "operator")))
        if op is not None and text(unwrap(field(cond, "left"))) == counter:
            return op, field(cond, "right")
    return None

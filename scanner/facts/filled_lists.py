"""A local list filled item by item from a constant one: `const updates = []`, then
`for (const s of CARRIER_SETTINGS) { …; updates.push({ … }) }`. It holds at most as many
items as that constant, so a loop over it is as bounded as a loop over the constant. A push
written out in no loop (`if (late) reasons.push('LATE')`) adds one item at most: a list
filled only by such pushes holds at most as many items as the code writes pushes. So does one
filled a push per round of a loop counting between two numbers the code writes
(`for (let month = 0; month < 12; month++)`), as `Array.from({ length: 12 })` would."""

from __future__ import annotations

import tree_sitter as ts

from .frames import counted_collection
from .nodes import FUNCTION_TYPES, LOOP_TYPES, enclosing, field, text, unwrap

# Calls that grow a list other than one `push` per round.
_OTHER_GROWTH = (".unshift(", ".splice(", ".concat(", ".length =")


def filled_from_constant(name: str, decl: ts.Node, origin_of, rounds_of) -> str | None:
    """What bounds a `const name = []` (declarator `decl`) when every way it grows is one
    `name.push(…)` (no spread), each either in no loop of its scope (one item) or once per
    round of a `for … of` loop over a constant collection (`origin_of(collection) ==
    "constant"`) or of a counted loop between two numbers (`rounds_of(loop)`: how many rounds,
    up or down, frames.counted_rounds), in no loop of its own: how it is
    filled (the constant, the rounds, the count of pushes written out one by one), for
    evidence; None otherwise. A push in a nested function (a callback) runs as often as its
    caller decides: None."""
    scope = decl.parent.parent if decl.parent is not None else None   # lexical_declaration -> block
    if scope is None:
        return None
    body = text(scope)
    declared = text(decl.parent) if decl.parent is not None else ""
    # (`let` as `const`: the declaration is the one assignment it may have)
    if any(f"{name}{g}" in body for g in _OTHER_GROWTH) or f"{name} =" in body.replace(declared, ""):
        return None
    found, single, pending = None, 0, [scope]
    while pending:
        n = pending.pop()
        pending.extend(n.named_children)
        fn = field(n, "function") if n.type == "call_expression" else None
        if fn is None or fn.type != "member_expression" or text(fn) != f"{name}.push":
            continue
        args = field(n, "arguments")
        if args is None or len(args.named_children) != 1 or args.named_children[0].type == "spread_element":
            return None
        if _function_between(n, scope):
            return None
        loop = _loop_around(n, scope)
        if loop is None:
            single += 1
            continue
        if _loop_around(loop, scope) is not None:
            return None
        rounds = _fixed_rounds(loop, rounds_of)
        # (`for (const s of SLOTS)`, or `for (let i = 0; i < SLOTS.length; i++)` walking it)
        right = field(loop, "right") if loop.type == "for_in_statement" \
            else counted_collection(loop) if loop.type == "for_statement" else None
        if rounds is None and (right is None or origin_of(unwrap(right)) != "constant"):
            return None
        found = found or rounds or f"one item per item of {text(unwrap(right))}"
    pushes = f"{single} push(es) written out one by one, in no loop"
    if found is None:
        return f"by {pushes}" if single else None
    return found + (f" and by {pushes}" if single else "")


def _fixed_rounds(loop: ts.Node, rounds_of) -> str | None:
    """`for (let month = 0; month < 12; month++)`, `for (let i = 2; i >= 0; i--)`: a counted
    `for` between numbers the code writes, as many rounds as `Array.from({ length: N })`."""
    rounds = rounds_of(loop) if loop.type == "for_statement" else None
    line = loop.start_point[0] + 1
    return f"one item per round of a loop of {rounds} round(s) (line {line})" if rounds is not None else None


def _function_between(node: ts.Node, scope: ts.Node) -> bool:
    """A function (a callback, a nested declaration) sits between `node` and `scope`."""
    n = enclosing(node, FUNCTION_TYPES)
    return n is not None and scope.start_byte <= n.start_byte and n.end_byte <= scope.end_byte


def _loop_around(node: ts.Node, scope: ts.Node) -> ts.Node | None:
    """The nearest loop around `node` inside `scope`, not across a function."""
    n = enclosing(node, (*LOOP_TYPES, *FUNCTION_TYPES))
    inside = n is not None and scope.start_byte <= n.start_byte and n.end_byte <= scope.end_byte and n != scope
    return n if inside and n.type in LOOP_TYPES else None

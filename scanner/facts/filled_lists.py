"""A local list filled item by item from a constant one: `const updates = []`, then
`for (const s of CARRIER_SETTINGS) { …; updates.push({ … }) }`. It holds at most as many
items as that constant, so a loop over it is as bounded as a loop over the constant."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import FUNCTION_TYPES, LOOP_TYPES, enclosing, field, text, unwrap

# Calls that grow a list other than one `push` per round.
_OTHER_GROWTH = (".unshift(", ".splice(", ".concat(", ".length =")


def filled_from_constant(name: str, decl: ts.Node, origin_of) -> str | None:
    """The constant list a `const name = []` (declarator `decl`) is filled from, when every
    way it grows is one `name.push(…)` (no spread) per round of a `for … of` loop over a
    constant collection (`origin_of(collection) == "constant"`), in no loop of its own scope
    around that; None otherwise."""
    scope = decl.parent.parent if decl.parent is not None else None   # lexical_declaration -> block
    if scope is None:
        return None
    body = text(scope)
    if any(f"{name}{g}" in body for g in _OTHER_GROWTH) or f"{name} =" in body.replace(f"const {name} =", ""):
        return None
    found, pending = None, [scope]
    while pending:
        n = pending.pop()
        if n.type in FUNCTION_TYPES:
            continue
        pending.extend(n.named_children)
        fn = field(n, "function") if n.type == "call_expression" else None
        if fn is None or fn.type != "member_expression" or text(fn) != f"{name}.push":
            continue
        args = field(n, "arguments")
        if args is None or len(args.named_children) != 1 or args.named_children[0].type == "spread_element":
            return None
        loop = _loop_around(n, scope)
        right = field(loop, "right") if loop is not None and loop.type == "for_in_statement" else None
        if right is None or _loop_around(loop, scope) is not None or origin_of(unwrap(right)) != "constant":
            return None
        found = found or text(unwrap(right))
    return found


def _loop_around(node: ts.Node, scope: ts.Node) -> ts.Node | None:
    """The nearest loop around `node` inside `scope`, not across a function."""
    n = enclosing(node, (*LOOP_TYPES, *FUNCTION_TYPES))
    inside = n is not None and scope.start_byte <= n.start_byte and n.end_byte <= scope.end_byte and n != scope
    return n if inside and n.type in LOOP_TYPES else None

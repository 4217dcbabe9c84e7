"""Lists of values a `where` pins a field to with `in`, when the code writes the values out:
`{ name: { in: ['a', 'b'] } }`, `{ id: { in: [...SYSTEM_ROLE_IDS] } }`. A loop over the rows
such a read returns runs at most that many times when the field is unique
(rules/n_plus_one._unique_pin)."""

from __future__ import annotations

import tree_sitter as ts

from .args import object_entries, where_object
from .nodes import text, unwrap
from .scopes import const_binding


def literal_in_lists(args: ts.Node, resolver) -> list[tuple[str, int]]:
    """(field, number of values) for each top-level `field: { in: LIST }` of `where` whose
    values the code writes out: in the call (`[a, b, c]`) or in a `const` list, spread or not
    (`[...SYSTEM_ROLE_IDS]`). A list cut from data at run time (`ids.slice(0, 500)`) is not."""
    where = where_object(args)
    out = []
    for name, value, spread in object_entries(where) if where is not None else ():
        v = unwrap(value)
        if spread or v is None or v.type != "object":
            continue
        for op, inner, sp in object_entries(v):
            n = _written_len(inner, resolver) if op == "in" and not sp else None
            if n is not None:
                out.append((name, n))
    return out


def _written_len(node: ts.Node | None, resolver, depth: int = 0) -> int | None:
    """How many values a list the code writes out holds: an array literal, whose spreads are
    such lists too, or a name bound to one by `const` (and never grown)."""
    from .frames import _grown  # frames builds loops from origins, which uses this module
    node = unwrap(node)
    if node is None or depth > 3:
        return None
    if node.type == "identifier":
        b = const_binding(resolver.lookup(text(node), node))
        return _written_len(b.value, resolver, depth + 1) \
            if b is not None and not _grown(text(node), b.node.parent) else None
    if node.type != "array":
        return None
    total = 0
    for c in (c for c in node.named_children if c.type != "comment"):
        n = _written_len(c.named_children[0] if c.named_children else None, resolver, depth + 1) \
            if c.type == "spread_element" else 1
        if n is None:
            return None
        total += n
    return total

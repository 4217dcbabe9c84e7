"""Spliced values that can only be constants: literals, `const`s of literals, `static
readonly` literals, lookups in a literal map, a `let` only ever given constants, a parameter
past an allow-list test, `$n` placeholders built from indices, and the results of functions
that return only such values (an allow-list written as a function)."""

from __future__ import annotations

import tree_sitter as ts

from .args import object_entries
from .nodes import field, map_callback, text, unwrap
from .raw_origins import array_only_holds, assignments, local_function
from .scopes import Resolver, _returned_expressions, local_call_arguments
from .raw_constants import LITERAL_TYPES as _LITERAL_TYPES, const_init as _const_init, \
    const_value as _const_value, allowlist_guarded, constant_parts, local_constant_call


def _only_assigned_constants(b, resolver: Resolver, depth: int, seen: frozenset = frozenset()) -> bool:
    """A `let` that only ever holds constants: `let col; switch (sort) { case "new": col =
    '"createdAt"'; break; default: throw … }` (an allow-list written as a switch). One met again
    inside its own values (`sql = sql + x; x = x + sql`) is not proven constant there, as the
    depth limit would have it, but at once: walked once per path, such `let`s cost exponential time."""
    if b is None or b.kind != "var" or b.path or b.node.id in seen:
        return False
    seen = seen | {b.node.id}
    if b.value is not None and not safe_fragment(b.value, resolver, depth + 1, seen=seen):
        return False
    assigned = assignments(b, resolver)
    if any(a.type == "augmented_assignment_expression"
           or not safe_fragment(field(a, "right"), resolver, depth + 1, seen=seen) for a in assigned):
        return False
    return bool(assigned) or b.value is not None


def _literal_object(node: ts.Node | None) -> bool:
    """`{ gt: '>', lt: '<' }`: a map whose values are all literals (an allow-list)."""
    node = unwrap(node)
    if node is None or node.type != "object":
        return False
    return all(unwrap(v) is not None and unwrap(v).type in _LITERAL_TYPES
               for _, v, spread in object_entries(node) if not spread) \
        and not any(spread for _, _, spread in object_entries(node))


def _static_literal(cls: ts.Node, name: str) -> bool:
    """`static readonly NAME = <literal>` in a class body."""
    body = field(cls, "body")
    for member in body.named_children if body is not None else ():
        if member.type in ("public_field_definition", "field_definition") \
                and text(field(member, "name")) == name:
            value = unwrap(field(member, "value"))
            return value is not None and value.type in _LITERAL_TYPES \
                and any(c.type == "static" for c in member.children)
    return False


def _placeholder_list(node: ts.Node, resolver: Resolver, depth: int) -> bool:
    """`rows.map((_, i) => `($${i + 1})`).join(', ')`: placeholders built from indices."""
    fn = field(node, "function")
    if fn is None or fn.type != "member_expression" or text(field(fn, "property")) != "join":
        return False
    cb = map_callback(unwrap(field(fn, "object")))
    if cb is None or cb.type != "arrow_function":
        return False
    params = field(cb, "parameters")
    names = [text(p) for p in params.named_children] if params is not None else []
    index = names[1] if len(names) > 1 else None
    results = _returned_expressions(cb)
    return bool(results) and all(safe_fragment(r, resolver, depth + 1, index_name=index) for r in results)


def _joined_constants(node: ts.Node, resolver: Resolver, depth: int) -> bool:
    """`clauses.join(' AND ')` of an array that only ever holds constants (`array_only_holds`):
    conditions assembled from a fixed menu."""
    fn = field(node, "function")
    obj = unwrap(field(fn, "object")) if fn is not None and fn.type == "member_expression" else None
    if obj is None or obj.type != "identifier" or text(field(fn, "property")) != "join" or depth > 8:
        return False
    return array_only_holds(resolver.lookup(text(obj), obj), resolver,
                            lambda v: safe_fragment(v, resolver, depth + 1))


def _callers_pass_constants(fn: ts.Node, index: int, resolver: Resolver, depth: int) -> bool:
    """A parameter spliced into SQL is a constant when its function is local to the
    file and every use of it is a call passing a constant in that place
    (`searchCondition('p', 'name', query)`)."""
    given = local_call_arguments(fn, index, resolver) if depth <= 8 else None
    return bool(given) and all(safe_fragment(a, resolver, depth + 1) for a in given)


def safe_fragment(node: ts.Node | None, resolver: Resolver, depth: int = 0,
                  index_name: str | None = None, seen: frozenset = frozenset()) -> bool:
    """Whether an expression spliced into SQL can only be a constant: literals,
    `const`s of literals, `static readonly` literals, lookups in a literal map
    (an allow-list), or `$n` placeholders built from array indices."""
    node = unwrap(node)
    if node is None or depth > 12:
        return False
    t = node.type
    if t in _LITERAL_TYPES:
        return True
    if t == "template_string":
        return all(safe_fragment(c.named_children[0] if c.named_children else None, resolver,
                                 depth + 1, index_name, seen)
                   for c in node.named_children if c.type == "template_substitution")
    if t in ("binary_expression", "ternary_expression"):
        parts = [field(node, n) for n in ("left", "right")] if t == "binary_expression" \
            else [field(node, "consequence"), field(node, "alternative")]
        return all(safe_fragment(p, resolver, depth + 1, index_name, seen) for p in parts)
    if t == "identifier":
        if index_name is not None and text(node) == index_name:
            return True
        b = resolver.lookup(text(node), node)
        if b is not None and b.kind in ("param", "var", "loop") and allowlist_guarded(node, resolver) \
                and not assignments(b, resolver):
            return True
        if b is not None and b.kind == "param" and not b.path and b.value is not None:
            return _callers_pass_constants(b.value, b.index, resolver, depth)
        if b is not None and b.kind == "loop":
            return _over_literals(b, resolver)
        value = _const_init(b)
        if value is not None:
            return safe_fragment(value, resolver, depth + 1, index_name, seen)
        if local_constant_call(node, resolver, lambda r: safe_fragment(r, resolver, depth + 1)):
            return True   # `const { table } = tableFor(kind)`, an allow-list function of this file
        return _only_assigned_constants(b, resolver, depth, seen)
    parts = constant_parts(node, resolver) if t in ("member_expression", "subscript_expression") else None
    if parts is not None:   # `MAP[kind].table`: one of the literal map's values
        return all(safe_fragment(p, resolver, depth + 1, index_name) for p in parts)
    if t == "member_expression":
        obj = unwrap(field(node, "object"))
        prop = text(field(node, "property"))
        if obj is not None and obj.type == "identifier":
            b = resolver.lookup(text(obj), obj)
            if b is not None and b.kind == "class":
                return _static_literal(b.node, prop)
            if b is not None and b.kind == "loop":
                return _over_literals(b, resolver)
            value = _const_value(obj, resolver)
            if value is not None and _literal_object(value):
                return True
            return local_constant_call(node, resolver, lambda r: safe_fragment(r, resolver, depth + 1))
        return False
    if t == "call_expression":
        return _placeholder_list(node, resolver, depth) or _joined_constants(node, resolver, depth) \
            or _returns_constants(node, resolver, depth)
    return False


def _over_literals(b, resolver: Resolver) -> bool:
    """A `for (const x of LIST)` binding where LIST is a `const` array of literals or of
    objects whose values are all literals (`INDEX_CONFIGS`): every item is a constant."""
    loop = b.node
    if loop.type != "for_in_statement" or not any(c.type == "of" for c in loop.children):
        return False
    right = unwrap(field(loop, "right"))
    if right is None or right.type != "identifier":
        return False
    items = unwrap(_const_value(right, resolver))
    if items is None or items.type != "array" or not items.named_children:
        return False
    return all(unwrap(i) is not None and (unwrap(i).type in _LITERAL_TYPES or _literal_object(i))
               for i in items.named_children)


def _returns_constants(call: ts.Node, resolver: Resolver, depth: int) -> bool:
    """A call of a function of this file (`getColumn(kind)`, `this.tableFor(kind)`) whose
    every return is a constant: an allow-list written as a function."""
    target = local_function(call, resolver)
    if target is None or depth > 8:
        return False
    results = _returned_expressions(target)
    return bool(results) and all(safe_fragment(r, resolver, depth + 1) for r in results)

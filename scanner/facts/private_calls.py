"""What every caller passes to a parameter of a function only its own file can call: a local
function (scopes.local_call_arguments) or a class's private method (`private build(…)`,
`#build(…)`), which only the class's own code calls, as `this.build(…)`."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import field, text, unwrap
from .scopes import Resolver, local_call_arguments


def caller_arguments(fn: ts.Node, index: int, resolver: Resolver) -> list[ts.Node] | None:
    """The arguments every call of `fn` passes at `index`, None when some use of it is not
    such a call (a value handed on, a call that passes none, a spread) or it is never called."""
    if fn.type != "method_definition":
        return local_call_arguments(fn, index, resolver)
    name = field(fn, "name")
    private = name is not None and name.type == "private_property_identifier" or any(
        c.type == "accessibility_modifier" and text(c) == "private" for c in fn.children)
    body = fn.parent if fn.parent is not None and fn.parent.type == "class_body" else None
    if not private or body is None:
        return None
    return _this_calls(body, text(name), index)


def _this_calls(body: ts.Node, name: str, index: int) -> list[ts.Node] | None:
    given: list[ts.Node] = []
    stack = [body]
    while stack:
        n = stack.pop()
        if n.type == "member_expression" and text(field(n, "property")) == name:
            if unwrap(field(n, "object")) is None or field(n, "object").type != "this":
                return None   # (`other.build(…)`: another instance of the class, or a value)
            call = n.parent
            if call is None or call.type != "call_expression" or field(call, "function") != n:
                return None   # handed on as a value: its callers are unknown
            args = field(call, "arguments")
            passed = [a for a in args.named_children if a.type != "comment"] if args is not None else []
            if index >= len(passed) or passed[index].type == "spread_element":
                return None
            given.append(passed[index])
        stack.extend(n.named_children)
    return given or None

"""Functions only a browser event runs: the handlers JSX elements are given.

`<Button onClick={handleApprove}>` and `<form onSubmit={async (e) => …}>` run when a user
clicks or submits, in the browser (or on a phone, for React Native's `onPress`), never while
a server renders the component. A named function counts when the file spells its name only
where it is defined and inside such attributes (`onClick={() => handleApprove(id)}` too), so
a function also called from render or from an effect does not."""

from __future__ import annotations

import re

import tree_sitter as ts

from .functions import function_of_value
from .nodes import key, text

__all__ = ("extract",)

# `onClick=`, `onSubmit=`, `onPress=`: an event handler prop (React's naming).
_HANDLER_PROP = re.compile(rb"(?<![\w$.])on[A-Z]\w*\s*=\s*\{")
# A name the handler's value reads: `approve`, `approve(id)` (not a member: `props.onSave`).
_NAMED = re.compile(r"(?<![\w$.])([A-Za-z_$][\w$]*)(?![\w$])(?!\s*:)")


def extract(pf) -> tuple[tuple[int, int], ...]:
    """(function id, line of the attribute) for each function only event handlers run."""
    if pf.grammar != "tsx" or not _HANDLER_PROP.search(pf.source):
        return ()
    attributes = _handler_attributes(pf.root, pf.source)
    if not attributes:
        return ()
    out: dict[int, int] = {}
    inside = b"\n".join(a.text or b"" for a in attributes)
    for attr in attributes:
        line = attr.start_point[0] + 1
        value = next((c for c in attr.named_children if c.type == "jsx_expression"), None)
        expr = value.named_children[0] if value is not None and value.named_children else None
        if expr is not None and expr.type != "identifier":
            fid = function_of_value(pf, expr)   # written inline (or wrapped: `useCallback(…)`)
            if fid is not None:
                out.setdefault(fid, line)
        # A function named in the handler (`onClick={approve}`, `onClick={() => approve(id)}`)
        # when the file names it nowhere else but where it is defined.
        for name in set(_NAMED.findall(text(value) if value is not None else "")):
            fid = _local_function(pf, name, attr)
            if fid is not None and _only_in_handlers(pf.source, inside, name):
                out.setdefault(fid, line)
    return tuple(sorted(out.items()))


def _local_function(pf, name: str, at: ts.Node) -> int | None:
    """The id of the function `name` binds where `at` sits, if it is one of this file's."""
    b = pf.resolver.lookup(name, at)
    if b is not None and b.kind == "function":
        return pf.function_ids.get(key(b.node))
    if b is not None and b.kind == "var" and not b.path:
        return function_of_value(pf, b.value)
    return None


def _handler_attributes(root: ts.Node, source: bytes) -> list[ts.Node]:
    """The `on…={…}` attributes of the file's JSX elements, found where the text spells one
    (a walk of every node would cost more than the parse)."""
    out = []
    for m in _HANDLER_PROP.finditer(source):
        n = root.descendant_for_byte_range(m.start(), m.start() + 2)
        while n is not None and n.type in ("property_identifier", "identifier"):
            n = n.parent
        if n is not None and n.type == "jsx_attribute":
            out.append(n)
    return out


def _only_in_handlers(source: bytes, inside: bytes, name: str) -> bool:
    """The file names `name` once more than its handler attributes do: its definition."""
    n = name.encode()
    if source.count(n) == inside.count(n) + 1:
        return True  # (substrings: one more outside the handlers, so the words are too)
    word = re.compile(rb"(?<![\w$.])" + re.escape(n) + rb"(?![\w$])")
    return len(word.findall(source)) == len(word.findall(inside)) + 1

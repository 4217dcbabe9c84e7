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

__all__ = ("extract",)

# `onClick=`, `onSubmit=`, `onPress=`: an event handler prop (React's naming).
# (A literal first: a pattern opening with a lookbehind is tried at every byte of the file.)
_HANDLER_PROP = re.compile(rb"on[A-Z]\w*\s*=\s*\{")


def extract(pf, functions: dict[str, int]) -> tuple[tuple[int, int], ...]:
    """(function id, line of the attribute) for each function only event handlers run;
    `functions`: the id of each name one function of the file is declared with."""
    if pf.grammar != "tsx":
        return ()
    attributes = _handler_attributes(pf.root, pf.source)
    if not attributes:
        return ()
    out: dict[int, int] = {}
    inside = b"\n".join(a.text or b"" for a in attributes)
    # Functions named in handlers (`onClick={approve}`, `onClick={() => approve(id)}`) that the
    # file names nowhere else but where they are defined.
    named = [n for n in functions if n.encode() in inside and _only_in_handlers(pf.source, inside, n)]
    for attr in attributes:
        line = attr.start_point[0] + 1
        value = next((c for c in attr.named_children if c.type == "jsx_expression"), None)
        expr = value.named_children[0] if value is not None and value.named_children else None
        if expr is not None and expr.type != "identifier":
            fid = function_of_value(pf, expr)   # written inline (or wrapped: `useCallback(…)`)
            if fid is not None:
                out.setdefault(fid, line)
        for name in named:
            if _words(attr.text or b"", name.encode()):
                out.setdefault(functions[name], line)
    return tuple(sorted(out.items()))


def _handler_attributes(root: ts.Node, source: bytes) -> list[ts.Node]:
    """The `on…={…}` attributes of the file's JSX elements, found where the text spells one
    (a walk of every node would cost more than the parse)."""
    out = []
    for m in _HANDLER_PROP.finditer(source):
        if m.start() > 0 and (source[m.start() - 1:m.start()].isalnum() or source[m.start() - 1] in b"_$."):
            continue   # `button`, `props.onSave`
        n = root.descendant_for_byte_range(m.start(), m.start() + 2)
        while n is not None and n.type in ("property_identifier", "identifier"):
            n = n.parent
        if n is not None and n.type == "jsx_attribute":
            out.append(n)
    return out


def _only_in_handlers(source: bytes, inside: bytes, name: str) -> bool:
    """The handler attributes name `name` and the file names it once more: its definition."""
    held = _words(inside, name.encode())
    return held > 0 and _words(source, name.encode()) == held + 1


def _words(text: bytes, name: bytes) -> int:
    """How often `text` spells `name` as a word, not a member (`a.name`): found with
    `bytes.find`, as a pattern opening with a lookbehind is tried at every byte."""
    count, at = 0, text.find(name)
    while at != -1:
        end = at + len(name)
        before, after = text[at - 1:at] if at else b" ", text[end:end + 1] or b" "
        if not (before.isalnum() or before in b"_$.") and not (after.isalnum() or after in b"_$"):
            count += 1
        at = text.find(name, end)
    return count

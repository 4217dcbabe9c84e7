"""Where a list a call passes comes from (GivenArguments.collections): what a callee's loop
over that parameter iterates.

Besides the origins facts/origins.py knows in this file, a name imported from another
module (`registerAll(exportApiIdentifier)`) is recorded as such, with its module and name:
the index then reads whether that module declares it as a constant list."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import text
from .origins import SIZE_ORDER, collection_origin

__all__ = ("IMPORTED", "argument_origin")

IMPORTED = "imported"   # note: "<module specifier> <exported name>"


def argument_origin(value: ts.Node, resolver) -> tuple[str, str] | None:
    """(kind, note) of an argument's list origin, or None when it is not known."""
    kind, note = collection_origin(value, resolver)
    if kind in SIZE_ORDER:
        return kind, note
    b = resolver.lookup(text(value), value) if value.type == "identifier" else None
    if b is not None and b.kind == "import" and b.module and (b.imported or "") not in ("default", "*"):
        return IMPORTED, f"{b.module} {b.imported or text(value)}"
    return None

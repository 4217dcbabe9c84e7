"""Top-level functions whose name the file never mentions again: the declaration
(`function f`, `export async function f`, `const f = () => …`) is the name's only
occurrence in the source, so nothing in the file calls, registers, passes or re-exports it.
Also a class's plain method named once in its file (no decorator, and a class that neither
extends nor implements anything a framework could call it through): whether another file
names it is for analysis/dead_code.py to ask.
Counting the raw source also counts strings and longer names that contain it (`load` in
`loadAll`), so the fact errs toward "used": one substring count per function, no
tokenising; what the file's comments say is counted out (a call commented out calls
nothing). analysis/dead_code.py reads it with the project's imports."""

from __future__ import annotations

import tree_sitter as ts

from .entries import CLASS_TYPES, member_decorators
from .nodes import field
from .parsed import ParsedFile

_DECLARATIONS = ("function_declaration", "generator_function_declaration")
_VALUES = ("arrow_function", "function_expression", "function")


def extract(pf: ParsedFile) -> tuple[int, ...]:
    out = []
    commented = None
    for i, fn in enumerate(pf.function_nodes):
        name = _top_level_name(fn) or _plain_method_name(fn)
        if name is None:
            continue
        n = pf.source.count(name)
        if n > 1:
            # A call left in a comment (`// await notifyDoctor(id)`, code switched off) calls
            # nothing: the comments' text, joined once per file, is counted out.
            if commented is None:
                commented = b"\n".join(c.text for c in pf.captures("comments").get("comment", ()))
            n -= commented.count(name)
        if n == 1:
            out.append(i)
    return tuple(out)


def _top_level_name(fn: ts.Node) -> bytes | None:
    """The name a module-level function declaration or `const` binds, None for any other
    function (methods, callbacks, a value a wrapper call returns)."""
    if fn.type in _DECLARATIONS:
        name, holder = field(fn, "name"), fn
    elif fn.type in _VALUES and fn.parent is not None and fn.parent.type == "variable_declarator":
        name, holder = field(fn.parent, "name"), fn.parent.parent
    else:
        return None
    if name is None or name.type != "identifier" or holder is None:
        return None
    up = holder.parent
    if up is not None and up.type == "export_statement":
        up = up.parent
    return name.text if up is not None and up.type == "program" else None


def _plain_method_name(fn: ts.Node) -> bytes | None:
    """The name of a class method a framework cannot call by convention: not decorated
    (`@Get()`, `@Cron()`, `@Process()`), not a constructor, and in a class with no
    `extends`/`implements` (lifecycle hooks like `onModuleInit`, `render`, `process` of a
    worker host are called through the base or interface)."""
    if fn.type != "method_definition" or fn.parent is None or fn.parent.type != "class_body":
        return None
    cls = fn.parent.parent
    if cls is None or cls.type not in CLASS_TYPES or any(c.type == "class_heritage" for c in cls.named_children):
        return None
    name = field(fn, "name")
    if name is None or name.type != "property_identifier" or name.text == b"constructor" \
            or member_decorators(fn):
        return None
    return name.text

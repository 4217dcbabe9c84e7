"""Functions that wrap a function they are given and hand their own callers' arguments on
to it, after arguments of their own: `withAuth(action)` returns `(...args) => action(user,
...args)`. A module that exports `withAuth(async (user, ids) => …)` is called with `ids`
first, so the caller's argument 0 is the callback's parameter 1, not 0 (index.py
`argument_offset`)."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import field, key, param_nodes, param_pattern, text, unwrap
from .parsed import ParsedFile


def passes_on(pf: ParsedFile) -> dict[int, tuple[int, int]]:
    """Function id -> (the position of the parameter it wraps, how many arguments of its own
    the wrapped function gets before the caller's), for each function of the file that
    calls one of its parameters from a function it defines with that function's own
    parameters last (`action(user, ...args)`, `handler(req, a, b)` in `(a, b) => …`)."""
    out: dict[int, tuple[int, int]] = {}
    for call in pf.captures("call_sites").get("callsite", []):
        callee = field(call, "function")
        if callee is None or callee.type != "identifier":
            continue
        b = pf.resolver.lookup(text(callee), callee)
        if b is None or b.kind != "param" or b.path or b.value is None:
            continue
        inner = pf.enclosing_function(call)
        if inner is None or key(inner) == key(b.value) or pf.enclosing_function(inner) is None \
                or key(pf.enclosing_function(inner)) != key(b.value):
            continue  # only a function the wrapper defines directly hands its callers' arguments on
        offset = _offset(field(call, "arguments"), inner)
        wrapper = pf.function_ids.get(key(b.value))
        if offset is not None and wrapper is not None:
            out.setdefault(wrapper, (b.index, offset))
    return out


def _offset(args: ts.Node | None, inner: ts.Node) -> int | None:
    """How many arguments come before `inner`'s own parameters, when the call ends with them
    in order (or with a spread of its rest parameter); None otherwise."""
    if args is None:
        return None
    given = [unwrap(a) for a in args.named_children if a.type != "comment"]
    names = []
    for p in param_nodes(inner):
        pat = param_pattern(p)
        if pat.type == "rest_pattern":
            names.append("..." + text(pat.named_children[0]) if pat.named_children else "...")
        elif pat.type == "identifier":
            names.append(text(pat))
        else:
            return None  # a destructured parameter is not handed on as it came
    if not names:
        return None
    tail = [("..." + text(a.named_children[0]) if a.type == "spread_element" and a.named_children else text(a))
            for a in given[len(given) - len(names):]] if len(given) >= len(names) else None
    return len(given) - len(names) if tail == names else None

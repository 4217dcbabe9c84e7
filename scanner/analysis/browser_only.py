"""Database work a browser event handler would run: it never runs (rules.md §8).

An event handler (`onClick={handleApprove}`, facts/browser_handlers.py) runs in the browser,
where no Prisma client runs: a write it reaches through plain functions (a service module
whose client comes from a `.server` module Remix leaves out of the browser bundle, say) fails
before it reaches a database. The real write happens elsewhere, in a route action or a
server action. A handler that calls a server entry point (a `'use server'` action, a TanStack
Start server function), directly or down the functions it calls, crosses to the server, and
stays as graded. Findings inside the others are low, with why (findings.unreached)."""

from __future__ import annotations

_DEPTH = 4   # calls followed from a handler to find a server entry point


def browser_only(index) -> dict[str, tuple[tuple[int, int, str], ...]]:
    """{path: ((first line, last line, why), …)} of the event handlers that reach no server
    entry point."""
    out: dict[str, tuple] = {}
    for path, facts in sorted(index.files.items()):
        spans = []
        for fid, line in facts.browser_handlers:
            fn = facts.functions[fid]
            if fn.entry_kind or _reaches_server(index, path, fn, _DEPTH):
                continue
            name = f"{fn.name}()" if not fn.name.startswith("<") else "the function"
            spans.append((fn.span.line, fn.span.end_line,
                          f"{name} is the event handler of a JSX element (line {line}): it runs in the browser, "
                          "where no Prisma client runs, and reaches no server action ('use server') or server "
                          "function, so the database work it reaches never runs from here"))
        if spans:
            out[path] = tuple(spans)
    return out


def _reaches_server(index, path: str, fn, depth: int, seen: set | None = None) -> bool:
    """A call inside `fn`'s lines reaches a server entry point (a server action, a TanStack
    Start server function: anything with an entry kind), directly or down the functions it
    calls, in any module, `depth` calls deep."""
    facts = index.files.get(path)
    seen = set() if seen is None else seen
    for cs in facts.call_sites if facts is not None else ():
        if not fn.span.line <= cs.span.line <= fn.span.end_line:
            continue
        target = index.callee(path, cs)
        callee = index.function(target) if target is not None else None
        if callee is None or callee is fn or target in seen:
            continue
        if callee.entry_kind or index.files[target.path].role == "server-action":
            return True
        seen.add(target)
        if depth > 0 and _reaches_server(index, target.path, callee, depth - 1, seen):
            return True
    return False

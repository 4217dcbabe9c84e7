"""Where `new PrismaClient()` runs: shared by prisma-client-per-request and
multiple-prisma-clients (rules.md §2, seed §4.1, §6.1)."""

from __future__ import annotations

from dataclasses import dataclass

from ..discover import NON_APP_ROLES
from ..facts.model import ClientCreation
from ..index import FunctionKey, ProjectIndex



@dataclass(frozen=True)
class Creation:
    path: str
    creation: ClientCreation
    per_call: bool            # runs on every call of a function that is not a one-off factory
    module_level: bool        # created once when the module loads


def _callers(index: ProjectIndex) -> dict[FunctionKey, list[tuple[str, int, bool]]]:
    """Reverse call graph: function -> (path, calling function id, result stored on a
    member) of each call site."""
    out: dict[FunctionKey, list[tuple[str, int]]] = {}
    for path, facts in index.files.items():
        for site in facts.call_sites:
            target = index.callee(path, site)
            if target is not None:
                out.setdefault(target, []).append((path, site.ctx.function, site.stored))
    return out


def _load_only(index: ProjectIndex, callers, key: FunctionKey, depth: int = 0) -> bool:
    """Every call of the function runs while a module loads (at module level, or in a
    function that itself only runs then), or stores its result on a member; not an entry
    point. Three callers deep at most."""
    sites = callers.get(key, [])
    if not sites or depth > 2 or index.entry_kind(key.path, key.id) is not None:
        return False
    return all(fn < 0 or stored or _load_only(index, callers, FunctionKey(path, fn), depth + 1)
               for path, fn, stored in sites)


def creations(index: ProjectIndex) -> list[Creation]:
    return index.memo("client-creations", lambda: _creations(index))


def _creations(index: ProjectIndex) -> list[Creation]:
    callers = None
    out = []
    for path in sorted(index.files):
        facts = index.files[path]
        if facts.role in NON_APP_ROLES:
            continue
        for cc in facts.clients_created:
            if cc.function < 0:
                out.append(Creation(path, cc, False, True))
                continue
            if cc.global_reuse or cc.memoised:
                out.append(Creation(path, cc, False, True))
                continue
            fn = facts.functions[cc.function]
            if fn.inline_callback is not None and fn.parent < 0:
                # `remember('prisma', () => new PrismaClient())`: a module-level memo factory.
                out.append(Creation(path, cc, False, True))
                continue
            if callers is None:
                callers = _callers(index)
            sites = callers.get(FunctionKey(path, cc.function), [])
            # A caller that stores the result on a member caches it (a singleton getter); one
            # that itself runs only while modules load (`const make = () => build()` used as
            # `globalThis.prisma ?? make()`) calls it once.
            from_functions = [s for s in sites if s[1] >= 0 and not s[2]
                              and not _load_only(index, callers, FunctionKey(s[0], s[1]))]
            if index.entry_kind(path, cc.function) is not None or from_functions:
                out.append(Creation(path, cc, True, False))
            elif sites and cc.returned:
                # A factory called only while modules load (or cached): a long-lived client.
                out.append(Creation(path, cc, False, True))
            # Otherwise a client opened and dropped by code that runs once (a script).
    return out

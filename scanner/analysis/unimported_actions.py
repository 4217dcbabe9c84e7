"""Server actions nothing imports. A `'use server'` module's export that no code of the scan
imports, re-exports or calls, while code imports the module's other actions (so the imports
are in the scan):
- on Next.js 15 and later has no endpoint (Next gives an id only to actions code references):
  no request reaches it, for every rule (rules.md §8 low: outside the request path);
- on Next.js 14 and earlier (or where no package.json names the version) still has one when
  its module is imported (the module's every export gets an id), but no code of the app calls
  it: dead code. Its findings are low, but for the input-validation rules, for which a crafted
  request reaching the endpoint is the problem.
Findings are graded by findings.unreached."""

from __future__ import annotations

from .template_imports import template_imports

from ..index import FunctionKey



def next_major(index, path: str) -> int | None:
    """The major version of `next` that the nearest package.json above `path` declaring it
    asks for (`^15.1.0` → 15); None when no manifest names one with a number."""
    found = None
    for pkg in index.modules.packages.values():
        version = pkg.version("next")
        if version is None or not (pkg.dir == "" or path.startswith(pkg.dir + "/")):
            continue
        if found is None or len(pkg.dir) > len(found[0]):
            found = (pkg.dir, version[0])
    return found[1] if found else None


def unreferenced_action(index, path: str, fid: int) -> str | None:
    """Evidence that an export of a `'use server'` module is a Server Action no code in the
    scan references, in an app on Next.js 15 or later, which gives such an action no endpoint
    (its id is never sent to a browser); None when something may reference it."""
    facts = index.files[path]
    if fid < 0 or "use server" not in facts.directives:
        return None
    fn = facts.functions[fid]
    names = set(fn.exported_as)
    if not names or any(s.local_function == fid for s in facts.call_sites):
        return None
    major = next_major(index, path)
    if major is None or major < 15:
        return None
    for p in index.importers(path):
        f = index.files[p]
        resolve = index.modules.resolve
        if any(resolve(p, s.module) == path for s in f.star_exports) \
                or any(e.ref.kind == "import" and e.ref.module and resolve(p, e.ref.module) == path for e in f.exports):
            return None  # re-exported: who imports it from there is not followed
        if any(imp.imported in names | {"*"} and resolve(p, imp.module) == path for imp in f.imports):
            return None
    return (f"nothing in the scan imports {fn.name}() from this `'use server'` module: Next.js {major} "
            "gives a Server Action that no code references no endpoint")


# Roles of modules a framework loads by their file's path and whose exports it calls.
_SERVED_ROLES = frozenset({"route", "page", "pages-api", "remix-route", "sveltekit-route", "nitro-route"})


def imported_names(index) -> tuple[set[str], set[str]]:
    """(every name any module imports, from wherever: a guard against a specifier the resolver
    cannot place; the modules imported whole or re-exported, whose every export may be used)."""
    return index.memo("imported_names", lambda: _imported(index))


def _imported(index) -> tuple[set[str], set[str]]:
    names: set[str] = set()
    whole: set[str] = set()
    passed: list[tuple[str, str, str]] = []   # (barrel, the name it exports, the name it takes)
    for src, facts in index.files.items():
        specs = [s.module for s in facts.star_exports]
        for e in facts.exports:
            if e.ref.kind == "import" and e.ref.module:
                # (`export * as q from './x'` uses all of x; `export { a } from './x'` passes
                # x's `a` on, settled below)
                if e.ref.name in (None, "*"):
                    specs.append(e.ref.module)
                elif e.ref.origin == "re-export":
                    passed.append((src, e.exported, e.ref.name))
                else:
                    names.add(e.ref.name)
        for imp in facts.imports:
            if imp.imported == "*":
                specs.append(imp.module)
            else:
                names.add(imp.imported)
        whole.update(t for t in (index.modules.resolve(src, s) for s in specs) if t is not None)
    for target, (used, all_of_it) in (template_imports(index) or {}).items():
        names.update(used)   # (what Svelte components import)
        if all_of_it:
            whole.add(target)
    # A barrel's `export { a } from './x'` passes `a` on: it is used when a module imports it
    # by the barrel's name for it, or imports the barrel whole (tests are not the app: a name
    # only they import is not used), through any chain of barrels.
    # A route file the framework serves by its path (`app/api/x/route.ts`: `export { POST } from
    # '../../../legacy/route'`) hands what it re-exports to the framework, which calls it.
    served = {b for b, _, _ in passed if index.files[b].role in _SERVED_ROLES}
    grown = True
    while grown:
        grown = False
        for barrel, alias, name in passed:
            if name not in names and (alias in names or barrel in whole or barrel in served):
                names.add(name)
                grown = True
    return names, whole


def unimported_actions(index) -> dict[str, dict[str, tuple[tuple[int, int, str], ...]]]:
    """{"no_endpoint" | "uncalled": {path: ((first line, last line, why), …)}} for the
    exported server actions no module of the scan imports (by their name, from any module, or
    their module whole), re-exports or calls (see the module's docstring)."""
    out: dict[str, dict] = {"no_endpoint": {}, "uncalled": {}}
    actions = [p for p, f in index.files.items() if f.role == "server-action"]
    if not actions:
        return out
    names, whole = imported_names(index)
    for path in sorted(set(actions) - whole):
        if not index.importers(path):
            continue   # no code imports the module at all: its callers may be outside the scan
        major = next_major(index, path)
        recent = major is not None and major >= 15
        spans = tuple(
            (fn.span.line, fn.span.end_line,
             f"nothing in the scan imports the server action {fn.exported_as[0]}(), while its module's other "
             f"actions are imported: Next.js {major} gives it no endpoint" if recent else
             f"nothing in the scan imports the server action {fn.exported_as[0]}(), while its module's other "
             "actions are imported: no code of the app calls it")
            for fn in index.files[path].functions
            if fn.parent == -1 and fn.entry_kind == "server-action" and fn.exported_as
            and not names.intersection(fn.exported_as) and not index.callers(FunctionKey(path, fn.id)))
        if spans:
            out["no_endpoint" if recent else "uncalled"][path] = spans
    return out

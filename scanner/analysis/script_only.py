"""Modules only scripts load: the helpers a seed or maintenance script imports
(`bin/seed.ts` → `bin/factory/threads.ts`, also from a seed left out of the scan) run when
that script runs, by hand or from a package.json script, never per request; so do the
modules that define a command-line command (nest-commander). Their findings are graded like
the script's own (findings.in_scripts)."""

from __future__ import annotations

from ..discover import NON_APP_ROLES, SCRIPT_ROLES
from ..facts.entries import ENTRY_ROLES
from ..facts.functions import IMMEDIATELY_INVOKED
from ..index import FunctionKey
from .dead_code import IMPORTED_ROLES, SERVER_START, dead_modules
from .sources import scanned_sources
from .template_imports import loaded_by_templates


# Command-line frameworks whose runner class a command extends: a module defining one is run
# by hand (`node dist/main import`), not per request.
_COMMAND_RUNNERS = {("nest-commander", "CommandRunner")}


def command_modules(index) -> dict[str, str]:
    """{path: how it is run} for the modules that define a command-line command: a class
    extending nest-commander's `CommandRunner` (`@Command({ name: 'import' })`)."""
    return {p: f"defines a command-line command ({i.module}'s {i.imported})"
            for p, f in index.files.items() if f.role not in NON_APP_ROLES
            for i in f.imports if (i.module, i.imported) in _COMMAND_RUNNERS}


def runnable_modules(index) -> dict[str, str]:
    """{path: how it is run} for the plain modules that nothing scanned imports and that, when
    loaded, run their own function, which queries the database, itself or through the repo
    functions it calls (`async function main() { … prisma.user.findMany() … }` then
    `main().catch(…)` at the bottom, also under `if (require.main === module)`), or query it
    from their top level or an inline function run there (`(async () => { … })()`): a script run by hand
    (`tsx prisma/migrate.ts`); and those in the `prisma/` folder beside the schema. A module
    with entry points (a server's routes), or one that starts a server, is not one; what it
    imports keeps its own grade."""
    out: dict[str, str] = {}
    for path in sorted(index.files):
        facts = index.files[path]
        if facts.role in NON_APP_ROLES or facts.role in ENTRY_ROLES or index.importers(path) \
                or index.imported_by_seeds(path) or any(index.own_entry_kind(path, f.id) is not None
                                                        for f in facts.functions) or _serves(index, path):
            continue
        # Queries the module's own top-level code runs: at the top level, or in an inline
        # function it runs there (`(async () => { … })()`).
        # (Not a callback the top level hands on, `setInterval(async () => …)`: a timer's work.)
        ran = {-1} | {f.id for f in facts.functions if f.parent < 0 and f.inline_callback == IMMEDIATELY_INVOKED}
        if any(c.kind in ("read", "write", "raw") and (fid >= 0 or c.call.ctx.function in ran)
               for fid in ran for c in index.calls_by_function.get(FunctionKey(path, fid), ())):
            out[path] = "runs its queries when loaded, and nothing imports it"
            continue
        for site in facts.call_sites:
            if site.ctx.function >= 0 or site.local_function is None:
                continue
            # (Its queries its own, or those of the repo functions it calls: `main()` → `migrate()`.)
            calls = index.reachable_calls(FunctionKey(path, site.local_function), depth=2, limit=20)
            if any(c.kind in ("read", "write", "raw") for c in calls):
                name = facts.functions[site.local_function].name or "its function"
                out[path] = (f"calls {name}() when loaded, which queries the database, and nothing "
                             "imports it")
                break
        else:
            if _in_schema_folder(index, path):
                # Prisma's folder at a package's root holds the schema, migrations, seeds and
                # the maintenance scripts a developer wires into a runner by hand; app code
                # there is imported.
                out[path] = "sits in the package's prisma/ folder beside the schema, and nothing imports it"
    return out


def _serves(index, path: str) -> bool:
    """The module starts a server when loaded (`app.listen(…)`, `createServer(…)`): it answers
    requests, whatever its own function queries first."""
    src = scanned_sources(index)
    return src is None or SERVER_START.search(src.get(path, b"")) is not None


def _in_schema_folder(index, path: str) -> bool:
    """Whether `path` is under a `prisma/` folder at the repository's or a package's root
    (not `src/repositories/prisma/`, app code named after the ORM)."""
    parts = path.split("/")[:-1]
    return any(p == "prisma" and (i == 0 or "/".join(parts[:i]) in index.modules.package_dirs)
               for i, p in enumerate(parts))


def script_only_modules(index) -> dict[str, str]:
    """{path: how it is run} for every scanned module that defines a command-line command, or
    that some file imports and that only scripts (or modules only scripts load) import,
    directly or through others, besides modules that never run (analysis/dead_code.py), or
    that no scanned file imports and a seed left out of the scan does (`prisma/seed.ts` →
    `prisma/venue-fixtures.ts`)."""
    found: dict[str, str] = command_modules(index)
    scripts = {p for p, f in index.files.items() if f.role in SCRIPT_ROLES} | set(found)
    dead = dead_modules(index)
    changed = True
    while changed:
        changed = False
        for path in sorted(index.files):
            facts = index.files[path]
            if path in found or facts.role in NON_APP_ROLES or facts.role in ENTRY_ROLES \
                    and facts.role not in IMPORTED_ROLES:
                continue
            importers = index.importers(path)
            if loaded_by_templates(index, path):
                continue   # (a component imports it: it runs in the app)
            if not importers and facts.role not in SCRIPT_ROLES:
                seeds = index.imported_by_seeds(path)
                if seeds:
                    found[path] = f"is loaded only by seeds ({seeds[0]}{', …' if len(seeds) > 1 else ''})"
                    changed = True
                    continue
            # (an importer that never runs, a router mounted nowhere, loads nothing)
            live = [i for i in importers if i not in dead]
            if live and all(i in scripts or i in found for i in live):
                via = sorted(i for i in live if i in scripts) or sorted(live)
                found[path] = f"is loaded only by scripts ({via[0]}{', …' if len(live) > 1 else ''})"
                changed = True
    return found

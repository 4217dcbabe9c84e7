"""multiple-prisma-clients: several module-level clients in the app, or one
without the globalThis reuse that survives Next.js hot reload (rules.md §2)."""

from __future__ import annotations

import re

from ..analysis.client_lifecycle import creations
from ..facts.generated import PRISMA_PACKAGE, generated_client
from ..findings import Related, Severity
from .base import Rule, RuleContext


_RUNS_NEXT = re.compile(r"(?:^|[\s&|;])next(?:\s|$)")
_NEXT_CONFIGS = ("next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs")


def _next_packages(index) -> set[str]:
    """The folders of the Next.js apps: packages that depend on next and run it (a script
    runs `next`, or the package has a next.config). A server that depends on next for its
    types is no Next.js app."""
    out = set()
    for pkg in index.modules.packages.values():
        if pkg.dependency("next") is None:
            continue
        scripts = pkg.manifest.get("scripts")
        runs = isinstance(scripts, dict) and any(isinstance(v, str) and _RUNS_NEXT.search(v)
                                                 for v in scripts.values())
        if runs or any((index.root / pkg.dir / name).is_file() for name in _NEXT_CONFIGS):
            out.add(pkg.dir)
    return out


def _hot_reloaded(index, loaders: set[str], next_dirs: set[str]) -> bool:
    """A Next.js app loads the module (its own package, or the package of one of its
    `loaders`, is one): its dev server reruns it on every hot reload. A bot, a job runner or
    an Express server of the same repository is a plain process that runs it once."""
    return any(index.package_of(p) in next_dirs for p in loaders)


def _database(module: str) -> str:
    """Which generated client a class import names (facts/generated.py): clients of two
    schemas are two databases, each with its own pool by necessity. A class from elsewhere
    (a workspace package re-exporting the package's) is the package's."""
    return generated_client(module) or PRISMA_PACKAGE


def _test_harness(index, path: str) -> bool:
    """A client module no scanned file imports or re-exports, that test files or a test
    runner's config load (an integration-test harness): it never shares a process with
    the app's client."""
    return not index.importers(path) and bool(index.imported_by_tests(path))


def _loaders(index, path: str) -> set[str]:
    """The scanned files that load `path`, directly or through other modules."""
    seen, todo = {path}, [path]
    while todo:
        for imp in index.importers(todo.pop()):
            if imp not in seen:
                seen.add(imp)
                todo.append(imp)
    return seen


def _apps(index, paths: list[str], loaders: dict[str, set[str]]) -> list[list[str]]:
    """Client modules grouped by the process that may load them together: the same package,
    or a file that loads both. Separate apps of one repository (each example of a
    collection, a web app and a worker with their own clients) never share a pool."""
    group = {p: p for p in paths}

    def find(p: str) -> str:
        while group[p] != p:
            group[p] = group[group[p]]
            p = group[p]
        return p
    packages = {p: index.package_of(p) for p in paths}
    for i, a in enumerate(paths):
        for b in paths[i + 1:]:
            if packages[a] == packages[b] or loaders[a] & loaders[b]:
                group[find(a)] = find(b)
    out: dict[str, list[str]] = {}
    for p in paths:
        out.setdefault(find(p), []).append(p)
    return list(out.values())


def _check(ctx: RuleContext):
    index = ctx.index
    module_level = [c for c in creations(index) if c.module_level and not _test_harness(index, c.path)]
    by_path: dict[str, list] = {}
    for c in module_level:
        by_path.setdefault(c.path, []).append(c)
    extra: set[str] = set()
    loaders = {p: _loaders(index, p) for p in by_path}
    database = {p: _database(cs[0].creation.module) for p, cs in by_path.items()}
    groups = [[p for p in app if database[p] == db]
              for app in _apps(index, sorted(by_path), loaders) for db in sorted({database[p] for p in app})]
    for group in groups:
        # The shared singleton (globalThis reuse) is the one to keep; the others are extra.
        paths = sorted(group, key=lambda p: (not any(c.creation.global_reuse for c in by_path[p]), p))
        if len(paths) < 2:
            continue
        first = by_path[paths[0]][0]
        for path in paths[1:]:
            c = by_path[path][0]
            extra.add(path)
            yield ctx.finding(
                path, c.creation.span,
                f"A second module-level PrismaClient (the first is in {paths[0]}): each client "
                f"holds its own connection pool, so {len(paths)} modules multiply the "
                f"connections. Import the one shared client instead.",
                operation="new PrismaClient",
                related=(Related(first.path, first.creation.span.line, "another PrismaClient"),),
                matched=f"new PrismaClient@{path}",
            )
    next_dirs = _next_packages(index)
    if next_dirs:
        for c in module_level:
            if c.creation.function < 0 and not c.creation.global_reuse and not c.creation.production_only \
                    and c.path not in extra and _hot_reloaded(index, loaders[c.path], next_dirs):
                yield ctx.finding(
                    c.path, c.creation.span,
                    "Module-level PrismaClient without the globalThis singleton: in Next.js "
                    "development every hot reload creates another client and pool. Store it on "
                    "`globalThis` (`globalForPrisma.prisma ??= new PrismaClient()`).",
                    severity=Severity.LOW, operation="new PrismaClient",
                    matched=f"new PrismaClient without globalThis@{c.path}",
                )


RULE = Rule(
    id="multiple-prisma-clients",
    name="Several PrismaClient instances",
    category="transactions",
    severity=Severity.MEDIUM,
    summary="Module-level PrismaClients in several modules, or one without the globalThis reuse.",
    check=_check,
    confidence="high",
    proof="more than one module creates a PrismaClient at module level",
    tags=("reliability",),
)

"""multiple-prisma-clients: several module-level clients in the app, or one
without the globalThis reuse that survives Next.js hot reload (rules.md §2)."""

from __future__ import annotations

from ..analysis.client_lifecycle import creations
from ..findings import Related, Severity
from .base import Rule, RuleContext


def _is_next_app(index) -> bool:
    for pkg in index.modules.packages.values():
        deps = {**(pkg.manifest.get("dependencies") or {}), **(pkg.manifest.get("devDependencies") or {})}
        if "next" in deps:
            return True
    return False


def _test_harness(index, path: str) -> bool:
    """A client module no scanned file imports or re-exports, that test files or a test
    runner's config load (an integration-test harness): it never shares a process with
    the app's client."""
    return not index.importers(path) and bool(index.imported_by_tests(path))


def _check(ctx: RuleContext):
    index = ctx.index
    module_level = [c for c in creations(index) if c.module_level and not _test_harness(index, c.path)]
    by_path: dict[str, list] = {}
    for c in module_level:
        by_path.setdefault(c.path, []).append(c)
    # The shared singleton (globalThis reuse) is the one to keep; the others are extra.
    paths = sorted(by_path, key=lambda p: (not any(c.creation.global_reuse for c in by_path[p]), p))
    extra: set[str] = set()
    if len(paths) > 1:
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
    if _is_next_app(index):
        for c in module_level:
            if c.creation.function < 0 and not c.creation.global_reuse and c.path not in extra:
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

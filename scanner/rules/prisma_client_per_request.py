"""prisma-client-per-request: `new PrismaClient()` inside code that runs per
request or per call: a new connection pool each time (rules.md §2)."""

from __future__ import annotations

import posixpath

from ..analysis.client_lifecycle import creations
from ..findings import Severity
from .base import Rule, RuleContext


def _check(ctx: RuleContext):
    index = ctx.index
    for c in creations(index):
        if not c.per_call:
            continue
        fn = index.files[c.path].functions[c.creation.function]
        entry = index.entry_kind(c.path, c.creation.function)
        where = f"the {entry} {fn.name}()" if entry else f"{fn.name}(), which other functions call"
        worker = _worker_dir(index, c.path)
        grade = {} if worker is None else {"confidence": "low", "evidence": (
            f"{worker or '.'}/wrangler.* deploys this code to Cloudflare Workers, where a connection "
            "cannot outlive the request that opened it: a client per request is the platform's pattern",)}
        yield ctx.finding(
            c.path, c.creation.span,
            f"new PrismaClient() runs inside {where}: every call opens a new connection pool, "
            f"exhausting database connections under load. Create one client at module level "
            f"(with the globalThis singleton in Next.js) and import it.",
            entry_point=entry, operation="new PrismaClient",
            matched=f"new PrismaClient@{fn.name}", **grade,
        )


def _worker_dir(index, path: str) -> str | None:
    """The folder of the wrangler config whose Worker bundles `path`: the nearest one
    above it, unless a package.json nearer to the file starts another package."""
    here = path
    while True:
        here = posixpath.dirname(here)
        if here in index.modules.worker_dirs:
            return here
        if here in index.modules.package_dirs or not here:
            return None


RULE = Rule(
    id="prisma-client-per-request",
    name="PrismaClient created per request",
    category="transactions",
    severity=Severity.HIGH,
    summary="new PrismaClient() inside a function that runs per request or per call.",
    check=_check,
    confidence="high",
    proof="new PrismaClient() runs inside a function body, once per call",
    tags=("reliability", "scalability"),
)

"""prisma-client-per-request: `new PrismaClient()` inside code that runs per
request or per call: a new connection pool each time (rules.md §2)."""

from __future__ import annotations

import posixpath

from ..analysis.client_lifecycle import creations
from ..findings import Severity
from ..index import FunctionKey
from .base import Rule, RuleContext


def _check(ctx: RuleContext):
    index = ctx.index
    for c in creations(index):
        if not c.per_call:
            continue
        fn = index.files[c.path].functions[c.creation.function]
        entry = index.entry_kind(c.path, c.creation.function)
        where = f"the {entry} {fn.name}()" if entry else f"{fn.name}(), which other functions call"
        grade = _grade(index, c.path, c.creation.function, fn.name, entry)
        yield ctx.finding(
            c.path, c.creation.span,
            f"new PrismaClient() runs inside {where}: every call opens a new connection pool, "
            f"exhausting database connections under load. Create one client at module level "
            f"(with the globalThis singleton in Next.js) and import it.",
            entry_point=entry, operation="new PrismaClient",
            matched=f"new PrismaClient@{fn.name}", **grade,
        )


def _request_caller(index, path: str, fid: int, depth: int = 0, seen=None) -> tuple[str, str, int] | None:
    """(entry kind, file, line of its call) of a request entry point that calls this
    function, directly or through up to three callers."""
    seen = set() if seen is None else seen
    if depth > 3 or (path, fid) in seen:
        return None
    seen.add((path, fid))
    for cpath, site in index.callers(FunctionKey(path, index.owner(path, fid))):
        kind = index.entry_kind(cpath, site.ctx.function)
        if kind is not None:
            return kind, cpath, site.span.line
        found = _request_caller(index, cpath, site.ctx.function, depth + 1, seen)
        if found is not None:
            return found
    return None


def _grade(index, path: str, fid: int, name: str, entry: str | None) -> dict:
    """Low when the code runs on Cloudflare Workers (its own folder, or the request caller's);
    high when a request runs it: the creating function is an entry point, or one calls it
    (three callers deep); else low: no request reaches it (start-up, a command, a script)."""
    worker = _worker_dir(index, path)
    if worker is not None:
        return {"confidence": "low", "evidence": (
            f"{worker or '.'}/wrangler.* deploys this code to Cloudflare Workers, where a connection "
            "cannot outlive the request that opened it: a client per request is the platform's pattern",)}
    if entry is not None:
        return {"confidence": "high", "evidence": (
            f"new PrismaClient() runs in the {entry} itself: every request opens a connection pool",)}
    caller = _request_caller(index, path, fid)
    if caller is None:
        # On the tuning labels every such finding (7 of 7, then 2 of 2 on a fresh set) was
        # start-up code, a CLI command or a desktop app's setup: none ran per request.
        return {"confidence": "low", "evidence": (
            f"new PrismaClient() runs on every call of {name}(), but no request entry point in the scan "
            "calls it (three callers deep): start-up code, a command or a script, not a request",)}
    kind, cpath, line = caller
    worker = _worker_dir(index, cpath)
    if worker is not None:
        return {"confidence": "low", "evidence": (
            f"the {kind} that calls {name}() ({cpath}:{line}) is deployed to Cloudflare Workers "
            f"({worker or '.'}/wrangler.*), where a connection cannot outlive its request: a client "
            "per request is the platform's pattern",)}
    return {"confidence": "high", "evidence": (
        f"{name}() runs for the {kind} that calls it ({cpath}:{line}): every request opens a "
        "connection pool",)}


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
    tags=("reliability", "scalability"),
)

"""Matching a call's callee against a configured list of function names."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Iterable

from ..facts.call_sites import AFTER_RESPONSE
from ..facts.listeners import listener_callback
from ..facts.functions import IMMEDIATELY_INVOKED
from ..facts.model import SiteContext
from .sources import source_lines

# A durable workflow step (Inngest, Trigger.dev, Cloudflare Workflows): `step.run("x", fn)`.
# Its callback runs once and is retried on its own, by design.
_DURABLE_STEP = re.compile(r"(?:^|\.)step\.(?:run|do|sendEvent|invoke)$")


def durable_step(ctx: SiteContext) -> int | None:
    """The line of the durable workflow step a site runs in, if any."""
    return next((f.line for f in ctx.tx if f.kind == "wrapper-callback" and _DURABLE_STEP.search(f.callee)),
                None)


def callee_matches(callee: str, names: Iterable[str]) -> bool:
    """`Sentry.captureException` matches itself; a bare name (`captureException`)
    also matches as the last member of a call (`Sentry.captureException`); a
    name with `*` is a pattern (`verify*Signature`)."""
    last = callee.rsplit(".", 1)[-1]
    for n in names:
        if "*" in n:
            if fnmatchcase(callee, n) or ("." not in n and fnmatchcase(last, n)):
                return True
        elif callee == n or ("." not in n and last == n):
            return True
    return False


def after_response(index, path: str, fid: int) -> str | None:
    """`waitUntil` / `after` / `setImmediate` / … (call_sites.AFTER_RESPONSE) when the function,
    or one around it, is handed to one of them (`after(async () => …)`, `waitUntil((async () =>
    …)())`, `setImmediate(async () => …)`): work that runs after its caller returned (and the
    response went), which no caller waits for."""
    hit = _handed_to(index, path, fid, lambda callee: callee.rsplit(".", 1)[-1] in AFTER_RESPONSE
                     or _after_wrapper(index, path, callee) is not None)
    if hit is None:
        return None
    last = hit.rsplit(".", 1)[-1]
    return last if last in AFTER_RESPONSE else f"{hit}() → {_after_wrapper(index, path, hit)}"


def _after_wrapper(index, path: str, callee: str) -> str | None:
    """The scheduler (`after`, `waitUntil`, …) a function of the same file hands the task it is
    given to (`function scheduleAfterResponse(task) { after(task) }`, also as `after(() =>
    task())`): its callers' callbacks run after the response too. None for any other callee."""
    if not callee.isidentifier():
        return None
    def compute() -> dict[str, str]:
        found: dict[str, str] = {}
        lines = None
        for fn in index.files[path].functions:
            if fn.parent != -1 or not fn.params or fn.name in found:
                continue
            lines = lines if lines is not None else source_lines(index, path)
            body = b"\n".join(lines[fn.span.line - 1:fn.span.end_line]).decode("utf-8", "replace")
            task = re.escape(fn.params[0])
            m = re.search(rf"\b({'|'.join(AFTER_RESPONSE)})\(\s*(?:(?:async\s*)?\(\)\s*=>\s*(?:void\s+)?)?{task}\b",
                          body)
            if m is not None:
                found[fn.name] = m.group(1)
        return found
    return index.memo(f"after-wrappers:{path}", compute).get(callee)


def event_listener(index, path: str, fid: int) -> str | None:
    """The registration (`client.on`) when the function, or one around it, is written inline
    as an event listener (`client.on('guildCreate', async (guild) => …)`), or when every call
    of one of them sits in such a listener (`client.on('guildCreate', (g) => onGuildCreate(g))`),
    a few callers deep: the emitter is the only caller, and it drops what it is given
    (facts/listeners.py LISTENER_METHODS; a rejected promise is at most an unhandled rejection)."""
    found = index.through_callers(
        path, fid, lambda p, f: _handed_to(index, p, f, listener_callback) or _decorated_listener(index, p, f))
    return found[1] if found is not None else None


def _decorated_listener(index, path: str, fid: int) -> str | None:
    """`@OnEvent` when the function, or one around it, is a method a decorator registers as an
    event's listener (facts/listeners.py): the emitter calls it and drops what it returns."""
    funcs = index.files[path].functions
    while fid >= 0:
        if funcs[fid].listener and funcs[fid].inline_callback is None:
            return "@OnEvent"
        fid = funcs[fid].parent
    return None


def _handed_to(index, path: str, fid: int, wanted) -> str | None:
    """The callee a function or one around it is written inline as an argument of (an
    immediately invoked one counts as handed to the call around it), when `wanted(callee)`."""
    funcs = index.files[path].functions
    while fid >= 0:
        f = funcs[fid]
        callee = f.inline_callback if f.inline_callback != IMMEDIATELY_INVOKED \
            else f.name[len("<iife in "):-1] if f.name.startswith("<iife in ") else ""
        if callee and wanted(callee):
            return callee
        fid = f.parent
    return None

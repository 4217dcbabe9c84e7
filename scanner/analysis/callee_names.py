"""Matching a call's callee against a configured list of function names."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Iterable

from ..facts.call_sites import AFTER_RESPONSE
from ..facts.listeners import listener_callback
from ..facts.functions import IMMEDIATELY_INVOKED
from ..facts.model import SiteContext

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
    hit = _handed_to(index, path, fid, lambda callee: callee.rsplit(".", 1)[-1] in AFTER_RESPONSE)
    return hit.rsplit(".", 1)[-1] if hit is not None else None


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

"""Matching a call's callee against a configured list of function names."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Iterable

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

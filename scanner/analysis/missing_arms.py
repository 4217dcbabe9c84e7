"""Arms that run when a lookup found nothing: the `if (!user)` arm or the `??` fallback around a
site, with the reads made before it in the same function. Get-or-create reads so
(`let user = await prisma.user.findFirst(…); if (!user) user = await prisma.user.create(…)`):
write-without-transaction finds the lookup a rerun repeats, n-plus-one the lookup that makes a
create in a loop run once."""

from __future__ import annotations

from ..facts.branch_tests import missing_names
from ..facts.model import SiteContext
from ..index import FunctionKey


def missing_arms(index, path: str, ctx: SiteContext, since: int = 0, until: int | None = None):
    """(arm, names, reads) for each `if` arm or `??` fallback around the site, between bytes
    `since` and `until`, whose tests say some values hold nothing (`!user`, `user === null`):
    those names, and the reads of the site's function made after `since` and before the arm."""
    calls = index.calls_by_function.get(FunctionKey(path, index.owner(path, ctx.function)), ())
    for b in ctx.branches:
        if b.kind not in ("if", "nullish") or b.start < since or (until is not None and b.end > until):
            continue
        missing = missing_names(b.tests)
        if missing:
            yield b, missing, [c for c in calls if c.kind == "read" and since <= c.call.ctx.start
                               and c.call.ctx.end <= b.start]

"""Items whose failure the loop catches and records one by one: the body's work sits in a `try`
whose catch, still inside the loop, writes to the database (`webhookEvent.update({ status:
'FAILED' })`, or a repo function that does, `markFailed(id)`). Each item then has its own
outcome row, the loop goes on past a failed one, and one batched query would make the items
succeed or fail together: per-item processing by design (rules.md §8), as a durable workflow
step or an explicit row lock per item is."""

from __future__ import annotations

from ..facts.model import LoopFrame, SiteContext
from ..index import ProjectIndex


def failure_recorded(index: ProjectIndex, path: str, site: SiteContext, loop: LoopFrame) -> tuple[str, int] | None:
    """(what, line) of the write that records a failed item, in the catch of a `try` that guards
    `site` inside `loop`; None when there is none."""
    guarded = set(site.trys)
    facts = index.files.get(path)
    if not guarded or facts is None:
        return None

    def recording(ctx) -> bool:
        return ctx.function == site.function and bool(guarded & set(ctx.catches)) \
            and any(lp.key == loop.key for lp in ctx.loops)

    for c in index.calls_in(path):
        if c.kind == "write" and recording(c.call.ctx):
            return f"{c.label}()", c.line
    for cs in facts.call_sites:
        target = index.callee(path, cs) if recording(cs.ctx) else None
        if target is not None and index.db_chain(target, depth=2, kinds=frozenset({"write"})):
            return f"{cs.callee}()", cs.span.line
    return None

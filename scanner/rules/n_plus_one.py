"""n-plus-one: a Prisma operation runs once per item of a collection, directly
or through functions the loop calls (rules.md §1)."""

from __future__ import annotations

import re

from ..facts.model import LoopFrame
from ..findings import Related, Severity
from ..index import FunctionKey, PrismaCall
from .base import Rule, RuleContext

# A literal array of at most this many constants is not "a collection".
FEW_CONSTANTS = 5
_RETRY = re.compile(r"\b(attempts?|retr(y|ies)|tries|maxRetries)\b", re.I)
_BATCHED_BY_DATALOADER = ("findUnique", "findUniqueOrThrow")


def _loop_label(loop: LoopFrame) -> str:
    if loop.kind == "callback":
        return f"`{loop.header}(...)` callback"
    return f"`{loop.header}`" if loop.header else f"{loop.kind} loop"


def _quiet_loop(loop: LoopFrame) -> bool:
    if loop.literal_len is not None and loop.literal_len <= FEW_CONSTANTS:
        return True
    return loop.kind in ("for", "while", "do") and bool(_RETRY.search(loop.header))


_BULK_OPS = frozenset({"createMany", "createManyAndReturn", "updateMany", "updateManyAndReturn",
                       "deleteMany"})
_BATCH_WORDS = re.compile(r"chunk|batch|page", re.I)


def _paginates(call: PrismaCall) -> bool:
    keys = set(call.call.args.keys)
    return "take" in keys and bool(keys & {"cursor", "skip"})


def _batch_loop(loop: LoopFrame) -> bool:
    """A loop over pages or chunks rather than over items."""
    return loop.kind in ("for", "while", "do") or bool(_BATCH_WORDS.search(loop.header))


def _batch_loops(calls: list[PrismaCall]) -> set[int]:
    """Loops that fetch a bounded page (`findMany({ take })`) each time round:
    purge and backfill loops that work through a table batch by batch."""
    out = set()
    for call in calls:
        loops = call.call.ctx.loops
        if loops and call.operation == "findMany" and "take" in call.call.args.keys \
                and loops[0].kind in ("for", "while", "do"):
            out.add(loops[0].key)
    return out


def _per_batch(call: PrismaCall, loop: LoopFrame, batch_loops: set[int]) -> bool:
    """One query per page or chunk, not per item: a set lookup (`{ in: ids }`) in
    a batch loop, or the page fetch and bulk writes of a batch loop."""
    if loop.key in batch_loops and (call.operation in _BULK_OPS
                                    or (call.operation == "findMany" and "take" in call.call.args.keys)):
        return True
    return call.call.args.where_set and _batch_loop(loop)


def _dataloader_batched(call: PrismaCall, loop: LoopFrame) -> bool:
    """`Promise.all(ids.map((id) => prisma.user.findUnique({ where: { id } })))`:
    Prisma Client batches findUnique calls of one tick into one IN query."""
    return (loop.kind == "callback" and loop.method in ("map", "flatMap")
            and call.operation in _BATCHED_BY_DATALOADER
            and call.call.args.where_equality_only)


def _dataloader_note(call: PrismaCall, loop: LoopFrame) -> str:
    """Say why Prisma's findUnique batching does not apply here."""
    if call.operation in _BATCHED_BY_DATALOADER:
        if loop.kind != "callback":
            return " (findUnique calls awaited one at a time are not batched by Prisma's dataloader)"
        return " (the dataloader batches findUnique only with plain equality filters)"
    if loop.kind == "callback" and call.kind == "read":
        return f" ({call.operation} is not batched; only findUnique is)"
    return ""


def _check(ctx: RuleContext):
    index = ctx.index
    batch_loops = _batch_loops(index.prisma_calls)
    for call in index.prisma_calls:
        if call.kind == "transaction" or not call.call.ctx.loops:
            continue
        if any(f.kind == "array" for f in call.call.ctx.tx):
            continue  # built for one batched $transaction([...]): the fix itself
        loop = call.call.ctx.loops[0]
        if any(_quiet_loop(l) for l in call.call.ctx.loops):
            continue
        if _paginates(call):
            continue
        if _dataloader_batched(call, loop) or _per_batch(call, loop, batch_loops):
            continue
        parallel = loop.parallel or (loop.kind == "callback" and loop.method in ("map", "flatMap"))
        what = "parallel N+1: " if parallel else ""
        tail = ("still N round trips, holding up to N pooled connections at once"
                if parallel else "N round trips for N items")
        yield ctx.call_finding(
            call,
            f"{what}{call.label}() runs once per item of the {_loop_label(loop)} "
            f"(line {loop.line}): {tail}{_dataloader_note(call, loop)}. Fetch once with "
            f"`where: {{ id: {{ in: ids }} }}` or `include`, or batch writes.",
            related=(Related(call.path, loop.line, "the loop"),),
        )
    yield from _across_functions(ctx)


def _across_functions(ctx: RuleContext):
    index = ctx.index
    for path in sorted(index.files):
        facts = index.files[path]
        for site in facts.call_sites:
            loops = site.ctx.loops
            if not loops or any(f.kind == "array" for f in site.ctx.tx):
                continue
            if any(_quiet_loop(l) for l in loops):
                continue
            target = index.callee(path, site)
            if target is None:
                continue
            target = FunctionKey(target.path, index.owner(target.path, target.id))
            # Pagination or batching through a helper is not N+1: only a query
            # that is not a page fetch counts at the end of the chain.
            chain = index.find_chain(target, lambda c: not _paginates(c), depth=4)
            if chain is None:
                continue
            loop = loops[0]
            fn = index.function(target)
            steps = [f"{site.callee}()"] + [c[0] for c in chain]
            arrow = " → ".join(["loop"] + steps)
            yield ctx.finding(
                path, site.span,
                f"{'parallel N+1' if loop.parallel else 'N+1'} across functions: {site.callee}() runs a "
                f"Prisma query once per item of the {_loop_label(loop)} (line {loop.line}): {arrow}. "
                f"Load the data for all items in one query before the loop.",
                entry_point=index.entry_kind(path, site.ctx.function),
                related=(Related(path, loop.line, "the loop"),)
                + ((Related(target.path, fn.span.line, f"{fn.name}()"),) if fn else ())
                + tuple(Related(p, line, label) for label, p, line in chain),
                matched=f"{site.callee}@{arrow}",
            )


RULE = Rule(
    id="n-plus-one",
    name="Query in a loop (N+1)",
    category="query-patterns",
    severity=Severity.HIGH,
    summary="A Prisma query runs once per item of a collection, directly or through called functions.",
    check=_check,
    tags=("performance",),
)

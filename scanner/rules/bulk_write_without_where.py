"""bulk-write-without-where: deleteMany/updateMany that touch every row
(rules.md §2)."""

from __future__ import annotations

from ..findings import Severity
from ..index import FunctionKey
from .base import Rule, RuleContext


def _check(ctx: RuleContext):
    for call in ctx.prisma_calls():
        op = call.op
        # deleteMany, updateMany, updateManyAndReturn: bulk writes through a filter.
        if op is None or not (op.writes and op.bulk and op.where == "filter"):
            continue
        sev = Severity.CRITICAL if call.operation == "deleteMany" else Severity.HIGH
        args = call.call.args
        if args.opaque:
            continue
        if not args.present:
            why = "has no argument"
        elif "where" not in args.keys:
            why = "has no `where`"
        elif args.where_empty:
            why = "has an empty `where: {}`"
        else:
            continue
        verb = "deletes" if call.operation == "deleteMany" else "updates"
        # Deleting every row is a lost filter unless the function refills the table; updating
        # every row may be a reset (a flag cleared before one row gets it), so that is medium.
        confidence, evidence = ("high" if call.operation == "deleteMany" else "medium"), \
            (f"{call.operation}() {why}",)
        completed = _completed_by(ctx, call)
        if completed is not None:
            timer = ctx.index.scheduled(call.path, call.call.ctx.function) or ("", "")
            confidence, evidence = "low", (_REWRITE[call.op.deletes].format(
                first=f"{call.label}()", model=call.model, then=f"{completed.label}()", job=timer[0],
                how=timer[1], where=f"line {completed.line}" if completed.path == call.path
                else f"{completed.path}:{completed.line}"),)
        yield ctx.call_finding(
            call,
            f"{call.label}() {why}: it {verb} every {call.model} row in the table. "
            f"Scope it with a `where` that names the rows.",
            severity=sev, confidence=confidence, evidence=evidence,
        )


_REWRITE = {
    True: ("{first} empties {model}, which this function then refills ({then} at {where}), and "
           "{job}() runs on a schedule ({how}): a timed rebuild of a cache or snapshot table, not a lost "
           "filter (readers see it empty in between, which a transaction around both closes)"),
    False: ("{first} clears fields that {then} at {where} then sets on the one row it names: a flag "
            "moved across the table (default, primary, current), not a lost filter"),
}


def _completed_by(ctx: RuleContext, call):
    """The later write of the same model that makes this bulk write the first half of
    rewriting the table: rows created after `deleteMany()` in a timed job, by the function or
    the functions it calls after it (a wipe and refill), or the same fields set on one row
    after `updateMany({ data })` in the function (an exclusive flag moved)."""
    index, fid = ctx.index, call.call.ctx.function
    if call.op.deletes and index.scheduled(call.path, fid) is None:
        return None  # in a request (or code it calls) two requests can interleave wipes and refills
    key = FunctionKey(call.path, index.owner(call.path, fid))
    after = (call.line, call.call.span.column)
    later = [c for c in index.calls_by_function.get(key, ()) if (c.line, c.call.span.column) > after]
    for site in index.sites_of(key) if call.op.deletes else ():
        target = index.callee(call.path, site) if (site.span.line, site.span.column) > after else None
        if target is not None:
            later += index.reachable_calls(FunctionKey(target.path, index.owner(target.path, target.id)), depth=2)
    fields = set(call.call.args.data_fields)
    for c in later:
        if c.model != call.model or c.op is None:
            continue
        if call.op.deletes and c.op.creates:
            return c
        if call.op.updates and c.op.updates and c.op.where == "unique" \
                and fields & set(c.call.args.data_fields):
            return c
    return None

RULE = Rule(
    id="bulk-write-without-where",
    name="Bulk write without where",
    category="transactions",
    severity=Severity.CRITICAL,
    summary="deleteMany/updateMany with no `where` (or `where: {}`) touches every row.",
    check=_check,
    tags=("data-loss",),
)

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
                first=f"{call.label}()", model=call.model, then=f"{completed.label}()", line=completed.line,
                job=timer[0], how=timer[1]),)
        yield ctx.call_finding(
            call,
            f"{call.label}() {why}: it {verb} every {call.model} row in the table. "
            f"Scope it with a `where` that names the rows.",
            severity=sev, confidence=confidence, evidence=evidence,
        )


_REWRITE = {
    True: ("{first} empties {model}, which this function then refills ({then} at line {line}), and "
           "{job}() runs on a schedule ({how}): a timed rebuild of a cache or snapshot table, not a lost "
           "filter (readers see it empty in between, which a transaction around both closes)"),
    False: ("{first} clears fields that {then} at line {line} then sets on the one row it names: a flag "
            "moved across the table (default, primary, current), not a lost filter"),
}


def _completed_by(ctx: RuleContext, call):
    """The later write of the same model, in the same function, that makes this bulk write the
    first half of rewriting the table: rows created after `deleteMany()` (a wipe and refill), or
    the same fields set on one row after `updateMany({ data })` (an exclusive flag moved)."""
    fid = call.call.ctx.function
    timer = ctx.index.scheduled(call.path, fid) if call.op.deletes else None
    if call.op.deletes and timer is None:
        return None  # in a request (or code it calls) two requests can interleave wipes and refills
    same = ctx.index.calls_by_function.get(FunctionKey(call.path, fid), ())
    fields = set(call.call.args.data_fields)
    for c in same:
        if c.model != call.model or (c.line, c.call.span.column) <= (call.line, call.call.span.column):
            continue
        if c.op is None:
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

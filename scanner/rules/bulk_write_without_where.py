"""bulk-write-without-where: deleteMany/updateMany that touch every row
(rules.md §2)."""

from __future__ import annotations

from ..findings import Severity
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
        yield ctx.call_finding(
            call,
            f"{call.label}() {why}: it {verb} every {call.model} row in the table. "
            f"Scope it with a `where` that names the rows.",
            severity=sev,
            # Deleting every row is never a reset; updating every row may be one (a flag
            # cleared before one row gets it), so that is medium.
            confidence="high" if call.operation == "deleteMany" else "medium",
            evidence=(f"{call.operation}() {why}",),
        )


RULE = Rule(
    id="bulk-write-without-where",
    name="Bulk write without where",
    category="transactions",
    severity=Severity.CRITICAL,
    summary="deleteMany/updateMany with no `where` (or `where: {}`) touches every row.",
    check=_check,
    scope="file",
    reads=("prisma_calls", "functions"),
    tags=("data-loss",),
)

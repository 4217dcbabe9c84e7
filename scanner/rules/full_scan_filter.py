"""full-scan-filter: rows fetched with neither `where` nor `take`, then
narrowed in JavaScript (rules.md §1)."""

from __future__ import annotations

from ..findings import Related, Severity
from .base import Rule, RuleContext


def _check(ctx: RuleContext):
    for call in ctx.prisma_calls():
        c = call.call
        if call.operation != "findMany" or not c.narrowed or c.args.opaque:
            continue
        if {"where", "take"} & set(c.args.keys):
            continue
        lines = ", ".join(str(n) for n in c.narrowed)
        yield ctx.call_finding(
            call,
            f"{call.label}() loads every {call.model} row into memory and `{c.result}` is then "
            f"narrowed in JavaScript (line {lines}): move that condition into a `where` clause "
            f"so the database filters (and can use an index).",
            related=tuple(Related(call.path, n, f"`{c.result}` narrowed in JavaScript")
                          for n in c.narrowed),
        )


RULE = Rule(
    id="full-scan-filter",
    name="Full table scan filtered in JavaScript",
    category="query-patterns",
    severity=Severity.MEDIUM,
    summary="A findMany without where/take whose rows are then filtered in JavaScript.",
    check=_check,
    scope="file",
    reads=("prisma_calls", "functions"),
    tags=("performance",),
)

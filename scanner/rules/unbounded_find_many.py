"""unbounded-find-many: a findMany with no `take` (rules.md §1)."""

from __future__ import annotations

from ..findings import Severity
from ..facts.entries import a_kind
from .base import Rule, RuleContext


def _check(ctx: RuleContext):
    small = {m[:1].lower() + m[1:] for m in ctx.config["rules"]["small_models"]}
    for call in ctx.index.prisma_calls:
        if call.operation != "findMany" or call.model in small:
            continue
        args = call.call.args
        if args.opaque or "take" in args.keys:
            continue  # a variable or spread we cannot see into: not reported
        in_entry = call.entry_kind is not None
        where = "" if args.present and "where" in args.keys else " and no `where`"
        place = f"in {a_kind(call.entry_kind)}" if in_entry else "outside a request entry point"
        yield ctx.call_finding(
            call,
            f"{call.label}() has no `take`{where} ({place}): it loads every matching "
            f"{call.model} row, however many the table grows to. Add `take` (and a cursor "
            f"for the next page).",
            severity=Severity.MEDIUM if in_entry else Severity.LOW,
        )


RULE = Rule(
    id="unbounded-find-many",
    name="findMany without take",
    category="query-patterns",
    severity=Severity.MEDIUM,
    summary="A findMany with no `take` loads an unbounded number of rows.",
    check=_check,
    tags=("performance", "scalability"),
)

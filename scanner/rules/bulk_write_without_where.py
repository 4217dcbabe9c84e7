"""bulk-write-without-where: deleteMany/updateMany that touch every row
(rules.md §2)."""

from __future__ import annotations

from ..analysis.uncalled import uncalled_method
from ..facts.operations import FIRST_ROW_OPS
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
        why = _unfiltered(call.call.args)
        if why is None:
            continue
        verb = "deletes" if call.operation == "deleteMany" else "updates"
        # Deleting every row is a lost filter unless a timed job refills the table; updating
        # every row may be a reset (a flag cleared before one row gets it), so that is medium.
        confidence, evidence = ("high" if call.operation == "deleteMany" else "medium"), \
            (f"{call.operation}() {why}",)
        rewrite = _rewrite(ctx.index, call) or _wipe(ctx.index, call) or _singleton(ctx.index, call) \
            or uncalled_method(ctx.index, call.path, call.call.ctx.function)
        if rewrite is not None:
            confidence, evidence = "low", (rewrite,)
        yield ctx.call_finding(
            call,
            f"{call.label}() {why}: it {verb} every {call.model} row in the table. "
            f"Scope it with a `where` that names the rows.",
            severity=sev, confidence=confidence, evidence=evidence,
        )


# How many tables one function empties before it reads as a deliberate wipe (a reset to
# demo data, a "danger zone" action), not a filter lost from one call.
_WIPED_TABLES = 4


def _unfiltered(args) -> str | None:
    """How a bulk write's arguments leave it without a filter (no argument, no `where`, an
    empty one), None when they filter or the scan cannot read them."""
    if args.opaque:
        return None
    if not args.present:
        return "has no argument"
    if "where" not in args.keys:
        return "has no `where`"
    return "has an empty `where: {}`" if args.where_empty else None


def _empties(call) -> bool:
    """`deleteMany()` with no filter at all: every row goes."""
    return call.operation == "deleteMany" and _unfiltered(call.call.args) is not None


def _wipe(index, call) -> str | None:
    """Why this `deleteMany()` is part of a deliberate wipe: its function empties four or more
    tables (`deleteMany()` with no `where` on each), which no forgotten filter explains."""
    if not _empties(call):
        return None
    key = FunctionKey(call.path, index.owner(call.path, call.call.ctx.function))
    models = sorted({c.model for c in index.calls_by_function.get(key, ()) if c.model and _empties(c)})
    if len(models) < _WIPED_TABLES:
        return None
    fn = index.function(key)
    name = f"{fn.name}()" if fn is not None else "the module"
    return (f"{name} empties {len(models)} tables ({', '.join(models[:4])}{', …' if len(models) > 4 else ''}): "
            "a deliberate wipe, such as a reset to demo data, not a filter lost from one call")


def _singleton(index, call) -> str | None:
    """Why a write to every row of this model touches one row: every read of the model the scan
    sees is a `findFirst()` with no filter, so the application keeps a single row there (its
    settings, a config), created when missing, and clearing or updating "every" row is clearing
    that one. A model also read by a list, a lookup or a filter is no such table."""
    def compute() -> dict[str, bool]:
        first: dict[str, bool] = {}
        for c in index.prisma_calls:
            if c.model is None or c.writes:
                continue
            only_first = c.operation in FIRST_ROW_OPS and _unfiltered(c.call.args) is not None
            first[c.model] = first.get(c.model, True) and only_first
        return first
    if not index.memo("first-row-models", compute).get(call.model):
        return None
    return (f"every read of {call.model} the scan sees is a findFirst() with no filter: the application keeps "
            "one row there (a singleton such as its settings), so this clears or updates that row")


def _rewrite(index, call) -> str | None:
    """Why this bulk write is the first half of rewriting the table, when a later write of the
    same model does the second half: rows created after `deleteMany()`, by the function or the
    functions it calls after it (in the same transaction, an atomic rebuild; in a job a timer
    runs, a timed one; elsewhere a rebuild that two requests can interleave, which
    write-without-transaction reports), or the fields `updateMany()` cleared set again on one
    row by the function (an exclusive flag moved)."""
    fid = call.call.ctx.function
    timer = index.scheduled(call.path, fid) if call.op.deletes else None
    atomic = call.op.deletes and call.in_transaction
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
        where = f"line {c.line}" if c.path == call.path else f"{c.path}:{c.line}"
        if atomic and c.op.creates and c.in_transaction and c.path == call.path:
            return (f"{call.label}() empties {call.model}, which the same transaction then refills "
                    f"({c.label}() at {where}): an atomic rebuild of the table, not a lost filter (readers "
                    "see the old rows or the new ones)")
        if timer is not None and c.op.creates:
            return (f"{call.label}() empties {call.model}, which this function then refills ({c.label}() at "
                    f"{where}), and {timer[0]}() runs on a schedule ({timer[1]}): a timed rebuild of a cache "
                    "or snapshot table, not a lost filter (readers see it empty in between, which a "
                    "transaction around both closes)")
        if call.op.deletes and c.op.creates:
            # Outside a transaction, two runs can interleave their wipes and refills, and a failed
            # refill leaves the table empty: write-without-transaction reports that pair.
            return (f"{call.label}() empties {call.model}, which this function then refills ({c.label}() at "
                    f"{where}): a rebuild of the whole table, whose filter is not forgotten (that the wipe and "
                    "the refill are not one transaction is write-without-transaction's finding)")
        if call.op.updates and c.op.updates and c.op.where == "unique" and fields & set(c.call.args.data_fields):
            return (f"{call.label}() clears fields that {c.label}() at {where} then sets on the one row it "
                    "names: a flag moved across the table (default, primary, current), not a lost filter")
    return _module_refills(index, call, timer)


def _module_refills(index, call, timer) -> str | None:
    """A scheduled wipe whose module creates rows of the same model elsewhere (`clearTable()`
    then `populate()` in the job, the refill deeper than the calls followed above): the job
    rebuilds the table each run, and a forgotten filter would not sit beside its refill."""
    if timer is None or not call.op.deletes:
        return None
    refill = next((c for c in index.calls_in(call.path)
                   if c.model == call.model and c.op is not None and c.op.creates), None)
    if refill is None:
        return None
    return (f"{call.label}() empties {call.model}, which its module refills ({refill.label}() at line "
            f"{refill.line}), and {timer[0]}() runs on a schedule ({timer[1]}): a timed rebuild of a "
            "cache or snapshot table, not a lost filter")


RULE = Rule(
    id="bulk-write-without-where",
    name="Bulk write without where",
    category="transactions",
    severity=Severity.CRITICAL,
    summary="deleteMany/updateMany with no `where` (or `where: {}`) touches every row.",
    check=_check,
    tags=("data-loss",),
)

"""raw-sql-injection: SQL text built from values and run unescaped (rules.md §2, §8).

Confidence follows the spliced values: request input reaching the text is a proven
injection (critical, high); values that can only be numbers, booleans, dates,
constants or escaped text are harmless (quiet); a value computed from a parameter of the
function is an unsafe API with a value its callers decide (high, medium), low when every
caller the scan sees passes a constant there; values computed where the SQL is, from
neither request input nor a parameter, are low. Callers are in other files, so the rule
is project-scoped."""

from __future__ import annotations

from ..facts.operations import UNSAFE_RAW_METHODS
from ..findings import Severity
from ..index import FunctionKey
from .base import Rule, RuleContext

_BUILT = {"template": "a template literal with `${…}`", "concat": "string concatenation"}


def _constant_callers(index, path: str, fid: int, positions: tuple[int, ...]) -> tuple[str, int, int] | None:
    """(a caller's file, its line, how many callers) when the function around the SQL has
    callers the scan sees and every one passes a literal or a SCREAMING_CASE constant in
    each place the spliced values come from."""
    if not positions or fid < 0:
        return None
    callers = index.callers(FunctionKey(path, fid))
    if not callers or any(site.given is None or not set(positions) <= set(site.given.constants)
                          for _, site in callers):
        return None
    return callers[0][0], callers[0][1].span.line, len(callers)


def _grade(values: tuple[str, ...], from_params: tuple[str, ...],
           tainted, constant_callers=None) -> tuple[Severity, str, tuple[str, ...]]:
    """(severity, confidence, evidence) for SQL text built from `values`, `from_params` of
    them computed from a parameter of the function."""
    if tainted is not None:
        first = tainted.steps[0]
        return Severity.CRITICAL, "high", (
            f"request input ({first.note}, line {first.line}) reaches the SQL text unescaped",)
    if not values:
        return Severity.HIGH, "quiet", ("every spliced value is a constant, number, boolean, date or "
                                        "escaped text",)
    if not from_params:
        shown = ", ".join(f"`{v}`" for v in values[:3])
        return Severity.HIGH, "low", (f"spliced value(s) {shown} are computed here, from neither request "
                                      "input nor a caller's argument (constants, configuration, rows "
                                      "read from the database)",)
    shown = ", ".join(f"`{v}`" for v in from_params[:3])
    if constant_callers is not None:
        where, line, n = constant_callers
        more = f", and {n - 1} more" if n > 1 else ""
        return Severity.HIGH, "low", (f"spliced value(s) {shown} come from parameters, and every caller the "
                                      f"scan sees passes a constant there ({where}:{line}{more})",)
    return Severity.HIGH, "medium", (f"spliced value(s) not proven safe: {shown}, from a parameter: "
                                     "what the callers pass is not known",)


def _check(ctx: RuleContext):
    index = ctx.index
    for call in ctx.prisma_calls():
        if call.operation not in UNSAFE_RAW_METHODS:
            continue
        how = _BUILT.get(call.call.args.raw_kind or "")
        if how is None:
            continue
        facts = index.files[call.path]
        sink = facts.prisma_calls.index(call.call)
        tainted = next((t for t in facts.taint if t.sink == sink), None)
        args = call.call.args
        severity, confidence, evidence = _grade(
            args.raw_values, args.raw_param_values, tainted,
            _constant_callers(index, call.path, call.call.ctx.function, args.raw_param_positions))
        safe = call.operation.replace("Unsafe", "")
        yield ctx.call_finding(
            call,
            f"{call.label}() runs SQL built with {how}: values spliced into the text are not "
            f"escaped (SQL injection). Use the tagged template `{safe}`…${{value}}…`` or pass "
            f"the values as parameters ($1, $2).",
            severity=severity, confidence=confidence, evidence=evidence,
        )
    for path in ctx.file_paths():
        for frag in index.files[path].raw_fragments:
            how = _BUILT.get(frag.sql_kind)
            if how is None:
                continue
            severity, confidence, evidence = _grade(
                frag.values, frag.param_values, None,
                _constant_callers(index, path, frag.function, frag.param_positions))
            yield ctx.finding(
                path, frag.span,
                f"Prisma.raw() splices text built with {how} into SQL unescaped (SQL injection). "
                f"Use `Prisma.sql` with `${{value}}` placeholders, or check the value against an "
                f"allow-list first.",
                operation="Prisma.raw",
                entry_point=index.entry_kind(path, frag.function),
                severity=severity, confidence=confidence, evidence=evidence,
            )


RULE = Rule(
    id="raw-sql-injection",
    name="Raw SQL built from values",
    category="input-validation",
    severity=Severity.CRITICAL,
    summary="$queryRawUnsafe/$executeRawUnsafe or Prisma.raw with SQL built from values.",
    check=_check,
    tags=("security", "external/cwe/cwe-89"),
)

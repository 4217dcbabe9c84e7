"""raw-sql-injection: SQL text built from values and run unescaped (rules.md §2, §8).

Confidence follows the spliced values: request input reaching the text is a proven
injection (critical, high); values that can only be numbers, booleans, dates,
constants or escaped text are harmless (quiet); a value computed from a parameter of the
function is an unsafe API with a value its callers decide (high, medium); values computed
where the SQL is, from neither request input nor a parameter, are low."""

from __future__ import annotations

from ..facts.operations import UNSAFE_RAW_METHODS
from ..findings import Severity
from .base import Rule, RuleContext

_BUILT = {"template": "a template literal with `${…}`", "concat": "string concatenation"}


def _grade(values: tuple[str, ...], from_params: tuple[str, ...],
           tainted) -> tuple[Severity, str, tuple[str, ...]]:
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
        severity, confidence, evidence = _grade(call.call.args.raw_values, call.call.args.raw_param_values,
                                              tainted)
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
            severity, confidence, evidence = _grade(frag.values, frag.param_values, None)
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
    scope="file",
    reads=("prisma_calls", "taint", "raw_fragments", "functions"),
    tags=("security", "external/cwe/cwe-89"),
)

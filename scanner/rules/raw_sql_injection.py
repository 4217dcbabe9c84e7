"""raw-sql-injection: SQL text built from values and run unescaped (rules.md §2)."""

from __future__ import annotations

from ..findings import Severity
from .base import Rule, RuleContext

_UNSAFE = ("$queryRawUnsafe", "$executeRawUnsafe")
_BUILT = {"template": "a template literal with `${…}`", "concat": "string concatenation"}


def _check(ctx: RuleContext):
    index = ctx.index
    for call in index.prisma_calls:
        if call.operation not in _UNSAFE:
            continue
        how = _BUILT.get(call.call.args.raw_kind or "")
        if how is None:
            continue
        safe = call.operation.replace("Unsafe", "")
        yield ctx.call_finding(
            call,
            f"{call.label}() runs SQL built with {how}: values spliced into the text are not "
            f"escaped (SQL injection). Use the tagged template `{safe}`…${{value}}…`` or pass "
            f"the values as parameters ($1, $2).",
        )
    for path in sorted(index.files):
        for frag in index.files[path].raw_fragments:
            how = _BUILT.get(frag.sql_kind)
            if how is None:
                continue
            yield ctx.finding(
                path, frag.span,
                f"Prisma.raw() splices text built with {how} into SQL unescaped (SQL injection). "
                f"Use `Prisma.sql` with `${{value}}` placeholders, or check the value against an "
                f"allow-list first.",
                operation="Prisma.raw",
                entry_point=index.entry_kind(path, frag.function),
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

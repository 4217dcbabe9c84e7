"""raw-sql-injection: SQL text built from values and run unescaped (rules.md §2, §8).

Confidence follows the spliced values: request input reaching the text, in its file or
handed from an entry point of another, is a proven injection (critical, high); values that
can only be numbers, booleans, dates, constants or escaped text are harmless (quiet); a
value computed from a parameter of the function is an unsafe API with a value its callers
decide (high, medium), low when every caller the scan sees passes a constant or a value it
computes from none of its parameters there; values computed where the SQL is, from neither
request input nor a parameter, are low. Callers are in other files, so the rule is
project-scoped."""

from __future__ import annotations

import re

from ..analysis.allowlists import allowlist_check
from ..analysis.handed import handed_at
from ..facts.operations import UNSAFE_RAW_METHODS
from ..findings import Severity
from ..facts.model import ClientRef
from ..index import FunctionKey
from .base import Rule, RuleContext

_BUILT = {"template": "a template literal with `${…}`", "concat": "string concatenation"}
_MAX_HOPS = 2  # callers followed beyond the first, for a value a caller forwards from its own parameters


def _decided_by_callers(index, key: FunctionKey, positions: tuple[int, ...], hops: int = 0):
    """(a caller's file, its line, how many callers, whether all pass constants) when the
    scan sees callers of the function and every one passes, where the spliced values come
    from, a constant or a value it computes from none of its parameters (configuration, rows
    it read), or forwards its own parameter from callers that do the same. None when a caller
    hands request input there, or passes what its own unseen callers decide."""
    if not positions or key.id < 0 or hops > _MAX_HOPS:
        return None
    callers = index.callers(key)
    if not callers:
        return None
    constant, offset = True, index.argument_offset(key)
    for path, site in callers:
        given = site.given
        if given is None:
            return None
        handed = {h.arg + offset for h in handed_at(index, path, site)}
        forwarded = {i + offset: at for i, at in given.forwarded}
        for p in positions:
            if p in handed:
                return None
            if p - offset in given.constants:
                continue
            constant = False
            if p - offset in given.computed:
                continue
            if p not in forwarded or _decided_by_callers(
                    index, FunctionKey(path, site.ctx.function), forwarded[p], hops + 1) is None:
                return None
    return callers[0][0], callers[0][1].span.line, len(callers), constant


def _handed_across(index, path: str, sink: int):
    """(caller's file, the handed input, the callee's flow) when an entry point of another file
    passes request input to a function whose parameter reaches this SQL text: the proof
    across files that the same-file taint cannot see."""
    for pf in index.files[path].param_flows:
        if pf.flow.sink != sink:
            continue
        key = FunctionKey(path, pf.function)
        offset = index.argument_offset(key)
        for cpath, site in index.callers(key):
            if cpath == path:
                continue
            for h in handed_at(index, cpath, site):
                if h.arg + offset == pf.param and not h.coerced \
                        and (pf.key == "" or h.key in ("", pf.key)) \
                        and index.entry_kind(cpath, h.function) is not None:
                    return cpath, h, pf.flow
    return None


def _grade(values: tuple[str, ...], from_params: tuple[str, ...],
           tainted, callers=None, across=None, traced_safe: bool = False) -> tuple[Severity, str, tuple[str, ...]]:
    """(severity, confidence, evidence) for SQL text built from `values`, `from_params` of
    them computed from a parameter of the function."""
    if tainted is not None:
        first = tainted.steps[0]
        return Severity.CRITICAL, "high", (
            f"request input ({first.note}, line {first.line}) reaches the SQL text unescaped",)
    if across is not None:
        caller, handed, flow = across
        first = handed.steps[0]
        return Severity.CRITICAL, "high", (
            f"request input ({first.note}, {caller}:{first.line}) is passed to this function "
            f"(line {flow.steps[0].line}) and reaches the SQL text unescaped",)
    if not values:
        return Severity.HIGH, "quiet", ("every spliced value is a constant, number, boolean, date or "
                                        "escaped text",)
    if not from_params:
        shown = ", ".join(f"`{v}`" for v in values[:3])
        return Severity.HIGH, "low", (f"spliced value(s) {shown} are computed here, from neither request "
                                      "input nor a caller's argument (constants, configuration, rows "
                                      "read from the database)",)
    shown = ", ".join(f"`{v}`" for v in from_params[:3])
    if all(_record_key(v) for v in from_params):
        return Severity.HIGH, "low", (f"spliced value(s) {shown} come from parameters and name record keys "
                                      "(`id`, `…Id`, `…_id`): keys are made by the database or the system, "
                                      "not typed by a user, and no request input is seen to reach them",)
    if traced_safe:
        return Severity.HIGH, "low", (f"spliced value(s) {shown} come from the request this entry point "
                                      "answers, and every request value the scan traces into the SQL text "
                                      "is a number or passed an allow-list test",)
    if callers is not None:
        where, line, n, constant = callers
        more = f", and {n - 1} more" if n > 1 else ""
        what = "a constant" if constant else \
            "a constant or a value computed from none of its parameters (configuration, rows read)"
        return Severity.HIGH, "low", (f"spliced value(s) {shown} come from parameters, and every caller the "
                                      f"scan sees passes {what} there ({where}:{line}{more})",)
    return Severity.HIGH, "medium", (f"spliced value(s) not proven safe: {shown}, from a parameter: "
                                     "what the callers pass is not known",)


# A record key by its name: `id`, `userId`, `user.id`, `owner_id`, and a list of them joined
# (`ids.join(",")`). Request input that reaches one is proven by the taint above, not here.
_KEY = re.compile(r"(?:^|\.)(?:id|ids|[a-z][\w$]*(?:Id|Ids|_id|_ids))$")
_JOINED = re.compile(r"\.join\([^()]*\)$")


def _record_key(value: str) -> bool:
    """The spliced expression is an identifier or property chain that names a record key."""
    v = _JOINED.sub("", value.strip())
    return bool(re.fullmatch(r"[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)*", v)) and bool(_KEY.search(v))


def _constants(index, path: str, imported) -> set[str]:
    """The spliced values that an imported function returns when it returns only constants
    (`const { table } = tableFor(kind)`, an allow-list in another file)."""
    out = set()
    for value, module, name in imported:
        target = index.callee_of_import(path, ClientRef("import", "import", module, name))
        fn = index.function(target) if target is not None else None
        if fn is not None and fn.returns_constant:
            out.add(value)
    return out


def _without(values: tuple[str, ...], settled: set[str]) -> tuple[str, ...]:
    return tuple(v for v in values if v not in settled)


# Databases where a doubled quote is the only escape inside a string literal, a backslash plain
# text: there `'${v.replace(/'/g, "''")}'` cannot be closed by the value (facts/raw_quoting.py).
_STANDARD_STRINGS = frozenset({"postgresql", "postgres", "cockroachdb", "sqlite", "sqlserver"})


def _grade_spliced(index, path: str, values: tuple[str, ...], from_params: tuple[str, ...],
                   imported, doubled: tuple[str, ...], tainted, callers=None, across=None,
                   traced_safe: bool = False) -> tuple[Severity, str, tuple[str, ...]]:
    """`_grade` for the values the facts left unproven, less those an imported allow-list
    settles, and with the quote-doubled values among them unless the schema names a database
    with standard strings (MySQL reads `\\'` as an escaped quote), as the evidence then says."""
    settled = _constants(index, path, imported)
    schema = index.schema
    if schema is not None and schema.provider in _STANDARD_STRINGS:
        doubled = ()
    severity, confidence, evidence = _grade(_without(values, settled) + doubled, _without(from_params, settled)
                                            + doubled, tainted, callers, across, traced_safe)
    if doubled and confidence != "quiet":
        evidence += (f"{', '.join(f'`{v}`' for v in doubled[:2])} doubles its quotes, which escapes text only "
                     "where a backslash is plain text; MySQL's backslash escapes get around it",)
    return severity, confidence, evidence


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
        # (A number cannot change the statement, and a value an allow-list test let through is
        # one of the literals the code wrote.)
        flows = [t for t in facts.taint if t.sink == sink]
        tainted = next((t for t in flows if not t.coerced
                        and not any(allowlist_check(index, call.path, c) for c in t.checks)), None)
        traced_safe = bool(flows) and tainted is None \
            and index.own_entry_kind(call.path, call.call.ctx.function) is not None
        args = call.call.args
        callers = _decided_by_callers(index, FunctionKey(call.path, index.owner(call.path, call.call.ctx.function)),
                                      args.raw_param_positions)
        across = _handed_across(index, call.path, sink) if tainted is None and args.raw_param_values else None
        severity, confidence, evidence = _grade_spliced(index, call.path, args.raw_values, args.raw_param_values,
                                                        args.raw_imported, args.raw_doubled,
                                                        tainted, callers, across, traced_safe)
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
            severity, confidence, evidence = _grade_spliced(
                index, path, frag.values, frag.param_values, frag.imported, frag.doubled, None,
                _decided_by_callers(index, FunctionKey(path, index.owner(path, frag.function)), frag.param_positions))
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

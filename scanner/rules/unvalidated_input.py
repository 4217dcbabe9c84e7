"""unvalidated-input: request input reaches a Prisma argument without passing a
validator, inside a request entry point (rules.md §4). The data flow is in the
facts (`FileFacts.taint`, facts/taint.py); this rule judges and words it. Across files
it joins two halves: input an entry point hands to an imported function
(`FileFacts.handed_inputs`) and where that function's parameter goes (`param_flows`)."""

from __future__ import annotations


from dataclasses import dataclass, replace

from ..facts.model import FileFacts, HandedInput, ParamFlow, TaintFlow
# Operations whose `where` matches many rows (a filter object from the client widens
# them), of those the ones that return or change every row matched, and those whose
# `where` must name a unique field by plain value.
from ..facts.operations import (
    EVERY_MATCH_OPS as _WIDENS, FILTER_WHERE_OPS as _MULTI_ROW, UNIQUE_LOOKUP_OPS,
    UNIQUE_WHERE_OPS as _UNIQUE_LOOKUP,
)
from ..facts.taint import BODY_SOURCES
from ..facts.taint_values import STRING_CHECK
from ..facts.validation import validated_params
from ..analysis.action_wrappers import validating_action_wrapper
from ..findings import Related, Severity
from ..index import FunctionKey
from ..facts.entries import a_kind
from .base import Rule, RuleContext
from ..analysis.callee_names import callee_matches
from ..analysis.middleware import validated_parts, validates_source
from ..analysis.unimported_actions import unreferenced_action

_DESCRIBE = {
    "json": "the request body (`req.json()`)",
    "text": "the raw request body (`req.text()`)",
    "formData": "the form data (`req.formData()`)",
    "form-get": "a form field (`formData.get()`)",
    "body": "the request body (`req.body`)",
    "query": "the query string (`req.query`)",
    "search-params": "a query-string parameter (`searchParams`)",
    "params": "a route parameter (`params`)",
    "action-param": "a server action argument",
    "trpc-input": "the tRPC input of a procedure without `.input(schema)`",
    "graphql-args": "a GraphQL argument (`@Args()`) without an input class",
    "server-fn-data": "the data of a server function without a checking `.inputValidator()`",
    "message-payload": "a microservice message's payload (`@Payload()`) without a DTO class",
}
_BODY = BODY_SOURCES


def _entry_reachable(ctx: RuleContext, path: str, facts: FileFacts) -> dict[int, str]:
    """Function id -> entry kind, for entry points and the same-file functions they call."""
    index = ctx.index
    out: dict[int, str] = {}
    for f in facts.functions:
        kind = index.entry_kind(path, f.id)
        if kind:
            out[f.id] = kind
    changed = True
    while changed:
        changed = False
        for site in facts.call_sites:
            if site.local_function is None or site.local_function in out:
                continue
            caller = site.ctx.function
            if caller in out:
                out[site.local_function] = out[caller]
                changed = True
    return out


class _ServerCallers:
    """Whether a function is called from server code (not a `'use client'` file).
    A `'use server'` export that other server code calls is a helper whose callers
    validate: its parameters are not what a browser sent."""

    def __init__(self, index):
        self.index = index
        self._by_name: dict[str, list] | None = None

    def has(self, path: str, fid: int) -> bool:
        facts = self.index.files[path]
        if any(s.local_function == fid for s in facts.call_sites):
            return True
        if self._by_name is None:
            self._by_name = {}
            for p in sorted(self.index.files):
                f = self.index.files[p]
                if "use client" in f.directives:
                    continue
                for site in f.call_sites:
                    if site.ref is not None:
                        self._by_name.setdefault(site.callee.rsplit(".", 1)[-1], []).append((p, site))
        fn = facts.functions[fid]
        target = FunctionKey(path, fid)
        for name in {fn.name, *fn.exported_as}:
            for p, site in self._by_name.get(name, ()):
                if self.index.callee(p, site) == target:
                    return True
        return False


def _validated(flow: TaintFlow, validators, wrappers: frozenset[str] = frozenset()) -> bool:
    return any(c.startswith(("schema:", "signature:")) or c in wrappers or callee_matches(c, validators)
               for c in flow.checks)


def _wrappers(index, path: str) -> frozenset[str]:
    """Callees of a file that resolve to a validation helper (of any file): a function
    validating one of its parameters with a schema its caller passes (`checkBody(body,
    schema)`, facts/validation.py). A value handed to one is validated. A function that
    validates its own input with its own schema (`createInvite(input)`) vouches only for
    what it does with it, not for the caller's later uses."""
    def compute() -> frozenset[str]:
        out = set()
        for site in index.files[path].call_sites:
            target = index.callee(path, site)
            if target is not None and validated_params(index.files[target.path], target.id, generic=True):
                out.add(site.callee)
        return frozenset(out)
    return index.memo(f"validating-wrappers:{path}", compute)


def _severity(flows: list[TaintFlow]) -> Severity:
    if any(f.mass_assignment for f in flows):
        return Severity.CRITICAL
    if any(f.source in _BODY and not f.coerced for f in flows):
        return Severity.HIGH
    return Severity.LOW


# Sources that are always strings: they cannot carry a Prisma filter object.
_STRINGS = frozenset({"params", "search-params", "form-get"})


def _pinned_before(lead: TaintFlow, facts: FileFacts | None) -> tuple[str, int] | None:
    """An earlier unique lookup in the same function that takes the same value in its
    `where` (`update({ where: { id: userId } })` before `deleteMany({ where: { userId } })`):
    Prisma throws for anything but a plain value there, so a filter object never gets
    this far. Returns (the lookup's label, line)."""
    if facts is None or not lead.values:
        return None
    here = facts.prisma_calls[lead.sink]
    for f in facts.taint:
        if f.sink == lead.sink or f.argument != "where" or f.function != lead.function \
                or not set(f.values) & set(lead.values):
            continue
        c = facts.prisma_calls[f.sink]
        if c.operation not in _UNIQUE_LOOKUP or c.ctx.start >= here.ctx.start:
            continue
        if c.ctx.arms_within(here.ctx) and not c.ctx.loops:
            return f"{c.receiver}.{c.model}.{c.operation}", c.span.line
    return None


def _scoped_by(lead: TaintFlow, facts: FileFacts | None) -> tuple[str, ...]:
    """Keys of the call's `where` pinned to a value the code names (`userId: user.id`) that no
    request input reaches: a filter object in the input's keys only reaches rows that share
    them (the signed-in user's, a parent the code chose)."""
    if facts is None or lead.argument != "where":
        return ()
    args = facts.prisma_calls[lead.sink].args
    if args is None or not args.where_scoped:
        return ()
    tainted = {k for f in (*facts.taint, *(pf.flow for pf in facts.param_flows))
               if f.sink == lead.sink for k in (f.fields or ("*",))}
    if "*" in tainted:
        return ()
    return tuple(k for k in args.where_scoped if k not in tainted)


_RANK = {"quiet": 0, "low": 1, "medium": 2, "high": 3}


def _grade(flows: list[TaintFlow], operation: str, crossing: bool, index, path: str,
           facts: FileFacts | None = None, entry: str | None = None) -> tuple[str, tuple[str, ...]]:
    """Confidence (rules.md §8): how sure the flows into one call can cause harm, the
    surest of them. `path` is the file the input is read in; `facts` the file of the
    Prisma call, for same-function checks; `entry` the kind of entry point that reads it
    (found from the flow's own function when the input is read where it is used)."""
    grades = [_grade_flow(f, operation, crossing, index, path, facts, entry) for f in flows]
    return max(grades, key=lambda g: _RANK[g[0]])


# Entry points whose framework parses the query string into strings and arrays of strings
# only (unlike Express 4's default `qs`, which builds objects from `?id[not]=x`).
_STRING_QUERIES = {"pages-api": "Next.js' query parser (`req.query` of a pages/api route)",
                   "nitro-handler": "h3's query parser (`getQuery(event)`)"}


# Frameworks whose query-string parser gives strings or arrays of strings only, by the module a
# file imports them from (a file written against one: the Prisma call's, or the handler's that
# reads the query string and hands it to a repository in another package).
_STRING_QUERY_MODULES = (
    (("fastify", "@fastify/"), "Fastify's query-string parser (the default, not `qs`)"),
    (("hono", "hono/"), "Hono's `c.req.query()` (a record of strings; `queries()` gives arrays of strings)"),
    (("koa", "@koa/"), "Koa's `ctx.query` (no nested parsing)"),
)


def _string_query_parser(facts: FileFacts) -> str | None:
    """What parses the query string in a module written against one of those frameworks."""
    for i in facts.imports:
        for (name, prefix), parser in _STRING_QUERY_MODULES:
            if i.module == name or i.module.startswith(prefix):
                return parser
    return None


def _grade_flow(lead: TaintFlow, operation: str, crossing: bool, index, path: str,
                facts: FileFacts | None, entry: str | None) -> tuple[str, tuple[str, ...]]:
    if lead.source == "action-param" and not crossing:
        unused = unreferenced_action(index, path, lead.function)
        if unused is not None:
            return "low", (unused,)
    first = lead.steps[0] if lead.steps else None
    origin = f"{_DESCRIBE.get(lead.source, lead.source)} at line {first.line}" if first else lead.source
    base = next((c.split(":", 1)[1] for c in lead.checks if c.startswith("procedure:")), None)
    declares = index.input_builder(path, base) if base else False
    if declares:
        return "quiet", (f"the procedure is built on {base}, which declares `.input(schema)`",)
    if declares is None:
        return "low", (f"the procedure is built on {base}, from a module outside the scan, which may "
                       "declare `.input(schema)` for it",)
    if lead.mass_assignment:
        return "high", (f"{origin} is the whole write object: every column is the client's to set",)
    checks = [c for c in lead.checks if not c.startswith("procedure:")]
    if STRING_CHECK in checks:
        return "low", ("the value is made a string on the way (`String()`, a template, `.trim()`): it "
                       "cannot carry a filter object",)
    if "typeof" in checks:
        return "low", ("a `typeof` test on the way checks its type: a string or number cannot carry "
                       "a filter object",)
    looked = next((c for c in checks if c.rsplit(".", 1)[-1] in UNIQUE_LOOKUP_OPS), None)
    if looked is not None:
        return "low", (f"the value went through the unique `where` of {looked}() on the way, which throws "
                       "for anything but a plain value",)
    keyed = next((c for c in checks if c.startswith("in ")), None)
    if keyed is not None:
        return "low", (f"a test that it is a key of {keyed[3:]} (`… in {keyed[3:]}`) comes first: only a key "
                       "that object holds gets past it",)
    if checks:
        return "low", (f"the value passes {checks[0]}() on the way, which may check it",)
    if lead.argument == "where" and operation in _UNIQUE_LOOKUP:
        return "low", (f"{origin} reaches the unique `where` of {operation}, which takes only plain "
                       "values for its unique fields",)
    if lead.coerced or lead.source in _STRINGS:
        return "low", ("the value is a string or coerced number: it cannot carry a filter object",)
    modules = (facts, index.files.get(path)) if lead.source == "query" else ()
    parser = next(filter(None, (_string_query_parser(f) for f in modules if f is not None)), None)
    if parser is not None:
        return "low", (f"{parser} gives strings or arrays of strings, never objects: it cannot carry a "
                       "filter object",)
    if lead.source == "query" and entry is None and not crossing:
        entry = index.entry_kind(path, lead.function)
    parser = _STRING_QUERIES.get(entry or "") if lead.source == "query" else None
    if parser is not None:
        return "low", (f"{parser} gives strings or arrays of strings, never objects: it cannot carry a "
                       "filter object; a malformed value fails the query",)
    if lead.argument == "where" and lead.string_ops:
        return "low", (f"{origin} is the operand of an explicit filter operator (`equals`, `in`, "
                       "`contains`, …), which takes only plain values: a filter object fails validation",)
    pinned = _pinned_before(lead, facts) if lead.argument == "where" else None
    if pinned is not None:
        return "low", (f"`{lead.values[0]}` already went through the unique `where` of {pinned[0]}() at "
                       f"line {pinned[1]}, which throws for anything but a plain value",)
    if crossing:
        return "medium", (f"{origin} reaches the call through another file's function",)
    scope = _scoped_by(lead, facts) if lead.source in _BODY and operation in _MULTI_ROW else ()
    if scope:
        pinned_keys = ", ".join(f"`{k}`" for k in scope[:3])
        input_keys = ", ".join(f"`{k}`" for k in lead.fields[:3]) or "it"
        return "low", (f"the filter also pins {pinned_keys} to a value the code decides, not the request: "
                       f"a filter object in {input_keys} only reaches rows that share it",)
    if lead.source in _BODY and lead.argument in ("where", "*", "...") and operation in _WIDENS:
        return "high", (f"{origin} reaches the filter of {operation}, which matches many rows: a "
                        "filter object (`{ not: '' }`) widens it to rows the client should not reach",)
    if lead.source in _BODY and lead.argument in ("where", "*", "...") and operation in _MULTI_ROW:
        return "medium", (f"{origin} reaches the filter of {operation}: a filter object (`{{ not: '' }}`) "
                          "makes it match another row; whether that row is checked afterwards is not known",)
    if lead.argument == "data":
        return "low", (f"{origin} is written to named columns ({', '.join(lead.fields[:3]) or 'data'}): "
                       "Prisma rejects a value of the wrong type; what else it may hold is the app's rule",)
    return "medium", (f"{origin} reaches `{lead.argument}` unchecked; whether a wrong value does harm "
                      "depends on the column",)


def _sources(lead: TaintFlow, flows: list[TaintFlow]) -> tuple[str, tuple[str, str]]:
    """The inputs the flows carry, the lead's first (`the request body (…) and a route
    parameter (…)`: an id from the path is not the body's), and the verbs that agree."""
    names = list(dict.fromkeys(_DESCRIBE.get(f.source, f.source) for f in [lead, *flows]))
    if len(names) == 1:
        return names[0], ("is", "reaches")
    return ", ".join(names[:-1]) + " and " + names[-1], ("are", "reach")


def _where(flow: TaintFlow) -> str:
    if flow.argument == "*":
        return "the whole argument"
    if flow.argument == "...":
        return "a spread into the argument"
    fields = f" ({', '.join(flow.fields[:6])})" if flow.fields else ""
    return f"`{flow.argument}`{fields}"


def _tail(severity: Severity, lead_argument: str, coerced: bool) -> str:
    if severity is Severity.CRITICAL:
        return (f"the unvalidated payload is the whole `{lead_argument}` object (mass assignment): "
                f"the client can set any column, including ones it must never touch (role, "
                f"owner, price). Parse it with a schema and pass only the parsed fields.")
    if severity is Severity.HIGH:
        return ("wrong types, oversized values or Prisma filter objects (`{ not: '' }`) go "
                "straight to the database. Validate it with a schema first "
                "(`Schema.parse(await req.json())`).")
    coerced_note = " (coerced, so NaN or an Invalid Date can still arrive)" if coerced else ""
    return (f"a malformed value{coerced_note} costs a query and can surface as a 500 or an "
            f"unexpected match. Check its shape first (e.g. `z.string().cuid()`).")


def _check(ctx: RuleContext):
    index = ctx.index
    validators = ctx.config["input_validation"]["validators"]
    calls_by_span = {(c.path, c.call.span): c for c in index.prisma_calls}
    server_callers = _ServerCallers(index)
    reported: set[tuple[str, int]] = set()
    entries_of: dict[str, dict[int, str]] = {}
    for path in sorted(index.files):
        facts = index.files[path]
        if not facts.taint and not facts.handed_inputs:
            continue
        entries = entries_of[path] = _entry_reachable(ctx, path, facts)
        wrappers = _wrappers(index, path)
        by_sink: dict[int, list[TaintFlow]] = {}
        for flow in facts.taint:
            if facts.prisma_calls[flow.sink].model is None:
                continue  # raw SQL text: raw-sql-injection reports it
            if flow.function not in entries or _validated(flow, validators, wrappers) \
                    or validates_source(validated_parts(index, path, flow.function, validators), flow.source):
                continue
            if flow.source == "action-param" and (server_callers.has(path, flow.function)
                                                  or validating_action_wrapper(index, path, flow.function)):
                continue
            by_sink.setdefault(flow.sink, []).append(flow)
        for sink, flows in sorted(by_sink.items()):
            call = calls_by_span.get((path, facts.prisma_calls[sink].span))
            if call is None:
                continue  # not a settled Prisma call
            reported.add((path, sink))
            severity = _severity(flows)
            lead = max(flows, key=lambda f: (f.mass_assignment, f.source in _BODY and not f.coerced))
            entry = entries[lead.function]
            where = ", ".join(dict.fromkeys(_where(f) for f in flows))
            source, verb = _sources(lead, flows)
            related = [Related(path, s.line, s.note) for s in lead.steps]
            yield ctx.call_finding(
                call,
                f"In {a_kind(entry)}, {source} {verb[1]} {where} of {call.label}() without a validator: "
                f"{_tail(severity, lead.argument, lead.coerced)}",
                severity=severity, entry_point=entry, related=related,
                matched=f"{call.call.text}@{lead.source}:{where}",
                **dict(zip(("confidence", "evidence"), _grade(flows, call.operation, False, index, path, facts))),
            )
    yield from _across_files(ctx, validators, calls_by_span, reported, entries_of, server_callers)


@dataclass(frozen=True)
class _Crossing:
    """One request-input flow from an entry point into another file's Prisma call."""
    caller: str
    handed: HandedInput
    callee: str
    param: ParamFlow
    flow: TaintFlow       # the callee's flow, judged as if the input were its source


def _joins(h: HandedInput, pf: ParamFlow) -> TaintFlow | None:
    """The callee's flow as the handed input makes it, or None when they do not meet.
    A property handed inside an object (`createUser({ email })`) reaches a sink that uses
    the whole parameter only when that parameter is the whole write object."""
    f = pf.flow
    if h.key == "" and pf.key == "":
        mass = f.mass_assignment and h.whole
    elif h.key == "" or h.key == pf.key:
        mass = False  # one destructured property of the handed value
    elif pf.key == "" and f.mass_assignment:
        mass = False  # the write object holds the handed property
    else:
        return None
    return replace(f, source=h.source, mass_assignment=mass, coerced=f.coerced or h.coerced,
                   checks=h.checks + f.checks)


def _across_files(ctx: RuleContext, validators, calls_by_span, reported, entries_of, server_callers):
    """Request input an entry point hands to a function of another file that writes it
    to Prisma unvalidated (`createUser(await req.json())` → `prisma.user.create({ data:
    input })`): the finding sits on the Prisma call, the route's steps come first."""
    index = ctx.index
    by_sink: dict[tuple[str, int], list[_Crossing]] = {}
    for path in sorted(entries_of):
        facts = index.files[path]
        entries = entries_of[path]
        wrappers = _wrappers(index, path)
        sites = {(s.span.line, s.span.column): s for s in facts.call_sites}
        for h in facts.handed_inputs:
            site = sites.get((h.span.line, h.span.column))
            if h.function not in entries or site is None \
                    or validates_source(validated_parts(index, path, h.function, validators), h.source):
                continue
            if h.source == "action-param" and (server_callers.has(path, h.function)
                                               or validating_action_wrapper(index, path, h.function)):
                continue  # a helper other server code calls, not what a browser sent
            target = index.callee(path, site)
            if target is None or target.path == path:
                continue
            param = h.arg + index.argument_offset(target)
            for pf in index.files[target.path].param_flows:
                if pf.function != target.id or pf.param != param \
                        or index.files[target.path].prisma_calls[pf.flow.sink].model is None:
                    continue
                flow = _joins(h, pf)
                if flow is None or (target.path, flow.sink) in reported \
                        or _validated(flow, validators, wrappers | _wrappers(index, target.path)):
                    continue
                by_sink.setdefault((target.path, flow.sink), []).append(_Crossing(path, h, target.path, pf, flow))
    for (callee, sink), crossings in sorted(by_sink.items()):
        call = calls_by_span.get((callee, index.files[callee].prisma_calls[sink].span))
        if call is None:
            continue
        flows = [c.flow for c in crossings]
        severity = _severity(flows)
        lead = max(crossings, key=lambda c: (c.flow.mass_assignment, c.flow.source in _BODY and not c.flow.coerced,
                                             c.caller))
        entry = entries_of[lead.caller][lead.handed.function]
        where = ", ".join(dict.fromkeys(_where(f) for f in flows))
        source, verb = _sources(lead.flow, flows)
        fn = index.function(FunctionKey(callee, lead.param.function))
        via = f"{fn.name}()" if fn else "a function"
        related = [Related(lead.caller, s.line, s.note) for s in lead.handed.steps] \
            + [Related(callee, s.line, s.note) for s in lead.flow.steps]
        others = len({c.caller for c in crossings}) - 1
        more = f" (and {others} more entry point file{'s' if others > 1 else ''})" if others > 0 else ""
        yield ctx.call_finding(
            call,
            f"In {a_kind(entry)} ({lead.caller}:{lead.handed.span.line}){more}, {source} {verb[0]} passed to {via} "
            f"and {verb[1]} {where} of {call.label}() without a validator: "
            f"{_tail(severity, lead.flow.argument, lead.flow.coerced)}",
            severity=severity, entry_point=entry, related=related,
            matched=f"{call.call.text}@{lead.flow.source}:{where}@via:{via}",
            **dict(zip(("confidence", "evidence"), _grade(flows, call.operation, True, index, lead.caller,
                                                          entry=entry))),
        )


RULE = Rule(
    id="unvalidated-input",
    name="Unvalidated request input reaches Prisma",
    category="input-validation",
    severity=Severity.HIGH,
    summary="Request input (body, form data, query, route params, action arguments) flows into a "
            "Prisma argument without a validator; critical when it is the whole write object.",
    check=_check,
    options=("input_validation.validators",),
    tags=("security",),
)

"""unvalidated-input: request input reaches a Prisma argument without passing a
validator, inside a request entry point (rules.md §4). The data flow is in the
facts (`FileFacts.taint`, facts/taint.py); this rule judges and words it."""

from __future__ import annotations

from ..facts.model import FileFacts, TaintFlow
from ..findings import Related, Severity
from ..index import FunctionKey
from .base import Rule, RuleContext
from .callee_names import callee_matches

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
}
_BODY = frozenset({"json", "text", "formData", "form-get", "body", "action-param", "trpc-input"})


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


def _validated(flow: TaintFlow, validators) -> bool:
    return any(c.startswith("schema:") or callee_matches(c, validators) for c in flow.checks)


def _severity(flows: list[TaintFlow]) -> Severity:
    if any(f.mass_assignment for f in flows):
        return Severity.CRITICAL
    if any(f.source in _BODY and not f.coerced for f in flows):
        return Severity.HIGH
    return Severity.LOW


def _where(flow: TaintFlow) -> str:
    if flow.argument == "*":
        return "the whole argument"
    if flow.argument == "...":
        return "a spread into the argument"
    fields = f" ({', '.join(flow.fields[:6])})" if flow.fields else ""
    return f"`{flow.argument}`{fields}"


def _check(ctx: RuleContext):
    index = ctx.index
    validators = ctx.config["input_validation"]["validators"]
    calls_by_span = {(c.path, c.call.span): c for c in index.prisma_calls}
    server_callers = _ServerCallers(index)
    for path in sorted(index.files):
        facts = index.files[path]
        if not facts.taint:
            continue
        entries = _entry_reachable(ctx, path, facts)
        by_sink: dict[int, list[TaintFlow]] = {}
        for flow in facts.taint:
            if flow.function not in entries or _validated(flow, validators):
                continue
            if flow.source == "action-param" and server_callers.has(path, flow.function):
                continue
            by_sink.setdefault(flow.sink, []).append(flow)
        for sink, flows in sorted(by_sink.items()):
            call = calls_by_span.get((path, facts.prisma_calls[sink].span))
            if call is None:
                continue  # not a settled Prisma call
            severity = _severity(flows)
            lead = max(flows, key=lambda f: (f.mass_assignment, f.source in _BODY and not f.coerced))
            entry = entries[lead.function]
            where = ", ".join(dict.fromkeys(_where(f) for f in flows))
            source = _DESCRIBE.get(lead.source, lead.source)
            if severity is Severity.CRITICAL:
                tail = (f"the unvalidated payload is the whole `{lead.argument}` object (mass assignment): "
                        f"the client can set any column, including ones it must never touch (role, "
                        f"owner, price). Parse it with a schema and pass only the parsed fields.")
            elif severity is Severity.HIGH:
                tail = ("wrong types, oversized values or Prisma filter objects (`{ not: '' }`) go "
                        "straight to the database. Validate it with a schema first "
                        "(`Schema.parse(await req.json())`).")
            else:
                coerced = " (coerced, so NaN or an Invalid Date can still arrive)" if lead.coerced else ""
                tail = (f"a malformed value{coerced} costs a query and can surface as a 500 or an "
                        f"unexpected match. Check its shape first (e.g. `z.string().cuid()`).")
            related = [Related(path, s.line, s.note) for s in lead.steps]
            yield ctx.call_finding(
                call,
                f"In a {entry}, {source} reaches {where} of {call.label}() without a validator: {tail}",
                severity=severity, entry_point=entry, related=related,
                matched=f"{call.call.text}@{lead.source}:{where}",
            )


RULE = Rule(
    id="unvalidated-input",
    name="Unvalidated request input reaches Prisma",
    category="input-validation",
    severity=Severity.HIGH,
    summary="Request input (body, form data, query, route params, action arguments) flows into a "
            "Prisma argument without a validator; critical when it is the whole write object.",
    check=_check,
    tags=("security",),
)

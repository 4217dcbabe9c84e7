"""write-without-audit: a request entry point writes through Prisma (directly or
through the functions it calls) and never writes the audit trail (rules.md §2).

On when `audit.mode` is `always`, or `auto` and the schema has an audit model
(`audit.models`) that some code writes: then the project keeps an audit trail,
and a write that leaves none is a gap in it."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

import pathspec

from ..analysis.callee_names import callee_matches
from ..analysis.audit_trail import audit_models
from ..analysis.middleware import registrations
from ..findings import Related, Severity
from ..index import FunctionKey, PrismaCall
from .base import Rule, RuleContext

_WRITE_DEPTH = 4
_AUDIT_DEPTH = 5
# Entry points an app-wide middleware runs ahead of: routes registered on the app (Express,
# Fastify, …) and NestJS controller methods (a global interceptor, facts/nest_globals.py).
_APP_ROUTED = frozenset({"http-handler", "nest-handler", "nitro-handler"})
# Nitro (Nuxt's server engine) runs every module of a `server/middleware/` folder ahead of
# each request, by its path: the app's middleware, as `app.use(mw)` is Express's.
_NITRO_MIDDLEWARE = re.compile(r"(?:^|/)server/middleware/[^/]+\.[cm]?[jt]s$")


def _client_name(model: str) -> str:
    return model[:1].lower() + model[1:]


def _norm(word: str) -> str:
    return re.sub(r"[^a-z0-9]", "", word.lower())


def trail_words(models: list[str]) -> tuple[str, ...]:
    """What names the audit trail, lowercased: its models' names, and `audit`."""
    return tuple(sorted({_norm(m) for m in models if _norm(m)} | {"audit"}))


def records_trail(site, words: tuple[str, ...]) -> bool:
    """A call the code names for the audit trail: through a receiver named for it
    (`this.auditService.record(…)`, `ctx.activityLog.write(…)`), or an event named for it
    (`logBus.emit("activityLog", …)`, whose listener writes the trail)."""
    def names(word: str) -> bool:
        w = _norm(word)
        return bool(w) and any(w.startswith(t) for t in words)
    parts = site.callee.split(".")
    if any(names(p) for p in parts[:-1]):
        return True
    event = getattr(site, "event", None)   # (a route's middleware names no event)
    return parts[-1] == "emit" and event is not None and names(event)


# What an audit model's name ends with after the subject it records (`BookingAuditLog`).
_TRAIL_SUFFIX = re.compile(r"(?:Audit(?:Log|Trail|Entry|Event)?|ChangeLog|History)s?$")


def trail_subjects(schema, names: list[str]) -> set[str]:
    """The models an audit trail is named for: `Booking*` of `BookingAuditLog`,
    `ClientPayment*` of `ClientPaymentAudit`. Empty when any trail model is generic
    (`AuditLog`, `ActivityLog`) or its name names no model (`AdminAuditLog`): then the trail
    is for every change."""
    if schema is None or not names:
        return set()
    models = [m.name for m in schema.models if m.kind == "model"]
    out: set[str] = set()
    for name in names:
        prefix = _TRAIL_SUFFIX.sub("", name)
        covered = {m for m in models if prefix and m.startswith(prefix) and not _TRAIL_SUFFIX.search(m)}
        if prefix == name or not covered:
            return set()
        out |= covered
    return out


def _app_middleware_trails(index, reaches) -> dict[tuple[str, str], tuple[str, int, str]]:
    """{(package folder, "app" or "nitro"): (path, line, name)} of the middleware an app runs
    ahead of every route
    (`app.use('/api/v1', auditMiddleware)`, facts/middleware.py; a Nitro `server/middleware/`
    module) that writes the audit trail, itself or in a function it defines (`res.on('finish',
    …)`, a wrapped `res.json`)."""
    out: dict[tuple[str, str], tuple[str, int, str]] = {}
    for path in sorted(index.files):
        for m in index.files[path].middlewares:
            target = index.callee(path, m) if m.handler == -1 else None
            if target is None or (index.package_of(path), "app") in out:
                continue
            if any(reaches(k) for k in _defined_in(index, target)):
                out[(index.package_of(path), "app")] = (path, m.span.line, m.callee)
    for path in sorted(p for p in index.files if _NITRO_MIDDLEWARE.search(p)):
        hit = next((f for f in index.files[path].functions if reaches(FunctionKey(path, f.id))), None)
        if hit is not None and (index.package_of(path), "nitro") not in out:
            out[(index.package_of(path), "nitro")] = (path, hit.span.line,
                                                      f"the server middleware {path.rsplit('/', 1)[-1]}")
    return out


def _audited_routes(index, path: str, fid: int, writes_trail, audit_site) -> tuple[str, str] | None:
    """(where, which) when every route that registers the handler runs, ahead of it, a
    middleware that writes the audit trail: an audit writer by name (`auditLog('UPDATE')`) or
    a function whose code reaches a trail write. None when no route registers it with
    middleware, or one route runs none."""
    first = None
    for reg, middlewares in registrations(index, path, fid):
        hit = next((mw for mw in middlewares if audit_site(reg, mw) or _reaches_trail(index, reg, mw, writes_trail,
                                                                                      audit_site)), None)
        if hit is None:
            return None
        first = first or (f"{reg}:{hit.span.line}", f"{hit.callee}()")
    return first


def _reaches_trail(index, path: str, mw, writes_trail, audit_site) -> bool:
    """The middleware's function, or one it defines (the handler a factory returns), reaches
    a write of the audit trail."""
    target = index.callee(path, mw)
    return target is not None and any(index.find_chain(k, writes_trail, audit_site, depth=_AUDIT_DEPTH)
                                      is not None for k in _defined_in(index, target))


def _defined_in(index, target: FunctionKey) -> list[FunctionKey]:
    """The function and those written inside it (the handler a middleware factory returns,
    a `res.on('finish', …)` callback)."""
    return [FunctionKey(target.path, f.id) for f in index.files[target.path].functions
            if any(g.id == target.id for g in index.enclosing(target.path, f.id))]


def _check(ctx: RuleContext):
    cfg = ctx.config["audit"]
    if cfg["mode"] == "never":
        return
    index = ctx.index
    trail = audit_models(ctx.schema, ctx.config["audit"]["models"])

    def writes_trail(c: PrismaCall) -> bool:
        return c.kind == "write" and c.model in trail

    if cfg["mode"] == "auto" and not any(writes_trail(c) for c in index.prisma_calls):
        return
    writers = list(cfg["writers"]) + list(ctx.config["side_effect_writers"])

    def model_name(client_name: str) -> str:
        m = ctx.schema.by_client_name(client_name) if ctx.schema is not None else None
        return m.name if m is not None else client_name

    patterns = list(cfg["exempt_models"])
    exempt: dict[str, bool] = {}

    def is_exempt(client_name: str) -> bool:
        if client_name not in exempt:
            name = model_name(client_name)
            exempt[client_name] = client_name in trail or any(
                fnmatchcase(name, p) or fnmatchcase(client_name, _client_name(p)) for p in patterns)
        return exempt[client_name]

    def needs_audit(c: PrismaCall) -> bool:
        # A write that only bumps counters (`{ clicks: { increment: 1 } }`) is usage
        # bookkeeping, not a change anyone audits.
        return (c.kind == "write" and c.model is not None and not is_exempt(c.model)
                and not c.call.args.data_counters_only)

    words = trail_words(list(cfg["models"]) + [m.name for m in trail.values()])

    def audit_site(path: str, site) -> bool:
        return callee_matches(site.callee, writers) or records_trail(site, words)

    trail_names = ", ".join(m.name for m in trail.values()) or "the audit model"
    subjects = trail_subjects(ctx.schema, [m.name for m in trail.values()])
    audited = _app_middleware_trails(
        index, lambda k: index.find_chain(k, writes_trail, audit_site, depth=_AUDIT_DEPTH) is not None)
    skip_paths = pathspec.GitIgnoreSpec.from_lines(cfg["exempt_paths"])
    for path in sorted(index.files):
        if skip_paths.match_file(path):
            continue
        facts = index.files[path]
        for fn in facts.functions:
            kind = index.own_entry_kind(path, fn.id)
            if not kind:
                continue
            key = FunctionKey(path, fn.id)
            # (line, column, label, model name, model client name, chain)
            writes: list[tuple[int, int, str, str, str, tuple]] = []
            for c in index.calls_by_function.get(key, ()):
                if needs_audit(c):
                    writes.append((c.line, c.call.span.column, f"{c.label}()", model_name(c.model),
                                   c.model, ()))
            for site in index.sites_of(key):
                target = index.callee(path, site)
                if target is None:
                    continue
                target = FunctionKey(target.path, index.owner(target.path, target.id))
                chain = index.find_chain(target, needs_audit, depth=_WRITE_DEPTH)
                if chain is not None:
                    label = " → ".join([f"{site.callee}()"] + [step[0] for step in chain])
                    writes.append((site.span.line, site.span.column, label, "", "", chain))
            if not writes:
                continue
            if index.find_chain(key, writes_trail, audit_site, depth=_AUDIT_DEPTH) is not None:
                continue
            routed = _audited_routes(index, path, fn.id, writes_trail, audit_site)
            writes.sort()
            line, column, label, _, model, chain = writes[0]
            span = next((c.call.span for c in index.calls_by_function.get(key, ())
                         if c.line == line and c.call.span.column == column), None)
            if span is None:
                span = next(s.span for s in facts.call_sites
                            if s.span.line == line and s.span.column == column)
            name = fn.exported_as[0] if fn.exported_as and fn.exported_as[0] != "default" else fn.name
            models = sorted({w[3] for w in writes if w[3]})
            what = f"writes {', '.join(models)}" if models else "writes"
            related = [Related(path, w[0], f"write: {w[2]}") for w in writes[1:6]]
            related += [Related(p, ln, step) for step, p, ln in chain]
            by_app = audited.get((index.package_of(path), "nitro" if kind == "nitro-handler" else "app")) \
                if kind in _APP_ROUTED else None
            graded = {"confidence": "quiet", "evidence": (
                f"every route that registers it runs {routed[1]} ahead of it ({routed[0]}), which writes "
                "the audit trail",)} if routed is not None else \
                {} if by_app is None else {"confidence": "low", "evidence": (
                f"the app runs {by_app[2]} ahead of its routes ({by_app[0]}:{by_app[1]}), and it writes the "
                "audit trail: this route is covered unless it is outside that middleware's path",)}
            written = {model_name(c.model) for c in index.reachable_calls(key) if needs_audit(c)} \
                if not graded and subjects else set()
            if written and not written & subjects:
                graded = {"confidence": "low", "evidence": (
                    f"the audit trail is named for what it records ({trail_names}: "
                    f"{', '.join(sorted(subjects)[:4])}{', …' if len(subjects) > 4 else ''}); this entry point "
                    f"writes only {', '.join(sorted(written))}, which it does not cover",)}
            yield ctx.finding(
                path, span,
                f"{name}() ({kind}) {what} ({label}"
                f"{f' and {len(writes) - 1} more' if len(writes) > 1 else ''}) but never records an "
                f"audit entry: no write to {trail_names} and no call of an audit writer "
                f"({', '.join(dict.fromkeys(writers))}). Who changed what cannot be reconstructed. "
                f"Write the audit row in the same transaction as the change.",
                model=model or None, entry_point=kind, related=related,
                matched=f"{name}@{label}", **graded,
            )


RULE = Rule(
    id="write-without-audit",
    name="Write without an audit entry",
    category="transactions",
    severity=Severity.MEDIUM,
    summary="A request entry point writes through Prisma but never writes the audit trail "
            "the project keeps.",
    check=_check,
    options=("audit.mode", "audit.models", "audit.writers", "audit.exempt_models", "audit.exempt_paths",
             "side_effect_writers"),
    tags=("compliance",),
)

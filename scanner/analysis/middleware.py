"""What the middleware registered ahead of a handler validates, across files (and what
the route's declared schema covers, facts/route_schemas.py): the
`validate(S)` of `router.post('/x', validate(S), handler)` resolved to its function
wherever it is defined (one call deep), read through facts/validation.py
`middleware_parts`. `unvalidated-input` and the coverage figure "entry points that
validate their input" both ask here."""

from __future__ import annotations

from ..facts.middleware import EXPRESS_VALIDATOR, VALIDATOR_CHAINS
from ..facts.validation import middleware_parts
from ..index import FunctionKey
from .callee_names import callee_matches


def validated_parts(index, path: str, fid: int, validators=(), depth: int = 0) -> dict[str, str]:
    """{request part: the middleware that validates it} for handler `fid` of `path`; the
    part `*` stands for the whole request. A middleware whose code is in the scan is judged by
    what it does; one that is not (a package's) validates all of it when its name matches
    `input_validation.validators`. A handler another module registers (`router.post('/x',
    validate(S), ctrl.create)`) counts the middleware of that registration, named from that
    module; registered on several routes, it is as checked as its least checked one. A
    handler no route registers but registered handlers call (`async (request, reply) =>
    controller.create(request, reply)`) is as checked as its least checked caller."""
    facts = index.files[path]
    fid = _registered_around(index, path, fid)
    declared = {part: f"the route's {rs.how}" for rs in facts.route_schemas if rs.handler == fid
                for part in rs.parts}
    elsewhere = index.registered_elsewhere().get(FunctionKey(path, fid), [])
    if not elsewhere and not any(m.handler == fid for m in facts.middlewares):
        ahead = _run_as_middleware(index).get(FunctionKey(path, fid))
        if ahead and not declared:
            # Itself middleware of routes (`[auth, validate(S), checkStock], create`): as checked
            # as what runs ahead of it on its least checked route.
            checked = [_middleware_parts(index, reg, mws, validators, FunctionKey(path, fid)) for reg, mws in ahead]
            return {part: checked[0][part] for part in sorted(set(checked[0]).intersection(*checked[1:]))}
        return declared or _checked_by_callers(index, path, fid, validators, depth)

    def compute() -> dict[str, str]:
        routes = [(reg, h.middlewares, h.schema_parts) for reg, h in elsewhere]
        own = tuple(m for m in facts.middlewares if m.handler == fid)
        # Registered in its own file too. A handler typed for a framework
        # (`(request: FastifyRequest, reply)`) is an entry point by its types alone: its own
        # file counts as a route only where it registers it with middleware or a schema.
        if not elsewhere or own or declared:
            routes.append((path, own, tuple(declared)))
        checked = [dict.fromkeys(schema, "the route's schema option")
                   | _middleware_parts(index, reg, mws, validators, FunctionKey(path, fid))
                   for reg, mws, schema in routes]
        out: dict[str, str] = dict(declared)
        for part in sorted(set(checked[0]).intersection(*checked[1:])):
            out.setdefault(part, checked[0][part])
        return out
    return index.memo(f"middleware-parts:{path}:{fid}:{','.join(sorted(validators))}", compute)


def _run_as_middleware(index) -> dict[FunctionKey, list[tuple[str, tuple]]]:
    """{function: [(registering file, the middleware ahead of it), …]} for the functions a
    route runs as middleware, named (not called: `checkStock`, not `validate(S)`) ahead of
    its handler. Built once."""
    def build() -> dict[FunctionKey, list[tuple[str, tuple]]]:
        out: dict[FunctionKey, list[tuple[str, tuple]]] = {}
        for reg in sorted(index.files):
            facts = index.files[reg]
            chains = [h.middlewares for h in facts.handler_refs if h.middlewares]
            local: dict[int, list] = {}
            for m in facts.middlewares:
                if m.handler >= 0:
                    local.setdefault(m.handler, []).append(m)
            chains += [tuple(sorted(ms, key=lambda m: (m.span.line, m.span.column))) for ms in local.values()]
            for chain in chains:
                for i, m in enumerate(chain):
                    target = index.callee(reg, m) if not m.called else None
                    if target is not None:
                        key = FunctionKey(target.path, index.owner(target.path, target.id))
                        out.setdefault(key, []).append((reg, chain[:i]))
        return out
    return index.memo("run-as-middleware", build)


def registrations(index, path: str, fid: int) -> list[tuple[str, tuple]]:
    """(registering file, the middleware it runs ahead of the handler) for every route that
    registers handler `fid` of `path`: in its own file (`router.put('/x', auditLog('X'),
    handler)`) or in another (`router.put('/x', auditLog('X'), ctrl.update)`). [] for a
    handler no route registers with middleware."""
    facts = index.files[path]
    fid = _registered_around(index, path, fid)
    out = [(reg, h.middlewares) for reg, h in index.registered_elsewhere().get(FunctionKey(path, fid), [])]
    own = tuple(m for m in facts.middlewares if m.handler == fid)
    if own:
        out.append((path, own))
    return out


# Every part a route can check; `*` (the whole request) covers them all.
_PARTS = frozenset({"body", "query", "params"})


def _checked_by_callers(index, path: str, fid: int, validators, depth: int) -> dict[str, str]:
    """{part: what checks it} that every caller of the function checks, two callers deep;
    {} for a function nothing in the scan calls."""
    sites = index.callers(FunctionKey(path, fid)) if depth < 2 else []
    if not sites:
        return {}
    checked = [validated_parts(index, p, site.ctx.function, validators, depth + 1) for p, site in sites]
    common = set.intersection(*({"*"} if "*" in c else set(c) & _PARTS for c in checked))
    p, site = sites[0]
    where = f"{p}:{site.span.line}"
    return {part: f"{checked[0].get(part) or checked[0].get('*')} of its caller ({where})"
            for part in sorted(common)}


def _registered_around(index, path: str, fid: int) -> int:
    """The function a registration names, for code nested in it (the `$transaction(async (tx)
    => …)` callback inside a handler): the registration's checks ran before any of it. With no
    registration around it, the handler it is nested in (a service method taking `(req, res)`
    that a registered controller calls): the checks of that handler's callers ran before it."""
    facts = index.files[path]
    registered = {m.handler for m in facts.middlewares} | {rs.handler for rs in facts.route_schemas}
    here, handler = fid, -1
    while here >= 0:
        if here in registered or FunctionKey(path, here) in index.registered_elsewhere():
            return here
        if handler < 0 and facts.functions[here].entry_kind:
            handler = here
        here = facts.functions[here].parent
    return handler if handler >= 0 else fid


def _reads_errors(index, key: FunctionKey) -> bool:
    """The function reads express-validator's collected errors (`validationResult(req)`)."""
    return any(s.callee.rsplit(".", 1)[-1] in _RESULT_READERS for s in index.sites_of(key))


# What reads express-validator's errors: without one, its chains reject nothing.
_RESULT_READERS = frozenset({"validationResult", "matchedData"})


def _middleware_parts(index, path: str, middlewares, validators, handler: FunctionKey) -> dict[str, str]:
    """{request part: middleware} of the middleware one registration in `path` runs ahead of
    `handler`. express-validator's chains count where the handler or another of the
    middleware reads their errors (`[body('email').isEmail(), validateRequest]`)."""
    out: dict[str, str] = {}
    chains = [mw for mw in middlewares if mw.ref is not None and mw.ref.module == EXPRESS_VALIDATOR]
    # named like a call site: a local function or an import (None for a library's)
    targets = [(mw, index.callee(path, mw)) for mw in middlewares if mw not in chains]
    if chains and (_reads_errors(index, handler)
                   or any(t is not None and _reads_errors(index, t) for _, t in targets)):
        for mw in chains:
            part = VALIDATOR_CHAINS.get(mw.ref.name or "")
            if part is not None:
                out.setdefault(part, mw.callee)
    for mw, target in targets:
        if target is not None:
            parts = middleware_parts(index.files[target.path], target.id, mw.called)
        else:   # a library's (`validateRequest` of zod-express-middleware): by its name only
            parts = frozenset({"*"}) if validators and callee_matches(mw.callee, validators) else frozenset()
        for part in sorted({*parts, *mw.parts}):
            out.setdefault(part, mw.callee)
    return out


def validates_source(parts: dict[str, str], source: str) -> str | None:
    """The middleware that validates a request-input source of the handler (`body`,
    `query`, `params`), or None."""
    return parts.get(source) or parts.get("*") if source in ("body", "query", "params") else None

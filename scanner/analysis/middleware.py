"""What the middleware registered ahead of a handler validates, across files (and what
the route's declared schema covers, facts/route_schemas.py): the
`validate(S)` of `router.post('/x', validate(S), handler)` resolved to its function
wherever it is defined (one call deep), read through facts/validation.py
`middleware_parts`. `unvalidated-input` and the coverage figure "entry points that
validate their input" both ask here."""

from __future__ import annotations

from ..facts.validation import middleware_parts
from .callee_names import callee_matches


def validated_parts(index, path: str, fid: int, validators=()) -> dict[str, str]:
    """{request part: the middleware that validates it} for handler `fid` of `path`; the
    part `*` stands for the whole request. A middleware whose code is in the scan is judged by
    what it does; one that is not (a package's) validates all of it when its name matches
    `input_validation.validators`."""
    facts = index.files[path]
    declared = {part: f"the route's {rs.how}" for rs in facts.route_schemas if rs.handler == fid
                for part in rs.parts}
    if not any(m.handler == fid for m in facts.middlewares):
        return declared

    def compute() -> dict[str, str]:
        out: dict[str, str] = dict(declared)
        for mw in facts.middlewares:
            if mw.handler != fid:
                continue
            target = index.callee(path, mw)   # named like a call site: local function or import
            if target is not None:
                parts = middleware_parts(index.files[target.path], target.id, mw.called)
            else:   # a library's (`validateRequest` of zod-express-middleware): by its name only
                parts = frozenset({"*"}) if validators and callee_matches(mw.callee, validators) else frozenset()
            for part in sorted(parts):
                out.setdefault(part, mw.callee)
        return out
    return index.memo(f"middleware-parts:{path}:{fid}:{','.join(sorted(validators))}", compute)


def validates_source(parts: dict[str, str], source: str) -> str | None:
    """The middleware that validates a request-input source of the handler (`body`,
    `query`, `params`), or None."""
    return parts.get(source) or parts.get("*") if source in ("body", "query", "params") else None

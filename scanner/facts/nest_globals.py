"""NestJS interceptors that run ahead of every route of an app: `app.useGlobalInterceptors(new
AuditInterceptor(…))` in the bootstrap, or a module's `{ provide: APP_INTERCEPTOR, useClass:
AuditInterceptor }` provider. Nest calls each one's `intercept()` around every controller
method, as Express runs `app.use(mw)` ahead of its routes; they are kept as the app's
middleware (`Middleware.handler` -1) naming that method, for the rules that ask what the whole
app runs (write-without-audit)."""

from __future__ import annotations

import tree_sitter as ts

from .model import ClientRef, Middleware
from .nodes import field, key, object_pairs, outermost, span, text, unwrap
from .parsed import ParsedFile

_METHOD = "intercept"


def extract(pf: ParsedFile) -> tuple[Middleware, ...]:
    source = pf.source
    if b"useGlobalInterceptors" not in source and b"APP_INTERCEPTOR" not in source:
        return ()
    out: list[Middleware] = []
    for _, args in pf.method_calls("useGlobalInterceptors"):
        for arg in args.named_children:
            arg = unwrap(arg)
            if arg is not None and arg.type == "new_expression":
                out += _interceptor(pf, field(arg, "constructor"))
    if b"APP_INTERCEPTOR" in source:
        for obj in outermost(pf.root, lambda n: n.type == "object" and "provide" in object_pairs(n)):
            pairs = object_pairs(obj)
            if text(pairs["provide"]) == "APP_INTERCEPTOR":
                out += _interceptor(pf, pairs.get("useClass"))
    return tuple(out)


def _interceptor(pf: ParsedFile, name: ts.Node | None) -> list[Middleware]:
    """The app's middleware record for the interceptor class `name` names: its `intercept`
    method, in another module (an import's member) or in this file."""
    name = unwrap(name)
    if name is None or name.type != "identifier":
        return []
    b = pf.resolver.lookup(text(name), name)
    if b is None:
        return []
    if b.kind == "import" and b.module:
        ref = ClientRef("import", "import", b.module, b.imported, members=(_METHOD,))
        return [Middleware(-1, f"{text(name)}.{_METHOD}", ref, None, False, span(name))]
    body = field(b.node, "body") if b.kind == "class" else None
    method = next((m for m in body.named_children if m.type == "method_definition"
                   and text(field(m, "name")) == _METHOD), None) if body is not None else None
    fid = pf.function_ids.get(key(method)) if method is not None else None
    return [Middleware(-1, f"{text(name)}.{_METHOD}", None, fid, False, span(name))] if fid is not None else []

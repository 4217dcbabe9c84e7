"""Middleware registered ahead of a handler, Express / Connect style.

`router.post('/notes', auth, validate(CreateNote), createNote)` runs `auth`, then the
middleware `validate(CreateNote)` returns, then `createNote`; arrays of middleware
(`[auth, validate(S)]`) count the same. `router.use(mw)` puts `mw` ahead of every route
registered on `router` after it, and `router.use('/admin', mw)` ahead of those under
`/admin`. Each function before a handler becomes a `Middleware` fact of that handler,
named as a call site names its callee (a function of this file, or an import the index
settles), so that a rule can ask what the middleware validates (facts/validation.py
`middleware_parts`) wherever it is defined. Only registrations on the same receiver in
the same file are joined; a router mounted elsewhere (`app.use('/api', router)`) is not
followed. Every function a `use` call names is also kept as the whole app's middleware
(handler -1): what it does, it does ahead of every route, wherever registered (an audit
trail written for every request)."""

from __future__ import annotations

from typing import Callable, Iterable

import tree_sitter as ts

from .entries import handler_arguments, path_literal, registered_handler_call
from .model import ClientRef, HandlerRef, Middleware
from .nodes import FUNCTION_TYPES, field, key, object_pairs, span, text, unwrap
from .route_schemas import argument_parts, options_parts
from .scopes import Resolver

_MAX_HOPS = 4
# express-validator: the functions a validation chain starts with, and the request part each
# checks (`check`, `checkSchema`, `oneOf`: any part). Its chains only collect errors; a
# route is checked where something reads them (`validationResult(req)`, analysis/middleware.py).
EXPRESS_VALIDATOR = "express-validator"
VALIDATOR_CHAINS = {"body": "body", "query": "query", "param": "params", "check": "*",
                    "checkSchema": "*", "oneOf": "*", "checkExact": "*"}
_MAX_CHAIN = 40


def _route(call: ts.Node) -> tuple[str, str | None]:
    """(receiver, path) of a registration: `router` and `/x` for `router.post('/x', …)` and
    for `router.route('/x').post(…)`; the path is None for `router.use(mw)`."""
    callee = field(call, "function")
    args = [a for a in field(call, "arguments").named_children if a.type != "comment"]
    path = _literal(args[0]) if args else None
    obj = unwrap(field(callee, "object"))
    while obj is not None and obj.type == "call_expression":   # router.route('/x').get(a).post(b)
        inner = field(obj, "function")
        if inner is None or inner.type != "member_expression":
            break
        inner_args = field(obj, "arguments")
        first = inner_args.named_children[0] if inner_args is not None and inner_args.named_children else None
        if text(field(inner, "property")) == "route" and first is not None and _literal(first) is not None:
            path = _literal(first)
        obj = unwrap(field(inner, "object"))
    return (text(obj) if obj is not None else ""), path


def _literal(node: ts.Node | None) -> str | None:
    return text(unwrap(node)).strip("'\"`") if path_literal(node) else None


def _under(path: str | None, prefix: str | None) -> bool:
    """Whether a route path lies under a `use` path (`/admin/tags` under `/admin`)."""
    if prefix is None or prefix in ("", "/"):
        return True
    if path is None:
        return False
    base = prefix.rstrip("/")
    return path == base or path.startswith(base + "/")


def _flat(args: Iterable[ts.Node]) -> list[ts.Node]:
    out = []
    for a in args:
        u = unwrap(a)
        if u is not None and u.type == "array":
            out += _flat(c for c in u.named_children if c.type != "comment")
        elif u is not None:
            out.append(u)
    return out


class _Namer:
    def __init__(self, resolver: Resolver, function_ids: dict[int, int]):
        self.resolver = resolver
        self.function_ids = function_ids

    def middleware(self, node: ts.Node, handler: int, hops: int = 0) -> Middleware | None:
        """`validate(S)` (called), `validNote` (a function, or a variable holding `validate(S)`),
        an express-validator chain (`body('email').isEmail()`: named for its first call)."""
        if hops > _MAX_HOPS:
            return None
        chain = self._validator_chain(node) if node.type == "call_expression" else None
        if chain is not None:
            return Middleware(handler, f"{EXPRESS_VALIDATOR}.{chain}",
                              ClientRef("import", "import", EXPRESS_VALIDATOR, chain), None, True, span(node))
        if node.type == "call_expression":
            target = self._function(field(node, "function"))
            return None if target is None else Middleware(handler, *target, True, span(node), argument_parts(node))
        if node.type not in ("identifier", "member_expression"):
            return None
        if node.type == "identifier":
            b = self.resolver.lookup(text(node), node)
            value = unwrap(b.value) if b is not None and b.kind == "var" and not b.path else None
            if value is not None and value.type == "call_expression":   # `const checked = validate(S)`
                return self.middleware(value, handler, hops + 1)
        target = self._function(node)
        return None if target is None else Middleware(handler, *target, False, span(node))

    def spread(self, nodes: list[ts.Node]) -> list[ts.Node]:
        """The middleware list with a same-file `const` array spelled out in its place
        (`const checks = [body('email').isEmail(), validateRequest]`, then
        `router.post('/x', checks, handler)`)."""
        out = []
        for n in nodes:
            b = self.resolver.lookup(text(n), n) if n.type == "identifier" else None
            value = unwrap(b.value) if b is not None and b.kind == "var" and not b.path else None
            out += _flat([value]) if value is not None and value.type == "array" else [n]
        return out

    def _validator_chain(self, call: ts.Node, depth: int = 0) -> str | None:
        """The express-validator function a chain starts with (`body` of
        `body('email').isEmail().normalizeEmail()`), also through a helper handed the chain
        to extend (`nonEmptyString(body('name'))`, which returns `chain.isString()…`), or
        None for any other call."""
        n = call
        for _ in range(_MAX_CHAIN):
            fn = unwrap(field(n, "function"))
            if fn is not None and fn.type == "identifier":
                b = self.resolver.lookup(text(fn), fn)
                ok = b is not None and b.kind == "import" and b.module == EXPRESS_VALIDATOR
                if ok and b.imported in VALIDATOR_CHAINS:
                    return b.imported
                args = field(n, "arguments") if depth < 2 else None
                handed = (unwrap(a) for a in (args.named_children if args is not None else ()))
                return next((c for a in handed if a is not None and a.type == "call_expression"
                             for c in (self._validator_chain(a, depth + 1),) if c is not None), None)
            obj = unwrap(field(fn, "object")) if fn is not None and fn.type == "member_expression" else None
            if obj is None or obj.type != "call_expression":
                return None
            n = obj
        return None

    def imported(self, node: ts.Node) -> tuple[str, ClientRef] | None:
        """(name, import) of a handler named from another module: `ctrl.create`, `createUser`."""
        if node.type not in ("identifier", "member_expression"):
            return None
        target = self._function(node)
        return (target[0], target[1]) if target is not None and target[1] is not None else None

    def _function(self, callee: ts.Node | None) -> tuple[str, ClientRef | None, int | None] | None:
        """(name, import, local function) of a function named by `callee`, as call sites name it."""
        callee = unwrap(callee)
        if callee is None:
            return None
        if callee.type == "identifier":
            b = self.resolver.lookup(text(callee), callee)
            if b is None:
                return None
            if b.kind == "import":
                return text(callee), ClientRef("import", "import", b.module, b.imported), None
            node = b.node if b.kind == "function" else unwrap(b.value) if b.kind == "var" and not b.path else None
            local = self.function_ids.get(key(node)) if node is not None and node.type in FUNCTION_TYPES else None
            return (text(callee), None, local) if local is not None else None
        if callee.type == "member_expression":
            obj = unwrap(field(callee, "object"))
            prop = text(field(callee, "property"))
            b = self.resolver.lookup(text(obj), obj) if obj is not None and obj.type == "identifier" else None
            if b is not None and b.kind == "var" and not b.path:   # `const ctrl = new UserController()`
                b = self._instantiated_import(b.value)
            if b is not None and b.kind == "import":   # `checks.body(S)` of `import * as checks`
                return f"{text(obj)}.{prop}", ClientRef("import", "import", b.module, b.imported, (prop,)), None
        return None

    def _instantiated_import(self, value: ts.Node | None):
        """The import binding of the class in `new UserController()`, else None."""
        value = unwrap(value)
        if value is None or value.type != "new_expression":
            return None
        cls = unwrap(field(value, "constructor"))
        b = self.resolver.lookup(text(cls), cls) if cls is not None and cls.type == "identifier" else None
        return b if b is not None and b.kind == "import" and b.imported != "*" else None


def extract_middlewares(registrations: Iterable[ts.Node], resolver: Resolver, function_ids: dict[int, int],
                        handler_of: Callable[[ts.Node], int | None],
                        ) -> tuple[tuple[Middleware, ...], tuple[HandlerRef, ...]]:
    """The middleware ahead of each handler registered on a path, and the handlers named
    from other modules with theirs. `registrations`: the verb calls the entry-point query
    captures; `handler_of(arg)`: the id of the function of this file an argument names or
    is (as the extractor registers handlers), else None. Of the imported names only the
    last argument is a handler (`auth` in `post('/x', auth, ctrl.create)` is middleware:
    it answers no request)."""
    namer = _Namer(resolver, function_ids)
    mounted: list[tuple[str, str | None, list[ts.Node]]] = []   # `use` calls so far, in source order
    # handler (a function id, or the import a name refers to) -> per registration of it,
    # its middleware by what they call
    seen: dict[object, list[dict[tuple, Middleware]]] = {}
    schemas: dict[object, list[set[str]]] = {}   # and the parts its route schema declares
    named: dict[object, tuple[str, ClientRef, ts.Node]] = {}
    for call in sorted(registrations, key=lambda n: n.start_byte):
        callee = field(call, "function")
        args = field(call, "arguments")
        if callee is None or callee.type != "member_expression" or args is None or args.type != "arguments":
            continue
        receiver, path = _route(call)
        registered = registered_handler_call(call)
        ahead = [n for r, prefix, nodes in mounted if r == receiver and _under(path, prefix) for n in nodes]
        if text(field(callee, "property")) == "use":
            items = [a for a in args.named_children if a.type != "comment"]
            mounted.append((receiver, path, namer.spread(_flat(items[1:] if path is not None else items))))
        if not registered:
            continue
        chain = namer.spread(_flat(handler_arguments(call)))
        hooks = namer.spread(_flat(_route_hooks(chain)))
        for i, arg in enumerate(chain):
            handler: object = handler_of(arg) if arg.type in ("identifier", *FUNCTION_TYPES) else None
            if handler is None and i == len(chain) - 1 and text(field(callee, "property")) != "use":
                target = namer.imported(arg)
                if target is not None:
                    handler = (target[0], target[1])
                    named.setdefault(handler, (*target, arg))
            if handler is None:
                continue
            found = (namer.middleware(node, handler if isinstance(handler, int) else -1)
                     for node in [*ahead, *hooks, *chain[:i]])
            seen.setdefault(handler, []).append(
                {(m.callee, m.ref, m.local_function, m.called): m for m in found if m is not None})
            schemas.setdefault(handler, []).append(set(options_parts(resolver, call)))
    # A handler registered on several routes is as checked as its least checked route.
    out, refs = _app_wide(mounted, namer), []
    for handler, regs in seen.items():
        common = set(regs[0]).intersection(*regs[1:])
        kept = [m for k, m in regs[0].items() if k in common]
        if isinstance(handler, int):
            out += kept
        else:
            name, ref, node = named[handler]
            refs.append(HandlerRef(name, ref, span(node), tuple(sorted(kept, key=_position)),
                                   _common_parts(schemas[handler])))
    return (tuple(sorted(out, key=lambda m: (m.handler, m.span.line, m.span.column))),
            tuple(sorted(refs, key=lambda h: (h.span.line, h.span.column))))


# Fastify's route-level hooks that run ahead of the handler, with the request in hand.
_HOOKS = ("onRequest", "preParsing", "preValidation", "preHandler")


def _route_hooks(args: list[ts.Node]) -> list[ts.Node]:
    """The functions a route's options object runs ahead of its handler (Fastify's
    `app.post('/x', { preHandler: [auth, validateBody] }, handler)`), as middleware."""
    out = []
    for a in args:
        if a.type == "object":
            pairs = object_pairs(a)
            out += [pairs[k] for k in _HOOKS if pairs.get(k) is not None]
    return out


def _app_wide(mounted: list[tuple[str, str | None, list[ts.Node]]], namer: _Namer) -> list[Middleware]:
    """Every function a `use` call names, as the whole app's middleware (handler -1):
    `app.use('/api', audit)` runs `audit` ahead of the routers other files register too."""
    found = (namer.middleware(n, -1) for _, _, nodes in mounted for n in nodes)
    return list({(m.callee, m.span): m for m in found if m is not None}.values())


def _common_parts(routes: list[set[str]]) -> tuple[str, ...]:
    """The parts every route's schema covers (`*`, a schema not readable here, covers all)."""
    common = routes[0]
    for parts in routes[1:]:
        common = parts if "*" in common else common if "*" in parts else common & parts
    return tuple(sorted(common))


def _position(m: Middleware) -> tuple[int, int]:
    return m.span.line, m.span.column

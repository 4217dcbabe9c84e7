"""The call graph's edges out of one file: calls of same-file functions, of
imported functions and of `this.method()`, each with where it runs."""

from __future__ import annotations

import tree_sitter as ts

from .args import object_entries
from dataclasses import replace

from .calls import given_by_caller
from .generated import prisma_module
from .waits import opaque_wait, timer_wait
from .callbacks import param_call
from .context import ContextBuilder
from .nodes import is_awaited
from .model import CallSite, ClientRef, FunctionFact, GivenArguments, PrismaCallCandidate
from .nodes import CONSTANT_NAME, FUNCTION_TYPES, ancestors, class_method, field, key, mention, span, text, unwrap
from .operations import UNSAFE_RAW_METHODS
from .parsed import ParsedFile, enclosing
from .kept_values import stored
from .instances import class_of_new, injected_class, instance_of_import, typed_parameter_module
from .argument_origins import argument_origin
from .raw_origins import from_parameter, positions_in
from .scopes import Resolver

_NO_VALUE = ("undefined", "null")


def _given(args: ts.Node | None, resolver: Resolver, memo: dict, around) -> GivenArguments | None:
    """What a call passes; `around()`: the function the call is written in."""
    if args is None or args.type != "arguments":
        return None  # a tagged template
    items = [a for a in args.named_children if a.type != "comment"]
    if any(a.type == "spread_element" for a in items):
        return None
    keys = []
    for i, a in enumerate(items):
        if a.type == "object":
            entries = list(object_entries(a))
            if not any(spread for _, _, spread in entries):
                keys.append((i, tuple(k for k, v, _ in entries if v is None or unwrap(v) is None
                                      or unwrap(v).type not in _NO_VALUE)))
    constants = tuple(i for i, a in enumerate(items) if _constant(a))
    computed, forwarded = _origins(items, constants, resolver, memo, around)
    return GivenArguments(len(items), tuple(i for i, a in enumerate(items) if a.type in _NO_VALUE),
                          tuple(keys), constants, computed, forwarded, _collections(items, resolver))


def _collections(items: list[ts.Node], resolver: Resolver) -> tuple[tuple[int, str, str, str], ...]:
    """The known collection origins of the arguments and of object-literal arguments' values:
    a callee's loop over that parameter iterates them."""
    out = []
    for i, a in enumerate(items):
        a = unwrap(a)
        if a is None or a.type in FUNCTION_TYPES or a.type in _LITERALS:
            continue
        values = [("", a)] if a.type != "object" else \
            [(k, v) for k, v, spread in object_entries(a) if v is not None and not spread] \
            + [(text(c), c) for c in a.named_children if c.type == "shorthand_property_identifier"]
        for k, v in values:
            v = unwrap(v) if v is not None else None
            if v is None or v.type in FUNCTION_TYPES or v.type in _LITERALS:
                continue
            found = argument_origin(v, resolver)
            if found is not None:
                out.append((i, k, *found))
    return tuple(out)


def _origins(items: list[ts.Node], constants: tuple[int, ...], resolver: Resolver, memo: dict, around):
    """Which arguments the calling function computes from none of its parameters, and which
    from its own parameters only (at which positions): how far a caller's value is known."""
    computed, forwarded = [], []
    for i, a in enumerate(items):
        value = unwrap(a)
        if i in constants or value is None or value.type in FUNCTION_TYPES:
            continue
        found: list = []
        if not from_parameter(a, resolver, found=found, strict=True, memo=memo):
            computed.append(i)
            continue
        positions = positions_in(around(), found) if found else ()  # `parameter_positions([a], found)`
        if positions:
            forwarded.append((i, positions))
    return tuple(computed), tuple(forwarded)


_LITERALS = frozenset({"string", "number", "true", "false"})


def _constant(node: ts.Node) -> bool:
    """A literal, a template with nothing spliced, or a SCREAMING_CASE constant (`TABLE`,
    `COLUMNS.NAME`)."""
    node = unwrap(node)
    if node is None:
        return False
    if node.type in _LITERALS:
        return True
    if node.type == "template_string":
        return not any(c.type == "template_substitution" for c in node.named_children)
    return node.type in ("identifier", "member_expression") and CONSTANT_NAME.fullmatch(text(node)) is not None


def querying_functions(functions: tuple[FunctionFact, ...], calls: tuple[PrismaCallCandidate, ...],
                       call_sites: tuple[CallSite, ...]) -> frozenset[int]:
    """Functions that run a model operation or unsafe raw SQL themselves, in a callback of
    theirs, or through same-file functions they call: the only ones whose parameters can
    reach a sink here."""
    parent = {f.id: f.parent for f in functions}

    def up(fid: int):
        while fid >= 0:
            yield fid
            fid = parent.get(fid, -1)

    out = {fid for c in calls if c.model is not None or c.operation in UNSAFE_RAW_METHODS
           for fid in up(c.ctx.function)}
    changed = True
    while changed:
        changed = False
        for site in call_sites:
            if site.local_function in out:
                for fid in up(site.ctx.function):
                    if fid not in out:
                        out.add(fid)
                        changed = True
    return frozenset(out)


_SETTLERS = frozenset({"catch", "then", "finally"})
# What runs a callback after the current call has returned (and its response gone): the
# platform's `waitUntil` / `after`, Node's `setImmediate` / `process.nextTick` /
# `queueMicrotask`, and the timers `setTimeout` / `setInterval`, which drop what the callback
# returns. No caller waits for what such work does.
AFTER_RESPONSE = frozenset({"waitUntil", "after", "setImmediate", "nextTick", "queueMicrotask",
                            "setTimeout", "setInterval"})


def discarded(call: ts.Node) -> bool:
    """Nothing waits for the call: it is a statement of its own, not awaited (`notify(x)`,
    `void notify(x)`, `notify(x).catch(log)`), kept in a variable nothing reads again (`const p =
    notify(x).catch(log)`), or handed to the platform to finish after the response
    (`waitUntil(notify(x))`, `after(() => notify(x))`)."""
    n, p = call, call.parent
    while p is not None and p.type == "member_expression" and text(field(p, "property")) in _SETTLERS \
            and p.parent is not None and p.parent.type == "call_expression":
        n, p = p.parent, p.parent.parent
    if p is not None and p.type == "unary_expression" and text(field(p, "operator")) == "void":
        n, p = p, p.parent
    if p is not None and p.type == "arrow_function" and field(p, "body") is not None \
            and field(p, "body").start_byte == n.start_byte:
        n, p = p, p.parent  # `after(() => notify(x))`
    if p is None:
        return False
    if p.type == "expression_statement":
        return n.type != "arrow_function"
    if p.type == "variable_declarator" and n.type == "call_expression" and n.start_byte == call.start_byte \
            and n.end_byte != call.end_byte:
        return _never_read(p)  # `const pending = notify(x).catch(log)`, `pending` unused
    if p.type == "arguments" and p.parent is not None and p.parent.type == "call_expression":
        name = text(field(p.parent, "function")).rsplit(".", 1)[-1]
        return name in AFTER_RESPONSE
    return False


def _dropped(call: ts.Node) -> bool:
    """The call's value is never used: it is a statement of its own, awaited or not
    (`await logUsage(x);`), or the operand of `void` anywhere (`(m) => void track(m)`)."""
    p = call.parent
    if p is not None and p.type == "await_expression":
        p = p.parent
    if p is not None and p.type == "unary_expression" and text(field(p, "operator")) == "void":
        return True
    return p is not None and p.type == "expression_statement"


def _never_read(declarator: ts.Node) -> bool:
    """A `const x = …` whose name its function (or module) never mentions again: nothing
    waits for the promise it holds."""
    name = field(declarator, "name")
    if name is None or name.type != "identifier":
        return False
    scope = enclosing(declarator, FUNCTION_TYPES)
    if scope is None:
        scope = declarator
        while scope.parent is not None:
            scope = scope.parent
    return len(mention(text(name)).findall(text(scope))) == 1


# HTTP clients the runtime provides without an import: `fetch`, and Nuxt / Nitro's `$fetch`
# (ofetch), a global on the server too.
GLOBAL_FETCH = frozenset({"fetch", "$fetch"})


def _named_callee(pf: ParsedFile, name: str, callee: ts.Node):
    """`_callee` of a call by a plain name (`loadStats()`)."""
    b = pf.resolver.lookup(name, callee)
    if b is None:
        # The global fetch: network I/O, for rules that weigh work beside a query; and a
        # timer the code waits on (`new Promise((r) => setTimeout(r, ms))`): a paced loop.
        return (name, None, None, None) if name in GLOBAL_FETCH or timer_wait(callee.parent) else None
    ref = local = None
    if b.kind == "import":
        ref = ClientRef("import", "import", b.module, b.imported)
    elif b.kind == "function":
        local = pf.function_ids.get(key(b.node))
    elif b.kind == "var" and not b.path:
        v = unwrap(b.value)
        if v is not None and v.type in FUNCTION_TYPES:
            local = pf.function_ids.get(key(v))
    if ref is None and local is None:
        return None
    return name, ref, local, None


def _callee(pf: ParsedFile, call: ts.Node, callee: ts.Node, obj: ts.Node | None):
    """(name, imported ref, local function id, package) of a call site, None when the
    callee is neither an import, a function of this file, an instance of an imported class
    nor the global fetch (the last two with only a name and a package). Each name is read
    from the source once: 30,000 call sites a documenso scan."""
    name = text(callee)
    if obj is None:
        return _named_callee(pf, name, callee)
    if obj.type in ("this", "regex"):   # (`/…/.test(x)`: a check of x the taint reads, no repo function)
        local = _class_method(pf, call, name) if obj.type == "this" else None
        return None if local is None else (f"this.{name}", None, local, None)
    owner = text(obj)
    injected = injected_class(pf, obj)
    if injected is not None:
        # `this.products.removeAll()` where `constructor(private products: ProductService)`:
        # the method of the imported class the member is typed with (dependency injection).
        return f"{owner}.{name}", ClientRef("import", "import", injected[0], injected[1], (name,)), None, None
    b = pf.resolver.lookup(owner, obj) if obj.type == "identifier" else None  # `a.b` names no binding
    package = instance_of_import(pf, b) or (typed_parameter_module(pf, b) if is_awaited(call, ancestors(call))
                                            and b is not None and b.kind == "param" else None)
    if package is None and obj.type == "member_expression":
        # `openai.chat.completions.create()`: a method reached through an instance's members.
        root = obj
        while root is not None and root.type == "member_expression":
            root = unwrap(field(root, "object"))
        rb = pf.resolver.lookup(text(root), root) if root is not None and root.type == "identifier" else None
        if rb is not None and rb.kind == "import" and rb.module and not prisma_module(rb.module) \
                and rb.imported != "*" and is_awaited(call, ancestors(call)):
            # `await slack.client.users.info()` of `import { slack } from './slack'`: the index
            # asks what that module exports (an instance of an installed client's class, say).
            # Only awaited ones: what they are for is work beside a query (analysis/external_io),
            # and a front end's `trpc.user.get.useQuery()` would cost a context each.
            path = f"{owner}.{name}"
            members = tuple(m.strip(" \n\t?") for m in path.split(".")[1:])
            return path, ClientRef("import", "import", rb.module, rb.imported, members), None, None
        package = instance_of_import(pf, rb)
        if package is None or prisma_module(package):
            return None  # `prisma.user.findMany()` is a Prisma call, not a call site
    if package is not None:
        # `controller.create()` of `const controller = new TabelaController()`: the method of
        # the imported class, when the index finds it in the repository.
        cls = class_of_new(pf, b)
        ref = ClientRef("import", "import", cls[0], cls[1], (name,)) if cls is not None else None
        return f"{owner}.{name}", ref, None, package
    if b is None or b.kind != "import":
        return None
    return f"{owner}.{name}", ClientRef("import", "import", b.module, b.imported, (name,)), None, None


def extract(pf: ParsedFile, ctx: ContextBuilder, prisma_spans: frozenset = frozenset()) -> tuple[tuple, ...]:
    """The file's call sites, its awaited calls of what the scan cannot follow, and its calls of
    a parameter handed a client (facts/callbacks.py). `prisma_spans`: where its Prisma-shaped
    calls are (`db.user.findMany()`): not call sites through an import's members."""
    out, waits, invoked = [], [], []
    memo: dict = {}  # where each variable's value comes from, walked once for all arguments
    for _, m in pf.matches("call_sites"):
        call = m["callsite"][0]
        found = _callee(pf, call, m["callsite.callee"][0], m.get("callsite.object", [None])[0])
        if found is None:
            wait = opaque_wait(pf, call, prisma_spans)
            waits += [wait] if wait is not None else []
            invoked += filter(None, [param_call(pf, call, _client_args)])
            continue
        name, ref, local, package = found
        if ref is not None and len(ref.members) > 1 and span(call) in prisma_spans:
            continue
        if (name in GLOBAL_FETCH or name == "setTimeout") and ref is None and local is None:
            out.append(CallSite(name, None, None, span(call), ctx.build(call)))
            continue
        if package is not None and ref is None:
            out.append(CallSite(name, None, None, span(call), ctx.build(call), package=package))
            continue
        args = field(call, "arguments")
        out.append(CallSite(name, ref, local, span(call), ctx.build(call), stored(pf, call),
                            _given(args, pf.resolver, memo, lambda: pf.enclosing_function(call)),
                            _client_args(pf, args), package,
                            discarded=discarded(call), client_props=_client_props(pf, args),
                            event=_event(name, args), dropped=_dropped(call)))
    out.sort(key=lambda c: (c.span.line, c.span.column))
    return tuple(out), tuple(waits), tuple(invoked)


def _client_args(pf: ParsedFile, args: ts.Node | None) -> tuple[tuple[int, ClientRef], ...]:
    """Arguments naming a client, or what may be one (an import the index settles)."""
    if args is None or args.type != "arguments":
        return ()
    out = []
    for i, a in enumerate(c for c in args.named_children if c.type != "comment"):
        if unwrap(a) is not None and unwrap(a).type in ("identifier", "member_expression"):
            r = pf.resolver.classify(a)
            if r.kind in ("client", "import"):
                # A parameter handed on (`createOrder(db, …)` in `f(db: Db)`): the index
                # follows it to this function's callers.
                given = given_by_caller(pf, a)
                out.append((i, replace(r, given=given) if given is not None else r))
    return tuple(out)


# Event emitters' methods whose first argument names the event.
_EVENT_METHODS = frozenset({"emit", "on", "once", "addListener", "prependListener"})


def _event(name: str, args: ts.Node | None) -> str | None:
    """The event a `bus.emit("x", …)` / `bus.on("x", …)` names with a string literal."""
    if name.rsplit(".", 1)[-1] not in _EVENT_METHODS or args is None or not args.named_children:
        return None
    first = unwrap(args.named_children[0])
    if first is None or first.type != "string":
        return None
    return text(first)[1:-1] or None


def _client_props(pf: ParsedFile, args: ts.Node | None) -> tuple[tuple[int, str, ClientRef], ...]:
    """Properties of object-literal arguments naming a client: `{ prisma: tx }`, `{ tx }`; and
    key "*" for a parameter of the calling function handed on whole (`splitDemand(ctx, id)` in
    `f(ctx: Ctx)`): the callee's `ctx.db` is this function's, which its callers fill."""
    if args is None or args.type != "arguments":
        return ()
    out = []
    for i, a in enumerate(c for c in args.named_children if c.type != "comment"):
        a = unwrap(a)
        if a is not None and a.type == "identifier":
            b = pf.resolver.lookup(text(a), a)
            given = given_by_caller(pf, a) if b is not None and b.kind == "param" and not b.path else None
            if given is not None:
                out.append((i, "*", ClientRef("none", "a parameter handed on whole", given=given)))
            continue
        if a is None or a.type != "object":
            continue
        for prop in a.named_children:
            if prop.type == "shorthand_property_identifier":
                name, value = text(prop), prop
            elif prop.type == "pair":
                name, value = text(field(prop, "key")).strip("'\""), unwrap(field(prop, "value"))
            else:
                continue
            if value is None or value.type not in ("identifier", "member_expression",
                                                   "shorthand_property_identifier"):
                continue
            if value.type == "shorthand_property_identifier":
                b = pf.resolver.lookup(name, value)
                r = pf.resolver.classify_binding(b) if b is not None else None
            else:
                r = pf.resolver.classify(value)
            if r is not None and r.kind in ("client", "import"):
                # Itself a parameter's property (`helper({ prisma })` after `const { prisma } =
                # input`): the index follows it to this function's callers.
                given = given_by_caller(pf, value)
                out.append((i, name, replace(r, given=given) if given is not None else r))
    return tuple(out)


def _class_method(pf: ParsedFile, node: ts.Node, name: str) -> int | None:
    method = class_method(node, name)
    return pf.function_ids.get(key(method)) if method is not None else None

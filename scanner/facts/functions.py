"""Functions and entry points: every function of a file with its name, parent,
parameters, exported names, and the kind of request entry point it is."""

from __future__ import annotations

import tree_sitter as ts

from .calls import TxCalls
from .entries import (
    CLASS_TYPES, REMIX_EXPORTS, decorated_method_kind, handler_arguments, lambda_http_typed, registered_handler_call,
    nitro_handler, schedule_decorator, sveltekit_entry, under_app_routes, worker_fetch_evidence,
)
from .listeners import keyed_registration, listener_callback, listener_decorator
from .lone_functions import object_holder
from .graphql import code_first_graphql_resolver, typed_graphql_resolver
from .raw_constants import returns_constants
from .raw_safe import safe_fragment
from .frames import call_function
from .model import HTTP_METHODS, ClientRef, ExportRef, FunctionFact
from .records import HandlerRef
from .rpc_builders import server_fn, trpc_procedure
from .nodes import (
    FUNCTION_TYPES, field, is_async, key, object_pairs, param_nodes, param_pattern, param_type, short, short_callee,
    span, text, unwrap,
)
from .origins import returned_origin
from .parsed import ParsedFile, enclosing
from .scopes import pattern_bindings
from .wrappers import passes_on

_FUNCTION_KIND = {
    "function_declaration": "declaration", "generator_function_declaration": "declaration",
    "function_expression": "expression", "function": "expression",
    "arrow_function": "arrow", "method_definition": "method",
}
# Handler wrappers nest a few deep (`withAuth(withRateLimit(fn))`); the bound also
# stops alias cycles and machine-made nesting from exhausting the stack.
_MAX_WRAPPERS = 32
# The inline_callback of a function called right where it is written: `(async () => { … })()`.
IMMEDIATELY_INVOKED = "(immediately invoked)"
DETACHED_IIFE = "<detached iife>"   # the name of one started as a statement of its own
# Modules whose request and response types mark a function as a request handler.
_SERVER_FRAMEWORKS = frozenset({"express", "fastify", "express-serve-static-core"})


def directives(root: ts.Node) -> tuple[str, ...]:
    out = []
    for stmt in root.named_children:
        if stmt.type == "comment":
            continue
        if stmt.type == "expression_statement" and stmt.named_children \
                and stmt.named_children[0].type == "string":
            out.append(text(stmt.named_children[0]).strip("'\"`"))
            continue
        break
    return tuple(out)


def _body_directives(fn: ts.Node) -> tuple[str, ...]:
    body = field(fn, "body")
    return directives(body) if body is not None and body.type == "statement_block" else ()


def _param_names(fn: ts.Node) -> tuple[tuple[str, int, str], ...]:
    out = []
    for i, p in enumerate(param_nodes(fn)):
        pattern = param_pattern(p)
        if pattern is None:
            continue
        for name, path, _ in pattern_bindings(pattern):
            if not path:
                out.append((name, i, ""))
            elif len(path) == 1 and pattern.type == "object_pattern" and path[0] != "...":
                out.append((name, i, path[0]))
    return tuple(out)


def function_of_value(pf: ParsedFile, value: ts.Node | None, depth: int = 0) -> int | None:
    value = unwrap(value)
    if value is None or depth > _MAX_WRAPPERS:
        return None
    if value.type in FUNCTION_TYPES:
        return pf.function_ids.get(key(value))
    if value.type in ("identifier", "shorthand_property_identifier"):   # `{ handler }` names one too
        b = pf.resolver.lookup(text(value), value)
        if b is not None and b.kind == "function":
            return pf.function_ids.get(key(b.node))
        if b is not None and b.kind == "var" and not b.path:
            return function_of_value(pf, b.value, depth + 1)
    if value.type == "call_expression":
        # `export const POST = withAuth(async (req) => ...)`: the wrapped handler.
        args = field(value, "arguments")
        if args is not None:
            for a in args.named_children:
                fid = function_of_value(pf, a, depth + 1)
                if fid is not None:
                    return fid
    return None


def function_name(fn: ts.Node) -> tuple[str, str | None]:
    """(name, inline callee text) of a function node."""
    name = field(fn, "name")
    if name is not None and fn.type != "arrow_function":
        return text(name), None
    parent = fn.parent
    while parent is not None and parent.type in ("parenthesized_expression", "as_expression",
                                                 "satisfies_expression"):
        parent = parent.parent
    if parent is None:
        return "<anonymous>", None
    if parent.type == "variable_declarator":
        return text(field(parent, "name")), None
    if parent.type in ("pair", "public_field_definition", "field_definition"):
        return text(field(parent, "key") or field(parent, "name")).strip("'\""), None
    if parent.type == "assignment_expression":
        return short(field(parent, "left"), 60), None
    if parent.type == "export_statement":
        return "default", None
    callee = field(parent, "function") if parent.type == "call_expression" else None
    if callee is not None and callee.start_byte <= fn.start_byte and fn.end_byte <= callee.end_byte:
        # `(async () => { ... })()` runs right where it is written: it belongs to
        # the function around it, like an inline callback. Its value handed to a call
        # (`waitUntil((async () => …)())`) names that call.
        holder = parent.parent
        outer = field(holder.parent, "function") if holder is not None and holder.type == "arguments" \
            and holder.parent is not None else None
        if outer is not None:
            return f"<iife in {short(outer, 60)}>", IMMEDIATELY_INVOKED
        # Started as a statement of its own (`(async () => …)();`, `void (async () => …)()`):
        # nothing waits for it.
        detached = holder is not None and (holder.type == "expression_statement" or (
            holder.type == "unary_expression" and text(field(holder, "operator")) == "void"))
        return (DETACHED_IIFE if detached else "<iife>"), IMMEDIATELY_INVOKED
    if parent.type == "arguments" and parent.parent is not None:
        call = parent.parent
        # (The name keeps its text, which fingerprints use; the callee keeps the method called.)
        callee, named = short_callee(call_function(call) or call, 80), short(field(call, "function") or call, 80)
        # Name a wrapped handler after the binding that holds the call.
        holder = call.parent
        if holder is not None and holder.type == "variable_declarator":
            return text(field(holder, "name")), callee
        return f"<callback of {named}>", callee
    return "<anonymous>", None


def _typed_http_handler(pf: ParsedFile, fn: ts.Node) -> bool:
    """`(req: Request, res: Response)` with both types imported from a server framework
    (express's Request/Response, fastify's FastifyRequest/FastifyReply): a request handler
    however it is registered (file-convention routers, route tables, other modules)."""
    params = param_nodes(fn)
    if len(params) < 2:
        return False
    holder = fn.parent
    if holder is not None and (holder.type == "return_statement" or holder.type == "arrow_function"
                               and field(holder, "body") == fn):
        return False  # made by a factory (`validate(schema)`): counted where it is mounted
    modules = []
    for p in params[:2]:
        t = param_type(p).split("<", 1)[0].strip()
        root = t.split(".", 1)[0]
        b = pf.resolver.lookup(root, fn) if root.isidentifier() else None
        if b is None or b.kind != "import":
            return False
        modules.append(b.module)
    return modules[0] == modules[1] and modules[0] in _SERVER_FRAMEWORKS


def _registered_handlers(pf: ParsedFile) -> frozenset[int]:
    """Functions passed after the path of `app.post("/x", auth, handler)` and the like,
    inline or by the name of a same-file function."""
    out = set()
    for node in pf.captures("entry_points").get("registration", []):
        if not registered_handler_call(node):
            continue
        for arg in handler_arguments(node):
            fid = function_of_value(pf, arg) if unwrap(arg) is not None \
                and unwrap(arg).type in ("identifier", *FUNCTION_TYPES) else None
            if fid is not None:
                out.add(fid)
    # Fastify's full declaration: `app.route({ method, url, handler })`.
    for node in pf.captures("entry_points").get("route_options", []):
        pairs = object_pairs(unwrap(field(node, "arguments").named_children[0]))
        if "method" in pairs and ("url" in pairs or "path" in pairs) and "handler" in pairs:
            fid = function_of_value(pf, pairs["handler"])
            if fid is not None:
                out.add(fid)
    return frozenset(out)


def _serverless_handlers(pf: ParsedFile, exports: tuple[ExportRef, ...],
                         exported: dict[int, list[str]]) -> dict[int, str]:
    """Lambda HTTP handlers (exported with an API Gateway / ALB event type, or wrapped by an
    imported `middy(fn)`) and a module worker's `fetch` (facts/entries.py says what counts)."""
    out: dict[int, str] = {}
    for i in exported:
        fn = pf.function_nodes[i]
        params = param_nodes(fn)
        holder = fn.parent
        while holder is not None and holder.type in ("arguments", "call_expression", "parenthesized_expression"):
            holder = holder.parent   # `export const handler: T = wrap(async (event) => …)`
        declared = text(field(holder, "type")) if holder is not None and holder.type == "variable_declarator" else ""
        if lambda_http_typed(param_type(params[0]) if params else "", declared):
            out[i] = "lambda-handler"
    # A file that never spells `middy` calls no `middy(fn)`: its call sites are not read.
    for call in pf.captures("call_sites").get("callsite", []) if b"middy" in pf.source else ():
        callee = field(call, "function")
        b = pf.resolver.lookup("middy", call) if callee is not None and text(callee) == "middy" else None
        args = field(call, "arguments")
        if b is not None and b.kind == "import" and "middy" in (b.module or "") and args is not None \
                and args.named_children:
            fid = function_of_value(pf, args.named_children[0])
            if fid is not None:
                out[fid] = "lambda-handler"
    for e in exports:
        fid = dict(e.member_functions).get("fetch") if e.exported == "default" else None
        if fid is None:
            continue
        fn = pf.function_nodes[fid]
        params = param_nodes(fn)
        obj = enclosing(fn, ("object",))
        around = obj.parent if obj is not None else None
        while around is not None and around.type in ("parenthesized_expression", "pair"):
            around = around.parent
        if worker_fetch_evidence([text(p) for p in params], param_type(params[0]) if params else "",
                                 text(around) if around is not None and around.type in
                                 ("satisfies_expression", "as_expression", "variable_declarator") else ""):
            out[fid] = "worker-fetch"
    return out


def _timers(pf: ParsedFile):
    """(how, arguments) of each timer registration of the file: `cron.schedule(expr, fn)`,
    `setInterval(fn, ms)`, `new CronJob(expr, fn)`."""
    for node in pf.captures("entry_points").get("schedule", []):
        head = field(node, "function") if node.type == "call_expression" else field(node, "constructor")
        args = field(node, "arguments")
        yield ("new " if node.type == "new_expression" else "") + f"{short(head, 40)}()", \
            (args.named_children if args is not None else ())


def _scheduled_functions(pf: ParsedFile) -> dict[int, str]:
    """Functions a timer runs: the function argument of `cron.schedule(expr, fn)`,
    `setInterval(fn, ms)`, `new CronJob(expr, fn)` or its `onTick`, inline or by name."""
    out: dict[int, str] = {}
    for how, args in _timers(pf):
        for arg in args:
            values = [arg]
            if arg.type == "object":
                values = [field(p, "value") for p in arg.named_children
                          if p.type == "pair" and text(field(p, "key")) == "onTick"]
            for v in values:
                v = unwrap(v)
                fid = function_of_value(pf, v) if v is not None \
                    and v.type in ("identifier", *FUNCTION_TYPES) else None
                if fid is not None:
                    out.setdefault(fid, how)
    return out


def timer_refs(pf: ParsedFile) -> tuple[HandlerRef, ...]:
    """Functions of other modules a timer here runs, named by their import
    (`cron.schedule('0 * * * *', unassignCron)` of `import { unassignCron } from './cron'`):
    the index settles each to its function, which then runs on a schedule (kind `timer:…`)."""
    out = []
    for how, args in _timers(pf):
        for arg in args:
            arg = unwrap(arg)
            b = pf.resolver.lookup(text(arg), arg) if arg is not None and arg.type == "identifier" else None
            if b is not None and b.kind == "import" and b.imported != "*":
                out.append(HandlerRef(text(arg), ClientRef("import", "import", b.module, b.imported), span(arg),
                                      kind=f"timer:{how}"))
    return tuple(out)


def _entry_kind(pf: ParsedFile, fn: ts.Node, i: int, names: tuple[str, ...], parent: int,
                use_server_file: bool, route_module: bool, registered: frozenset[int],
                serverless: dict[int, str]):
    """(entry kind or None, the name a tRPC procedure gives the function or None)."""
    if pf.role == "route" and HTTP_METHODS.intersection(names):
        return "route-handler", None
    if pf.role == "pages-api" and "default" in names:
        return "pages-api", None
    if pf.role == "page" and "default" in names:
        return "page", None
    if pf.role == "sveltekit-route" and parent == -1:
        kind = sveltekit_entry(fn, names, HTTP_METHODS)
        if kind is not None:
            return kind, None
    if parent == -1 and nitro_handler(fn):
        return "nitro-handler", None
    if route_module and REMIX_EXPORTS.keys() & set(names):
        return REMIX_EXPORTS[min(REMIX_EXPORTS.keys() & set(names))], None
    if (use_server_file and names and parent == -1) or "use server" in _body_directives(fn):
        return "server-action", None
    if i in registered or _typed_http_handler(pf, fn):
        return "http-handler", None
    if typed_graphql_resolver(fn) or code_first_graphql_resolver(fn):
        return "graphql-resolver", None
    if i in serverless:
        return serverless[i], None
    entry = decorated_method_kind(fn)
    if entry is None and server_fn(fn, pf.resolver):
        return "server-fn", None
    proc = trpc_procedure(fn) if entry is None else None
    if proc is not None:
        return "trpc-procedure", proc
    return entry, None


def extract(pf: ParsedFile, file_directives: tuple[str, ...], exports: tuple[ExportRef, ...],
            tx_calls: TxCalls) -> tuple[FunctionFact, ...]:
    exported: dict[int, list[str]] = {}
    for e in exports:
        if e.function is not None:
            exported.setdefault(e.function, []).append(e.exported)
    forwards = _transaction_forwarding(pf, tx_calls)
    out = []
    use_server_file = "use server" in file_directives
    route_module = pf.role == "remix-route" or pf.role == "route" and under_app_routes(pf.path)
    registered = _registered_handlers(pf)
    wrappers = passes_on(pf)
    serverless = _serverless_handlers(pf, exports, exported)
    timed = _scheduled_functions(pf)
    for i, fn in enumerate(pf.function_nodes):
        name, inline = function_name(fn)
        parent_fn = pf.enclosing_function(fn)
        parent = pf.function_ids.get(key(parent_fn), -1) if parent_fn is not None else -1
        names = tuple(exported.get(i, ()))
        cls = None
        if fn.type == "method_definition" or (fn.parent is not None and fn.parent.type == "public_field_definition"):
            # A method, or an arrow a class field holds (`removeAll = () => …`).
            c = enclosing(fn, CLASS_TYPES)
            cls = text(field(c, "name")) if c is not None and field(c, "name") is not None else None
        cls = cls or object_holder(fn)   # (a service object's method: `export const shop = { buy() {…} }`)
        entry, proc = _entry_kind(pf, fn, i, names, parent, use_server_file, route_module, registered,
                                  serverless)
        if proc is not None:
            name = proc
        params = tuple(short(param_pattern(p), 40) for p in param_nodes(fn))
        out.append(FunctionFact(
            id=i, name=name, kind=_FUNCTION_KIND.get(fn.type, fn.type), span=span(fn),
            parent=parent, is_async=is_async(fn), params=params, param_names=_param_names(fn),
            exported_as=names,
            entry_kind=entry, inline_callback=inline, class_name=cls,
            listener=inline is not None and (listener_callback(inline) or keyed_registration(fn))
            or listener_decorator(fn),
            forwards_to_transaction=forwards.get(i), start=fn.start_byte, end=fn.end_byte,
            scheduled=schedule_decorator(fn) or timed.get(i, ""),
            returns_origin=returned_origin(fn, pf.resolver),
            returns_constant=bool(names) and returns_constants(fn, pf.resolver,
                                                                lambda r: safe_fragment(r, pf.resolver, 1)),
            passes_on=wrappers.get(i),
        ))
    return tuple(out)


def _transaction_forwarding(pf: ParsedFile, tx_calls: TxCalls) -> dict[int, int]:
    """Functions that pass one of their parameters on to $transaction:
    `withTransaction(fn) { return prisma.$transaction(fn) }` or
    `prisma.$transaction(async (tx) => fn(tx))` or `$transaction(steps)`."""
    out: dict[int, int] = {}
    for call, _ref in tx_calls:
        fn = pf.enclosing_function(call)
        if fn is None:
            continue
        params = [text(param_pattern(p)) for p in param_nodes(fn)]
        args = field(call, "arguments")
        first = unwrap(args.named_children[0]) if args is not None and args.named_children else None
        if first is None:
            continue
        used: str | None = None
        if first.type == "identifier":
            used = text(first)
        elif first.type in FUNCTION_TYPES:
            body = field(first, "body")
            inner = unwrap(body) if body is not None and body.type != "statement_block" else None
            if body is not None and body.type == "statement_block":
                stmts = [s for s in body.named_children if s.type == "return_statement"]
                inner = unwrap(stmts[0].named_children[0]) if stmts and stmts[0].named_children else None
            if inner is not None and inner.type == "call_expression":
                callee = field(inner, "function")
                if callee is not None and callee.type == "identifier":
                    used = text(callee)
        if used in params:
            out[pf.function_ids[key(fn)]] = params.index(used)
    return out

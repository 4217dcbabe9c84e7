"""Request entry points: the kinds there are, what each one's parameters carry, and
the shapes that make a function one (rules.md "Request entry points").

`ENTRY_KINDS` is the one table every stage reads: the extractor names a function's
kind, taint seeds its parameters from `params` / `decorators` / `every_param`, the
coverage figures ask whether it takes input, and docs and reports name it by `id`
(`words` says what it is)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from pathlib import PurePosixPath

import tree_sitter as ts

from .nodes import TRANSPARENT, field, object_pairs, text, unbound, unwrap

_ROUTE_PARAMS = {"params": "params", "searchParams": "search-params"}
REQUEST_MEMBERS = {"body": "body", "query": "query", "params": "params"}
# A handler's first parameter named as a context object (Koa's `ctx`), not a request: its
# `query` and `params` are the request's, its `body` is the response (the request body is
# `ctx.request.body`).
CONTEXT_PARAMS = frozenset({"ctx", "context"})
LAMBDA_EVENT_MEMBERS = {"body": "body", "pathParameters": "params", "queryStringParameters": "query",
                        "multiValueQueryStringParameters": "query"}


@dataclass(frozen=True)
class EntryKind:
    id: str
    words: str
    # The role a `lib` file holding one takes (`trpc-router`); None keeps the file's role.
    role: str | None = None
    # Parameter index -> {property: input source}: `(req, { params })` has
    # `params` at index 1. The property read on the parameter, or destructured from it.
    params: dict[int, dict[str, str]] = dc_field(default_factory=dict)
    # Every parameter is input of this source (server actions).
    every_param: str | None = None
    # Parameter decorator -> input source (`@Body() dto`), or `*` for a request object
    # whose members are input (`@Req() req`).
    decorators: dict[str, str] = dc_field(default_factory=dict)


ENTRY_KINDS: dict[str, EntryKind] = {k.id: k for k in (
    # `(req, { params })`, or one context object when a wrapper builds it
    # (`export const GET = withAuth(async ({ req, params }) => …)`).
    EntryKind("route-handler", "App Router route handler (GET/POST/… exported from app/**/route.ts)",
              params={0: _ROUTE_PARAMS, 1: _ROUTE_PARAMS}),
    EntryKind("pages-api", "Pages Router API handler (default export in pages/api/**)",
              params={0: {"body": "body", "query": "query"}}),
    EntryKind("page", "Server Component page (default export of app/**/page.tsx)", params={0: _ROUTE_PARAMS}),
    EntryKind("server-action", "server action (`'use server'`)", every_param="action-param"),
    EntryKind("trpc-procedure", "tRPC procedure (`.query` / `.mutation` resolver)", role="trpc-router",
              params={0: {"input": "trpc-input"}}),
    EntryKind("server-fn", "TanStack Start server function (`createServerFn().handler(…)`)",
              params={0: {"data": "server-fn-data"}}),
    EntryKind("remix-loader", "Remix / React Router route module `loader`", params={0: {"params": "params"}}),
    EntryKind("remix-action", "Remix / React Router route module `action`", params={0: {"params": "params"}}),
    # The RequestEvent: `({ request, params, url })`; `request` and `url.searchParams` are read by name.
    EntryKind("sveltekit-handler", "SvelteKit endpoint (GET/POST/… exported from `+server.ts`)",
              params={0: {"params": "params"}}),
    EntryKind("sveltekit-load", "SvelteKit server `load` (exported from `+page.server.ts` / `+layout.server.ts`)",
              params={0: {"params": "params"}}),
    EntryKind("sveltekit-action", "SvelteKit form action (a member of `actions` exported from `+page.server.ts`)",
              params={0: {"params": "params"}}),
    # `event`: read through h3's helpers (`readBody(event)`, `getQuery(event)`, `getRouterParam(event, k)`).
    EntryKind("nitro-handler", "Nuxt / Nitro server route (`export default defineEventHandler(…)`)",
              role="nitro-route"),
    EntryKind("http-handler", "Express / Fastify / Hono handler registered on a path (`app.post('/x', fn)`)",
              role="http-router", params={0: REQUEST_MEMBERS}),
    # `event.body` (often `JSON.parse(event.body)`), `event.pathParameters`, `event.queryStringParameters`.
    EntryKind("lambda-handler", "AWS Lambda HTTP handler (an API Gateway / ALB event, or wrapped by `middy()`)",
              params={0: LAMBDA_EVENT_MEMBERS}),
    # The Request is read by name (`await request.json()`, `new URL(request.url).searchParams`).
    EntryKind("worker-fetch", "module worker `fetch` handler (`export default { fetch(request, env, ctx) }`)"),
    EntryKind("nest-handler", "NestJS controller method (`@Post()` in a `@Controller()` class)",
              role="nest-controller",
              decorators={"Body": "body", "Param": "params", "Query": "query", "Req": "*", "Request": "*"}),
    # A message a broker or an RPC client delivers to a microservice (`@Payload() data`): another
    # service's JSON, checked by the same pipes as a body (`@Payload() dto: CreateDto`).
    EntryKind("nest-message-handler", "NestJS microservice handler (`@MessagePattern()` / `@EventPattern()` / "
              "`@GrpcMethod()` in a `@Controller()` class)",
              role="nest-controller", decorators={"Payload": "message-payload"}),
    # Schema-first resolvers (typed by generated types) take no input here: the GraphQL server
    # checks their `args` against the schema's types before they run.
    EntryKind("graphql-resolver", "GraphQL resolver (`@Query` / `@Mutation` in a `@Resolver()` class, "
              "typed `MutationResolvers[…]` / a `Query` / `Mutation` member of `Resolvers`, or the `resolve` "
              "of a root field a code-first builder adds: Pothos, Nexus)",
              role="graphql-resolver", decorators={"Args": "graphql-args"}),
)}

# File roles whose code answers requests directly.
ENTRY_ROLES = frozenset({"route", "pages-api", "page", "server-action", "component", "remix-route",
                         "sveltekit-route"}
                        | {k.role for k in ENTRY_KINDS.values() if k.role})

REMIX_EXPORTS = {"loader": "remix-loader", "action": "remix-action"}
HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "all", "use", "head", "options"})
# Receivers that send or mock requests rather than answer them.
_CLIENTS = frozenset({"http", "https", "rest", "axios", "ky", "got", "superagent", "fetcher"})
_NEST_HTTP = frozenset({"Get", "Post", "Put", "Patch", "Delete", "All", "Head", "Options"})
_NEST_MESSAGES = frozenset({"MessagePattern", "EventPattern", "GrpcMethod", "GrpcStreamMethod"})
GRAPHQL_OPS = frozenset({"Query", "Mutation", "Subscription"})
# Method decorators that run the method on a timer (@nestjs/schedule).
_SCHEDULE_DECORATORS = frozenset({"Cron", "Interval", "Timeout"})
CLASS_TYPES = ("class_declaration", "abstract_class_declaration", "class")


def entry_kind(kind: str | None) -> EntryKind | None:
    return ENTRY_KINDS.get(kind) if kind else None


def a_kind(kind: str) -> str:
    """The kind with its article, as messages name it: `a route-handler`, `an http-handler`."""
    return f"{'an' if kind[:1] in 'aeiouh' and not kind.startswith('hu') else 'a'} {kind}"


# -- Nuxt / Nitro server routes -------------------------------------------------------------
H3_HANDLERS = frozenset({"defineEventHandler", "eventHandler", "defineCachedEventHandler"})


def nitro_handler(fn: ts.Node) -> bool:
    """The function a module's default export hands to h3's `defineEventHandler` (Nuxt's
    `server/api/*.ts`, Nitro's `routes/`): `export default defineEventHandler(async (event) =>
    …)`, or its object form's `handler: async (event) => …`."""
    holder = fn.parent
    if holder is not None and holder.type == "pair" and text(field(holder, "key")) == "handler":
        holder = holder.parent.parent if holder.parent is not None else None
    call = holder.parent if holder is not None and holder.type == "arguments" else None
    if call is None or call.type != "call_expression" or text(field(call, "function")) not in H3_HANDLERS:
        return False
    out = call.parent
    while out is not None and out.type in TRANSPARENT:
        out = out.parent
    return out is not None and out.type == "export_statement" and any(c.type == "default" for c in out.children)


# -- SvelteKit route files ------------------------------------------------------------------
# File names SvelteKit reserves for code that runs on the server for a route, wherever the
# routes folder is (`kit.files.routes`): endpoints, and the server `load`s and actions.
_SVELTEKIT_SERVER_FILES = re.compile(r"^\+(server|page\.server|layout\.server)\.(ts|js|mts|mjs)$")


def sveltekit_route(name: str) -> bool:
    return bool(_SVELTEKIT_SERVER_FILES.match(name))


def sveltekit_entry(fn: ts.Node, names: tuple[str, ...], verbs: frozenset[str]) -> str | None:
    """The kind of a SvelteKit route file's top-level function: an exported verb
    (`+server.ts`), the exported `load`, or a member of the exported `actions` object."""
    if verbs.intersection(names) or "fallback" in names:
        return "sveltekit-handler"
    if "load" in names:
        return "sveltekit-load"
    return "sveltekit-action" if _exported_actions_member(fn) else None


def _exported_actions_member(fn: ts.Node) -> bool:
    """`export const actions = { default: async ({ request }) => …, async archive(event) { … } }`
    (also with `satisfies Actions` or `as Actions`)."""
    member = fn if fn.type == "method_definition" else fn.parent
    obj = member.parent if member is not None and member.type in ("pair", "method_definition") else None
    if obj is None or obj.type != "object":
        return False
    decl = obj.parent
    while decl is not None and decl.type in TRANSPARENT:
        decl = decl.parent
    if decl is None or decl.type != "variable_declarator" or text(field(decl, "name")) != "actions":
        return False
    stmt = decl.parent
    return stmt is not None and stmt.parent is not None and stmt.parent.type == "export_statement"


# -- Remix / React Router route modules ---------------------------------------------------
def under_app_routes(rel: str) -> bool:
    """`app/routes/**` at any depth, under any prefix (`apps/web/app/routes/x.tsx`)."""
    parts = PurePosixPath(rel).parts[:-1]
    return any(a == "app" and b == "routes" for a, b in zip(parts, parts[1:]))


_MODULE_LITERAL = re.compile(r"""["'`]([^"'`\n]+\.(?:tsx|ts|jsx|js))["'`]""")
ROUTE_CONFIG_FILES = ("routes.ts", "routes.js", "routes.mts", "remix.config.js", "remix.config.mjs",
                      "remix.config.cjs")


def route_config_targets(rel: str, source: str, has_app_dir: bool) -> list[str]:
    """Files a route config names (`route("p", "./routes/x.tsx")`, `index("routes/home.tsx")`),
    as root-relative paths: relative to a `routes.ts` in `app/` or next to an `app/` folder,
    and to `app/` for a `remix.config.js`. Other files of those names are not route configs."""
    p = PurePosixPath(rel)
    base = p.parent
    if p.name.startswith("remix.config"):
        base = base / "app"
    elif base.name != "app" and not has_app_dir:
        return []
    out = []
    for m in _MODULE_LITERAL.finditer(source):
        target = PurePosixPath(_normalise(base / m.group(1).removeprefix("./")))
        out.append(target.as_posix())
    return out


def _normalise(p: PurePosixPath) -> str:
    parts: list[str] = []
    for part in p.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


# -- handlers registered on an app or router -----------------------------------------------
def path_literal(node: ts.Node | None) -> bool:
    node = unwrap(node)
    if node is None or node.type not in ("string", "template_string"):
        return False
    return text(node).strip("'\"`").startswith("/")


def registered_handler_call(call: ts.Node) -> bool:
    """`app.post("/x", …)`, `router.get(`/x/${id}`, auth, fn)`, `app.route("/x").post(fn)`:
    a verb method called with a path first (or on a `.route("/x")` chain)."""
    callee = field(call, "function")
    args = field(call, "arguments")
    if callee is None or callee.type != "member_expression" or args is None or args.type != "arguments":
        return False
    if text(field(callee, "property")) not in HTTP_VERBS:
        return False
    receiver = unwrap(field(callee, "object"))
    if receiver is not None and text(receiver) in _CLIENTS:
        return False  # `axios.get("/api/x", …)`, MSW `http.get("/api/x", resolver)`: requests, mocks
    items = [a for a in args.named_children if a.type != "comment"]
    if len(items) >= 2 and path_literal(items[0]):
        return True
    obj = unwrap(field(callee, "object"))
    while obj is not None and obj.type == "call_expression":  # app.route("/x").get(a).post(b)
        inner = field(obj, "function")
        if inner is None or inner.type != "member_expression":
            return False
        inner_args = field(obj, "arguments")
        if text(field(inner, "property")) == "route" and inner_args is not None \
                and inner_args.named_children and path_literal(inner_args.named_children[0]):
            return bool(items)
        obj = unwrap(field(inner, "object"))
    return False


def handler_arguments(call: ts.Node) -> list[ts.Node]:
    """The arguments after the path (all of them on a `.route("/x")` chain), a bound function
    as the function it binds, then the `handler` of a last options object (Fastify's
    `app.post('/x', { schema: S, handler: ctrl.create })`)."""
    args = [unbound(a) for a in field(call, "arguments").named_children if a.type != "comment"]
    args = args[1:] if args and path_literal(args[0]) else args
    if args:
        args[-1] = unbound(args[-1], named=True)   # `asyncHandler(ctrl.create)`: the handler it is given
    handler = object_pairs(unwrap(args[-1])).get("handler") if args else None
    return args + [unbound(handler)] if handler is not None else args


# -- serverless functions ----------------------------------------------------------------------
# The event types of an HTTP-triggered Lambda (@types/aws-lambda) and the handler types built on them.
_LAMBDA_HTTP_TYPE = re.compile(r"\b(?:APIGatewayProxyEvent\w*|APIGatewayEvent|ALBEvent"
                               r"|APIGatewayProxy\w*Handler\w*|ALBHandler)\b")


def lambda_http_typed(param_type: str, declared: str) -> bool:
    """`(event: APIGatewayProxyEvent)` (V2, ALB too), or a handler declared with such a type
    (`export const handler: APIGatewayProxyHandler = async (event) => …`). An untyped
    `handler(event)` may answer a queue, a schedule or a bucket: not evidence of a request."""
    return bool(_LAMBDA_HTTP_TYPE.search(param_type) or _LAMBDA_HTTP_TYPE.search(declared))


def worker_fetch_evidence(params: list[str], first_type: str, around: str) -> bool:
    """The `fetch` member of a module's default export is a module worker's handler when it
    takes the runtime's `(request, env, ctx)` (its second parameter is the `env` bindings), its
    first parameter is a `Request`, or the object is an `ExportedHandler` (`satisfies
    ExportedHandler<Env>`). `{ fetch(url) }` or `{ fetch(url, init) }` alone is a client wrapper.
    `params`: the parameters' source text."""
    return (len(params) >= 2 and "env" in params[1].lower()) \
        or first_type.split("<", 1)[0].strip() == "Request" or "ExportedHandler" in around


# -- decorated classes (NestJS, GraphQL) ----------------------------------------------------------
def decorator_arguments(dec: ts.Node) -> list[ts.Node]:
    call = next((c for c in dec.named_children if c.type == "call_expression"), None)
    args = field(call, "arguments") if call is not None else None
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


def decorator_name(dec: ts.Node) -> str:
    expr = next((c for c in dec.named_children if c.type != "comment"), None)
    if expr is not None and expr.type == "call_expression":
        expr = field(expr, "function")
    return text(expr).rsplit(".", 1)[-1] if expr is not None else ""


def _class_decorators(cls: ts.Node) -> set[str]:
    decs = [c for c in cls.named_children if c.type == "decorator"]
    if cls.parent is not None and cls.parent.type == "export_statement":
        decs += [c for c in cls.parent.named_children if c.type == "decorator"]
    return {decorator_name(d) for d in decs}


def member_decorators(method: ts.Node) -> set[str]:
    out = set()
    n = method.prev_named_sibling
    while n is not None and n.type in ("decorator", "comment"):
        if n.type == "decorator":
            out.add(decorator_name(n))
        n = n.prev_named_sibling
    return out


def decorated_method_kind(method: ts.Node) -> str | None:
    """`nest-handler` for an HTTP-decorated method of a `@Controller()` class (a message handler
    for a `@MessagePattern()` / `@EventPattern()` / `@GrpcMethod()` one),
    `graphql-resolver` for a `@Query`/`@Mutation` method of a `@Resolver()` class."""
    if method.type != "method_definition" or method.parent is None or method.parent.type != "class_body":
        return None
    cls = method.parent.parent
    if cls is None or cls.type not in CLASS_TYPES:
        return None
    on_class = _class_decorators(cls)
    on_method = member_decorators(method)
    if "Controller" in on_class and on_method & _NEST_HTTP:
        return "nest-handler"
    if "Controller" in on_class and on_method & _NEST_MESSAGES:
        return "nest-message-handler"
    if "Resolver" in on_class and on_method & GRAPHQL_OPS:
        return "graphql-resolver"
    return None


def schedule_decorator(method: ts.Node) -> str | None:
    """`@Cron()` when a decorator runs the method on a timer (no caller waits for it)."""
    if method.type != "method_definition":
        return None
    found = sorted(member_decorators(method) & _SCHEDULE_DECORATORS)
    return f"@{found[0]}()" if found else None


# Types a validation pipe cannot check a body against: no class, no rules.
_UNCHECKED_TYPES = frozenset({"any", "unknown", "object", "Object", "string", "number", "boolean", "String",
                              "Number", "Boolean", "Record", "Partial", "Map", "Array", "Buffer"})


def checked_by_pipe(param: ts.Node, dec: ts.Node) -> bool:
    """`@Body() dto: CreateNoteDto` (a class a global ValidationPipe checks) or a pipe in the
    decorator (`@Param('id', ParseIntPipe)`): validated. `@Body() body: any`, an inline
    type, `Record<…>` or a primitive without a pipe: not."""
    if any("Pipe" in text(a) for a in decorator_arguments(dec)):
        return True
    t = _declared_type(param)
    if t is None:
        return False
    if t.type == "generic_type":
        t = field(t, "name")
    return t is not None and t.type == "type_identifier" and text(t) not in _UNCHECKED_TYPES


# Types a GraphQL schema gives a code-first argument from its TypeScript type: scalars.
_GRAPHQL_SCALARS = frozenset({"string", "number", "boolean", "String", "Number", "Boolean", "Date"})


def checked_by_graphql(param: ts.Node, dec: ts.Node) -> bool:
    """`@Args('id') id: string`, `@Args('take', { type: () => Int })`, `@Args('data') d: NoteInput`:
    GraphQL checks each argument against its declared type (a scalar, an enum, an input type) before
    the resolver runs; only a JSON scalar (`{ type: () => GraphQLJSON }`) or an open type (`any`) can
    carry a Prisma filter object."""
    declared = [text(o["type"]) for o in map(object_pairs, decorator_arguments(dec)) if "type" in o]
    if declared:
        return not any("JSON" in d or "Any" in d for d in declared)
    t = _declared_type(param)
    return t is not None and (text(t) in _GRAPHQL_SCALARS or checked_by_pipe(param, dec))


def _declared_type(param: ts.Node) -> ts.Node | None:
    """The type a parameter's annotation names (`dto: CreateDto` → `CreateDto`), or None."""
    return next(iter(a.named_children), None) if (a := field(param, "type")) is not None else None


# A route segment that names a parameter (`[id]`, `$id`, `:id`), and one that names a cron.
DYNAMIC_SEGMENT = re.compile(r"^(?:\[.*\]|\$.*|:.*)$")
_CRON = re.compile(r"(?:^|[-_])cron(?:s|jobs?)?(?:$|[-_])")


def route_parts(path: str) -> list[str]:
    """The lower-cased segments of a route file's path, dotted names split (`api.cron.ts`)."""
    return [p.lower() for seg in PurePosixPath(path).with_suffix("").parts
            for p in (seg.split(".") if "[" not in seg else (seg,))]


def cron_route(path: str) -> bool:
    """The path names a cron and no parameter (`app/api/cron/cleanup/route.ts`,
    `src/jobs/digest.cron.ts`): a scheduler runs it, not a person's client."""
    parts = route_parts(path)
    return not any(DYNAMIC_SEGMENT.match(p) for p in parts) and any(_CRON.search(p) for p in parts)

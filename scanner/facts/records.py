"""Per-file facts about handlers, inputs, validation, middleware, field uses,
suppressions, raw SQL and the flow of request input: plain, frozen, picklable
records (re-exported by model.py, which holds the rest)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import ClientRef, Span


@dataclass(frozen=True, slots=True)
class HandlerSummary:
    """What a catch handler does, read from its syntax tree (nested functions
    excluded). Built by `facts/handlers.py`; the error rules read only this."""
    statements: int = 0               # statements in the handler (0: empty)
    comments: bool = False            # it holds comments (`catch { /* ignore */ }`)
    throws: bool = False              # a throw statement
    rethrows: bool = False            # throws the caught error itself (or an alias)
    returns: bool = False             # a return, or an arrow body with a value
    forwards: bool = False            # hands the error on: reject(e), next(e), done(e)
    responds: bool = False            # builds or sends a response (NextResponse.json, res.status, redirect)
    records: bool = False             # assigns an outer binding or member, sets state, pushes to an outer collection
    inspects: bool = False            # looks at the error: instanceof, a branch on it, .code, a P20xx literal
    statuses: tuple[str, ...] = ()    # statuses / error codes it answers with; "?" for a computed one
    logs: tuple[str, ...] = ()        # log calls (`console.error`, `ctx.logger.warn`)
    calls: tuple[str, ...] = ()       # every other call's callee, in order (`Sentry.captureException`)
    passes: tuple[str, ...] = ()      # callees (not log calls) the error is passed to
    falls_through: bool = False       # its last statement neither returns, throws nor answers: any answer is conditional


@dataclass(frozen=True, slots=True)
class CatchFact:
    key: int
    kind: str                  # try, catch-method
    span: Span                 # the catch clause / from `.catch` to the end of the call
    function: int
    param: str | None
    handler_text: str          # normalised handler body (bounded)
    handler: HandlerSummary = HandlerSummary()
    # A comment right above the guarded statement or at the top of the try block
    # (`// best effort: …`): the author's stated intent, bounded.
    note: str = ""
    # The try block ends by returning its answer (`try { …; return rows } catch …`): a
    # handler that falls through reaches only the function's failure answer after the try.
    try_answers: bool = False
    # The statement right after the try answers with a failure (`return null`, a 4xx/5xx
    # response, `{ error }`, `{ valid: false }`): its text, bounded; "" otherwise.
    after_fails: str = ""
    # Nothing of the function runs after the try (its last statement, or an `if` arm's that is).
    ends_function: bool = False
    # The try block ends by setting a flag the function reads after the try, which the handler
    # leaves alone (`try { await q; dbStatus = true } catch …; res.status(dbStatus ? 200 : 503)`).
    success_flag: str = ""
    # A `.catch()` whose own promise nothing waits for (a statement of its own, `void`, kept
    # unread, handed to `waitUntil()`): fire and forget, whatever runs inside the chain.
    dropped: bool = False


@dataclass(frozen=True, slots=True)
class InputSource:
    kind: str                  # json, formData, form-get, body, query, search-params, params
    text: str
    span: Span
    function: int


@dataclass(frozen=True, slots=True)
class ValidationCall:
    """`Schema.parse(x)` / `.safeParse` / `.parseAsync` / `.safeParseAsync`, or a
    tRPC `.input(schema)` (kind `trpc-input`, function = the procedure's resolver)."""
    kind: str
    schema: str                # the schema expression (bounded text)
    origin: str                # zod, import, local, unknown (see facts/validation.py)
    module: str | None         # import specifier for zod / import origins
    span: Span
    function: int
    # Parameter indices of `function` the validated value is read from (`schema.safeParse(await
    # req.json())` in `parseRequest(req, schema)` -> (0,)): a caller passing something there
    # has it validated (coverage follows such wrappers one call deep).
    params: tuple[int, ...] = ()
    schema_param: int = -1     # the schema is this parameter of `function` (the caller picks it)
    # (parameter index, request part) the value is read from: `req.body` -> (0, "body"),
    # `{ query: req.query }` -> (0, "query"), the parameter itself or `req[part]` -> (0, "*").
    parts: tuple[tuple[int, str], ...] = ()
    # The schema is this parameter of the function around `function`: a middleware factory
    # `validate(schema)` returning `(req, res, next) => schema.parse(req.body)`.
    outer_schema_param: int = -1


@dataclass(frozen=True, slots=True)
class Middleware:
    """A function that runs before a handler registered on a path (Express / Connect):
    `validate(S)` in `router.post('/x', validate(S), handler)` (arrays too), or one that
    `router.use(mw)` puts ahead of the routes registered on `router` after it (under its
    path, `router.use('/admin', mw)`). See facts/middleware.py."""
    handler: int                 # function id of the handler it runs before; -1: the app's (`app.use`)
    callee: str                  # `validate`, `checks.body`, `validNote`
    ref: ClientRef | None        # the import the function comes from, if any
    local_function: int | None   # or the function of this file
    called: bool                 # `validate(S)`: the function returns the middleware; else it is one
    span: Span                   # of the call, or of the name
    # The request parts its call's object argument gives a schema each (`validateRequest({ query:
    # z.object(…) })`): what the author asked it to check, whatever the library it hands them to.
    parts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HandlerRef:
    """The handler of a registration on a path named from another module: `ctrl.createUser`
    of `router.post('/users', validate(S), ctrl.createUser)` where `ctrl` is an import (a
    module namespace, an exported object or class) or `new` of an imported class. The index
    settles `ref` to the function, which is then an entry point; `middlewares` run before it
    (their `handler` is -1). See facts/middleware.py."""
    callee: str                  # `userController.createUser`
    ref: ClientRef               # the import, its member the handler (`("createUser",)`)
    span: Span                   # of the name
    middlewares: tuple[Middleware, ...] = ()
    # The parts the registration's declared schema covers (Fastify's `{ schema: S }` option;
    # `*` when it is not readable here), on every route that registers the handler.
    schema_parts: tuple[str, ...] = ()
    # The entry kind the registration gives: `graphql-resolver` for a function a resolver
    # map names (facts/graphql.py); with `every_export`, each function the module `ref`
    # names exports (`Query: { ...userQueries }` of a module namespace).
    kind: str = "http-handler"
    every_export: bool = False


@dataclass(frozen=True, slots=True)
class RouteSchema:
    """A request schema a route declares, which the framework checks before the handler
    runs: Fastify's `schema` option, express-openapi's `apiDoc`. See facts/route_schemas.py."""
    handler: int                 # function id of the handler
    parts: tuple[str, ...]       # body, query, params; `*` when the schema is not readable here
    how: str                     # `schema option`, `apiDoc`


@dataclass(frozen=True, slots=True)
class FieldUse:
    """A model field's value as code handles it, tied to the Prisma call that
    reads or writes the row (see facts/fields.py).

    path: field names from the call's model, through relations
    (`("tags",)`, `("lesson", "resources")`); the schema settles the model.
    action: write (`data`), filter (`where`), compare (`row.f === 'x'`,
    `switch`, `[...].includes(row.f)`), parse (`JSON.parse(row.f)`).
    value: literal, json (`JSON.stringify(...)`), computed (template, concat),
    pattern (`contains`/`search` filter), other (anything else)."""
    call: int                  # index into FileFacts.prisma_calls
    path: tuple[str, ...]
    action: str
    value: str
    literal: str | None        # the string, for value == literal
    span: Span


@dataclass(frozen=True, slots=True)
class SuppressionComment:
    """A `dbaudit-ignore` comment (see facts/comments.py).

    kind `line` covers the findings that start on `target`; kind `file` the
    whole file. `problem` says why it is malformed (no rule id, no reason, a
    file suppression below the header); a malformed one suppresses nothing."""
    kind: str                  # line, file
    rules: tuple[str, ...]
    reason: str
    span: Span
    target: int                # line a `line` suppression covers; 0 for `file`
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class RawFragment:
    """`Prisma.raw(x)`: SQL text spliced in unescaped."""
    span: Span
    sql_kind: str              # constant, template, concat, identifier, other
    function: int
    values: tuple[str, ...] = ()  # spliced values not proven harmless (as ArgSummary.raw_values)
    param_values: tuple[str, ...] = ()  # … of them, those computed from a parameter
    param_positions: tuple[int, ...] = ()  # … the positions of those parameters (ArgSummary's)
    imported: tuple[tuple[str, str, str], ...] = ()  # … (value, module, name): an imported function's result
    doubled: tuple[str, ...] = ()  # values quoted with their quotes doubled (as ArgSummary.raw_doubled)


@dataclass(frozen=True, slots=True)
class TaintStep:
    line: int
    note: str                  # `await req.json()`, `body = …`, `passed to buildData()`


@dataclass(frozen=True, slots=True)
class TaintFlow:
    """Request input reaching an argument of a Prisma operation in the same file,
    without a validator on the way (see facts/taint.py)."""
    source: str                # json, text, formData, form-get, body, query, search-params, params,
                               # action-param, trpc-input
    sink: int                  # index into FileFacts.prisma_calls
    argument: str              # top-level key it lands in (`data`, `where`), or `*` for the whole argument
    fields: tuple[str, ...]    # keys below it that carry input (`title`, `slug`)
    mass_assignment: bool      # the unvalidated payload (or a spread of it) is the whole write object
    coerced: bool              # only through Number()/parseInt()/new Date(): a number or date, unchecked
    steps: tuple[TaintStep, ...]  # source first, the Prisma call last
    function: int              # the function the source is read in
    checks: tuple[str, ...] = ()  # calls the value was handed to on the way (guards, same-file helpers)
    # `where` flows: the text of each tainted field's value (`userId`, `body.id`), and
    # whether every tainted value sits under a string-only filter (`{ contains: q }`).
    values: tuple[str, ...] = ()
    string_ops: bool = False


@dataclass(frozen=True, slots=True)
class HandedInput:
    """The caller half of a cross-file flow: request input passed, unvalidated, as
    argument `arg` of a call to a function of another file (found again by `span`)."""
    source: str
    span: Span                 # the call expression, as its CallSite has it
    arg: int
    key: str                   # "" the whole argument, else a property of an object-literal argument
    whole: bool                # the payload object itself
    coerced: bool
    steps: tuple[TaintStep, ...]
    function: int              # the function the source is read in
    checks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParamFlow:
    """The callee half: parameter `param` of an exported function (its property `key`
    when destructured, "" for the whole parameter) reaching a Prisma argument without a
    validator. `flow.source` is "param"."""
    function: int
    param: int
    key: str
    flow: TaintFlow


@dataclass(frozen=True, slots=True)
class OpaqueWait:
    """An awaited call of something the scan cannot follow (facts/waits.py): work whose
    nature is unknown, but work the function waits for."""
    function: int              # enclosing function id, -1 at module level
    start: int                 # byte offset of the call
    line: int
    callee: str                # its text, `agent.execute`

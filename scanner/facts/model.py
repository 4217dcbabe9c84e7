"""Per-file facts: plain, frozen, picklable data. No tree-sitter objects, so
facts can be cached by content hash and built in worker processes."""

from __future__ import annotations

from dataclasses import dataclass, field

# The Prisma operations live in operations.py; these names stay importable from here
# for extraction (extract.py, scopes.py, context.py, taint.py).
from .operations import (  # noqa: F401
    MODEL_OPS, RAW_METHODS, READ_OPS, TRANSACTION_METHOD, UNSAFE_RAW_METHODS, WRITE_OPS,
)

ITERATION_METHODS = frozenset({
    "map", "forEach", "flatMap", "filter", "reduce", "some", "every", "find", "findIndex",
})
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Span:
    """1-based lines and columns."""
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class ClientRef:
    """What a receiver expression is, as far as one file can tell.

    kind: `client` (known here), `import` (a binding from another module,
    settled by the project index), `none` (not a client)."""
    kind: str
    origin: str = ""            # how it was recognised, for `dbaudit facts`
    module: str | None = None   # import specifier (kind == import)
    name: str | None = None     # imported name: `default`, `*` or a named export
    members: tuple[str, ...] = ()  # member path below the import (`db.client`)
    tx_param: bool = False      # a transaction client (callback / typed parameter)
    # kind `param`: parameter `name` (its index) of function `function` of this file, a
    # client when every resolved caller passes one (the index decides).
    function: int = -1


NOT_CLIENT = ClientRef("none")


@dataclass(frozen=True, slots=True)
class ExportRef:
    """What a module exports under one name: a client, another module's export,
    an object holding clients (`export default { client }`), or nothing."""
    exported: str
    ref: ClientRef
    members: tuple[tuple[str, ClientRef], ...] = ()
    function: int | None = None  # the exported function's id, for the call graph
    line: int = 0


@dataclass(frozen=True, slots=True)
class Import:
    local: str
    module: str
    imported: str  # `default`, `*`, or the exported name
    line: int
    type_only: bool = False


@dataclass(frozen=True, slots=True)
class StarExport:
    module: str
    line: int


@dataclass(frozen=True, slots=True)
class LoopFrame:
    """A loop or iteration callback around a site, innermost first."""
    kind: str               # for, for-of, for-await, for-in, while, do, callback
    line: int
    end_line: int
    key: int                # node key, unique in the file
    method: str | None = None   # map, forEach, ... for callbacks
    parallel: bool = False      # async callback of map/flatMap/forEach: concurrent
    literal_len: int | None = None  # iterating a literal array of this many items
    header: str = ""            # normalised loop header text, for rules and `facts`
    function: int = -1          # the function the loop sits in
    iterable_import: tuple[str, str] | None = None  # (module, name) of an imported iterable
    in_condition: bool = False  # the site is in the loop's condition (a probe: `while (await q())`)
    awaits_before: bool = False  # callbacks: the site comes after an earlier `await` (not the same tick)
    start: int = 0              # byte span of the loop
    end: int = 0
    chunked: bool = False       # iterating the chunks of a chunking helper (`chunk(ids, 250)`)
    batch: bool = False         # while/do that ends when a batch fetched in its body is short or empty
    # Where the iterated collection comes from (facts/origins.py): rows, input, constant,
    # bounded or unknown, and the fact that says so (evidence for the finding).
    origin: str = "unknown"
    origin_note: str = ""


@dataclass(frozen=True, slots=True)
class TxFrame:
    """A transaction boundary around a site.

    kind: `callback` ($transaction(async tx => ...)), `array`
    ($transaction([...]) or an array/`.map` later passed to it), or
    `wrapper-callback` / `wrapper-array` (a call of a repo function that may
    forward to $transaction; the index decides)."""
    kind: str
    line: int
    through_param: bool = False  # callback forms: the site uses the callback's client
    callee: str = ""             # wrapper forms: callee text
    callee_ref: ClientRef | None = None  # wrapper forms: where the callee comes from


@dataclass(frozen=True, slots=True)
class BranchStep:
    """The site sits in arm `arm` of a branching node. Two sites with the same
    node key in different arms are mutually exclusive."""
    key: int
    kind: str        # if, switch, ternary, catch (the catch clause of a try: arm 1)
    arm: int
    exits: bool      # that arm always ends in return/throw
    start: int       # byte span of the branching node
    end: int
    ends_loop: bool = False  # that arm always ends in return/throw/break: leaves a loop
    ends_iteration: bool = False  # … or in `continue`: the rest of the loop body does not run after it
    # if arms: tests that hold whenever the arm runs (the condition's top-level `&&`
    # conjuncts, or the negated condition of an else), normalised as `a===b`, `a!==b`,
    # `!a` or `a`. Tests on variables the arm reassigns are kept here: they held on entry.
    tests: tuple[str, ...] = ()
    # Tests that hold after the arm has run: the entry tests on variables it does not
    # assign, and `x` for `if (!x && y) { x = y; … }`, which leaves `x` truthy.
    after_tests: tuple[str, ...] = ()
    # if arms: `if (buffer.length >= SIZE) { flush(buffer); buffer = [] }`, which runs once
    # per full buffer, not once per item of the loop around it.
    flushes: bool = False


def negate_test(t: str) -> str:
    """The opposite of a BranchStep test: `a===b` / `a!==b`, `a` / `!a`."""
    if "===" in t:
        return t.replace("===", "!==", 1)
    if "!==" in t:
        return t.replace("!==", "===", 1)
    return t[1:] if t.startswith("!") else f"!{t}"


@dataclass(frozen=True, slots=True)
class SiteContext:
    function: int                         # innermost enclosing function id, -1 at module level
    loops: tuple[LoopFrame, ...] = ()
    trys: tuple[int, ...] = ()            # keys of try statements / .catch calls guarding it
    tx: tuple[TxFrame, ...] = ()
    branches: tuple[BranchStep, ...] = ()
    awaited: bool = False
    parallel_group: int | None = None     # key of a Promise.all([...]) it is an element of
    start: int = 0                        # byte offsets, for ordering within a function
    end: int = 0
    catches: tuple[int, ...] = ()         # keys of try statements whose catch clause holds it
    # `return items.map((i) => prisma.x.update(…))`: the (lazy, not yet run) promise
    # leaves function `lazy_return` in the array it returns; its callers decide
    # whether the operations run in one $transaction([...]). -1 otherwise.
    lazy_return: int = -1


@dataclass(frozen=True, slots=True)
class ArgSummary:
    """The first argument of a Prisma operation, as far as it is a literal."""
    opaque: bool = False           # a variable, call or spread we cannot see into
    present: bool = True           # an argument was passed at all
    keys: tuple[str, ...] = ()     # top-level keys: where, take, data, ...
    where_empty: bool = False      # `where: {}`
    where_fields: tuple[str, ...] = ()   # scalar keys tested in where (AND/OR/NOT flattened)
    order_by_fields: tuple[str, ...] = ()
    data_fields: tuple[str, ...] = ()
    nested_writes: tuple[str, ...] = ()  # "posts.create", "tags.deleteMany"
    data_counters_only: bool = False    # every `data` field is `{ increment | decrement: n }`
    where_equality_only: bool = False   # only `field: value` equality on scalars
    raw_kind: str | None = None    # raw calls: tagged, constant, template, concat, identifier, other
    # raw calls built from values: the spliced values not proven harmless (facts/args.py
    # spliced_values); empty when every one is a constant, number, boolean, date or escaped.
    raw_values: tuple[str, ...] = ()
    # Top-level (AND) keys pinned to a value (`f: v`, `{ equals }`, `{ in }`) and compound
    # unique keys (`userId_trackId: {...}`): what an index prefix can be matched against.
    where_points: tuple[str, ...] = ()
    # `team: { slug: s }`: "team.slug" for each plain-valued key of a relation filter at the
    # top of `where` (which parent row the filter names, when that key is unique there).
    where_relation_points: tuple[str, ...] = ()
    where_opaque: bool = False     # a variable or spread in where may pin more than we see
    # Keys only tested in ways a plain B-tree index cannot serve: substring, full-text,
    # JSON and list operators (`contains`, `search`, `mode: 'insensitive'`, `has`, `path`)
    # and negations (`not: "x"`, `notIn`; `not: null` stays indexable).
    where_pattern_fields: tuple[str, ...] = ()
    where_null_fields: tuple[str, ...] = ()  # keys only tested against null (presence)
    where_set: bool = False        # some filter takes a set of values (`{ in: ids }`)


@dataclass(frozen=True, slots=True)
class PrismaCallCandidate:
    """`R.M.OP(...)` or `R.$method(...)` whose receiver may be a client."""
    receiver: str
    ref: ClientRef
    model: str | None          # lower-camel accessor, None for `$` methods
    operation: str
    span: Span
    args: ArgSummary
    ctx: SiteContext
    text: str                  # normalised call text (bounded), for fingerprints
    result: str | None = None  # the variable the (awaited) result is bound to
    narrowed: tuple[int, ...] = ()  # lines where those rows are filtered in JavaScript
    # `const [row] = await …; if (row) return row`: the end byte of that guard. Code
    # after it runs only when the call returned nothing (0 when there is none).
    exit_guard_end: int = 0


@dataclass(frozen=True, slots=True)
class ShapedCall:
    """`X.<model>.<op>(` or `X.$method(` whose receiver this file could not tell to be a
    client: counted as a Prisma-shaped call that was not analysed (the index keeps those
    whose model is one of the schema's), so a report can say what it did not see."""
    receiver: str
    model: str | None
    operation: str
    span: Span


@dataclass(frozen=True, slots=True)
class GivenArguments:
    """What a call passes, for a helper that queries only when an optional argument is
    missing (`if (hooks === undefined)`): at a call that passes it, that query never runs."""
    count: int
    nulls: tuple[int, ...] = ()  # indices passed a literal `undefined` or `null`
    # Object-literal arguments without a spread: (index, keys given a value other than
    # `undefined`/`null`), for destructured parameters (`{ webhooks }`).
    object_keys: tuple[tuple[int, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class CallSite:
    callee: str                # `loadStats`, `stats.load`, `this.load`
    ref: ClientRef | None      # import the callee comes from, if any
    local_function: int | None  # callee declared in this file
    span: Span
    ctx: SiteContext
    stored: bool = False       # the result is cached on a member (`X.instance = f()`, `g.x ??= f()`)
    given: GivenArguments | None = None  # None when a spread or a tagged template hides them
    # (argument index, what it is) for arguments that are or may be clients (`doWork(tx)`).
    client_args: tuple[tuple[int, ClientRef], ...] = ()
    # `s3.send()` where `const s3 = new S3Client()` and S3Client is imported: the module
    # specifier the receiver's class comes from (the index tells a package from repo code).
    package: str | None = None


@dataclass(frozen=True, slots=True)
class FunctionFact:
    id: int
    name: str
    kind: str                  # declaration, arrow, expression, method
    span: Span
    parent: int                # enclosing function id or -1
    is_async: bool
    params: tuple[str, ...]
    # (name, parameter index, key): `hooks` -> ("hooks", 0, ""); `{ webhooks }` or
    # `{ webhooks: w }` at the top of a destructured parameter -> ("webhooks"/"w", 0, "webhooks").
    param_names: tuple[tuple[str, int, str], ...] = ()
    exported_as: tuple[str, ...] = ()
    entry_kind: str | None = None   # a key of facts/entries.py ENTRY_KINDS: route-handler, remix-loader, …
    inline_callback: str | None = None  # callee text when passed inline as an argument
    class_name: str | None = None
    forwards_to_transaction: int | None = None  # param index passed on to $transaction
    start: int = 0
    end: int = 0


@dataclass(frozen=True, slots=True)
class ClientCreation:
    span: Span
    function: int              # -1 at module level
    binding: str | None
    global_reuse: bool         # `globalThis.prisma ?? new PrismaClient()` style
    returned: bool = False     # handed back by its function (a factory), not used and dropped there


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
    handler: int                 # function id of the handler it runs before
    callee: str                  # `validate`, `checks.body`, `validNote`
    ref: ClientRef | None        # the import the function comes from, if any
    local_function: int | None   # or the function of this file
    called: bool                 # `validate(S)`: the function returns the middleware; else it is one
    span: Span                   # of the call, or of the name


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
class FileFacts:
    path: str
    role: str
    grammar: str
    directives: tuple[str, ...] = ()
    imports: tuple[Import, ...] = ()
    exports: tuple[ExportRef, ...] = ()
    star_exports: tuple[StarExport, ...] = ()
    functions: tuple[FunctionFact, ...] = ()
    prisma_calls: tuple[PrismaCallCandidate, ...] = ()
    unresolved_calls: tuple[ShapedCall, ...] = ()
    call_sites: tuple[CallSite, ...] = ()
    clients_created: tuple[ClientCreation, ...] = ()
    catches: tuple[CatchFact, ...] = ()
    inputs: tuple[InputSource, ...] = ()
    field_uses: tuple[FieldUse, ...] = ()
    validations: tuple[ValidationCall, ...] = ()
    middlewares: tuple[Middleware, ...] = ()
    suppressions: tuple[SuppressionComment, ...] = ()
    raw_fragments: tuple[RawFragment, ...] = ()
    # Module-level `const NAME = [...]` literals and their lengths (bounded loops).
    const_arrays: tuple[tuple[str, int], ...] = ()
    # Exported tRPC procedure builders that declare `.input(schema)` themselves
    # (`export const workspaceProcedure = protectedProcedure.input(…)`): procedures built on
    # them in other files get validated input.
    input_builders: tuple[str, ...] = ()
    taint: tuple[TaintFlow, ...] = ()
    handed_inputs: tuple[HandedInput, ...] = ()
    param_flows: tuple[ParamFlow, ...] = ()
    parse_errors: tuple[tuple[int, int, str], ...] = ()
    notes: tuple[tuple[str, str], ...] = ()   # (warning kind, message): why facts are missing or incomplete
    line_count: int = 0
    extra: dict = field(default_factory=dict, compare=False)


def _fast_pickling() -> None:
    """Slotted frozen dataclasses unpickle through a per-object `fields()` walk,
    which dominates a warm (cached) scan. Rebuild them from a plain tuple instead."""
    import dataclasses

    def reducer(cls, names):
        def __reduce__(self):
            return cls, tuple(getattr(self, n) for n in names)
        return __reduce__

    for obj in list(globals().values()):
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and hasattr(obj, "__slots__"):
            names = tuple(f.name for f in dataclasses.fields(obj) if f.init)
            obj.__reduce__ = reducer(obj, names)


_fast_pickling()

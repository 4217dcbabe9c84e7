"""Per-file facts: plain, frozen, picklable data. No tree-sitter objects, so
facts can be cached by content hash and built in worker processes."""

from __future__ import annotations

from dataclasses import dataclass

from .fast_records import speed_up
from .records import (  # noqa: F401 (re-exported: every fact record is importable from here)
    CatchFact, FieldUse, HandedInput, HandlerRef, HandlerSummary, InputSource, Middleware, OpaqueWait, ParamFlow,
    RawFragment, RouteSchema, SuppressionComment, TaintFlow, TaintStep, ValidationCall,
)

# The Prisma operations (operations.py), importable from here for extraction.
from .operations import (  # noqa: F401
    MODEL_OPS, RAW_METHODS, READ_OPS, TRANSACTION_METHOD, UNSAFE_RAW_METHODS, WRITE_OPS,
)

ITERATION_METHODS = frozenset({
    "map", "forEach", "flatMap", "filter", "reduce", "some", "every", "find", "findIndex",
})
# Of those, the methods that call the callback for every item in one go: each call runs up to its
# first `await`, so async callbacks run side by side and what they start before it in one tick.
SAME_TICK_METHODS = frozenset({"map", "flatMap", "forEach"})
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Span:
    """1-based lines and columns."""
    line: int
    column: int
    end_line: int
    end_column: int

    def contains(self, other: "Span") -> bool:
        return (self.line, self.column) <= (other.line, other.column) \
            and (other.end_line, other.end_column) <= (self.end_line, self.end_column)


@dataclass(frozen=True, slots=True)
class ClientRef:
    """What a receiver expression is, as far as one file can tell.

    kind: `client` (known here), `import` (a binding from another module, settled by the
    project index), `none` (not a client), `global` (an undeclared `name`: Nitro's auto-imports)."""
    kind: str
    origin: str = ""            # how it was recognised, for `dbaudit facts`
    module: str | None = None   # import specifier (kind == import)
    name: str | None = None     # imported name: `default`, `*` or a named export
    members: tuple[str, ...] = ()  # member path below the import (`db.client`)
    tx_param: bool = False      # a transaction client (callback / typed parameter)
    # kind `param`: parameter `name` (its index) of function `function` of this file, a
    # client when every resolved caller passes one (the index decides).
    function: int = -1
    # A receiver read from a parameter's property (`const { prisma } = input`, `input.prisma`,
    # `({ db }) => …`): (function id, parameter index, key), so that the index can ask what the
    # callers pass there (`helper({ prisma: tx })`): a transaction client from every caller
    # puts the receiver's writes inside their transactions.
    given: tuple[int, int, str] | None = None


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
    # Functions held as members: `export default { createUser }`, a class's methods and
    # function fields, `export default new UserController()`: (member, function id).
    member_functions: tuple[tuple[str, int], ...] = ()


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
    chain_from: tuple[str, ...] = ()  # while/do: names whose values advance its test (frames.chain_fields)
    flag_by: tuple[str, ...] = ()  # while/do: names deciding the flags its test reads (frames.chain_fields)
    # Where the iterated collection comes from (facts/origins.py: rows, input, constant, …), and why.
    origin: str = "unknown"
    origin_note: str = ""
    # origin "param": (the function id, the parameter's position, its destructured key or "").
    origin_param: tuple[int, int, str] | None = None
    # origin "call": (line, column) of the call whose result it iterates (its CallSite's span).
    origin_call: tuple[int, int] | None = None


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
    kind: str        # if, switch, ternary, catch (of a try: arm 1), tail (of a loop body that leaves)
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
    # `const v = await q(); if (v) return v;` in a loop: the line leaving it with v (searches.py), or 0
    found_exit: int = 0

    def arms_within(self, other: "SiteContext") -> bool:
        """Every if/switch/catch arm this site sits in also holds `other`: as far as branches
        go, this site runs whenever `other` does."""
        arms = {(b.key, b.arm) for b in other.branches}
        return all((b.key, b.arm) in arms for b in self.branches)


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
    data_counters: tuple[str, ...] = ()  # the `data` fields that are (`views: row.views + 1` too)
    where_equality_only: bool = False   # only `field: value` equality on scalars
    raw_kind: str | None = None    # raw calls: tagged, constant, template, concat, identifier, other
    # raw calls built from values: the spliced values not proven harmless (raw_sql.spliced_values).
    raw_values: tuple[str, ...] = ()
    # … and those of them computed from a parameter of an enclosing function (its callers decide).
    raw_param_values: tuple[str, ...] = ()
    # The positions of the parameters of the function around the SQL that those come from,
    # () when one is a closure's or a callback's: its callers' arguments in those places decide.
    raw_param_positions: tuple[int, ...] = ()
    # (value, module, name) of those an imported function returns (`const { t } = tableFor(k)`).
    raw_imported: tuple[tuple[str, str, str], ...] = ()
    # … and apart, values quoted with their quotes doubled (`'${v.replace(/'/g, "''")}'`, raw_quoting).
    raw_doubled: tuple[str, ...] = ()
    # Top-level (AND) keys pinned to a value (`f: v`, `{ equals }`, `{ in }`) and compound
    # unique keys (`userId_trackId: {...}`): what an index prefix can be matched against.
    where_points: tuple[str, ...] = ()
    # `team: { slug: s }`: "team.slug" for each plain-valued key of a relation filter at the
    # top of `where` (which parent row the filter names, when that key is unique there).
    where_relation_points: tuple[str, ...] = ()
    # Keys pinned to a value the function decides itself (`userId: session.user.id`; facts/calls.py).
    where_scoped: tuple[str, ...] = ()
    where_opaque: bool = False     # a variable or spread in where may pin more than we see
    # Keys only tested in ways a plain B-tree index cannot serve: substring, full-text, JSON and list operators
    # (`contains`, `search`, `mode: 'insensitive'`, `has`, `path`), negations (`not: "x"`, `notIn`; not `not: null`).
    where_pattern_fields: tuple[str, ...] = ()
    where_null_fields: tuple[str, ...] = ()  # keys only tested against null (presence)
    where_set: bool = False        # some filter takes a set of values (`{ in: ids }`)
    # What `include` / `select` read, as dotted paths (`posts`, `posts.comments`): the joins.
    reads: tuple[str, ...] = ()


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
    # `current = await prisma.folder.findUnique(…)`: the existing variable the result is
    # assigned to (a chain walk when a loop's condition tests it).
    assigned_to: str | None = None
    # `ops.push(prisma.x.delete(…))`, not awaited: the array that holds the unrun query.
    collected_into: str | None = None


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
    # Indices passed a literal (string, number, boolean, a template with no `${}`) or a
    # SCREAMING_CASE constant: what a raw SQL helper's callers splice, for instance.
    constants: tuple[int, ...] = ()
    # Indices passed a value computed in the calling function from none of its parameters
    # nor a handler's (constants, configuration, rows it read): no caller of it decides them.
    computed: tuple[int, ...] = ()
    # (index, positions): passed a value computed only from the calling function's own
    # parameters at those positions, so its callers decide it.
    forwarded: tuple[tuple[int, tuple[int, ...]], ...] = ()
    # (index, key or "", kind, note): arguments (or object-literal arguments' values) whose list
    # origin is known (facts/origins.py): what a callee's loop over that parameter iterates.
    collections: tuple[tuple[int, str, str, str], ...] = ()


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
    # Nothing waits for it: a statement of its own without await, or handed to waitUntil()/after().
    discarded: bool = False
    # (argument index, key, what it is) for object-literal arguments' properties that are or may
    # be clients (`deleteOwned({ prisma: tx, id })`).
    client_props: tuple[tuple[int, str, ClientRef], ...] = ()
    # `bus.emit("activityLog", …)`, `bus.on("activityLog", …)`: the event a call emits or
    # listens to, when it names it with a string literal.
    event: str | None = None
    dropped: bool = False      # its value is never used: a statement of its own (`await f(x);`)


@dataclass(frozen=True, slots=True)
class FunctionFact:
    id: int
    name: str
    kind: str                  # declaration, arrow, expression, method
    span: Span
    parent: int                # enclosing function id or -1
    is_async: bool
    params: tuple[str, ...]
    # (name, parameter index, key): `hooks` -> ("hooks", 0, ""); `{ webhooks: w }` -> ("w", 0, "webhooks").
    param_names: tuple[tuple[str, int, str], ...] = ()
    exported_as: tuple[str, ...] = ()
    entry_kind: str | None = None   # a key of facts/entries.py ENTRY_KINDS: route-handler, remix-loader, …
    inline_callback: str | None = None  # callee text when passed inline as an argument
    listener: bool = False     # registered inline to run later, once per event (facts/listeners.py)
    class_name: str | None = None
    forwards_to_transaction: int | None = None  # param index passed on to $transaction
    # How a timer runs it (`@Cron()`, `cron.schedule()`, `setInterval()`): no caller waits for it.
    scheduled: str = ""
    start: int = 0
    end: int = 0
    # (kind, note) of the list it returns, as its file shows it (facts/origins.py returned_origin).
    returns_origin: tuple[str, str] | None = None
    # Every return is a constant or a record of constants (facts/raw_constants.py; exported only).
    returns_constant: bool = False
    passes_on: tuple[int, int] | None = None  # facts/wrappers.py: (wrapped parameter, arguments it adds)


@dataclass(frozen=True, slots=True)
class ClientCreation:
    span: Span
    function: int              # -1 at module level
    binding: str | None
    global_reuse: bool         # `globalThis.prisma ?? new PrismaClient()` style
    returned: bool = False     # handed back by its function (a factory), not used and dropped there
    production_only: bool = False  # runs only when NODE_ENV is production: no hot reload there
    memoised: bool = False     # kept in a module variable its function tests first (`if (!db) db = new …`)
    module: str = ""           # where the class comes from: one generated client per schema


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
    opaque_waits: tuple[OpaqueWait, ...] = ()
    # facts/callbacks.py: (function, parameter, client arguments) of calls of a parameter, and
    # (function, call span, argument position) of functions written inline as arguments.
    param_calls: tuple[tuple[int, int, tuple[tuple[int, ClientRef], ...]], ...] = ()
    handed_callbacks: tuple[tuple[int, Span, int], ...] = ()
    # (function, line of its `onClick={…}`) of functions only a browser event runs (browser_handlers.py)
    browser_handlers: tuple[tuple[int, int], ...] = ()
    clients_created: tuple[ClientCreation, ...] = ()
    catches: tuple[CatchFact, ...] = ()
    inputs: tuple[InputSource, ...] = ()
    field_uses: tuple[FieldUse, ...] = ()
    validations: tuple[ValidationCall, ...] = ()
    middlewares: tuple[Middleware, ...] = ()
    handler_refs: tuple[HandlerRef, ...] = ()   # handlers registered here, defined in other modules
    route_schemas: tuple[RouteSchema, ...] = ()
    suppressions: tuple[SuppressionComment, ...] = ()
    raw_fragments: tuple[RawFragment, ...] = ()
    const_arrays: tuple[tuple[str, int], ...] = ()   # module-level `const NAME = [...]` / `{...}`: items, keys
    dev_only: tuple[tuple[int, int, int], ...] = ()   # facts/dev_only.py: (first, last, test line)
    input_builders: tuple[str, ...] = ()   # exported tRPC builders that declare `.input(schema)` themselves
    lone_functions: tuple[int, ...] = ()   # facts/lone_functions.py: top-level or plain methods, named once
    array_caps: tuple[tuple, ...] = ()   # facts/array_caps.py: zod schemas' capped array fields
    augments: tuple[tuple[str, str, str, ClientRef], ...] = ()  # facts/augments.py: (module, interface, member, ref)
    taint: tuple[TaintFlow, ...] = ()
    handed_inputs: tuple[HandedInput, ...] = ()
    param_flows: tuple[ParamFlow, ...] = ()
    parse_errors: tuple[tuple[int, int, str], ...] = ()
    notes: tuple[tuple[str, str], ...] = ()   # (warning kind, message): why facts are missing or incomplete
    module_traits: tuple[str, ...] = ()   # facts/module_traits.py: "declarations", "loads-by-path"


speed_up(globals())   # every record here and in records.py: a faster __init__ and __reduce__

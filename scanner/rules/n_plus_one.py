"""n-plus-one: a Prisma operation runs once per item of a collection, directly
or through functions the loop calls (rules.md §1).

What is *not* one query per item, learnt from real repositories
(docs/accuracy.md): loops over a few constants, retry and probe loops,
pagination and batch loops (one query per page or chunk), queries that leave
the loop, Prisma's dataloader batching of findUnique, and writes collected for
one `$transaction([...])`."""

from __future__ import annotations

import re

from ..facts.entries import a_kind, entry_kind
from ..facts.argument_origins import IMPORTED
from ..facts.branch_tests import test_names
from ..facts.model import SAME_TICK_METHODS, LoopFrame, SiteContext
from ..facts.nodes import mention
from ..facts.operations import BATCHED_BY_DATALOADER as _BATCHED_BY_DATALOADER, UPDATE_OPS
from ..findings import Related, Severity
from ..index import FunctionKey, PrismaCall, ProjectIndex
from .base import Rule, RuleContext
from ..analysis.bookkeeping import step_marker
from ..analysis.callee_names import durable_step
from ..analysis.external_io import external_io_in_loop, paced
from ..analysis.failure_records import failure_recorded
from ..analysis.missing_arms import missing_arms
from ..analysis.handed import handed_at
from ..analysis.read_through import cached_read
from ..analysis.row_locks import row_lock_in_loop
from ..analysis.schema_shape import unique_fields
from ..analysis.sources import source_lines

# A literal array of at most this many items is not "a collection".
FEW_CONSTANTS = 5
# Retry, probe and polling loops run one operation until it succeeds or time runs out.
_PROBE = re.compile(r"\b(attempts?|retr(y|ies)|tries|maxRetries|deadline|timeout)\b|Date\.now", re.I)
# A counted `for` that steps one item at a time (`i++`, `i += 1`); `i += CHUNK` steps a chunk.
_PER_ITEM_STEP = re.compile(r"\+\+|--|[+-]=\s*1\s*\)")
# A counted `for` whose bound is a number written in the code (`i < 5`, `i <= 3`): a fixed
# number of rounds (a retry or a probe for a free value), not a collection's items.
_LITERAL_BOUND = re.compile(r";\s*[A-Za-z_$][\w$]*\s*(<=?)\s*(\d+)\s*;")
# A while loop that walks items: `while (i < ids.length)`, `while (queue.length)`,
# `while (node?.parentId)`.
_WALKS_ITEMS = re.compile(r"\.length\b|\.size\b|parent|\.next\b|\bnext[A-Z]\w*", re.I)
_WALKS_CHAIN = re.compile(r"(while|do)\s*\(\s*!?\s*[A-Za-z_$][\w$]*(\??\.[A-Za-z_$][\w$]*)?\s*\)$")
# Flags of pagination, polling and worker loops, not items: `while (hasMore)`, `while (running)`.
_STATE_FLAG = re.compile(r"more|cursor|running|active|done|finished|continue|again|abort|stop|"
                         r"true|keepGoing|shouldRun", re.I)
# A counted loop over pages or chunks (`for (let page = 0; page < n; page++)`).
_BATCH_WORDS = re.compile(r"chunk|batch|page", re.I)
# Wrappers that memoise a function: React's `cache()` runs it once per request,
# Next's `unstable_cache()` once per revalidation window, the others once per key.
# They key by the arguments, so only a getter without parameters queries once.
_MEMOISERS = re.compile(r"(^|\.)(cache|unstable_cache|memoize|memoizee|memoizeOne|memoizeWith|pMemoize|"
                        r"moize|useCache)$")


def _not_memoised(fn) -> bool:
    return (fn is None or fn.inline_callback is None or bool(fn.params)
            or not _MEMOISERS.search(fn.inline_callback))


def _loop_label(loop: LoopFrame) -> str:
    if loop.kind == "callback":
        return f"`{loop.header}(...)` callback"
    return f"`{loop.header}`" if loop.header else f"{loop.kind} loop"


def _collection_loop(loop: LoopFrame) -> bool:
    """A loop over the items of a collection, rather than over pages, chunks, time
    or a state (`while (!aborted)`, `for (;;)`, `for (…; i += CHUNK)`), whose
    queries run once per batch or per tick, not per item."""
    if loop.chunked or loop.batch:
        return False  # one statement per chunk of a `chunk(ids, n)` helper, or per fetched batch
    if loop.kind in ("for-of", "for-in", "for-await", "callback"):
        return True
    if loop.kind == "for":
        return bool(_PER_ITEM_STEP.search(loop.header)) and not _BATCH_WORDS.search(loop.header)
    # while / do: walking an array or queue by index, or a linked chain of rows
    # (`while (currentId)` reassigned from each row).
    if _BATCH_WORDS.search(loop.header) or _STATE_FLAG.search(loop.header):
        return False
    return bool(_WALKS_ITEMS.search(loop.header) or _WALKS_CHAIN.match(loop.header))


def _paginates(call: PrismaCall) -> bool:
    keys = set(call.call.args.keys)
    return "take" in keys and bool(keys & {"cursor", "skip"})


def _imported_len(index: ProjectIndex, path: str, loop: LoopFrame) -> int | None:
    found = _const_array(index, path, *loop.iterable_import) if loop.iterable_import is not None else None
    return found[1] if found is not None else None


def _const_array(index: ProjectIndex, path: str, module: str, name: str) -> tuple[str, int] | None:
    """(the module's path, the length) of the `const` array literal `name` that `module`,
    imported into `path`, declares at its top level; None when it declares none."""
    target = index.modules.resolve(path, module)
    n = dict(index.files[target].const_arrays).get(name) if target in index.files else None
    return (target, n) if n is not None else None


def _imported_constant(index: ProjectIndex, path: str, module: str, name: str) -> tuple[str, str] | None:
    """("constant", note) when `name`, imported into `path` from `module`, is a constant list
    that module declares (`export const exportIds = ['a', 'b', …] as const`), of any length, or
    the data of a JSON file (`import statuses from './seed/statuses.json'`)."""
    if module.endswith(".json"):   # data the repository holds: as many items as the file has
        return "constant", f"the JSON data of {module}, a file of the repository"
    found = _const_array(index, path, module, name)
    return ("constant", f"the constant list {name} of {found[1]} item(s) ({found[0]})") if found and found[1] else None


def _bounded(index: ProjectIndex, path: str, loop: LoopFrame) -> bool:
    """A loop over a few constants, or a retry/probe/polling loop."""
    n = loop.literal_len if loop.literal_len is not None else _imported_len(index, path, loop)
    if n is not None and n <= FEW_CONSTANTS:
        return True
    if loop.in_condition:
        return True  # `while (await prisma.x.findFirst(...))`: probing for a free name
    bound = _LITERAL_BOUND.search(loop.header) if loop.kind == "for" else None
    if bound is not None and int(bound.group(2)) + (bound.group(1) == "<=") <= FEW_CONSTANTS:
        return True  # `for (let i = 0; i < 5; i++)`: five tries at most
    return loop.kind in ("for", "while", "do") and bool(_PROBE.search(loop.header))


def _arms_inside(ctx: SiteContext, loop: LoopFrame):
    """The site's branch steps that sit inside `loop`."""
    return (b for b in ctx.branches if b.start >= loop.start and b.end <= loop.end)


def _leaves_loop(ctx: SiteContext, loop: LoopFrame) -> bool:
    """The site sits in a branch (inside the loop) that returns, throws or breaks:
    it runs at most once per run of the loop."""
    if loop.kind == "callback":
        return False  # `return` in a callback ends one item's call, not the iteration
    return loop.end > 0 and any(b.ends_loop for b in _arms_inside(ctx, loop))


# An arm's test that holds once per batch of rounds (`i % BATCH_SIZE === 0`, `0 === n % 50`):
# K a named size or a number of at least 10, not every other round.
_EVERY_KTH = re.compile(r"%(?:[A-Za-z_$][\w$.]*|[1-9]\d+)===?0$|^0===?[\w$.]+%(?:[A-Za-z_$][\w$.]*|[1-9]\d+)$")


def _flushes_buffer(ctx: SiteContext, loop: LoopFrame) -> bool:
    """The site sits in an arm, inside the loop, that flushes a full buffer, or that runs on
    every K-th round only (progress saved once per batch): once per batch of items."""
    return any(b.flushes or any(_EVERY_KTH.search(t) for t in b.tests) for b in _arms_inside(ctx, loop))


def _returns_from(ctx: SiteContext, loop: LoopFrame) -> bool:
    """The site sits in a branch inside `loop` that returns or throws: it ends every
    loop around it too, not only the innermost (as `break` does)."""
    return loop.kind != "callback" and loop.end > 0 and any(b.exits for b in _arms_inside(ctx, loop))


def _item_loop(index: ProjectIndex, path: str, ctx: SiteContext) -> LoopFrame | None:
    """The innermost loop over a collection's items that the site runs once per item of,
    or None. An inner batch, page or retry loop does not hide an outer loop over items:
    `for (const link of links) { while (true) { updateMany({ limit }) … } }` still runs
    the statement at least once per link."""
    if any(f.kind == "array" for f in ctx.tx):
        return None  # built for one batched $transaction([...]): the fix itself
    if any(_bounded(index, path, l) for l in ctx.loops):
        return None
    for i, loop in enumerate(ctx.loops):
        if _flushes_buffer(ctx, loop):
            return None
        if (i == 0 and _leaves_loop(ctx, loop)) or _returns_from(ctx, loop):
            return None
        if _collection_loop(loop):
            return loop
    return None


def _dataloader_batched(call: PrismaCall, loop: LoopFrame) -> bool:
    """`Promise.all(ids.map((id) => prisma.user.findUnique({ where: { id } })))`, or the same
    in `forEach`: Prisma Client batches findUnique calls of one tick into one IN query."""
    return (loop.kind == "callback" and loop.method in SAME_TICK_METHODS
            and call.operation in _BATCHED_BY_DATALOADER
            and call.call.args.where_equality_only and not loop.awaits_before)


def _dataloader_note(call: PrismaCall, loop: LoopFrame) -> str:
    """Say why Prisma's findUnique batching does not apply here."""
    if call.operation in _BATCHED_BY_DATALOADER:
        if loop.kind != "callback" or loop.method not in SAME_TICK_METHODS:
            return " (findUnique calls awaited one at a time are not batched by Prisma's dataloader)"
        if loop.awaits_before:
            return " (the callback awaits before the call, so the calls do not start in one tick " \
                   "and Prisma's dataloader does not batch them)"
        return " (the dataloader batches findUnique only with plain equality filters)"
    if loop.kind == "callback" and call.kind == "read":
        return f" ({call.operation} is not batched; only findUnique is)"
    return ""


# The loop's item (`for (const t of tables)`), or the counter of a counted loop (`for (let i = 1;
# …; i++)`), which takes each value once: a test of it against a literal picks one round.
_ITEM = re.compile(r"for\s*(?:await\s*)?\(\s*(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?:(?:of|in)\b|=[^;]*;)")
_LITERAL = r"(\"[^\"]*\"|'[^']*'|-?\d+(?:\.\d+)?)"


def _dispatched_value(site: SiteContext, loop: LoopFrame) -> str | None:
    """The literal the site's arm inside the loop compares the loop's item itself with
    (`for (const table of tables) switch (table) { case "Unit": … }`, `if (kind === "a")`):
    the query runs for that value only, however long the list. A test of an item's field
    (`order.status === "PAID"`) is not one: it selects rows, each still costing a query."""
    m = _ITEM.match(loop.header)
    if m is None:
        return None
    item = re.escape(m.group(1))
    for b in _arms_inside(site, loop):
        for t in b.tests:
            found = re.fullmatch(rf"{_LITERAL}==={item}|{item}==={_LITERAL}", t)
            if found is not None:
                return found.group(1) or found.group(2)
    return None


def _confidence(index: ProjectIndex, path: str, site: SiteContext,
                loop: LoopFrame, schema=None) -> tuple[str, tuple[str, ...]]:
    """How sure a per-item query is an N+1 that matters (rules.md §8): by where the
    loop's collection comes from, and by whether the per-item work is by design."""
    if durable_step(site) is not None:
        return "low", ("each item is a durable workflow step (step.run): per-item by design",)
    lock = row_lock_in_loop(index, path, loop)
    if lock is not None:
        return "low", (f"each item takes an explicit lock ({lock[0]}, line {lock[1]}): the loop claims one "
                       "row at a time on purpose, which one batched query would undo",)
    failed = failure_recorded(index, path, site, loop)
    if failed is not None:
        return "low", (f"each item's failure is caught inside the loop and recorded ({failed[0]}, line "
                       f"{failed[1]}): items are processed one by one on purpose, each with its own outcome, "
                       "which one batched query would merge",)
    io = external_io_in_loop(index, path, site, loop)
    if io is not None and paced(io):
        return "low", (f"each item waits on a timer ({io[0]}, line {io[1]}): the loop is paced on purpose "
                       "(a rate limit), so one batched query would not make it faster",)
    if io is not None:
        return "low", (f"each item also awaits {io[0]} (line {io[1]}), work outside the database: "
                       "per-item by design, and one batched query would not save that",)
    if any(b.kind == "catch" and loop.start <= b.start and b.end <= loop.end for b in site.branches):
        return "low", ("the query runs in a catch clause inside the loop: only for the items that fail",)
    if any(b.kind == "catch" and b.start <= loop.start and loop.end <= b.end for b in site.branches):
        return "low", ("the loop runs in a catch clause: a fallback, item by item, for when the work "
                       "before it failed",)
    value = _dispatched_value(site, loop)
    if value is not None:
        return "low", (f"the query runs only for the item that equals {value} (the loop dispatches on its "
                       "items): once per value the list holds, not once per row",)
    if site.found_exit and loop is site.loops[0]:
        return "low", (f"the loop stops at the first item the query finds something for (line {site.found_exit} "
                       "leaves it with that value): a search in order, which usually ends after a few items",)
    timer = index.scheduled(path, site.function, routes=False)
    if timer is not None:
        return "low", (f"{timer[0]}() runs on a schedule ({timer[1]}), outside the request path: no "
                       "request waits for the loop",)

    origin, note = loop.origin, loop.origin_note
    if origin == "unknown" and loop.iterable_import is not None:
        origin, note = _imported_constant(index, path, *loop.iterable_import) or (origin, note)
    if origin == "call":
        returned = _returned(index, path, loop)
        if returned is None:
            return "medium", (f"the origin of the collection of the {_loop_label(loop)} is not known "
                              f"({note}: a function the scan does not have, or whose returns it cannot "
                              "trace)",)
        where = f" ({returned[2]})" if returned[2] != path else ""
        origin, note = returned[0], f"{note}{where}: {returned[1]}"
    if origin == "param":
        return _by_callers(index, path, loop)
    if origin == "pinned" and loop.origin != "call":
        pin = _unique_pin(index, path, note, schema)
        if pin is not None:
            most = "one row (the loop runs once at most)" if pin[1] == 1 else \
                f"{pin[1]} rows, one per value the code lists (a fixed number of times)"
            return "quiet", (f"the loop iterates {note}: {pin[0]} is unique, so at most {most}",)
    return _by_origin(origin, note, index.entry_kind(path, site.function) is not None, loop)


# The line of the read a loop's rows come from, as facts/origins.py writes it into the origin
# note ("rows of prisma.x.findMany() (line 12), filtered on …"): the loop frame keeps no span
# of that read.
_LINE = re.compile(r"\(line (\d+)\)")


# "…, name in a list of 5": a `where` key facts/origins.py saw pinned to a list written out.
_IN_LIST = re.compile(r", ([\w$]+) in a list of (\d+)")


def _unique_pin(index: ProjectIndex, path: str, note: str, schema) -> tuple[str, int] | None:
    """(the unique field (`@id`, `@unique`), how many rows at most) when the loop's `findMany`,
    in its own file, pins it to one value (one row) or to a list whose length the code fixes
    (`name: { in: ["a", "b", "c"] }`: three rows at most; `id: { in: [...SYSTEM_IDS] }`)."""
    m = _LINE.search(note)
    if schema is None or m is None:
        return None
    line = int(m.group(1))
    for c in index.calls_in(path):
        if c.line != line or c.operation != "findMany" or c.model is None:
            continue
        model = schema.by_client_name(c.model)
        unique = set(c.call.args.where_points) & unique_fields(model) if model is not None else set()
        # (Equality only: `id: { in: ids }` pins the field to a list, as many rows as it holds.)
        if unique and c.call.args.where_equality_only:
            return f"{model.name}.{sorted(unique)[0]}", 1
        # (A constant list of any length is a fixed number of rounds, as a loop over it is.)
        listed = [(k, int(n)) for k, n in _IN_LIST.findall(note) if k in unique]
        if listed:
            return f"{model.name}.{listed[0][0]}", listed[0][1]
    return None


# What a loop over a list of each origin (facts/origins.py) is worth, and why (rules.md §8).
# A page the code fixes is low outside a request entry point; inside one, _PAGE_IN_ENTRY.
_BY_ORIGIN = {
    "constant": ("quiet", "a fixed, small number of times"),
    "capped": ("low", "a few items at most, as the code's own bound on its length makes sure"),
    "rows": ("high", "as many items as production data or the caller decides"),
    "input": ("high", "as many items as production data or the caller decides"),
    "page": ("low", "a page whose size the code fixes, worked outside a request entry point: a bounded "
                    "batch by design"),
    "bounded": ("medium", "bounded, but each page still costs one query per item"),
    "pinned": ("medium", "bounded by the filter, by how much is not known"),
    "one-row": ("low", "one parent's list (a relation or an array field of that row), as long as that "
                       "row's data, not a table's"),
}
_PAGE_IN_ENTRY = ("medium", "a page whose size the code fixes, but a request waits for its queries, one "
                            "per item")


# The size a page's note gives (`which has take: 10`, `take: LIMIT = 5`).
_PAGE_SIZE = re.compile(r"which has take: (?:[\w$.]+ = )?(\d+)")


def _by_origin(origin: str, note: str, in_entry: bool, loop: LoopFrame) -> tuple[str, tuple[str, ...]]:
    """The grade of a loop over a collection of this origin. A page the code fixes at a few
    rows (`take: 10`) is as small as a list the code caps at that length, wherever it runs."""
    size = _PAGE_SIZE.search(note) if origin == "page" else None
    if size is not None and int(size.group(1)) <= _FEW:
        return "low", (f"the loop iterates {note}: a few queries at most, as the code fixes the page at "
                       f"{size.group(1)} rows",)
    graded = _PAGE_IN_ENTRY if origin == "page" and in_entry else _BY_ORIGIN.get(origin)
    if graded is None:
        return "medium", (f"the origin of the collection of the {_loop_label(loop)} is not known",)
    return graded[0], (f"the loop iterates {note}: {graded[1]}",)


def _returned(index: ProjectIndex, path: str, loop: LoopFrame) -> tuple[str, str, str] | None:
    """What the repo function a loop's collection is the result of returns, as far as its own
    file knows it (rows of a read, a page, one row's list, a constant), and its file: one call
    followed, across files too."""
    at = loop.origin_call
    site = next((s for s in index.files[path].call_sites if (s.span.line, s.span.column) == at), None) \
        if at is not None else None
    target = index.callee(path, site) if site is not None else None
    fn = index.function(target) if target is not None else None
    if fn is None or fn.returns_origin is None:
        return None
    return (*fn.returns_origin, target.path)


# Callers' lists take _BY_ORIGIN's grades: one that passes rows of an unbounded read or request
# input proves the N+1; the loop is as small as the largest list any caller passes.
_GRADE_ORDER = ("quiet", "low", "medium", "high")


def _by_callers(index: ProjectIndex, path: str, loop: LoopFrame) -> tuple[str, tuple[str, ...]]:
    """A loop over a parameter: what the function's callers pass there decides. Graded by the
    largest list any caller passes when the scan sees every caller's; medium when it sees no
    caller or one caller's list is not known."""
    fid, position, key = loop.origin_param or (-1, -1, "")
    source = _entry_input(index, FunctionKey(path, fid), position, key) if fid >= 0 else None
    capped = _schema_cap(index, path, fid, key, loop) if source is not None else None
    if capped is not None:
        member, cap = capped
        grade = "low" if cap <= _FEW else "medium" if cap <= _PAGE else "high"
        return grade, (f"the loop iterates {loop.origin_note}, request input of {a_kind(source)} whose schema "
                       f"caps `{key}.{member}` at {cap} items: {_CAPPED[grade]}",)
    if source is not None:
        return "high", (f"the loop iterates {loop.origin_note}, request input of {a_kind(source)}: "
                        f"{_PASSED['input']}",)
    callers = index.callers(FunctionKey(path, fid)) if fid >= 0 else []
    if not callers:
        return "medium", (f"the loop iterates {loop.origin_note}: as many items as its callers pass, and "
                          "the scan sees none of them",)
    passed, offset = [], index.argument_offset(FunctionKey(path, fid))
    for cpath, site in callers:
        given = site.given
        known = next(((kind, note) for i, k, kind, note in given.collections
                      if i + offset == position and k == key), None) if given is not None else None
        if known is not None and known[0] == IMPORTED:
            known = _imported_constant(index, cpath, *known[1].split(" ", 1))
        if known is None and any(h.arg + offset == position and h.key in ("", key)
                                 for h in handed_at(index, cpath, site)):
            known = ("input", "request input")
        where = f"{cpath}:{site.span.line}" if cpath != path else f"line {site.span.line}"
        if known is None:
            return "medium", (f"the loop iterates {loop.origin_note}: as many items as its callers pass, and "
                              f"where the list a caller passes ({where}) comes from is not known",)
        passed.append((_BY_ORIGIN.get(known[0], ("medium",))[0], known[0], known[1], where))
    grade, kind, note, where = max(passed, key=lambda p: _GRADE_ORDER.index(p[0]))
    if len(passed) == 1:
        said = f"its one caller ({where}) passes {note}"
    elif grade in ("high", "medium"):
        said = f"one of its {len(passed)} callers ({where}) passes {note}"
    else:
        said = f"each of its {len(passed)} callers passes a bounded list, at most {note} ({where})"
    return grade, (f"the loop iterates {loop.origin_note}, and {said}: {_PASSED[kind]}",)


# A schema's cap on a list of request input: a few items (low), a page's worth (medium).
_FEW, _PAGE = 10, 100
_CAPPED = {"low": "a few queries at most, by the schema's design",
           "medium": "bounded, but a request waits for its queries, one per item",
           "high": "as many queries as the request sends, up to a cap too high to bound the cost"}


def _schema_cap(index: ProjectIndex, path: str, fid: int, key: str, loop: LoopFrame) -> tuple[str, int] | None:
    """(field, cap) when the loop iterates a field of the procedure's input (`input.items`) that
    its `.input()` schema caps (`items: z.array(Item).max(20)`), here or in the module the
    schema is imported from."""
    m = re.search(rf"(?<![\w$.]){re.escape(key)}\??\.(\w+)", loop.header) if key else None
    if m is None:
        return None
    caps, where = {}, path
    for cap in index.files[path].array_caps:
        if cap[0] == "input" and cap[1] == fid:
            caps[cap[2]] = cap[3]
        elif cap[0] == "input-import" and cap[1] == fid:
            found = _exported(index, index.modules.resolve(path, cap[2]), cap[3], _schema_caps)
            where, caps = found if found is not None else (path, {})
    cap = caps.get(m.group(1))
    if isinstance(cap, tuple):   # a constant the schema's module imports
        found = _exported(index, index.modules.resolve(where, cap[0]), cap[1], _number)
        cap = found[1] if found is not None else None
    return (m.group(1), cap) if isinstance(cap, int) else None


def _schema_caps(facts, name: str) -> dict | None:
    return {c[2]: c[3] for c in facts.array_caps if c[0] == "schema" and c[1] == name} or None


def _number(facts, name: str) -> int | None:
    return next((c[2] for c in facts.array_caps if c[0] == "number" and c[1] == name), None)


def _exported(index: ProjectIndex, path: str | None, name: str, pick):
    """(module, `pick(its facts, name)`) for what module `path` exports as `name`, in the
    module that declares it (index.export_home), or None."""
    home = index.export_home(path, name)
    value = pick(index.files[home[0]], home[1]) if home is not None else None
    return (home[0], value) if value is not None else None


def _entry_input(index: ProjectIndex, key: FunctionKey, position: int, prop: str) -> str | None:
    """The entry kind whose request input the property `prop` of parameter `position` of
    function `key` is: `({ input })` of a tRPC procedure. Validation checks the items' shape,
    not their number, so a validated list is as long as the request makes it. A server
    action's parameters are not counted: its own module's server code calls it as often as
    a form does, with lists of a few settings (docs/accuracy.md)."""
    fn = index.function(key)
    kind = entry_kind(fn.entry_kind) if fn is not None else None
    return kind.id if kind is not None and prop and prop in kind.params.get(position, {}) else None


_PASSED = {"constant": "a fixed, small number of times",
           "one-row": "one parent's list, as long as that row's data, not a table's",
           "page": "a page whose size the code fixes: a bounded batch",
           "pinned": "bounded by the caller's filter, by how much is not known",
           "bounded": "bounded, but each page still costs one query per item",
           "rows": "as many items as production data decides",
           "input": "as many items as the request decides"}


def _chain_walk(call: PrismaCall, loop: LoopFrame) -> str | None:
    """`while (current) { current = await prisma.folder.findUnique({ … current.parentId … }) }`,
    or `while (id) { const row = await …; id = row.parentId }`: each query needs the row the
    last one returned, so there is no collection to fetch at once; the loop walks a chain as
    deep as the data (a recursive CTE would take one query)."""
    if loop.kind not in ("while", "do"):
        return None
    assigned, bound = call.call.assigned_to, call.call.result
    if assigned and mention(assigned).search(loop.header):
        how = f"`{assigned}`, tested by the loop"
    elif (assigned or bound) in loop.chain_from:
        how = f"`{assigned or bound}` sets what the loop tests"
    else:
        return None
    return (f"each query reads the row the previous one returned ({how}): a chain walk as deep as "
            "the data, not a collection one query could fetch")


# `in: queue` in a query's text: the name it takes a set of values from.
_IN_NAME = re.compile(r"\bin\s*:\s*([A-Za-z_$][\w$]*)(?![\w$.\[(])")


def _level_walk(index: ProjectIndex, call: PrismaCall, loop: LoopFrame) -> str | None:
    """`while (queue.length > 0) { const next = await prisma.reply.findMany({ where: {
    parentId: { in: queue } } }); queue = …next… }`: each round queries the whole list the
    loop tests at once, so the loop walks a tree level by level (one query per level, as deep
    as the data), not item by item."""
    if loop.kind not in ("while", "do", "for"):
        return None
    tested = set(test_names(loop.header))
    lines = source_lines(index, call.path)[call.call.span.line - 1:call.call.span.end_line]
    names = {m.group(1) for m in _IN_NAME.finditer(b"\n".join(lines).decode("utf-8", "replace"))}
    name = next(iter(sorted(names & tested)), None)
    if name is None:
        return None
    return (f"each round queries all of `{name}`, the list the loop tests, at once (`in: {name}`): a walk "
            "level by level, one query per level as deep as the data, not one per item")


def _check(ctx: RuleContext):
    index = ctx.index
    for call in index.prisma_calls:
        site = call.call.ctx
        if call.kind == "transaction" or not site.loops:
            continue
        loop = _item_loop(index, call.path, site)
        if loop is None:
            continue
        if site.lazy_return >= 0 and call.in_transaction:
            continue  # returned unrun to callers that batch them in one $transaction([...])
        if (_paginates(call) and loop is site.loops[0]) or _dataloader_batched(call, loop):
            continue
        if {call.call.assigned_to, call.call.result} & set(loop.flag_by):
            continue  # its answer flips the flag the loop tests: a probe for a free value
        parallel = loop.parallel or (loop.kind == "callback" and loop.method in ("map", "flatMap"))
        what = "parallel N+1: " if parallel else ""
        tail = ("still N round trips, holding up to N pooled connections at once"
                if parallel else "N round trips for N items")
        confidence, evidence = _per_item_unit(_confidence(index, call.path, site, loop, ctx.schema), site, loop,
                                                  index, call.path)
        marked = step_marker(call.operation, call.call.args)
        if marked is not None and confidence == "medium":
            confidence, evidence = "low", (f"the write only records that the item's own step went out (`{marked}`): "
                                           "a checkpoint per item, which one batched write at the end would lose "
                                           "if the run stopped halfway", *evidence)
        guarded = _checked_counter(call)
        if guarded is not None:
            confidence, evidence = "low", (f"each item moves `{guarded}` only where the row still allows it "
                                           f"(`where` tests `{guarded}`, `data` changes it by that item's amount): "
                                           "a check-and-set per row, which one batched statement cannot make "
                                           "for amounts that differ", *evidence)
        moved = _own_amounts(call)
        if moved is not None and confidence == "medium":
            confidence, evidence = "low", (f"each item moves `{moved}` by its own amount inside a transaction: one "
                                           "batched statement cannot apply amounts that differ, and the transaction "
                                           "already makes the items one unit", *evidence)
        once = _created_once(index, call, loop)
        if once is not None:
            confidence, evidence = "low", (f"{call.label}() runs only when {once[0]}() (line {once[1]}) found no "
                                           "row, and that lookup pins only constants: the first item creates the "
                                           "row, every later one finds it, so it runs once per loop at most",)
        walk = _chain_walk(call, loop) or _level_walk(index, call, loop)
        outer = site.loops[site.loops.index(loop) + 1:]
        if walk and not any(_collection_loop(l) for l in outer):
            # (A walk run once per item of an outer collection stays N+1 over that collection.)
            confidence, evidence = "low", (walk,)
        yield ctx.call_finding(
            call,
            f"{what}{call.label}() runs once per item of the {_loop_label(loop)} "
            f"(line {loop.line}): {tail}{_dataloader_note(call, loop)}. Fetch once with "
            f"`where: {{ id: {{ in: ids }} }}` or `include`, or batch writes.",
            related=(Related(call.path, loop.line, "the loop"),),
            confidence=confidence, evidence=evidence,
        )
    yield from _across_functions(ctx)


# `where: { … }` of a lookup, and a value written out in it (a string, number, boolean or null).
_WHERE = re.compile(r"\bwhere\s*:\s*\{([^{}]*)\}")
_LITERAL_PAIR = re.compile(r"""^\s*[\w$'"]+\s*:\s*(?:'[^']*'|"[^"]*"|-?\d[\d.]*|true|false|null)\s*$""")


def _created_once(index: ProjectIndex, call: PrismaCall, loop: LoopFrame) -> tuple[str, int] | None:
    """(label, line) of the lookup of a get-or-create written in the loop: the create runs only
    in an arm whose test says a lookup of the same model, made earlier in the same iteration,
    found nothing (`let account = await findFirst({ where: { name: 'Cashbox' } }); if (!account)
    account = await create(…)`), and that lookup's `where` pins only values written out, which
    no item chooses: the first iteration creates the row, every later one finds it."""
    if call.operation != "create" or call.model is None:
        return None
    for _, missing, reads in missing_arms(index, call.path, call.call.ctx, since=loop.start, until=loop.end):
        for c in reads:
            if c.model != call.model or not ({c.call.result, c.call.assigned_to} & missing):
                continue
            where = _WHERE.search(c.call.text)
            pairs = [p for p in where.group(1).split(",") if p.strip()] if where is not None else []
            if pairs and all(_LITERAL_PAIR.match(p) for p in pairs):
                return f"{c.label}", c.line
    return None


def _checked_counter(call: PrismaCall) -> str | None:
    """The field a per-item update both tests and moves (`where: { id, stock: { gte: n } }, data:
    { stock: { decrement: n } }`): an atomic reservation per row, not a lookup to batch."""
    a = call.call.args
    if call.operation not in UPDATE_OPS or not a.data_counters_only:
        return None
    return next((f for f in a.data_fields if f in a.where_fields), None)


# `{ decrement: 1 }`: an amount written out, the same for every item (one `updateMany` moves them all).
_LITERAL_AMOUNT = re.compile(r"\b(?:increment|decrement|multiply|divide)\s*:\s*-?[\d.]")


def _own_amounts(call: PrismaCall) -> str | None:
    """The counter a per-item update moves by an amount of the item's own (`{ decrement: line.qty
    }`), in a transaction: what differs per item one batched statement cannot apply."""
    a = call.call.args
    if not call.in_transaction or call.operation not in UPDATE_OPS or a is None or not a.data_counters_only \
            or _LITERAL_AMOUNT.search(call.call.text):
        return None
    return a.data_fields[0]


def _per_item_unit(graded: tuple[str, tuple[str, ...]], site: SiteContext, loop: LoopFrame,
                   index: ProjectIndex, path: str, opens: int | None = None) -> tuple[str, tuple[str, ...]]:
    """Medium becomes low when the loop's body opens a transaction per item (`for (const s of
    stores) await prisma.$transaction(async (tx) => …)`, or hands the item's work to a repo
    function that runs it in one: `forTenant(id, async (tx) => …)`): a unit of work per item by design,
    which one failure rolls back alone and which batching would merge into all-or-nothing. A
    helper that happens to write in a transaction of its own (an audit writer) is no such
    statement of the loop's, and a loop proven unbounded keeps its grade. `opens`: the line of
    the site itself when it calls such a repo function with the item's work."""
    if graded[0] != "medium":
        return graded
    line = opens or next((f.line for f in site.tx if loop.line < f.line <= loop.end_line and (
        f.kind == "callback" or f.kind == "wrapper-callback" and index.is_transaction_wrapper(path, f))), None)
    if line is None:
        return graded
    return "low", (f"each item runs in a transaction the loop opens for it (line {line}): a unit of work per "
                   "item by design, one item's failure rolls back that item alone", *graded[1])


def _helper_is_one_findunique(index: ProjectIndex, target: FunctionKey) -> bool:
    """The helper's only database work, however deep, is one findUnique by
    equality: calls of it started in one tick are batched by Prisma's dataloader."""
    calls = index.reachable_calls(target, depth=4, limit=2)
    return (len(calls) == 1 and calls[0].operation in _BATCHED_BY_DATALOADER
            and calls[0].call.args.where_equality_only)


# Tests keep their sides sorted (`undefined===webhooks`), so either order can come.
_MISSING = re.compile(r"^(?:!(?P<a>[A-Za-z_$][\w$]*)|(?P<b>[A-Za-z_$][\w$]*)===(?:undefined|null)"
                      r"|(?:undefined|null)===(?P<c>[A-Za-z_$][\w$]*))$")
_PRESENT = re.compile(r"^(?:(?P<a>[A-Za-z_$][\w$]*)|(?P<b>[A-Za-z_$][\w$]*)!==(?:undefined|null)"
                      r"|(?:undefined|null)!==(?P<c>[A-Za-z_$][\w$]*))$")


def _passed(given, index: int, key: str) -> bool | None:
    """Whether a call gives the parameter at `index` (its `key` when destructured); None
    when it cannot tell (a variable passed where the parameter is destructured)."""
    if index >= given.count:
        return False
    if not key:
        return index not in given.nulls
    keys = dict(given.object_keys).get(index)
    return None if keys is None else key in keys


def _settled_by_arguments(index: ProjectIndex, target: FunctionKey, site, call: PrismaCall) -> bool:
    """The helper runs this query only when an optional parameter is missing (`if (hooks
    === undefined)`, `hooks ?? …`) and the call passes it, or only when it is given and
    the call leaves it out: at this call the query never runs."""
    fn = index.function(target)
    if site.given is None or fn is None or call.path != target.path \
            or index.owner(call.path, call.call.ctx.function) != target.id:
        return False
    shift = index.argument_offset(target)  # a wrapper's own arguments come first (facts/wrappers.py)
    params = {name: (i - shift, key) for name, i, key in fn.param_names if i >= shift}
    for step in call.call.ctx.branches:
        for t in step.tests:
            for pattern, needs_missing in ((_MISSING, True), (_PRESENT, False)):
                m = pattern.match(t)
                name = m and (m.group("a") or m.group("b") or m.group("c"))
                if name and name in params and _passed(site.given, *params[name]) is needs_missing:
                    return True
    return False


def _across_functions(ctx: RuleContext):
    index = ctx.index
    for path in sorted(index.files):
        facts = index.files[path]
        for site in facts.call_sites:
            loop = _item_loop(index, path, site.ctx) if site.ctx.loops else None
            if loop is None:
                continue
            target = index.callee(path, site)
            if target is None:
                continue
            target = FunctionKey(target.path, index.owner(target.path, target.id))
            if loop.kind == "callback" and loop.method in SAME_TICK_METHODS and not loop.awaits_before \
                    and _helper_is_one_findunique(index, target):
                continue
            if not _not_memoised(index.function(target)):
                continue  # a memoised getter queries once, not once per item
            def counted(c, target=target, site=site) -> bool:
                return not _paginates(c) and not _settled_by_arguments(index, target, site, c)
            # A query down the chain that sits only in a catch clause (or a `.catch()` handler)
            # runs for the items whose work failed, not once per item.
            chain = index.find_chain(target, lambda c: counted(c) and not c.call.ctx.catches, depth=4,
                                     enter=_not_memoised)
            on_error = chain is None
            chain = chain or index.find_chain(target, counted, depth=4, enter=_not_memoised)
            if chain is None:
                continue
            fn = index.function(target)
            steps = [f"{site.callee}()"] + [c[0] for c in chain]
            arrow = " → ".join(["loop"] + steps)
            opens = site.span.line if fn is not None and fn.forwards_to_transaction is not None else None
            confidence, evidence = _per_item_unit(_confidence(index, path, site.ctx, loop, ctx.schema), site.ctx,
                                                  loop, index, path, opens)
            cache = cached_read(index, chain[-1][1], chain[-1][2])
            if on_error:
                label, at, line = chain[-1]
                confidence, evidence = "low", (f"{label} runs in a catch clause ({at}:{line}): only for the "
                                               "items whose work fails", *evidence)
            elif cache is not None:
                confidence, evidence = "low", (f"{chain[-1][0]} sits behind a read-through cache (`{cache}` is "
                                               "read before it and filled after): once per distinct key while "
                                               "the entry lives, not once per item", *evidence)
            yield ctx.finding(
                path, site.span,
                f"{'parallel N+1' if loop.parallel else 'N+1'} across functions: {site.callee}() runs a "
                f"Prisma query once per item of the {_loop_label(loop)} (line {loop.line}): {arrow}. "
                f"Load the data for all items in one query before the loop.",
                entry_point=index.entry_kind(path, site.ctx.function),
                related=(Related(path, loop.line, "the loop"),)
                + ((Related(target.path, fn.span.line, f"{fn.name}()"),) if fn else ())
                + tuple(Related(p, line, label) for label, p, line in chain),
                matched=f"{site.callee}@{arrow}",
                confidence=confidence, evidence=(*evidence, f"per item: {arrow}"),
            )


RULE = Rule(
    id="n-plus-one",
    name="Query in a loop (N+1)",
    category="query-patterns",
    severity=Severity.HIGH,
    summary="A Prisma query runs once per item of a collection, directly or through called functions.",
    check=_check,
    tags=("performance",),
)

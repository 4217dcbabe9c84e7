"""write-without-transaction: two writes that can run in one execution of a
function outside any transaction, and writes through the outer client inside a
`$transaction` callback (rules.md §2).

Confidence (rules.md §8): writes to two related models where one is created (a
parent without its child when the second fails) and a write through the outer
client inside a transaction callback are high; a pair where one write only keeps
bookkeeping (timestamps, counters) or compensates in a catch is quiet; writes in
separate durable workflow steps are low; anything else is medium."""

from __future__ import annotations

from dataclasses import dataclass

import re

from ..facts.branch_tests import RELATIONAL, negate_test
from ..facts.model import ArgSummary, CallSite, CatchFact, SiteContext, Span
from ..facts.operations import COUNT_OPS, CREATE_OPS, DELETE_OPS, ONE_ROW_OPS, UPDATE_OPS, WRITE_OPS
from ..findings import Related, Severity
from ..index import FunctionKey, ProjectIndex
from .base import Rule, RuleContext
from ..analysis.callee_names import after_response, durable_step
from ..analysis.bookkeeping import bookkeeping_field, bookkeeping_only
from ..analysis.missing_arms import missing_arms
from ..analysis.external_io import calls_between, external_io_between, opaque_waits_between
from ..analysis.sources import source_lines, spelled_words


@dataclass(frozen=True)
class Write:
    path: str
    span: Span
    ctx: SiteContext
    label: str
    model: str | None
    operation: str | None
    entry_point: str | None
    matched: str
    guard_end: int = 0   # `if (result) return` right after it: later code runs only when it wrote nothing
    args: ArgSummary | None = None  # None for side-effect writers (`logAudit()`)
    collected_into: str | None = None  # the array an unrun query is pushed into
    site: CallSite | None = None  # a side-effect writer's call (`logAudit()`)
    handed: tuple[int, int, str] | None = None  # the parameter its client comes from (ClientRef.given)
    result: str | None = None  # the variable its result is bound to (`const r = await …`)
    assigned: str | None = None  # … or the existing variable it is assigned to (`cart = await …`)


# `model==="image"` / `"image"===model` as BranchStep tests write them (operands sorted); the
# value may be read through optional chaining (`ctx.message?.text`).
_LITERAL = r"""(?:"[^"]*"|'[^']*'|-?\d[\d.]*)"""
_LITERAL_EQ = re.compile(rf"""^(?:(?P<l1>{_LITERAL})===(?P<v1>[\w$.?]+)|(?P<v2>[\w$.?]+)===(?P<l2>{_LITERAL}))$""")


def _literal_eq(t: str) -> tuple[str, str] | None:
    m = _LITERAL_EQ.match(t)
    if m is None:
        return None
    # (`a?.b` reads the same value as `a.b` wherever `a` is set: one name for both)
    return (m["v1"].replace("?.", "."), m["l1"].strip("'\"")) if m["v1"] \
        else (m["v2"].replace("?.", "."), m["l2"].strip("'\""))


def _literal_values(t: str) -> tuple[str, frozenset[str]] | None:
    """(value, the literals it equals) of `"a"===kind` or `"a"===kind||"b"===kind`."""
    found = [_literal_eq(part) for part in t.split("||")]
    if not found or None in found or len({v for v, _ in found}) != 1:
        return None
    return found[0][0], frozenset(lit for _, lit in found)


_INF = float("inf")


def _number_range(t: str) -> tuple[str, float, bool, float, bool] | None:
    """(value, low, low included, high, high included) a test confines a value to: `n>0`
    (0, inf), `0===n` [0, 0]; None for a test of another kind."""
    m = RELATIONAL.match(t)
    if m is not None:
        v, op, n = m.group(1).replace("?.", "."), m.group(2), float(m.group(3))
        return (v, n, op == ">=", _INF, False) if op[0] == ">" else (v, -_INF, False, n, op == "<=")
    eq = _literal_eq(t)
    if eq is None or not re.fullmatch(r"-?\d+(?:\.\d+)?", eq[1]):
        return None
    return eq[0], float(eq[1]), True, float(eq[1]), True


def _disjoint(a: tuple, b: tuple) -> bool:
    """Whether no number lies in both ranges (`n>0` and `n===0`)."""
    lo, lo_in = max((a[1], a[2]), (b[1], b[2]), key=lambda x: (x[0], not x[1]))
    hi, hi_in = min((a[3], a[4]), (b[3], b[4]), key=lambda x: (x[0], x[1]))
    return lo > hi or (lo == hi and not (lo_in and hi_in))


def _exclusive(a: SiteContext, b: SiteContext) -> bool:
    """Whether two sites can never run in the same execution."""
    arms_a = {s.key: s for s in a.branches}
    for s in b.branches:
        other = arms_a.get(s.key)
        if other is not None and other.arm != s.arm:
            return True  # different arms of one if/switch/ternary
    first, second = (a, b) if a.start <= b.start else (b, a)
    second_keys = {x.key for x in second.branches}
    # An earlier if arm whose tests still hold after it (`a !== b`, or `x` it has just
    # set from a value it tested), then a later arm that needs the opposite.
    needs = {t for s in second.branches for t in s.tests}
    needed_values = dict(filter(None, map(_literal_values, needs)))
    needed_ranges = [r for r in map(_number_range, needs) if r is not None]
    for s in first.branches:
        if not s.after_tests or s.key in second_keys or second.start < s.end:
            continue
        if any(negate_test(t) in needs for t in s.after_tests):
            return True
        # `if (kind === "a") {…}` then `if (kind === "b" || kind === "c") {…}`: one value,
        # literals the two arms do not share.
        for v, lits in filter(None, map(_literal_values, s.after_tests)):
            if not lits & needed_values.get(v, lits):
                return True
        # `if (count > 0) {…}` then `if (count === 0) {…}`: ranges of one number that do not meet.
        for r in filter(None, map(_number_range, s.after_tests)):
            if any(o[0] == r[0] and _disjoint(r, o) for o in needed_ranges):
                return True
    # A write in a try block and one in its catch clause: the catch runs when the
    # try failed, typically recording the failure instead of the success.
    if set(a.trys) & set(b.catches) or set(b.trys) & set(a.catches):
        return True
    # An earlier write in an arm that always returns/throws (a catch clause
    # included) cannot run with a later write placed after that branch; one in
    # an arm that ends in `continue` cannot run with a later write of the same
    # loop body in one iteration.
    for s in first.branches:
        if second.start < s.end or s.key in second_keys:
            continue
        if s.exits:
            return True
        if s.ends_iteration:
            loop = next((l for l in first.loops if l.start <= s.start and s.end <= l.end), None)
            if loop is not None and loop.start <= second.start and second.end <= loop.end:
                return True
    return False


# Writes that answer with the row they wrote, or throw: never null once they ran.
_ROW_WRITES = WRITE_OPS & ONE_ROW_OPS


def _tested_after(first: Write, second: Write, test: re.Pattern) -> bool:
    """`second` runs in an arm after `first` that holds only while a test `test` matches holds."""
    return any(b.start > first.ctx.end and any(test.match(t) for t in b.tests) for b in second.ctx.branches)


def _unset_after(name: str, first: Write, second: Write) -> bool:
    """`cart = await a.update(…)` … `if (!cart) await b.create(…)`: the second runs in an arm
    that holds only while the variable the first's row went into is unset, so never after the
    first ran (a write answers with its row or throws)."""
    n = re.escape(name)
    unset = re.compile(rf"^(?:!{n}|{n}===?(?:null|undefined)|(?:null|undefined)===?{n})$")
    return _tested_after(first, second, unset)


def _fallback(first: Write, second: Write) -> bool:
    """`const [row] = await a.update…; if (row) return row` then `b.upsert(…)`, or `const r =
    await a.updateMany(…); if (r.count === 0) await b.updateMany(…)`: the second runs only
    when the first found nothing to change."""
    if first.ctx.function != second.ctx.function:
        return False
    if first.guard_end > 0 and second.ctx.start >= first.guard_end:
        return True
    row = first.result or first.assigned
    if row is not None and first.operation in _ROW_WRITES and _unset_after(row, first, second):
        return True
    if first.result is None or first.operation not in COUNT_OPS:
        return False
    none = re.compile(rf"^(?:{re.escape(first.result)}\.count(?:===?0|<1)|0===?{re.escape(first.result)}\.count|"
                      rf"!{re.escape(first.result)}\.count)$")
    return _tested_after(first, second, none)


def _outer_client_in_callback(ctx: SiteContext) -> bool:
    return any(f.kind == "callback" and not f.through_param for f in ctx.tx)


def _in_transaction_scope(index, path: str, ctx: SiteContext) -> bool:
    return any(f.kind in ("callback", "array")
               or (f.kind.startswith("wrapper") and index.is_transaction_wrapper(path, f))
               for f in ctx.tx)


def _writers(ctx: RuleContext):
    """Writes outside transactions per owning function, in source order."""
    index = ctx.index
    side_effect = set(ctx.config["side_effect_writers"])
    by_function: dict[FunctionKey, list[Write]] = {}
    outer: list = []
    for call in index.prisma_calls:
        if call.kind != "write" or call.in_transaction:
            continue
        if _outer_client_in_callback(call.call.ctx):
            outer.append(call)
            continue
        key = FunctionKey(call.path, index.owner(call.path, call.call.ctx.function))
        w = Write(call.path, call.call.span, call.call.ctx, f"{call.label}()", call.model,
                  call.operation, call.entry_kind, call.call.text, call.call.exit_guard_end, call.call.args,
                  call.call.collected_into, handed=call.call.ref.given, result=call.call.result,
                  assigned=call.call.assigned_to)
        if not _never_run(w, index):  # a query nothing awaits is no write: it pairs with nothing
            by_function.setdefault(key, []).append(w)
    for path in sorted(index.files):
        for site in index.files[path].call_sites:
            name = site.callee.rsplit(".", 1)[-1]
            if name not in side_effect or _in_transaction_scope(index, path, site.ctx):
                continue  # inside a transaction scope it gets the transaction's client
            if site.ctx.function < 0 and not site.ctx.awaited:
                # Module-level code runs once, when the module loads: an unawaited writer call
                # there builds something (`router.put('/x', auditLog('UPDATE'), handler)`: a
                # middleware factory) rather than writing in a request.
                continue
            if _writes_nothing(index, path, site):
                continue
            key = FunctionKey(path, index.owner(path, site.ctx.function))
            by_function.setdefault(key, []).append(Write(
                path, site.span, site.ctx, f"{site.callee}()", None, None,
                index.entry_kind(path, site.ctx.function), f"{site.callee}@{path}", site=site))
    return by_function, outer


def _writes_nothing(index: ProjectIndex, path: str, site: CallSite) -> bool:
    """A side-effect writer's name on a repo function the scan sees, which runs no Prisma write
    (`function auditLog(e) { console.log(…) }`: a log line, not a row)."""
    target = index.callee(path, site)
    return target is not None and not index.db_chain(
        FunctionKey(target.path, index.owner(target.path, target.id)), kinds=frozenset({"write"}))


# Fields that say where a row stands in a process (`status: "PROCESSING"`): a write that
# only moves them is a progress marker the process's own retry or recovery moves again.
_PROGRESS = re.compile(r"^(?:status|state|stage|phase|step)$|Status$|State$", re.I)


# … and why a step ended, beside its status (`status: "IGNORED", failureCode: "unknown_reference"`).
_OUTCOME = re.compile(r"^(?:error|failure|fail)(?:Code|Message|Reason|Details?)?$"
                      r"|(?:Error|Failure)(?:Code|Message|Reason)?$", re.I)


def _claim(first: Write, w: Write, index: ProjectIndex) -> str | None:
    """The field by which `first` claims rows and `w` releases or completes the claim: `first`
    is an `updateMany` that tests a field in its `where` and sets it in its `data` (`where: {
    id, invoiceId: null }, data: { invoiceId: "PENDING" }`), the code tests how many rows it
    won before `w` (`if (claimed.count === 0) return`; a count only logged is no claim), and
    `w` writes the same field of the same model again. A claim commits on its own so that
    other workers see it; a transaction around it and its release would hold the row and
    undo the point of claiming."""
    a, b = first.args, w.args
    if first.operation != "updateMany" or first.result is None or a is None or b is None \
            or first.model is None or first.model != w.model or w.operation not in UPDATE_OPS \
            or first.path != w.path or first.ctx.function != w.ctx.function:
        return None
    field_ = next((f for f in a.data_fields if f in a.where_fields and f in b.data_fields), None)
    if field_ is None:
        return None
    between = b"\n".join(source_lines(index, first.path)[first.span.end_line - 1:w.span.line - 1])
    count = re.escape(first.result.encode()) + rb"\.count\b"
    tested = re.compile(rb"\bif\s*\(\s*!?\s*" + count + rb"|" + count + rb"\s*(?:[!=]==?|[<>]=?)")
    return field_ if tested.search(between) else None


def _progress_marker(w: Write) -> bool:
    a = w.args
    if a is None or w.operation not in ("update", "updateMany") or a.opaque or a.nested_writes or not a.data_fields:
        return False
    return any(_PROGRESS.search(f) for f in a.data_fields) \
        and all(_PROGRESS.search(f) or bookkeeping_field(f) or _OUTCOME.search(f) for f in a.data_fields)


def _bookkeeping(w: Write, other: Write, index: ProjectIndex) -> bool:
    """`w` only keeps bookkeeping, and `other` does not create a record of those values (an
    audit entry's `before: { failedLoginCount, lockedUntil }` makes the reset the change it
    audits; setting the same `updatedAt` of its own row records nothing)."""
    if not bookkeeping_only(w.operation, w.args):
        return False
    if other.operation not in CREATE_OPS or other.args is None or set(w.args.data_fields) & set(other.args.data_fields):
        return True
    fields = set(w.args.data_fields)
    return not spelled_words([b"\n".join(source_lines(index, other.path)[other.span.line - 1:other.span.end_line])],
                             fields) >= fields


def _related_models(schema, a: str | None, b: str | None) -> bool:
    if schema is None or a is None or b is None or a == b:
        return False
    ma, mb = schema.by_client_name(a), schema.by_client_name(b)
    if ma is None or mb is None:
        return False
    return any(f.is_relation and f.type == mb.name for f in ma.fields) \
        or any(f.is_relation and f.type == ma.name for f in mb.fields)


def _best_effort(x: Write, other: Write, catches: dict[int, CatchFact]) -> CatchFact | None:
    """The catch that makes write `x` best-effort: it guards `x` but not the other write,
    and its handler goes on (no throw, return, response or hand-on of the error). The
    author accepted that `x` may fail while the other write stays."""
    for k in x.ctx.trys:
        c = catches.get(k)
        if c is None or k in other.ctx.trys:
            continue
        if not _answers(c.handler) or _discards(c):
            return c
    return None


def _undone_on_failure(first: Write, w: Write, index: ProjectIndex):
    """The write (a PrismaCall) in the catch of a try around `w` that takes `first` back, as a
    transaction would: a delete of the rows `first` created (`try { await b.create() } catch {
    await a.delete({ where: { id } }) }`), or an update of `first`'s model that sets again a
    field `first` set (`status: 'running'` … `catch { update({ data: { status: 'draft' } }) }`,
    a status put back; the try may hold `first` too, whose own failure leaves nothing to undo),
    or, when `first` created a row with a status (`importJob.create({ data: { status:
    'processing' } })`), an update that sets that status again: the row records the failure."""
    if first.model is None or first.operation not in (*CREATE_OPS, *UPDATE_OPS) or first.args is None:
        return None
    owner = FunctionKey(w.path, index.owner(w.path, w.ctx.function))
    creates = first.operation in CREATE_OPS and first.operation not in UPDATE_OPS
    fields = set(first.args.data_fields)
    for c in index.calls_by_function.get(owner, ()):
        if c.kind != "write" or c.model != first.model or not set(c.call.ctx.catches) & set(w.ctx.trys):
            continue
        if creates and c.operation in DELETE_OPS and not set(c.call.ctx.catches) & set(first.ctx.trys):
            return c
        if creates and c.operation in UPDATE_OPS and any(
                _PROGRESS.search(f) for f in fields & set(c.call.args.data_fields)):
            return c   # (the row `first` created records the failure: `status: 'failed'`)
        if not creates and c.operation in UPDATE_OPS and fields & set(c.call.args.data_fields):
            return c
    return None


def _discards(c: CatchFact) -> bool:
    """`.catch(() => null)`: a handler that takes no error cannot hand it on by what it
    returns; the write's failure becomes a plain value."""
    h = c.handler
    return c.kind == "catch-method" and c.param is None and not (h.throws or h.forwards or h.responds)


def _writer_lets_fail(index: ProjectIndex, w: Write) -> tuple[str, int] | None:
    """(file, line) of the catch in side-effect writer `w`'s own function that guards every
    Prisma write it runs there and goes on (`try { await prisma.auditLog.create(…) } catch (e)
    { console.error(e) }`): the writer's author made it best-effort, so its failure leaves the
    caller's write alone on purpose. Blind readers of unseen code judged that shape intended
    (10 of 14); a catch that hands the failure on is not best-effort."""
    key = index.callee(w.path, w.site) if w.site is not None else None
    facts = index.files.get(key.path) if key is not None else None
    if facts is None:
        return None
    catches = {c.key: c for c in facts.catches}
    # A writer that hands its row to a helper (a use case, a repository) runs no write itself:
    # then every call it makes must be let go so.
    guarded = [c.call.ctx for c in index.writes_in(key.path, key.id)] \
        or [s.ctx for s in index.sites_of(key)]
    found = None
    for ctx in guarded:
        goes_on = [catches[k] for k in ctx.trys if k in catches and catches[k].function == key.id
                   and not _answers(catches[k].handler)]
        if not goes_on:
            return None
        found = found or goes_on[0]
    return (key.path, found.span.line) if found is not None else None


def _answers(h) -> bool:
    """A handler that hands the failure on: throws, returns, forwards or responds."""
    return bool(h.throws or h.returns or h.forwards or h.responds)


def _answering_try(first: Write, w: Write, catches: dict[int, CatchFact]) -> CatchFact | None:
    """The try around `first` whose block ends by returning, when `w` comes after the whole
    try statement: the function gets past the try only when its block threw."""
    for k in first.ctx.trys:
        c = catches.get(k)
        if c is None or c.kind != "try" or not c.try_answers or k in w.ctx.trys:
            continue
        if (w.span.line, w.span.column) > (c.span.end_line, c.span.end_column):
            return c
    return None


# A DateTime field that says when a row stops being valid: verification codes, reset and
# invitation tokens, sessions.
_EXPIRY = re.compile(r"^(?:expires|expiresAt|expiry|expiresOn|expiredAt|expiration|expirationDate|validUntil)$", re.I)


def _expiry_field(schema, model: str | None) -> str | None:
    m = schema.by_client_name(model) if schema is not None and model else None
    # (Whatever the naming style: `expiresAt`, `expires_at`.)
    return next((f.name for f in m.fields
                 if f.type == "DateTime" and _EXPIRY.match(f.name.replace("_", ""))), None) \
        if m is not None else None


def _pruned_dates(x: Write, schema) -> tuple[str, ...]:
    """The DateTime fields a `deleteMany({ where: { createdAt: { lt: cutoff } } })` ranges
    over when every filter field that pins no value is one: rows past a date cutoff. ()
    when the write is no such prune."""
    if x.operation != "deleteMany" or x.args is None or not x.args.where_fields or x.args.where_opaque:
        return ()
    m = schema.by_client_name(x.model) if schema is not None and x.model else None
    if m is None:
        return ()
    dates = {f.name for f in m.fields if f.type == "DateTime"}
    ranged = tuple(f for f in x.args.where_fields if f not in x.args.where_points)
    return ranged if all(f in dates for f in ranged) else ()


def _rotation(first: Write, w: Write, schema) -> str | None:
    """`deleteMany` of a user's codes, then `create` of a new one, on a model whose rows
    expire: a failure between leaves no valid row, and asking again makes one. Returns the
    expiry field."""
    if first.model is None or first.model != w.model or first.operation not in DELETE_OPS \
            or w.operation not in CREATE_OPS or w.ctx.parallel_group is not None:
        return None
    return _expiry_field(schema, first.model)


def _replaces(first: Write, w: Write, schema) -> bool:
    """`deleteMany` of a parent's rows, then `createMany` of their new set, on one model: the
    rows are replaced, and a failure between leaves none. Not an upsert (it may find its row
    kept), nor rows that expire (a rotation: asking again makes a new one)."""
    return first.model is not None and first.model == w.model and first.operation in DELETE_OPS \
        and w.operation in CREATE_OPS and w.operation != "upsert" and not _together(first, w) \
        and _expiry_field(schema, first.model) is None


def _together(first: Write, w: Write) -> bool:
    """The two writes are elements of one `Promise.all([...])`: neither waits for the other."""
    return w.ctx.parallel_group is not None and w.ctx.parallel_group == first.ctx.parallel_group


def _consumed(first: Write, w: Write, schema) -> str | None:
    """The first write deletes rows of a model whose rows expire (a verification code, a reset
    or invitation token, an OTP), and the second, of another model, runs after it: the
    one-time credential is spent first. If the second fails, the user asks for a new one;
    nothing is left half made and the credential cannot be used again (fail closed). Spent
    after, or in one `Promise.all`, a failed delete leaves a used credential valid until it
    expires. Returns the expiry field."""
    if first.operation not in DELETE_OPS or first.model is None or first.model == w.model or _together(first, w):
        return None
    return _expiry_field(schema, first.model)


def _found_or_created(first: Write, w: Write, index: ProjectIndex):
    """Find-or-create: `let user = await prisma.user.findFirst(…); if (!user) user = await
    prisma.user.create(…)`, then a second write outside that arm, which runs whether the row was
    found or made. The lookup (a PrismaCall) that makes a rerun find what a failed run created."""
    if first.operation != "create" or first.model is None:
        return None
    for b, missing, reads in missing_arms(index, first.path, first.ctx):
        if any(x.key == b.key and x.arm == b.arm for x in w.ctx.branches):
            continue  # (a second write in the same arm runs only when nothing was found: a rerun skips it)
        found = next((c for c in reads if c.model == first.model
                      and (c.call.result in missing or c.call.assigned_to in missing)), None) \
            or _found_through_relation(first, reads, missing, index)
        if found is not None:
            return found
    return None


def _found_through_relation(first: Write, reads, missing: set[str], index: ProjectIndex):
    """The lookup of a parent row that loads the created model through its relation field
    (`const user = await prisma.user.findFirst({ include: { client: true } })`, then `let client =
    user.client; if (!client) client = await prisma.client.create(…)`; of a list relation, its
    first row: `seller.warehouses[0] ?? await prisma.warehouse.create(…)`): a rerun finds,
    through the parent, the row a failed run created."""
    target = index.schema.by_client_name(first.model) if index.schema is not None else None
    if target is None:
        return None
    lines = source_lines(index, first.path)
    for c in reads:
        parent = index.schema.by_client_name(c.model) if c.model else None
        name = c.call.result or c.call.assigned_to
        if parent is None or not name:
            continue
        read = b"\n".join(lines[c.call.span.line - 1:c.call.span.end_line]).decode("utf-8", "replace")
        after = b"\n".join(lines[c.call.span.end_line:first.span.line]).decode("utf-8", "replace")
        for f in parent.fields:
            if not (f.is_relation and f.type == target.name) \
                    or re.search(rf"\b{re.escape(f.name)}\s*:\s*(?:true|\{{)", read) is None:
                continue   # (a relation the read does not load is always missing)
            member = f"{name}.{f.name}" + ("[0]" if f.is_list else "")   # (of a list, its first row)
            aliases = {m.group(1) for m in re.finditer(
                rf"\b(?:let|const|var)\s+([\w$]+)\s*(?::[^=]+)?=\s*{re.escape(member)}\s*[;\n]", after)}
            if member in missing or aliases & missing:
                return c
    return None


# The `where` of a write as its text shows it: `{ id: jobId }`, or a name.
_WHERE = re.compile(r"\bwhere\s*:\s*(\{[^{}]*\}|[\w$.]+)")
# Its `key: value` (or shorthand `key`) pairs.
_PAIRS = re.compile(r"([\w$]+)\s*(?::\s*([^,{}]+))?")


def _gives(call: str, k: str, v: str) -> bool:
    """The call's text (whitespace removed) sets `k` to `v` in an object (`k` alone: shorthand)."""
    value = re.escape(v or k)
    return re.search(rf"[{{,]{re.escape(k)}:{value}[,}}]" + (rf"|[{{,]{re.escape(k)}[,}}]" if not v else ""),
                     call) is not None


def _same_row(first: Write, w: Write, index: ProjectIndex) -> bool:
    """`w` updates the one row `first` wrote: by the id of the row `first` created, or by the
    value of a key `first` gave it (`create({ data: { discordId: id, … } })`, then `update({
    where: { discordId: id } })`: an `update`'s where is unique), or, both updates, by the same
    equality `where` (`{ id: jobId }` twice)."""
    if first.operation == "create":
        made = next((c.call.result or c.call.assigned_to for c in index.calls_in(first.path)
                     if c.call.span == first.span), None)
        if made and re.search(rf"(?<![\w$.]){re.escape(made)}\.id\b", w.matched) is not None:
            return True
        where = _WHERE.search(w.matched) if w.operation == "update" and w.args is not None \
            and w.args.where_equality_only else None
        pairs = _PAIRS.findall(where.group(1)) if where is not None else []
        given = "".join(first.matched.split())
        return bool(pairs) and all(_gives(given, k, "".join(v.split())) for k, v in pairs)
    if first.operation != "update" or w.operation != "update" or first.args is None or w.args is None \
            or not (first.args.where_equality_only and w.args.where_equality_only):
        return False
    a, b = _WHERE.search(first.matched), _WHERE.search(w.matched)
    return a is not None and b is not None and "".join(a.group(1).split()) == "".join(b.group(1).split())


def _renumbers(first: Write, w: Write, index: ProjectIndex) -> tuple[str, int] | None:
    """(field, line of the read) when `first` deletes rows and `w` then sets only the field the
    remaining rows of that model are read back in order of, between the two (`findMany({
    orderBy: { position: "asc" } })`, then `update({ data: { position: i } })`): it closes the
    gap the delete left in a sequence."""
    if first.operation not in DELETE_OPS or w.operation not in ("update", "updateMany") or first.model != w.model \
            or first.path != w.path or first.ctx.function != w.ctx.function or w.args is None \
            or w.args.opaque or w.args.nested_writes or len(w.args.data_fields) != 1:
        return None
    f = w.args.data_fields[0]
    return next(((f, c.line) for c in index.calls_in(w.path)
                 if c.operation == "findMany" and c.model == w.model and c.call.ctx.function == w.ctx.function
                 and first.ctx.end <= c.call.ctx.start < w.ctx.start and f in c.call.args.order_by_fields), None)


def _records_work(first: Write, w: Write, index: ProjectIndex) -> tuple[str, int] | None:
    """(callee, line) of an awaited call between the writes, when `w` updates the row `first`
    wrote (`_same_row`: `const msg = await create(…); await queue.add(…); await update({ where:
    { id: msg.id }, … })`, or a job's status set twice around its work): the row records
    work the call does outside the database, its start and then its outcome. A transaction
    cannot be held open across that work, and the first write must stand if the work
    happened. A call of a repo function that itself writes is database work, not this; a
    call the scan cannot follow (a parameter's method) is not. (Requiring the call to be
    handed the row as well left one more FALSE and one fewer TRUE on the tuning labels.)"""
    if w.operation not in ("update", "updateMany") or first.model != w.model \
            or first.path != w.path or first.ctx.function != w.ctx.function or not _same_row(first, w, index):
        return None
    found = []
    for cs in calls_between(index, first.path, w.ctx.function, first.ctx.end, w.ctx.start):
        if not cs.ctx.awaited:
            continue
        target = index.callee(first.path, cs)
        if target is not None and index.db_chain(FunctionKey(target.path, index.owner(target.path, target.id)),
                                                 kinds=frozenset({"write"})):
            continue
        found.append((cs.span.line, cs.callee))
        break
    # A call the scan cannot follow (`await agent.execute(id)`, a parameter's method) is work
    # the row records too: not a Prisma call, and no repo function the scan sees writing.
    found += [(x.line, x.callee) for x in opaque_waits_between(index, first.path, w.ctx.function,
                                                                first.ctx.end, w.ctx.start)[:1]]
    return (min(found)[1], min(found)[0]) if found else None


def _caller_decides(first: Write, w: Write, index: ProjectIndex) -> bool:
    """Both writes go through a client parameter itself (`f(db: Db)`, `this.client(tx)`,
    `tx ?? this.prisma`) of a function that is no entry point and that no resolved code calls
    (an interface's implementation, injected): its callers choose the client."""
    given = w.handed
    return given is not None and given == first.handed and not given[2] and first.path == w.path \
        and w.entry_point is None and not index.callers(FunctionKey(w.path, given[0]))


def _cascaded(w: Write, schema, index: ProjectIndex) -> str | None:
    """`w` deletes only rows the database already removed: a `deleteMany` of the rows that
    point, through a relation with `onDelete: Cascade`, at a row the same function deleted
    before it (`products.delete(…)`, then `stocks.deleteMany({ where: { productId } })`). What
    deleted them, or None."""
    if schema is None or w.operation != "deleteMany" or w.args is None or w.model is None:
        return None
    child = schema.by_client_name(w.model)
    pinned = set(w.args.where_points) | set(w.args.where_fields)
    parents = {f.type for f in (child.fields if child is not None else ())
               if f.relation is not None and f.relation.on_delete == "Cascade"
               and set(f.relation.fields or ()) & pinned}
    for c in index.writes_in(w.path, w.ctx.function):
        parent = schema.by_client_name(c.model) if c.model else None
        if c.operation in DELETE_OPS and c.call.ctx.end <= w.ctx.start \
                and parent is not None and parent.name in parents:
            return f"{c.label}() at line {c.line}"
    return None


# What a line may end with when the next line goes on its expression (`return`, `=`, `(`, `=>`).
_CONTINUED = re.compile(rb"(?:[=(,:?&|+\-\[]|=>|\breturn|\bawait|\byield|\bvoid)\s*$")


def _never_run(w: Write, index: ProjectIndex) -> bool:
    """A Prisma write written as a statement of its own that nothing awaits, chains, keeps,
    returns or collects (`this.prisma.history.create({ … })` on its own line): a Prisma query
    is lazy and runs only when something calls `then()` on it, so this one never runs."""
    c = w.ctx
    if w.args is None or c.awaited or w.collected_into or w.result or c.lazy_return >= 0 or c.tx \
            or c.parallel_group is not None:
        return False
    lines = source_lines(index, w.path)
    if w.span.end_line > len(lines):
        return False
    before = lines[w.span.line - 1][:w.span.column - 1]
    after = lines[w.span.end_line - 1][w.span.end_column - 1:]
    if before.strip() or after.strip() not in (b"", b";"):
        return False
    following = next((ln for ln in lines[w.span.end_line:] if ln.strip()), b"")
    if not after.strip() and following.lstrip().startswith((b".", b"?.")):
        return False   # (chained on the next line: `.then(…)`, `.catch(…)` run it)
    previous = next((ln for ln in reversed(lines[:w.span.line - 1]) if ln.strip()), b"")
    return not _CONTINUED.search(previous.split(b"//")[0])


def _grade(first: Write, w: Write, schema, catches: dict[int, CatchFact],
           index: ProjectIndex) -> tuple[str, tuple[str, ...]]:
    cascaded = _cascaded(w, schema, index)
    if cascaded is not None:
        return "quiet", (f"{w.label} deletes only rows the database already removed: they point at the row "
                         f"{cascaded} deleted, through a relation with onDelete: Cascade",)
    for x, other in ((w, first), (first, w)):
        if _bookkeeping(x, other, index):
            return "quiet", (f"{x.label} only keeps bookkeeping fields ({', '.join(x.args.data_fields[:3])})",)
    held = next((x for x in (w, first) if x.collected_into), None)
    if held is not None:
        return "low", (f"{held.label} is not run here but collected into `{held.collected_into}`: a Prisma "
                       "query runs where it is awaited, so whether the writes share a transaction is "
                       f"decided where `{held.collected_into}` runs",)
    if w.ctx.catches:
        return "quiet", (f"{w.label} runs in a catch clause: it compensates for a failure",)
    undo = _undone_on_failure(first, w, index)
    if undo is not None:
        return "quiet", (f"{w.label} sits in a try whose catch undoes {first.label} ({undo.operation} of "
                         f"{undo.model} at line {undo.call.span.line}): the pair is compensated",)
    if _caller_decides(first, w, index):
        return "low", ("both writes use the client this function is handed as a parameter, and no caller "
                       "the scan resolves shows whether it hands a transaction's: the caller decides",)
    answered = _answering_try(first, w, catches)
    if answered is not None:
        return "low", (f"{first.label} sits in a try that returns its answer (line {answered.span.line} "
                       f"catches): {w.label} after it runs only when that try failed, as its fallback",)
    for x, other in ((w, first), (first, w)):
        c = _best_effort(x, other, catches)
        if c is not None:
            how = "a `.catch()`" if c.kind == "catch-method" else "a try/catch"
            return "low", (f"{x.label} is best-effort: {how} at line {c.span.line} lets it fail "
                           "while the other write stays",)
    deferred = [after_response(index, x.path, x.ctx.function) for x in (first, w)]
    if (deferred[0] is None) != (deferred[1] is None):
        x, how = (first, deferred[0]) if deferred[0] is not None else (w, deferred[1])
        return "low", (f"{x.label} runs in work handed to `{how}()`, which runs after the caller has "
                       "returned: deferred by design, it cannot share the other write's transaction",)
    steps = (durable_step(first.ctx), durable_step(w.ctx))
    if steps[0] is not None and steps[1] is not None and steps[0] != steps[1]:
        return "low", ("each write is its own durable workflow step (step.run), retried on its own",)
    claimed = _claim(first, w, index)
    if claimed is not None:
        return "low", (f"{first.label} claims rows (its `where` tests `{claimed}`, which it sets, and the code "
                       f"keeps how many it won) and {w.label} sets `{claimed}` again, releasing or completing "
                       "the claim: a claim commits on its own so other workers see it",)
    marker = next((x for x in (first, w) if _progress_marker(x)), None)
    if marker is not None:
        return "low", (f"{marker.label} only moves a progress marker ({', '.join(marker.args.data_fields[:3])}), "
                       "which the process's retry or recovery sets again",)
    io = external_io_between(index, w.path, w.ctx.function, first.ctx.end, w.ctx.start, along=w.ctx) \
        if first.path == w.path and first.ctx.function == w.ctx.function else None
    if io is not None:
        return "low", (f"{io[0]} at line {io[1]} runs between the writes, outside the database: a "
                       "transaction cannot take it back, so the steps are a saga that needs "
                       "compensation or a status to resume from, not a transaction",)
    gap = _renumbers(first, w, index)
    if gap is not None:
        return "low", (f"{w.label} only renumbers `{gap[0]}`, the field the rows left after {first.label} are "
                       f"read in order of (line {gap[1]}): a failure between leaves a gap in that order, "
                       "not a wrong one",)
    work = _records_work(first, w, index)
    if work is not None:
        made = "created" if first.operation == "create" else "updated"
        return "low", (f"{w.label} updates the row {first.label} {made}, after {work[0]}() (line {work[1]}) "
                       "ran: the row records work done outside the database, which a transaction "
                       "cannot span, and it must stand once that work has run",)
    if first.operation == w.operation == "upsert":
        return "low", ("both writes are upserts: running the code again repairs a partial write",)
    if first.operation == "upsert" and not _together(first, w) and w.args is not None:
        # (Not an audit writer second: a missing audit entry is what the rule guards against.)
        return "low", (f"the first write, {first.label}, is an upsert: running the code again after a "
                       "failed second write repeats it harmlessly and completes the work",)
    found = _found_or_created(first, w, index) if w.args is not None else None
    if found is not None:
        return "low", (f"{first.label} runs only when {found.label}() (line {found.line}) found no "
                       f"{first.model} row, and {w.label} runs either way: running the code again finds "
                       "the row and completes the work",)
    expiry = _rotation(first, w, schema)
    if expiry is not None:
        return "low", (f"{first.label} then {w.label} rotate {first.model} rows, which expire ({expiry}): a "
                       "failure between leaves no valid one, and asking again makes a new one",)
    pruned = next(((x, dates) for x in (first, w) for dates in (_pruned_dates(x, schema),) if dates), None)
    if pruned is not None:
        x, dates = pruned
        return "low", (f"{x.label} prunes {x.model} rows past a date cutoff ({', '.join(dates)}): retention, "
                       "independent of the other write; the next run prunes what a failed one left",)
    audit = next((x for x in (first, w) if x.model is None and x.operation is None), None)
    if audit is not None:
        other = w if audit is first else first
        own = _writer_lets_fail(index, audit)
        if own is not None:
            return "low", (f"{audit.label} is best-effort: its own catch ({own[0]}:{own[1]}) lets its write "
                           f"fail and goes on, so {other.label} stays without its record by the writer's design",)
        return "high", (f"{audit.label} records {other.label}: a failure between leaves a change without its "
                        "audit record, or a record of a change that did not happen",)
    spent = _consumed(first, w, schema)
    if spent is not None:
        return "low", (f"{first.label} first spends a one-time {first.model} row, which expires ({spent}): "
                       f"if {w.label} then fails, the user asks for a new one; nothing is left half made",)
    if _replaces(first, w, schema):
        return "high", (f"{first.label} deletes {first.model} rows and {w.label} then writes their "
                        "replacement: if it fails, the old rows are gone and no new ones exist",)
    created = {x.model for x in (first, w) if x.operation in CREATE_OPS}
    if created and _related_models(schema, first.model, w.model):
        return "high", (f"{first.model} and {w.model} are related and one of them is created: if the second "
                        "write fails, one exists without the other",)
    timer = index.scheduled(w.path, w.ctx.function)
    if timer is not None:
        return "low", (f"{timer[0]}() runs on a schedule ({timer[1]}), outside the request path: the next run "
                       "meets what a failed one left, and nothing proves the two writes must hold together",)
    return "medium", ("whether a partial write leaves inconsistent data depends on how the two are used",)


def _check(ctx: RuleContext):
    by_function, outer = _writers(ctx)
    for call in outer:
        yield ctx.call_finding(
            call,
            f"{call.label}() inside a $transaction callback uses the outer client instead of the "
            f"transaction client: it runs outside the transaction and is not rolled back. Call it "
            f"on the callback's parameter (`tx.{call.model}.{call.operation}`).",
            confidence="high",
            evidence=("the write's client is not the callback's parameter, so the transaction does not "
                      "cover it",),
        )
    by_path: dict[str, dict[int, CatchFact]] = {}

    def catches_of(path: str) -> dict[int, CatchFact]:
        if path not in by_path:
            by_path[path] = {c.key: c for c in ctx.index.files[path].catches}
        return by_path[path]

    for key in sorted(by_function, key=lambda k: (k.path, k.id)):
        writes = sorted(by_function[key], key=lambda w: w.ctx.start)
        reported: list[Write] = []
        for i, w in enumerate(writes):
            partners = [e for e in writes[:i] if not _exclusive(e.ctx, w.ctx) and not _fallback(e, w)]
            if not partners or any(not _exclusive(r.ctx, w.ctx) for r in reported):
                continue
            reported.append(w)
            first = partners[0]
            parallel = _together(first, w)
            how = "in one Promise.all" if parallel else "one after the other"
            others = f" (and {len(partners) - 1} more)" if len(partners) > 1 else ""
            fn = ctx.index.function(key)
            where = f"{fn.name}()" if fn else "module code"
            yield ctx.finding(
                w.path, w.span,
                f"{w.label} and {first.label} (line {first.span.line}){others} write {how} in "
                f"{where} outside a transaction: if the second fails the first stays, leaving "
                f"partial state. Wrap them in `prisma.$transaction(async (tx) => …)`.",
                model=w.model, operation=w.operation, entry_point=w.entry_point,
                related=tuple(Related(p.path, p.span.line, f"earlier write {p.label}") for p in partners),
                matched=w.matched,
                **dict(zip(("confidence", "evidence"), _grade(first, w, ctx.schema, catches_of(w.path), ctx.index))),
            )


RULE = Rule(
    id="write-without-transaction",
    name="Several writes outside a transaction",
    category="transactions",
    severity=Severity.HIGH,
    summary="Two or more writes that can run together outside a $transaction.",
    check=_check,
    options=("side_effect_writers",),
    tags=("data-integrity",),
)

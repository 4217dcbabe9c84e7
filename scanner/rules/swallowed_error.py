"""swallowed-error: a catch around database work whose handler is empty or only
logs, so the caller never learns the operation failed (rules.md §3).

Confidence (rules.md §8): a commented empty catch is a stated decision (quiet), and
a commented one that logs is best effort (low); a `.catch()` on work nobody awaits is
fire-and-forget (low); work several calls down the guarded code is incidental to it
(medium at most); a write guarded directly in a request entry point whose handler
falls through answers the request as if the write happened (high), and so does a handler
answering through a response object whose try is its last statement (the request hangs); a
logged read after which the function writes nothing is a fallback (low)."""

from __future__ import annotations

import re

from ..facts.catches import TOLERATED
from ..facts.functions import DETACHED_IIFE
from ..facts.handlers import TOOL_COMMENT
from ..facts.model import LoopFrame, CatchFact
from ..facts.operations import CREATE_OPS, UPDATE_OPS
from ..findings import Severity
from ..index import FunctionKey
from .base import Rule, RuleContext
from ..analysis.callee_names import after_response, callee_matches, event_listener
from ..analysis.audit_trail import audit_models, listed_logs
from ..analysis.bookkeeping import bookkeeping_only
from ..analysis.guarded_work import catches, swallows
from ..analysis.sources import source_lines
from ..analysis.untouched_models import DML


def _what_it_does(catch: CatchFact) -> str:
    h = catch.handler
    if h.logs:
        logs = ", ".join(dict.fromkeys(h.logs))
        return f"only logs ({logs})"
    return "is empty, apart from a comment" if h.comments else "is empty"


def _isolating_loop(catch: CatchFact, w) -> LoopFrame | None:
    """A loop of the catch's own function around the whole try (or `.catch()`): the handler
    keeps one item's failure from stopping the others."""
    contexts = [c.call.ctx for c in w.calls] + [site.ctx for site, _, _ in w.via]
    for ctx in contexts:
        for lp in ctx.loops:
            if lp.function == catch.function and lp.line <= catch.span.line \
                    and catch.span.end_line <= lp.end_line:
                return lp
    return None


def _forwarding_logger(index, path: str, catch: CatchFact, trackers) -> tuple[str, str, str] | None:
    """(log call, module file, tracker call) when the handler logs through a logger of
    the repository whose module reports to a configured error tracker
    (`logger.error(e)` where `lib/logger.ts` calls `Sentry.captureException`)."""
    facts = index.files.get(path)
    if facts is None or not catch.handler.logs:
        return None
    for site in facts.call_sites:
        if not catch.span.contains(site.span) or site.ref is None or site.ref.kind != "import" or not site.ref.module \
                or site.callee not in catch.handler.logs:
            continue
        target = index.modules.resolve(path, site.ref.module)
        module = index.files.get(target) if target is not None else None
        if module is None:
            continue
        tracker = next((t.callee for t in module.call_sites if callee_matches(t.callee, trackers)), None)
        if tracker is not None:
            return site.callee, target, tracker
    return None


def _reaches(ctx) -> bool:
    """Whether a failure of the work at this site can reach a catch around it: awaited, or an
    element of a `Promise.all([...])` (which, awaited, rejects with it)."""
    return ctx.awaited or ctx.parallel_group is not None


def _error_path(catch: CatchFact, catches) -> CatchFact | None:
    """The catch clause this one sits in when that one hands its own error on (rethrows,
    returns or answers it): this work runs while another failure is being reported."""
    return next((o for o in catches if o.kind == "try" and o is not catch and o.span.contains(catch.span)
                 and (o.handler.throws or o.handler.returns or o.handler.responds or o.handler.forwards)), None)


def _committed_before(index, path: str, catch: CatchFact, w) -> tuple[str, int] | None:
    """(label, line) of the function's own awaited write that has run whenever the guarded
    work runs (in no branch arm, and under no try, that the guarded work is not also in):
    the change the caller asked for is saved before the try begins. A call of a repo function
    that writes counts as such a write (`const invoice = await createInvoice(…)`, then a
    guarded `generatePdf(invoice.id)`), and so does an awaited `$transaction` that writes. A
    `.catch()` chain after the save is not judged so: on the tuning labels 11 of 19 such
    chains guarded work the caller relied on (a read state, the row a get-or-create made)."""
    guarded = [c.call.ctx for c in w.calls] + [site.ctx for site, _, _ in w.via]
    if catch.kind != "try" or not guarded:
        return None
    return _saved_before(index, path, catch.function, guarded, catch.span)


def _saved_before(index, path: str, fid: int, guarded: list, inside=None,
                 through_calls: bool = True) -> tuple[str, int] | None:
    """(label, line) of an awaited write of function `fid` that has run whenever the guarded
    contexts run: before the first of them, in no branch arm and under no try they are not
    also in, and not in the span `inside` (the catch's own try). With `through_calls`, a
    call of a repo function that writes counts too."""
    first = min(guarded, key=lambda c: c.start)

    def before(ctx, span) -> bool:
        return ctx.start < first.start and ctx.awaited and not ctx.catches \
            and (inside is None or not inside.contains(span)) \
            and all(ctx.arms_within(g) and set(ctx.trys) <= set(g.trys) for g in guarded)
    # Raw SQL run with `$executeRaw…` (an INSERT or UPDATE, what it is for) is a save as well.
    executes = (c for c in index.calls_in(path) if c.call.ctx.function == fid and c.operation.startswith("$execute"))
    own = next((c for c in (*index.writes_in(path, fid), *executes) if before(c.call.ctx, c.call.span)), None)
    if own is not None:
        return f"{own.label}()", own.line
    # A transaction that writes, run and awaited before (`const booking = await
    # prisma.$transaction(async (tx) => { … tx.booking.create(…) })`), is a save too.
    tx = next((t for t in _writing_transactions(index, path)
               if t.call.ctx.function == fid and before(t.call.ctx, t.call.span)), None)
    if tx is not None:
        return f"{tx.label}()", tx.line
    if not through_calls:
        return None
    key = FunctionKey(path, index.owner(path, fid))
    for site in index.sites_of(key):
        if site.ctx.function != fid or not before(site.ctx, site.span):
            continue
        target = index.callee(path, site)
        chain = index.db_chain(FunctionKey(target.path, index.owner(target.path, target.id)),
                               kinds=frozenset({"write"})) if target is not None else None
        if chain:
            return f"{site.callee}() → {chain[-1][0]}", site.span.line
    return None


def _follow_up_in_callers(index, path: str, catch: CatchFact) -> tuple[int, str] | None:
    """(callers, where the first saved) for a helper (a named function or a method, no entry
    point) that does all its database work inside the try, when every caller drops what it
    returns and calls it only after saving its own change (`await prisma.post.update(…);
    await logActivity(…);`): what the catch swallows is a follow-up to work already
    committed, and no caller had a use for its result (the caller-side form of
    _committed_before)."""
    key = _whole_try_helper(index, path, catch) if catch.kind == "try" else None
    callers = index.callers(key) if key is not None else None
    if not callers:
        return None
    first = None
    for cpath, site in callers:
        if not site.dropped or site.ctx.function < 0:
            return None
        # The caller's own write: a helper before it may be best-effort itself (a startup
        # `await syncCounts(); await warmUp();` saves nothing for sure).
        saved = _saved_before(index, cpath, site.ctx.function, [site.ctx], through_calls=False)
        if saved is None:
            return None
        first = first or (f"{saved[0]} at {cpath}:{saved[1]}" if cpath != path else f"{saved[0]} at line {saved[1]}")
    return len(callers), first


def _writing_transactions(index, path: str) -> list:
    """The `$transaction` calls of a file whose span holds a write (in its callback or its
    array), worked out once per file."""
    def compute():
        out: dict[str, list] = {}
        for p in {c.path for c in index.prisma_calls if c.kind == "transaction"}:
            calls = index.calls_in(p)
            writes = [c.call.span for c in calls if c.kind == "write"]
            out[p] = [t for t in calls if t.kind == "transaction" and any(t.call.span.contains(w) for w in writes)]
        return out
    return index.memo("writing-transactions", compute).get(path, [])


def _unwaited(index, path: str, fid: int) -> tuple[int, str] | None:
    """(how many callers, where the first is) when the scan sees callers of the function and
    none waits for it: each starts it as a statement of its own without `await`, or hands it
    to `waitUntil()` / `after()`. Whatever the catch swallows, no caller was going to see."""
    fn = index.function(FunctionKey(path, fid)) if fid >= 0 else None
    if fn is None or (fn.parent != -1 and fn.kind != "method"):
        return None  # a closure (a component's loader) shows its outcome through the state it sets
    callers = index.callers(FunctionKey(path, fid))
    if not callers or not all(site.discarded for _, site in callers):
        return None
    cpath, site = callers[0]
    return len(callers), (f"{cpath}:{site.span.line}" if cpath != path else f"line {site.span.line}")


def _whole_try_helper(index, path: str, catch: CatchFact) -> FunctionKey | None:
    """The function of the catch when it is a helper (a named function or a method, no entry
    point) whose database work (its Prisma calls, and its calls of repo functions that reach
    one) all runs inside this try or its handler."""
    key = FunctionKey(path, catch.function)
    fn = index.function(key) if catch.function >= 0 else None
    if fn is None or (fn.parent != -1 and fn.kind != "method") or index.entry_kind(path, catch.function):
        return None
    inside = lambda ctx: catch.key in ctx.trys or catch.key in ctx.catches

    def db_work(site) -> bool:  # (`EVENTS.includes(name)` before the try does none)
        target = index.callee(path, site)
        called = FunctionKey(target.path, index.owner(target.path, target.id)) if target is not None else None
        return called is not None and bool(index.db_chain(called))
    if not all(inside(c.call.ctx) for c in index.calls_by_function.get(key, ())) \
            or not all(inside(s.ctx) or not db_work(s) for s in index.sites_of(key)):
        return None
    return key


def _self_contained(index, schema, path: str, catch: CatchFact) -> tuple[int, str] | None:
    """(callers, the models it appends to) for a helper (a named function or a method, no
    entry point) that does everything inside the try, only creates rows of models no other
    model refers to (a log, an event, a usage record), and whose callers all drop its value
    (`await logUsage(x);`): it cannot fail and gives nothing back, and what it loses is a
    record nothing hangs on. A try that leaves work outside it, an update or delete, a row
    other rows point to (`addMember()` creating a user), or a caller that reads the result
    (and may report success from it) is not judged here."""
    key = _whole_try_helper(index, path, catch) if schema is not None else None
    writes = [c for c in index.calls_by_function.get(key, ()) if c.kind == "write"] if key is not None else []
    if not writes or not all(c.operation in CREATE_OPS and c.operation not in UPDATE_OPS and _leaf(index, c.model)
                             for c in writes):
        return None
    callers = index.callers(key)
    if not callers or not all(site.dropped or site.discarded for _, site in callers):
        return None
    return len(callers), ", ".join(sorted({schema.by_client_name(c.model).name for c in writes}))


def _leaf_helpers(index, path: str, w) -> list[FunctionKey] | None:
    """The repo functions the guarded code calls for its database work, when each does all of
    it with its own Prisma calls (none calls further code that reaches the database); else None."""
    helpers = []
    for site, _, _ in w.via:
        target = index.callee(path, site)
        key = FunctionKey(target.path, index.owner(target.path, target.id)) if target is not None else None
        if key is None or any(index.db_chain(k) for _, k in index.callees_of(key)):
            return None
        helpers.append(key)
    return helpers


_VIEW_REFRESH = re.compile(rb"\bREFRESH\s+MATERIALIZED\s+VIEW\b", re.I)
# SQL that declares the schema (`CREATE TABLE IF NOT EXISTS`, `ALTER TABLE … ADD COLUMN`).
_DECLARES = re.compile(rb"\b(?:CREATE|ALTER)\s+(?:TABLE|(?:UNIQUE\s+)?INDEX|TYPE|SEQUENCE)\b", re.I)


def _raw_purpose(index, path: str, catch: CatchFact, w) -> str | None:
    """What the guarded work's raw SQL is for, when every database statement it runs is raw SQL
    (in a transaction or not) in functions whose text either refreshes a materialized view
    (`await prisma.$executeRawUnsafe("REFRESH MATERIALIZED VIEW stock_snapshot")`: derived
    data, which the view's next refresh rebuilds from the committed tables) or only declares
    the schema (`CREATE TABLE IF NOT EXISTS …`, and no `SELECT`, `INSERT`, `UPDATE` or `DELETE`:
    a bootstrap step that holds no rows, whose failure the next query on the table shows), here
    or in the helper the try calls; else None."""
    helpers = _leaf_helpers(index, path, w)
    if helpers is None:
        return None
    calls = list(w.calls) + [c for k in helpers for c in index.calls_by_function.get(k, ())]
    keys = ([FunctionKey(path, index.owner(path, catch.function))] if w.calls else []) + helpers
    if not any(c.kind == "raw" for c in calls) or any(c.kind not in ("raw", "transaction") for c in calls):
        return None
    purposes = set()
    for key in keys:
        fn = index.function(key)
        text = b"\n".join(source_lines(index, key.path)[fn.span.line - 1:fn.span.end_line]) if fn is not None else b""
        if _VIEW_REFRESH.search(text):
            purposes.add("refresh")
        elif _DECLARES.search(text) and not DML.search(text):
            purposes.add("schema")
        else:
            return None
    return "refresh" if "refresh" in purposes else "schema" if purposes else None


def _leaf(index, model: str | None) -> bool:
    """No model holds a foreign key to this one: its rows are records nothing points to."""
    m = index.schema.by_client_name(model) if model else None
    pointed_at = index.memo("models-with-foreign-keys-to-them", lambda: frozenset(
        f.type for o in index.schema.models for f in o.fields if f.relation is not None and f.relation.is_owning_side))
    return m is not None and m.name not in pointed_at


def _answering(index, path: str, fid: int) -> str | None:
    """The entry kind of the request handler whose own execution runs this code: the catch's
    function, or the one its inline callbacks (`.map(async …)`, `$transaction(async tx => …)`)
    are written in. A function the handler defines for a library to call (NextAuth's
    `callbacks: { jwt() {…} }`) answers that library, not the request: None."""
    return index.own_entry_kind(path, index.owner(path, fid))


def _rerun_by_timer(index, path: str, w) -> tuple[str, str] | None:
    """(function, how a timer runs it) when all the guarded database work is reached through
    calls of functions a timer also runs (`try { await this.loadCache() } catch { log }` at
    startup, where `@Cron('* * * * *') loadCache()`): a failed run is redone by the next tick."""
    if w.calls or not w.via:
        return None
    timers = []
    for site, _, _ in w.via:
        target = index.callee(path, site)
        timer = index.scheduled(target.path, target.id) if target is not None else None
        if timer is None:
            return None
        timers.append(timer)
    return timers[0]


# Entry kinds that answer through a response object (`res.json()`): a catch that only logs
# can leave the request unanswered, whatever the guarded work was.
_RESPONDING = frozenset({"http-handler", "pages-api"})


def _writes_after(index, path: str, catch: CatchFact) -> int | None:
    """The line of a write the catch's function makes after the catch, itself or through a
    repo function it calls (a `finally` that clears a flag, a save of what was computed without
    the failed read): what it writes may rest on the data the read did not return."""
    own = [c.line for c in index.writes_in(path, catch.function) if c.line > catch.span.end_line]
    if own:
        return min(own)
    for site in index.files[path].call_sites:
        if site.ctx.function != catch.function or site.span.line <= catch.span.end_line:
            continue
        target = index.callee(path, site)
        if target is not None and index.find_chain(target, lambda c: c.writes, depth=3) is not None:
            return site.span.line
    return None


def _grade(index, path: str, catch: CatchFact, w, trail) -> tuple[str, tuple[str, ...]]:
    """How sure a swallowing catch matters (rules.md §8): first by what the catch and its
    guarded work show, then by where the function runs; each fact about the function is
    looked up only when the ones before it did not decide."""
    return _by_shape(catch, w) or _trail_only(index, path, w, trail) or _by_context(index, path, catch, w)


def _trail_only(index, path: str, w, trail) -> tuple[str, tuple[str, ...]] | None:
    """Low when the guarded work only appends to the audit trail (`audit.models`), here or in
    the helpers it calls (`await logActivity(…).catch(() => {})`): a lost entry costs a record
    of the change, not the change the caller relies on. So does work that only writes entries
    of a log the application only lists (analysis/audit_trail.listed_logs)."""
    logs = listed_logs(index, index.schema)
    helpers = _leaf_helpers(index, path, w) if trail or logs else None
    calls = list(w.calls) + [c for k in helpers or () for c in index.calls_by_function.get(k, ())]
    if not calls or helpers is None:
        return None
    if all(c.model in trail and c.operation in CREATE_OPS and not c.op.updates for c in calls):
        models = ", ".join(dict.fromkeys(trail[c.model].name for c in calls))
        return "low", (f"the guarded write only appends to the audit trail ({models}): a lost entry costs "
                       "a record of the change, not data the caller relies on",)
    if all(c.model in logs and (c.op.creates or c.op.updates) and not c.op.deletes for c in calls):
        models = ", ".join(dict.fromkeys(logs[c.model].name for c in calls))
        return "low", (f"the guarded work only records entries of a log ({models}) that the application "
                       "only lists, never looks up, counts or sums: a lost entry costs a line of history, "
                       "not state anything decides on",)
    return None


def _by_shape(catch: CatchFact, w) -> tuple[str, tuple[str, ...]] | None:
    """The grade the catch's own code and its guarded work decide, or None."""
    h = catch.handler
    if h.comments and not h.statements:
        return "quiet", ("the empty handler carries a comment: swallowing is a stated decision",)
    if h.comments:
        return "low", ("the handler carries a comment and logs: best-effort work, by design",)
    if catch.note:   # (a comment, or the function's name: `tryNotify…`)
        return "low", (catch.note if catch.note.startswith("the function's name") else
                       f"a comment states the intent: {catch.note}",)
    if catch.kind == "try" and not any(_reaches(c.call.ctx) for c in w.calls) \
            and not any(_reaches(site.ctx) for site, _, _ in w.via):
        return "quiet", ("the database work in the try is not awaited there: its failure never reaches "
                         "this catch",)
    if catch.kind == "try" and catch.try_answers and h.falls_through and not catch.ends_function:
        return "quiet", ("the try returns its answer; the handler falls through to what the function "
                         "answers after the try, so the caller sees the failure",)
    goes_on = h.falls_through or not h.statements   # (an empty handler goes on after the try too)
    if catch.kind == "try" and catch.success_flag and goes_on:
        return "quiet", (f"the try ends by setting `{catch.success_flag}`, which the function reads after "
                         "it and the handler leaves unset: the failure is recorded there",)
    if catch.kind == "try" and catch.after_fails and goes_on:
        return "quiet", (f"the handler falls through to `{catch.after_fails}` right after the try, which "
                         "answers with a failure: the caller sees it",)
    if catch.kind == "catch-method" and w.calls and not any(c.call.ctx.awaited for c in w.calls):
        return "low", ("the promise is not awaited: fire-and-forget work whose result nothing uses",)
    if catch.kind == "catch-method" and not w.calls and w.via \
            and (catch.dropped or all(site.discarded for site, _, _ in w.via)):
        return "low", ("nothing waits for the guarded call: it is started without `await`, kept in a variable "
                       "nothing reads, or handed to `waitUntil()` / `after()`, fire-and-forget work whose "
                       "result nothing uses",)
    if not w.calls and all(len(chain) >= 2 for _, chain, _ in w.via):
        return "low", ("the database work is several calls down the guarded code, incidental to what "
                       "the catch is about",)
    said = TOLERATED.search(TOOL_COMMENT.sub("", catch.handler_text))
    if said is not None and h.logs:
        return "low", (f"the handler's message says the failure is tolerated (\u201c{said.group(0)}\u201d): "
                       "best-effort work, by design",)
    writes = [c for c in w.calls if c.kind == "write"]
    if writes and not any(chain_writes for _, _, chain_writes in w.via) \
            and all(bookkeeping_only(c.operation, c.call.args) for c in writes):
        fields = ", ".join(dict.fromkeys(f for c in writes for f in c.call.args.data_fields)) or "counters"
        return "low", (f"the guarded write only keeps bookkeeping ({fields}): a lost write costs a stale "
                       "timestamp or counter, not data the caller relies on",)
    return None


def _by_context(index, path: str, catch: CatchFact, w) -> tuple[str, tuple[str, ...]]:
    """The grade where the catch's function runs decides: who waits for it, and what ran
    before the guarded work."""
    fid = catch.function
    entry = _answering(index, path, fid)
    if entry in _RESPONDING and catch.try_answers and catch.ends_function and catch.handler.falls_through:
        return "high", (f"the try answers the request of this {entry} and nothing follows it: the handler "
                        "only logs, so a failed query leaves the request unanswered until it times out",)
    outer = _error_path(catch, index.files[path].catches)
    if outer is not None:
        return "low", (f"it runs in the catch clause at line {outer.span.line}, which hands its own error on: "
                       "this work only records that failure, and the caller still learns of it",)
    timer = index.scheduled(path, fid)
    if timer is not None:
        return "low", (f"{timer[0]}() runs on a schedule ({timer[1]}): no caller waits for its result, "
                       "and the next run tries again",)
    after = after_response(index, path, fid)
    if after is not None:
        return "low", (f"it runs in work handed to `{after}()`, which runs after the caller has returned: no "
                       "caller waits for its result",)
    rerun = _rerun_by_timer(index, path, w)
    if rerun is not None:
        return "low", (f"the guarded work is {rerun[0]}(), which a timer also runs ({rerun[1]}): the next "
                       "run redoes what this one failed to do",)
    listener = event_listener(index, path, fid)
    if listener is not None:
        return "low", (f"it runs in a listener written for `{listener}()`: the emitter drops what a "
                       "listener returns, so a rethrow would reach no caller",)
    loop = _isolating_loop(catch, w)
    if loop is not None:
        return "low", (f"the catch sits in the loop at line {loop.line} and lets it go on to the next "
                       "item: one item's failure is isolated, by design",)
    if fid >= 0 and index.files[path].functions[fid].name == DETACHED_IIFE:
        return "low", ("it runs in an async function started in place without `await` (`(async () => { … })();` "
                       "as a statement of its own): nothing waits for it, fire and forget by design",)
    unwaited = _unwaited(index, path, fid)
    if unwaited is not None:
        n, where = unwaited
        return "low", (f"no caller waits for this function: {'its one call' if n == 1 else f'each of its {n} calls'} "
                       f"({where}) starts it without `await` and drops the result (fire and forget)",)
    helper = _self_contained(index, index.schema, path, catch)
    if helper is not None:
        n, models = helper
        return "low", (f"a helper that only appends {models} rows, which no other model refers to, inside a try "
                       f"around all its database work, and none of its {n} call{'s' if n > 1 else ''} uses what it "
                       "returns: a lost record that nothing hangs on and no caller waits for (best-effort)",)
    purpose = _raw_purpose(index, path, catch, w)
    if purpose == "refresh":
        return "low", ("the guarded work only refreshes a materialized view: derived data, which the view's "
                       "next refresh rebuilds from the tables already committed",)
    if purpose == "schema":
        return "low", ("the guarded work only declares the schema (raw `CREATE` / `ALTER` of a table or index, "
                       "no rows read or written): a failed step loses no data, and the queries that need it "
                       "fail on their own",)
    saved = _committed_before(index, path, catch, w)
    if saved is not None:
        return "low", (f"the function saved its change first ({saved[0]} at line {saved[1]}): the "
                       "guarded work is a follow-up to a change already committed",)
    follow = _follow_up_in_callers(index, path, catch)
    if follow is not None:
        n, first = follow
        return "low", (f"{'its one caller' if n == 1 else f'each of its {n} callers'} calls this helper only after "
                       f"saving its own change ({first}) and drops its result: the guarded work is a follow-up "
                       "to the change the caller already made, and no caller uses what it returns",)
    direct = [c for c in w.calls if w.writes is False or c.kind == "write" or c.operation.startswith("$execute")]
    if entry is not None and w.writes and direct and catch.handler.falls_through:
        return "high", (f"a write in {entry} is guarded directly and the handler falls through: the "
                        "request goes on as if it had been saved",)
    if not w.writes and catch.handler.logs and entry not in _RESPONDING \
            and _writes_after(index, path, catch) is None:
        return "low", ("a failed read loses no saved data: the handler logs it and the function writes "
                       "nothing after it, so the cost is an answer given without that data (a fallback)",)
    return "medium", ("whether the caller depends on this work succeeding is not known",)


def _check(ctx: RuleContext):
    index = ctx.index
    cfg = ctx.config["error_handling"]
    trackers = cfg["error_trackers"]
    trail = audit_models(ctx.schema, ctx.config["audit"]["models"])
    for path, catch, w in catches(index):
        if not swallows(catch.handler, trackers):
            continue
        how = "catch block" if catch.kind == "try" else ".catch() handler"
        entry = index.entry_kind(path, catch.function)
        if w is None:
            if cfg["report_all_catches"]:
                yield ctx.finding(
                    path, catch.span,
                    f"This {how} {_what_it_does(catch)}: the error is swallowed. Rethrow it, "
                    f"return an error result, or report it to an error tracker.",
                    severity=Severity.LOW, entry_point=entry, matched=catch.handler_text)
            continue
        forwarded = _forwarding_logger(index, path, catch, trackers)
        verb = "write" if w.writes else "read"
        consequence = ("the caller carries on as if the write succeeded and the data is silently "
                       "missing" if w.writes else
                       "the caller carries on with no data and no sign that the read failed")
        yield ctx.finding(
            path, catch.span,
            f"This {how} around a database {verb} ({w.what()}) {_what_it_does(catch)}: {consequence}. "
            f"Rethrow, return an error result or response, or report the error to a tracker "
            f"(e.g. Sentry.captureException).",
            severity=Severity.HIGH if w.writes else Severity.MEDIUM,
            entry_point=entry, related=w.related(path),
            matched=f"{catch.handler_text}@{w.label()}",
            **dict(zip(("confidence", "evidence"), _grade(index, path, catch, w, trail) if forwarded is None else (
                "quiet", (f"{forwarded[0]}() logs through {forwarded[1]}, which reports to {forwarded[2]}()",)))),
        )


RULE = Rule(
    id="swallowed-error",
    name="Swallowed database error",
    category="error-handling",
    severity=Severity.HIGH,
    summary="A catch around Prisma work that is empty or only logs, so the failure is invisible.",
    check=_check,
    options=("error_handling.error_trackers", "error_handling.report_all_catches", "audit.models"),
    tags=("reliability",),
)

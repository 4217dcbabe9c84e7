"""Awaited work outside the database: `fetch()`, or a method of an installed client's
instance (`await s3.send(…)` where `const s3 = new S3Client()`, or a package factory's
product: `const transport = nodemailer.createTransport(…)`), directly or a few repo
calls down. A loop whose items each await such work is per-item by design:
the database query beside it is not what one batched query would save (rules.md §8)."""

from __future__ import annotations

from ..facts.call_sites import GLOBAL_FETCH
from ..facts.model import CallSite, LoopFrame, OpaqueWait, SiteContext
from ..index import FunctionKey, ProjectIndex

# Modules whose calls are the database itself, not work beside it.
_DATABASE_MODULES = ("@prisma/", ".prisma/", "prisma")
# Packages whose every call is a request over the network (an HTTP client): imported
# functions of other packages are as often CPU work as I/O.
HTTP_CLIENTS = frozenset({"axios", "got", "ky", "undici", "node-fetch", "cross-fetch", "isomorphic-fetch",
                          "ofetch", "superagent", "needle", "request", "request-promise", "phin", "wretch"})


def _package(module: str | None) -> str:
    """The package a module specifier names (`@scope/name/sub` → `@scope/name`)."""
    parts = (module or "").split("/")
    return "/".join(parts[:2]) if parts[0].startswith("@") else parts[0]


# The framework's request-context accessors (`await headers()`, `await cookies()`) are
# awaited but do no I/O of their own.
_FRAMEWORK = ("next", "react")


def _external(index: ProjectIndex, path: str, site: CallSite, http: bool = True) -> bool:
    if not site.ctx.awaited:
        return False
    if site.callee in GLOBAL_FETCH and site.ref is None and site.local_function is None:
        return True
    if http and site.ref is not None and site.ref.kind == "import" and _package(site.ref.module) in HTTP_CLIENTS \
            and index.modules.resolve(path, site.ref.module) is None:
        return True   # `await axios.post(…)`, `fetch` of `import { fetch } from "undici"`
    # Otherwise only methods of an installed client's instance: an imported function is as often
    # CPU work (rendering, hashing) or a helper (`pMap`) as I/O, and an unresolved import may
    # be a workspace package of the repository's own.
    module = site.package
    if module is None and site.ref is not None and site.ref.kind == "import" and site.ref.members \
            and site.ref.module:
        # `slack.client.users.info()` of `import { slack } from '@/lib/slack'`, which exports
        # `new App(…)`: the instance lives in the repo module, its class in a package.
        path, module = _instance_export(index, path, site.ref.module, site.ref.name or "default")
    if not module or module.startswith("."):
        return False
    if module.startswith(_DATABASE_MODULES) or module.split("/")[0] in _FRAMEWORK:
        return False
    return index.modules.resolve(path, module) is None


def _instance_export(index: ProjectIndex, path: str, module: str, name: str,
                     depth: int = 0) -> tuple[str, str | None]:
    """(exporting file, module of the instance's class) of what `module` (imported in `path`)
    exports as `name`, through re-exports, when it is an instance (facts/exports.py
    `_instance_ref`); (path, None) otherwise."""
    target = index.modules.resolve(path, module)
    exp = index.find_export(target, name) if target is not None and depth < 4 else None
    if exp is None:
        return path, None
    if exp.ref.origin == "instance":
        return target, exp.ref.module
    if exp.ref.kind == "import" and exp.ref.module and exp.ref.members[-1:] == ("()",):
        # `export const transporter = nodemailer.createTransport(…)`: a factory's product,
        # which the exporter keeps as an import (it might have made a client).
        return target, exp.ref.module
    if exp.ref.kind == "import" and exp.ref.module and exp.ref.name not in (None, "*") and not exp.ref.members:
        return _instance_export(index, target, exp.ref.module, exp.ref.name, depth + 1)
    return path, None


def _retry(loop: LoopFrame) -> bool:
    """A counting or retry loop (`for (let attempt = 0; attempt < 3; attempt++)`, `while (tries
    < 3)`), which runs its first pass; not one over a collection, which may run none."""
    return loop.kind in ("for", "while", "do") and ".length" not in loop.header and ".size" not in loop.header


def _with(cs: SiteContext, site: SiteContext) -> bool:
    """`cs` runs whenever `site` does: in no branch arm `site` is not in, and not in a catch."""
    return not cs.catches and cs.arms_within(site)


def _prisma_spans(index: ProjectIndex, path: str) -> frozenset:
    """Where the Prisma calls the index settled sit in `path` (a call the file could not place,
    `openai.chat.completions.create()`, is other work)."""
    def compute():
        out: dict[str, set] = {}
        for c in index.prisma_calls:
            out.setdefault(c.path, set()).add(c.call.span)
        return {p: frozenset(s) for p, s in out.items()}
    return index.memo("prisma-call-spans", compute).get(path, frozenset())


def external_io_in_loop(index: ProjectIndex, path: str, site: SiteContext,
                        loop: LoopFrame) -> tuple[str, int] | None:
    """(what, line) of awaited external work each item of `loop` does whenever it runs
    the query at `site`: in the loop body, or on the normal path of a repo function it calls
    there (an error path deep down is not per-item design). A timer the item waits on counts
    too: the loop is paced on purpose."""
    facts = index.files.get(path)
    if facts is None:
        return None
    spans = _prisma_spans(index, path)
    for cs in facts.call_sites:
        if cs.span in spans or not any(lp.key == loop.key for lp in cs.ctx.loops) \
                or not _with(cs.ctx, site):
            continue
        found = _external_work(index, path, cs, per_item=True)
        if found is not None:
            return found
    return None


def calls_between(index: ProjectIndex, path: str, function: int, start: int, end: int) -> list[CallSite]:
    """The call sites of function `function` of `path` between byte offsets `start` and `end`
    (between two writes, say), Prisma calls left out."""
    facts = index.files.get(path)
    spans = _prisma_spans(index, path)
    return [cs for cs in facts.call_sites if cs.span not in spans and cs.ctx.function == function
            and start < cs.ctx.start < end] if facts is not None else []


def opaque_waits_between(index: ProjectIndex, path: str, function: int, start: int,
                         end: int) -> list[OpaqueWait]:
    """The awaited calls of something the scan cannot follow (facts/call_sites.py
    `OpaqueWait`: `await agent.execute(id)`) that function `function` of `path` makes between
    byte offsets `start` and `end`."""
    facts = index.files.get(path)
    return [w for w in facts.opaque_waits if w.function == function and start < w.start < end] \
        if facts is not None else []


def external_io_between(index: ProjectIndex, path: str, function: int, start: int,
                        end: int, along: SiteContext | None = None) -> tuple[str, int] | None:
    """(what, line) of awaited external work that function `function` of `path` does
    between byte offsets `start` and `end` (between two writes, say), directly or on the
    normal path of a repo function it calls there. With `along` (the second write's place),
    only work on the way to it counts: not in a catch clause (an error path), nor in an arm
    that returns or throws before it (`if (blocked) { await log(…); return }`)."""
    arms = {(o.key, o.arm) for o in along.branches} if along is not None else set()
    for cs in calls_between(index, path, function, start, end):
        if along is not None and (cs.ctx.catches or any(
                b.exits and (b.key, b.arm) not in arms for b in cs.ctx.branches)):
            continue
        found = _external_work(index, path, cs)
        if found is not None:
            return found
    return None


def _timer_wait(site: CallSite) -> bool:
    """A timer the code waits on (facts/waits.timer_wait: `await new Promise((r) =>
    setTimeout(r, 500))`, or a `sleep(ms)` helper built so). A loop that waits per item is
    paced on purpose (a rate limit)."""
    return site.callee == "setTimeout" and site.ref is None and site.local_function is None


def paced(found: tuple[str, int]) -> bool:
    """Whether what external_io_in_loop found is a timer the item waits on (its label ends at
    the `setTimeout()`, directly or down a `sleep()`), not work outside the database."""
    return found[0].endswith("setTimeout()")


# Between two writes, the external work may sit a few functions down (`generateReply()` →
# `callOpenAI()` → `fetch()`): the transaction would have to span it all the same.
_BETWEEN_DEPTH = 2


def _external_work(index: ProjectIndex, path: str, cs: CallSite, per_item: bool = False) -> tuple[str, int] | None:
    """(what, line) of external work at `cs` or down its callee's normal path. `per_item`: for
    a loop's items, where a timer counts (a paced loop) and an HTTP client package's calls do
    not (measured on the labelled loops, a request per item did not make their queries any
    less of an N+1: 7 TRUE against 2 FALSE); between two writes any request counts, since no
    transaction can span it."""
    http = not per_item
    if _external(index, path, cs, http) or (per_item and _timer_wait(cs)):
        return f"{cs.callee}()", cs.span.line
    target = index.callee(path, cs)
    if target is None:
        return None
    key = FunctionKey(target.path, index.owner(target.path, target.id))
    # In the callee, work on its normal path counts, in a branch arm too (`if (useResend) await
    # resend.emails.send(…) else await transport.sendMail(…)`: a provider chosen per call) or a
    # retry loop; not work in a catch clause (an error path: an alert about a failure), nor in
    # a loop over a collection (`for (const m of maintainers) await slack.chat.postMessage(…)`
    # may run no time at all).
    chain = index.memo(f"external-io:{key.path}:{key.id}:{per_item}", lambda: index.find_chain(
        key, lambda c: False, site_ok=lambda p, s: not s.ctx.catches and all(map(_retry, s.ctx.loops))
        and (_external(index, p, s, http) or (per_item and _timer_wait(s))), depth=0 if per_item else _BETWEEN_DEPTH))
    return (f"{cs.callee}() → {chain[-1][0]}", cs.span.line) if chain else None

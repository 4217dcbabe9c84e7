"""swallowed-error: a catch around database work whose handler is empty or only
logs, so the caller never learns the operation failed (rules.md §3)."""

from __future__ import annotations

from ..facts.model import CatchFact, HandlerSummary
from ..findings import Severity
from .base import Rule, RuleContext
from .callee_names import callee_matches
from .guarded_work import catches


def swallows(h: HandlerSummary, trackers) -> bool:
    """Empty or only logs: no rethrow, return, response, record for the caller,
    tracker report, or any other call."""
    if h.throws or h.returns or h.forwards or h.responds or h.records or h.calls:
        return False
    return not any(callee_matches(log, trackers) for log in h.logs)


def _what_it_does(catch: CatchFact) -> str:
    h = catch.handler
    if h.logs:
        logs = ", ".join(dict.fromkeys(h.logs))
        return f"only logs ({logs})"
    return "is empty, apart from a comment" if h.comments else "is empty"


def _check(ctx: RuleContext):
    index = ctx.index
    cfg = ctx.config["error_handling"]
    trackers = cfg["error_trackers"]
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
        )


RULE = Rule(
    id="swallowed-error",
    name="Swallowed database error",
    category="error-handling",
    severity=Severity.HIGH,
    summary="A catch around Prisma work that is empty or only logs, so the failure is invisible.",
    check=_check,
    tags=("reliability",),
)

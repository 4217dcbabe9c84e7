"""generic-db-error-response: a request entry point's catch around Prisma work
answers every error with one status without looking at the error (rules.md §3)."""

from __future__ import annotations

from ..analysis.callee_names import callee_matches
from ..analysis.guarded_work import catches
from ..facts.model import HandlerSummary
from ..findings import Severity
from ..facts.entries import a_kind
from .base import Rule, RuleContext

MAPPING = ("P2002 (unique constraint) → 409, P2003 (foreign key) → 409 or 400, "
           "P2025 (record not found) → 404, P1001 / P1017 / initialisation errors → 503")


def one_status(h: HandlerSummary, trackers) -> str | None:
    """The single status a handler answers every error with, or None when it
    looks at the error, hands it on, or answers in more than one way."""
    if h.inspects or h.rethrows or h.forwards:
        return None
    if not (h.responds or h.throws):
        return None
    if h.falls_through:
        return None  # answers only on some paths (a fallback lookup first), not every error
    if any(not callee_matches(p, trackers) for p in h.passes):
        return None  # a helper maps the error
    if len(h.statuses) != 1 or h.statuses[0] in ("?", "redirect"):
        return None  # computed, or sends the browser elsewhere (an OAuth callback)
    return h.statuses[0]


def _check(ctx: RuleContext):
    index = ctx.index
    trackers = ctx.config["error_handling"]["error_trackers"]
    for path, catch, w in catches(index):
        entry = index.entry_kind(path, catch.function)
        if entry is None or w is None:
            continue
        status = one_status(catch.handler, trackers)
        if status is None:
            continue
        answer = f"status {status}" if status.isdigit() else f"`{status}`"
        yield ctx.finding(
            path, catch.span,
            f"This catch in {a_kind(entry)} answers every error from {w.what()} with {answer} without "
            f"looking at it: a duplicate, a missing row and a database outage all look the same "
            f"to the client. Check `error instanceof Prisma.PrismaClientKnownRequestError` and "
            f"map `error.code`: {MAPPING}.",
            entry_point=entry, related=w.related(path),
            matched=f"{catch.handler_text}@{w.label()}",
        )


RULE = Rule(
    id="generic-db-error-response",
    name="One status for every database error",
    category="error-handling",
    severity=Severity.LOW,
    summary="A request handler's catch answers every Prisma error with one status, without "
            "telling conflicts, missing rows and outages apart.",
    check=_check,
    options=("error_handling.error_trackers",),
    tags=("api",),
)

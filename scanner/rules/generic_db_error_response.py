"""generic-db-error-response: a request entry point's catch around Prisma work
answers every error with one status without looking at the error (rules.md §3).

Confidence follows what the one status tells the client: a 4xx or 2xx for a database
failure misreports an outage (high); a 5xx around writes hides the duplicates and missing
rows the client can cause (medium); a 5xx around reads only says what failed, the
database (low)."""

from __future__ import annotations

from ..analysis.callee_names import callee_matches
from ..analysis.guarded_work import catches
from ..facts.model import HandlerSummary
from ..findings import Severity
from ..facts.entries import DYNAMIC_SEGMENT, a_kind, cron_route, route_parts
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


_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


def _machine_caller(index, path: str, fid: int) -> str | None:
    """Who calls the entry point when it is no person's client, by its route (the file's path,
    which names no parameter): `webhook` when the route names a webhook and it answers POST
    (or its method is not named: `api/webhooks/stripe`, not the `teams/[id]/webhooks` a
    settings page edits), `cron` when it names a cron (`api/cron/cleanup`: a scheduler)."""
    parts = route_parts(path)
    if any(DYNAMIC_SEGMENT.match(p) for p in parts):
        return None
    if cron_route(path):
        return "cron"
    if not any("webhook" in p for p in parts):
        return None
    names = {f.name for f in index.enclosing(path, fid)}
    return "webhook" if (names & _METHODS) <= {"POST"} else None


# Error codes that name an HTTP status: tRPC's (`TRPCError({ code })`, mapped by tRPC's
# getHTTPStatusCodeFromError) and the snake_case codes API error classes use.
_NAMED_STATUS = {
    "BAD_REQUEST": "400", "UNAUTHORIZED": "401", "PAYMENT_REQUIRED": "402", "FORBIDDEN": "403",
    "NOT_FOUND": "404", "METHOD_NOT_SUPPORTED": "405", "TIMEOUT": "408", "CONFLICT": "409",
    "PRECONDITION_FAILED": "412", "PAYLOAD_TOO_LARGE": "413", "UNPROCESSABLE_CONTENT": "422",
    "UNPROCESSABLE_ENTITY": "422", "TOO_MANY_REQUESTS": "429", "CLIENT_CLOSED_REQUEST": "499",
    "INTERNAL_SERVER_ERROR": "500", "NOT_IMPLEMENTED": "501", "BAD_GATEWAY": "502",
    "SERVICE_UNAVAILABLE": "503", "GATEWAY_TIMEOUT": "504",
}


def _grade(status: str, clientside: bool, caller: str | None) -> tuple[str, tuple[str, ...]]:
    """How sure one status for every error is a problem (rules.md §8), by what the status
    tells the client and what the guarded work can fail with."""
    named = _NAMED_STATUS.get(status.upper())
    if named is not None:
        status = f"{named} ({status})"
    if caller == "cron":
        return "low", ("a scheduler calls this route (a cron): it tells success from failure at most, and "
                       "no person reads the status",)
    if status[:3].isdigit() and not status.startswith("5"):
        return "high", (f"a database failure is answered with {status}, which tells the client the fault "
                        "is its own (or that all went well): an outage reads as a bad request",)
    if status.startswith("5") and caller == "webhook":
        return "low", (f"a webhook receiver: its sender retries what is answered {status}, so one 5xx for "
                       "every error is how it asks for the retry",)
    if clientside:
        return "medium", ("the guarded work writes or reads with `…OrThrow`: a duplicate (P2002) or a missing "
                          "row (P2025) would be answered as a server failure; whether the client can cause one "
                          "is not known",)
    if status[:3].isdigit():
        return "low", (f"the guarded work only reads: what fails there is the database itself, and {status} "
                       "says the server failed",)
    return "medium", ("what the answer tells the client is not known",)


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
        # A write can clash on a unique key (P2002); an `…OrThrow` read fails for a missing row (P2025).
        clientside = w.writes or any(c.operation.endswith("OrThrow") for c in w.calls)
        confidence, evidence = _grade(status, clientside, _machine_caller(index, path, catch.function))
        yield ctx.finding(
            path, catch.span,
            f"This catch in {a_kind(entry)} answers every error from {w.what()} with {answer} without "
            f"looking at it: a duplicate, a missing row and a database outage all look the same "
            f"to the client. Check `error instanceof Prisma.PrismaClientKnownRequestError` and "
            f"map `error.code`: {MAPPING}.",
            entry_point=entry, related=w.related(path),
            matched=f"{catch.handler_text}@{w.label()}",
            confidence=confidence, evidence=evidence,
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

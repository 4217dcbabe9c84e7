"""What a catch handler does with the error, read from its (normalised) text.

Shared reading of `CatchFact.handler_text`: a handler *handles* the error when
it rethrows, returns (a value or a response), responds, reports to an error
tracker or records the failure for the caller; it *only logs* when its
statements are all `console.*` / `logger.*` / `log.*` calls; it is *empty*
otherwise. Textual on purpose: the handler is already isolated by the fact
extractor, and these words are what a reviewer looks for too."""

from __future__ import annotations

import re

from .model import CatchFact

_ARROW = re.compile(r"^(?:async\s+)?(?:\([^()]*\)|[\w$]+)\s*(?::[^=]+)?=>\s*(?P<body>.*)$", re.S)
_FUNCTION = re.compile(r"^(?:async\s+)?function\b[^{]*(?P<body>\{.*\})$", re.S)
_LOG_CALL = re.compile(r"^(?:console|logger|log|this\.logger|this\.log)\.\w+\s*\(")
_HANDLES = re.compile(
    r"\b(?:throw|return)\b"                       # rethrow, map, or answer
    r"|\b(?:captureException|captureError|reportError|notify\w*|track\w*Error)\s*\("  # error trackers
    r"|\bres\.(?:status|json|send|end|redirect)\s*\(|\b(?:redirect|notFound)\s*\("
    r"|\.push\s*\(|(?<![=!<>])=(?![=>])"          # records the failure: errors.push(e), failed = true
)

# A local declaration is not a record for the caller: `const msg = ...`.
_DECLARATION = re.compile(r"\b(?:const|let|var)\s+[\w$]+\s*(?::[^=]+)?=")


def handler_outcome(catch: CatchFact) -> str:
    """`handles`, `logs-only`, `empty`, or `swallows` (does other work, but
    neither rethrows, returns, responds, reports nor records the failure)."""
    body = catch.handler_text.strip()
    if catch.kind == "catch-method":
        m = _ARROW.match(body) or _FUNCTION.match(body)
        if m is None:
            # A named handler (`.catch(handleError)`): its body is elsewhere; trust it.
            return "handles"
        body = m.group("body").strip()
        if not body.startswith("{"):
            # Expression body: the value is returned to the chain, unless it is a log call.
            return "logs-only" if _LOG_CALL.match(body) else "handles"
    inner = body[1:-1].strip() if body.startswith("{") and body.endswith("}") else body
    if not inner:
        return "empty"
    code = _DECLARATION.sub(" ", _strip_strings(inner))
    if _HANDLES.search(code):
        return "handles"
    statements = [s.strip() for s in re.split(r";|\n", inner) if s.strip()]
    if all(_LOG_CALL.match(s) for s in statements):
        return "logs-only"
    return "swallows"


def _strip_strings(code: str) -> str:
    """Blank out string literals so `'return failed'` in a log message is not read as code."""
    return re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`(?:[^`\\]|\\.)*`", "''", code)

"""invalid-suppression: a `dbaudit-ignore` comment that cannot work — no rule
id, no reason, an unknown rule id, or a file suppression below the header.
Reads suppression facts (`RuleContext.suppressions`), never the files."""

from __future__ import annotations

import difflib

from ..facts.comments import SYNTAX
from ..findings import Severity
from .base import Rule, RuleContext


def _check(ctx: RuleContext):
    from . import RULES_BY_ID  # the registry imports this module
    for path in sorted(ctx.suppressions):
        for s in ctx.suppressions[path]:
            what = "dbaudit-ignore-file" if s.kind == "file" else "dbaudit-ignore"
            matched = f"{s.kind}:{','.join(s.rules)}:{s.reason}"
            if s.problem is not None:
                yield ctx.finding(
                    path, s.span,
                    f"This `{what}` comment {s.problem}. It suppresses nothing until it reads "
                    f"{SYNTAX.replace('dbaudit-ignore', what, 1)}.",
                    matched=f"{matched}:{s.problem}",
                )
                continue
            for rid in s.rules:
                if rid in RULES_BY_ID:
                    continue
                close = difflib.get_close_matches(rid, RULES_BY_ID, n=1)
                hint = f"did you mean `{close[0]}`?" if close else "`dbaudit rules` lists the ids."
                yield ctx.finding(
                    path, s.span,
                    f"This `{what}` comment names `{rid}`, which is not a dbaudit rule id, so it "
                    f"suppresses nothing for it: {hint}",
                    matched=f"{matched}:unknown:{rid}",
                )


RULE = Rule(
    id="invalid-suppression",
    name="Suppression comment that cannot work",
    category="maintainability",
    severity=Severity.LOW,
    summary="A dbaudit-ignore comment without a rule id or a reason, with an unknown rule id, "
            "or a file suppression outside the file's header.",
    check=_check,
    confidence="high",
    proof="the dbaudit-ignore comment cannot apply as written",
    tags=("maintainability",),
)

"""How much of the code's Prisma work dbaudit could analyse.

A Prisma-shaped call is `X.<model>.<op>(` with a model of the schema, or
`X.$transaction(` / `X.$queryRaw…(`. Each is either resolved to a client (and
analysed by every rule) or unresolved: its receiver was not recognised. An
audit of a fifth of the code must say so, name the receivers it missed and the
config line that makes them count. A call on a recognised client that names a
model the schema read does not declare (`prisma.katalog.create(` beside a schema
of `Reset` only) is Prisma-shaped too, and not analysed: the schema read is not
the one the client is generated from, or only part of it."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

# Below this share of analysed calls the reports warn in their headline.
WARN_BELOW = 0.95
TOP = 8

_NAME = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")


def configurable(receiver: str) -> bool:
    """Whether `prisma.client_names` can name this receiver: an identifier or a member
    chain (`dbWrite`, `this._prisma`, `ctx.db`), or such a chain called without
    arguments (`getPrisma()`, `this.prismaService.txClient()`)."""
    return bool(_NAME.fullmatch(receiver.removesuffix("()")))


def summary(index) -> dict:
    """The `stats.recognition` object of the reports (additive to the JSON contract)."""
    analysed = len(index.prisma_calls)
    unresolved = index.unresolved_calls
    total = analysed + len(unresolved)
    calls: Counter[str] = Counter()
    files: dict[str, set[str]] = defaultdict(set)
    first: dict[str, str] = {}
    for u in unresolved:
        calls[u.receiver] += 1
        files[u.receiver].add(u.path)
        first.setdefault(u.receiver, f"{u.path}:{u.line}")
    top = [{"receiver": r, "calls": n, "files": len(files[r]), "example": first[r],
            "configurable": configurable(r)}
           for r, n in sorted(calls.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]]
    off = Counter(u.model for u in index.off_schema_calls)
    example: dict[str, str] = {}
    for u in index.off_schema_calls:
        example.setdefault(u.model, f"{u.path}:{u.line}")
    total += len(index.off_schema_calls)
    share = analysed / total if total else 1.0
    return {"prisma_shaped_calls": total, "analysed": analysed, "unresolved": len(unresolved),
            "analysed_share": round(share, 4), "top_unresolved": top,
            "off_schema": len(index.off_schema_calls),
            "top_off_schema": [{"model": m, "calls": n, "example": example[m]}
                               for m, n in sorted(off.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]]}


def headline(rec: dict) -> str:
    """`N of M Prisma-shaped calls analysed (P%)`."""
    total = rec["prisma_shaped_calls"]
    pct = 100 * rec["analysed_share"]
    return f"{rec['analysed']:,} of {total:,} Prisma-shaped calls analysed ({pct:.0f}%)" if total \
        else "no Prisma-shaped calls found"


def incomplete(rec: dict) -> bool:
    return rec["prisma_shaped_calls"] > 0 and rec["analysed_share"] < WARN_BELOW


def suggested_names(rec: dict, current: list[str], limit: int | None = None) -> list[str]:
    """`prisma.client_names` with the top configurable unresolved receivers added (a list
    in a config layer replaces the one below, so it repeats the current names); the
    current names alone when no receiver can be configured."""
    names = [t["receiver"] for t in rec["top_unresolved"] if t["configurable"]][:limit]
    return list(dict.fromkeys([*current, *names]))


def config_fix(rec: dict, current: list[str]) -> str | None:
    """The `.dbaudit.yaml` line that makes the top unresolved receivers count as clients."""
    if not any(t["configurable"] for t in rec["top_unresolved"]):
        return None
    return f"prisma: {{ client_names: [{', '.join(suggested_names(rec, current, 5))}] }}"


def warning_text(rec: dict, current: list[str], schema_files=()) -> str:
    """One line for the reports' warnings: what was not analysed, why, and the fix."""
    text = f"only {headline(rec)}: findings and scores cover the analysed part."
    if rec.get("off_schema"):
        models = ", ".join(f"{t['model']} ({t['calls']})" for t in rec["top_off_schema"][:5])
        read = ", ".join(schema_files) or "none"
        text += (f" {rec['off_schema']:,} calls on Prisma clients name models the schema read ({read}) "
                 f"does not declare: {models}. If the client is generated from another schema, name it "
                 "in .dbaudit.yaml: prisma: { schema: path/to/schema.prisma }.")
    if rec["unresolved"]:
        top = ", ".join(f"{t['receiver']} ({t['calls']})" for t in rec["top_unresolved"][:5])
        text += f" Receivers not recognised as Prisma clients: {top}."
        fix = config_fix(rec, current)
        if fix:
            text += f" If they are clients, put in .dbaudit.yaml: {fix}."
        text += " `dbaudit facts PATH --unresolved` lists every call."
    return text

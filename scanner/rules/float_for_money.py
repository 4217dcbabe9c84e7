"""float-for-money: a `Float` field whose name says it holds money
(rules.md §5, seed §1.3.3).

A name says money when one of its words is a money word (price, amount,
cost, fee, balance, ...), or it is `total` / `subtotal` / `grandTotal` on its
own, and no word makes it a ratio, a count, a duration, a place on a page or a forecast
(`discountPct`, `priceChangeRate`, `totalViews`, `costMs`, `amountWordsX`, `predictedRevenue`), no `per <event>` makes it an
analytics ratio (`earningsPerClick`), and no comment calls it a rate or a
percentage (`payoutFee Float // processing fee (in decimals)`). A bare `total` in a model
that summarises measurements (fields named `mean`, `min`, `max`, `sd`, …) is their sum."""

from __future__ import annotations

import re

from ..analysis.schema_shape import comment_text, field_span
from ..analysis.unspelled_fields import open_writes, unspelled, unwritten
from ..analysis.untouched_models import untouched_models
from ..findings import Severity
from .base import Rule, RuleContext

MONEY_WORDS = frozenset({
    "price", "amount", "cost", "fee", "salary", "revenue", "pnl", "payout", "subtotal", "wage",
    "profit", "balance", "budget", "refund", "commission", "earning", "earnings", "income",
    "deposit", "withdrawal", "money", "cash", "usd", "eur", "gbp", "payment", "paid", "owed",
})
# `total` alone (or grand/sub total) is a sum of money; `totalViews` is not.
TOTAL_NAMES = (("total",), ("grand", "total"), ("sub", "total"), ("order", "total"))
NOT_MONEY_WORDS = frozenset({
    "percent", "percentage", "pct", "rate", "ratio", "count", "qty", "quantity", "seconds",
    "secs", "sec", "minutes", "mins", "hours", "hrs", "ms", "days", "score", "views", "factor",
    "multiplier", "weight", "bps", "points", "share", "units", "tokens", "duration", "time",
    # Where something is drawn (`amountWordsX`, `priceLabelWidth`): a coordinate or a size.
    "x", "y", "width", "height",
    # A forecast or a statistic of amounts (`predictedRevenue`, `meanPrice`, `suggestedPriceMax`):
    # a model's output, not an amount booked, summed or charged. (`estimated…` and `avg…` name
    # quotes and average costs that are booked as often as not, and stay money.)
    "predicted", "prediction", "forecast", "forecasted", "projected", "mean", "median", "suggested",
})
# `earningsPerClick`, `costPerLead`: an analytics ratio over events, not an amount.
PER_EVENT = frozenset({"click", "view", "lead", "conversion", "impression", "visit", "signup",
                       "user", "session", "sale", "order", "customer"})
# A comment saying the value is a rate: `payoutFee Float // processing fee (in decimals)`.
_RATE_COMMENT = re.compile(r"percent|percentage|\brate\b|\bratio\b|fraction|%|in decimals|"
                           r"\bbps\b|basis points", re.I)
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def words(name: str) -> tuple[str, ...]:
    """`totalAmountUSD` -> ("total", "amount", "usd"); `unit_price` -> ("unit", "price")."""
    return tuple(w.lower() for w in _WORD.findall(name))


def _singular(w: str) -> str:
    return w[:-1] if w.endswith("s") and not w.endswith(("ss", "us")) and len(w) > 3 else w


def says_money(name: str) -> bool:
    ws = words(name)
    if not ws or any(w in NOT_MONEY_WORDS or _singular(w) in NOT_MONEY_WORDS for w in ws):
        return False
    if ws in TOTAL_NAMES:
        return True
    if any(a == "per" and _singular(b) in PER_EVENT for a, b in zip(ws, ws[1:])):
        return False
    return any(w in MONEY_WORDS or _singular(w) in MONEY_WORDS for w in ws)


# Words of fields that make a model a summary of measurements (`mean`, `sd`, `max`).
_STATISTICS = frozenset({"mean", "median", "avg", "average", "min", "max", "sd", "stddev", "std", "variance"})


def _statistic(model, name: str) -> bool:
    """`total` beside `mean`, `min`, `max`, `sd`, and no field that says money: the sum of the
    scores or measurements the model summarises (a bare `total` is the only name this applies
    to; an invoice's `total` beside `subtotal` and `paidAmount` stays money)."""
    others = [f.name for f in model.fields if f.name != name]
    stats = {w for n in others for w in words(n) if w in _STATISTICS}
    return words(name) in TOTAL_NAMES and len(stats) >= 2 and not any(says_money(n) for n in others)


# A field that measures a call: its tokens (`promptTokens`, `llmTokensTotal`) or its time in
# milliseconds or seconds (`durationMs`, `latencySec`); booked durations (`durationMin`) are not.
_TIMED = frozenset({"duration", "latency", "elapsed", "response"})
_TIME_UNITS = frozenset({"ms", "sec", "secs", "seconds"})


def _call_cost(model, f) -> str | None:
    """The field of `model` that shows `f` (a cost and no other money word: `costUsd`,
    `llmCostUsd`) is what a measured call cost, or None. Usage telemetry of an API call (an
    LLM's tokens × its rate) is an estimate of fractions of a cent: `Decimal(12, 2)` would
    round it away, and nobody keeps it as a ledger. A price, an amount or a balance beside
    tokens (a token pack's price, a wallet) is money the app charges or holds."""
    ws = {_singular(w) for w in words(f.name)}
    if "cost" not in ws or ws & (MONEY_WORDS - {"cost", "usd", "eur", "gbp"}):
        return None
    for other in model.fields:
        if other.type not in ("Int", "BigInt", "Float") or other is f:
            continue
        ow = set(words(other.name))
        if "tokens" in ow or (ow & _TIMED and ow & _TIME_UNITS):
            return other.name
    return None


def _check(ctx: RuleContext):
    schema = ctx.schema
    if schema is None:
        return
    fix = ("an Int of the smallest currency unit (cents): MongoDB has no Decimal in Prisma"
           if schema.provider == "mongodb" else "`Decimal` (e.g. `@db.Decimal(12, 2)`)")
    money = [(model, f) for model in schema.models if not model.ignored for f in model.fields
             if f.type == "Float" and not f.ignored and says_money(f.name)
             and not _RATE_COMMENT.search(comment_text(f)) and not _statistic(model, f.name)]
    open_models = open_writes(ctx.index) if money else frozenset()
    untouched = untouched_models(ctx.index) if money else {}
    named = {(model.name, f.name): tuple(w for w in (f.name, f.map) if w) for model, f in money}
    unused = unspelled(ctx.index, {k: v for k, v in named.items() if k[0] not in open_models}) if money else None
    never_set = unwritten(ctx.index, named) if money else {}
    for model, f in money:
        graded = {}
        if model.kind == "view":
            # A view stores nothing: its columns are what its query computes from the tables it
            # reads (an average, a band), so the type to fix is theirs, if any.
            graded = dict(confidence="low", evidence=(
                f"{model.name} is a view: its columns are what its query computes from other tables, "
                "so a Float here stores no amount (the tables it reads decide that)",))
        elif (measure := _call_cost(model, f)) is not None:
            graded = dict(confidence="low", evidence=(
                f"{model.name} measures a call (`{measure}`): `{f.name}` is what the call cost, a usage "
                "estimate of fractions of a cent that a two-decimal Decimal would round away, not a "
                "ledger amount",))
        elif model.name in untouched:
            graded = dict(confidence="low", evidence=(
                f"{untouched[model.name]}: no amount is stored or computed in it by this code",))
        elif unused is not None and (model.name, f.name) in unused:
            graded = dict(confidence="low", evidence=(
                f"no application file spells `{f.name}`{f' or its column `{f.map}`' if f.map else ''}: no create "
                "or update the scan sees sets it and nothing reads it, so no amount is computed in it "
                "yet (seeds, scripts and tests aside)",))
        elif never_set.get((model.name, f.name)) == "never":
            graded = dict(confidence="low", evidence=(
                f"the application writes {model.name} rows but none of its writes sets `{f.name}` (each "
                "spells its data out), nor does its raw SQL: the column holds its default or another "
                "system's value, not an amount this code computes",))
        elif never_set.get((model.name, f.name)) == "zero":
            graded = dict(confidence="low", evidence=(
                f"every write of {model.name} that sets `{f.name}` sets it to zero or null, and no raw SQL "
                "sets it: the column holds no amount this code computes",))
        yield ctx.finding(
            f.path, field_span(f),
            f"{model.name}.{f.name} holds money in a Float: binary floating point cannot "
            f"store most decimal amounts exactly (0.1 + 0.2 != 0.3), so sums, rounding "
            f"and comparisons drift by fractions of a cent. Use {fix}.",
            model=model.name, field=f.name, matched=f"{model.name}.{f.name}", **graded,
        )


RULE = Rule(
    id="float-for-money",
    name="Money in a Float",
    category="schema",
    severity=Severity.HIGH,
    summary="A Float field whose name says it holds money.",
    check=_check,
    confidence="high",
    proof="a Float field whose name says it holds money",
    tags=("integrity",),
)

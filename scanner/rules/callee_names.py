"""Matching a call's callee against a configured list of function names."""

from __future__ import annotations

from typing import Iterable


def callee_matches(callee: str, names: Iterable[str]) -> bool:
    """`Sentry.captureException` matches itself; a bare name (`captureException`)
    also matches as the last member of a call (`Sentry.captureException`)."""
    last = callee.rsplit(".", 1)[-1]
    return any(callee == n or ("." not in n and last == n) for n in names)

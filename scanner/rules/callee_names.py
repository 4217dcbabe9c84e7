"""Matching a call's callee against a configured list of function names."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Iterable


def callee_matches(callee: str, names: Iterable[str]) -> bool:
    """`Sentry.captureException` matches itself; a bare name (`captureException`)
    also matches as the last member of a call (`Sentry.captureException`); a
    name with `*` is a pattern (`verify*Signature`)."""
    last = callee.rsplit(".", 1)[-1]
    for n in names:
        if "*" in n:
            if fnmatchcase(callee, n) or ("." not in n and fnmatchcase(last, n)):
                return True
        elif callee == n or ("." not in n and last == n):
            return True
    return False

"""The database work a catch handler guards: Prisma calls inside its `try`
block (or before its `.catch(`), directly or through called repo functions;
and whether a handler swallows the error. Shared by the error rules and the
coverage report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..facts.model import CallSite, CatchFact, HandlerSummary
from ..findings import Related
from ..index import FunctionKey, PrismaCall, ProjectIndex
from .callee_names import callee_matches


def is_write(call: PrismaCall) -> bool:
    """A write, or raw SQL that executes (facts/operations.py)."""
    return call.writes


def swallows(h: HandlerSummary, trackers) -> bool:
    """Empty or only logs: no rethrow, return, response, record for the caller,
    tracker report, or any other call (swallowed-error's reading, and the coverage
    figure of catches that handle the error)."""
    if h.throws or h.returns or h.forwards or h.responds or h.records or h.calls:
        return False
    return not any(callee_matches(log, trackers) for log in h.logs)


def chain_text(site: CallSite, chain) -> str:
    """`createUser() → insertRow() → prisma.user.create`"""
    return " → ".join([f"{site.callee}()"] + [step[0] for step in chain])


@dataclass
class GuardedWork:
    calls: list[PrismaCall]                                   # Prisma calls in the guarded code
    # Repo calls that run Prisma work: (site, chain to a write if any, else to a read, writes).
    via: list[tuple[CallSite, tuple[tuple[str, str, int], ...], bool]]
    writes: bool = False

    def label(self) -> str:
        """The first write (else the first call): `prisma.user.create()` or
        `createUser() → prisma.user.create`."""
        call = next((c for c in self.calls if is_write(c) or not self.writes), None)
        site = next((v for v in self.via if v[2] or not self.writes), None)
        if call is not None and (site is None or call.call.span.line <= site[0].span.line):
            return f"{call.label}()"
        return chain_text(site[0], site[1])

    def related(self, path: str) -> list[Related]:
        out = [Related(c.path, c.line, f"guarded: {c.label}()") for c in self.calls[:5]]
        out += [Related(path, site.span.line, f"guarded: {chain_text(site, chain)}")
                for site, chain, _ in self.via[:5]]
        return out

    def what(self) -> str:
        n = len(self.calls) + len(self.via)
        more = f" and {n - 1} more database call{'s' if n > 2 else ''}" if n > 1 else ""
        return f"{self.label()}{more}"


def catches(index: ProjectIndex) -> Iterator[tuple[str, CatchFact, GuardedWork | None]]:
    """Every catch of the project, in path order, with the database work it guards."""
    for path in sorted(index.files):
        facts = index.files[path]
        if facts.catches:
            work = guarded_work(index, path)
            for catch in facts.catches:
                yield path, catch, work.get(catch.key)


def guarded_work(index: ProjectIndex, path: str) -> dict[int, GuardedWork]:
    """Catch key -> the database work it guards, for one file."""
    return index.memo("guarded-work", lambda: _all_guarded_work(index)).get(path, {})


def _kept_failures(index: ProjectIndex) -> dict[str, frozenset[int]]:
    """Per file, the try statements whose catch keeps the failure in (no rethrow or hand-on):
    a Prisma call inside one cannot fail out of its function."""
    return {path: frozenset(c.key for c in f.catches if c.kind == "try"
                            and not (c.handler.throws or c.handler.forwards))
            for path, f in index.files.items() if f.catches}


def _reached(trys: tuple[int, ...], kept: frozenset[int]) -> tuple[int, ...]:
    """The try statements a failure inside `trys` (innermost first) reaches: up to the first
    whose catch keeps it in. A try around that one never sees it fail."""
    for i, k in enumerate(trys):
        if k in kept:
            return trys[:i + 1]
    return trys


def _all_guarded_work(index: ProjectIndex) -> dict[str, dict[int, GuardedWork]]:
    out: dict[str, dict[int, GuardedWork]] = {}
    kept = _kept_failures(index)
    for call in index.prisma_calls:
        if not call.call.ctx.trys or call.kind == "transaction" or index.dev_only_line(call.path, call.line):
            continue   # (what runs only outside production guards nothing a production request does)
        for k in _reached(call.call.ctx.trys, kept.get(call.path, frozenset())):
            w = out.setdefault(call.path, {}).setdefault(k, GuardedWork([], []))
            w.calls.append(call)
            w.writes = w.writes or is_write(call)
    write_chains: dict[FunctionKey, tuple | None] = {}
    chains: dict[FunctionKey, tuple | None] = {}

    def escapes(call) -> bool:
        return not any(k in kept.get(call.path, ()) for k in call.call.ctx.trys)

    for path in sorted(index.files):
        for site in index.files[path].call_sites:
            if not site.ctx.trys or index.dev_only_line(path, site.span.line):
                continue
            target = index.callee(path, site)
            if target is None:
                continue
            target = FunctionKey(target.path, index.owner(target.path, target.id))
            if target not in chains:
                chains[target] = index.find_chain(target, escapes)
                write_chains[target] = index.find_chain(target, lambda c: is_write(c) and escapes(c)) \
                    if chains[target] is not None else None
            chain = chains[target]
            if chain is None:
                continue   # no database failure leaves that function: its own catches keep them
            write_chain = write_chains[target]
            for k in _reached(site.ctx.trys, kept.get(path, frozenset())):
                w = out.setdefault(path, {}).setdefault(k, GuardedWork([], []))
                w.via.append((site, write_chain or chain, write_chain is not None))
                w.writes = w.writes or write_chain is not None
    return out

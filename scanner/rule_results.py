"""Per-file findings of the file-scoped rules (`Rule.scope == "file"`), kept in the facts
cache, so a warm scan or `--diff` runs such a rule only over the files whose key changed.

A file's key is its content digest and role plus its settled Prisma calls (which
candidate, why its receiver is a client, its entry point, whether it runs in a
transaction): the part of a file's findings other files decide (a receiver is a client
because of what another module exports, a call is in a transaction because of its
callers). A rule's key is dbaudit's code, the facts cache key (client configuration,
reading limits), the schema text, and the rule's id, options and severity override.
Either changing recomputes; nothing else reaches a file-scoped check."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from . import __version__
from .cache import FactCache
from .config import Config
from .findings import Finding
from .index import ProjectIndex
from .rules import Rule, RuleContext


@lru_cache(maxsize=None)
def code_fingerprint() -> str:
    """Every module of dbaudit: a rule's result may change with any of them."""
    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for p in sorted(package.rglob("*.py")):
        h.update(p.relative_to(package).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def base_key(fc: FactCache, schema_sources: list[tuple[str, str]]) -> str:
    """What every file-scoped rule's results depend on beyond the rule and the file."""
    h = hashlib.sha256(code_fingerprint().encode())
    h.update(fc.key.encode())
    for path, text in schema_sources:
        h.update(f"\0{path}\0{text}".encode())
    return h.hexdigest()


def rule_key(rule: Rule, config: Config, base: str) -> str:
    options = {k: config.get(k) for k in rule.options}
    severity = config["rules"]["severity"].get(rule.id)
    return hashlib.sha256(json.dumps([base, rule.id, options, severity], sort_keys=True,
                                     default=str).encode()).hexdigest()


def file_keys(index: ProjectIndex, fc: FactCache) -> dict[str, str]:
    """path -> the file's key: its content and role, and what the index settled about it."""
    settled: dict[str, list] = {}
    for call in index.prisma_calls:
        settled.setdefault(call.path, []).append(call)
    out = {}
    for path, facts in index.files.items():
        position = {id(c): i for i, c in enumerate(facts.prisma_calls)} if path in settled else {}
        calls = [(position[id(c.call)], c.origin, c.entry_kind, c.in_transaction)
                 for c in settled.get(path, ())]
        material = json.dumps([fc.digest(path, facts.role), facts.role, calls])
        out[path] = hashlib.blake2b(material.encode(), digest_size=16).hexdigest()
    return out


def run(rule: RuleContext, fc: FactCache, keys: dict[str, str], base: str) -> list[Finding]:
    """The findings of a file-scoped rule over the whole index: the cached ones of files
    whose key is unchanged, the check's over the others (all, when the rule key changed).
    Each file's findings keep the check's order, so fingerprints come out the same."""
    ctx = rule
    key = rule_key(ctx.rule, ctx.config, base)
    old_key, old_keys, old_found = fc.rule_results.get(ctx.rule.id, (None, {}, {}))
    if old_key != key:
        old_keys, old_found = {}, {}
    todo = frozenset(p for p, k in keys.items() if old_keys.get(p) != k)
    fresh: dict[str, list[Finding]] = {}
    if todo:
        for f in ctx.rule.check(RuleContext(ctx.index, ctx.config, ctx.rule, ctx.suppressions, todo)):
            if f.path not in todo:
                raise AssertionError(f"file-scoped rule {ctx.rule.id} reported {f.path} outside its files")
            fresh.setdefault(f.path, []).append(f)
    found = {p: tuple(fresh.get(p, ())) if p in todo else old_found.get(p, ()) for p in sorted(keys)}
    found = {p: fs for p, fs in found.items() if fs}
    fc.keep_rule_results(ctx.rule.id, (key, keys, found))
    return [f for fs in found.values() for f in fs]

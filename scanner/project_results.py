"""Findings of the project-scoped rules (`Rule.scope == "project"`), kept in the facts
cache under a key over everything such a rule can read, so a rescan whose inputs are all
unchanged (a warm scan, or `--diff` when the changed files' facts are the cached ones)
reruns none of them. One changed input reruns them all: a project-scoped rule's finding
in one file may depend on any other (rule_results.py caches the file-scoped ones per file).

What a project-scoped check can read, and so what the key covers:
- dbaudit's code, every module (rule_results' code fingerprint), and the facts cache key
  (grammar and binding versions, queries, client configuration, reading limits);
- the scanned root and the whole effective configuration (every option, every layer);
- the schema files' paths and text;
- every scanned file's path, discovered role and facts, as the cache pickles them. Facts,
  not bytes: rules read facts (design: "rules read the ProjectIndex, never the disk"), so
  an edit that changes no fact (a comment, a blank line at the end) changes nothing here;
  equal pickles are equal facts, so the converse cannot err;
- what the index reads from disk besides facts: the project files (package.json,
  tsconfig.json) as the module resolver followed them (`inputs_key`), and for
  `imported_by_tests` the scanned test-runner configs' bytes and the out-of-scope test
  files (path, size and mtime; the bytes of one changed so recently that a change within
  the clock's resolution would keep its mtime: "racily clean", as the facts cache says).
The rule's id completes each rule's key.

The same key vouches for everything else a scan derives from the index, so the scan that
ran the rules keeps that too (`Kept`): every rule's findings (the file-scoped ones as
well: their inputs are a part of these), the suppression comments, the facts' warnings,
the stats read off the index and the coverage figures. A rescan whose key finds them
(`reuse`) loads no file's facts and builds no index (engine.DeferredIndex)."""

from __future__ import annotations

import hashlib
import json
import posixpath
import time
from dataclasses import dataclass
from pathlib import Path

from . import rule_results
from .cache import RACY_NS, FactCache, content_key
from .config import Config
from .discover import Discovery
from .findings import Finding
from .resolve import ModuleResolver
from .rules import RuleContext
from .test_loads import is_test_config


def project_key(root: Path, paths: list[str], modules: ModuleResolver, fc: FactCache, config: Config,
                schema_sources: list[tuple[str, str]], discovery: Discovery) -> str | None:
    """The digest of every input of a project-scoped rule; None when a scanned file's
    facts are not in the cache (nothing is then kept or reused). `paths`, the scanned
    files in order (the index's `files`); `modules`, the index's module resolver. Needs no
    file's facts loaded: they enter as the cache pickled them."""
    h = hashlib.sha256(rule_results.code_fingerprint().encode())
    h.update(fc.key.encode())
    h.update(str(root).encode())
    h.update(json.dumps(config.data, sort_keys=True, default=str).encode())
    for path, text in schema_sources:
        h.update(f"\0schema\0{path}\0{text}".encode())
    for path in paths:
        entry = fc.entries.get(path)
        if entry is None:
            return None
        digest, role, pickled = entry[0], entry[1], entry[2]
        facts = hashlib.blake2b(pickled, digest_size=16).hexdigest()
        h.update(f"\0file\0{path}\0{role}\0{facts}".encode())
        if is_test_config(posixpath.basename(path)):
            h.update(f"\0bytes\0{digest}".encode())   # test_loads reads its text
    h.update(json.dumps(sorted(discovery.project_files)).encode())
    h.update(modules.inputs_key().encode())
    now = time.time_ns()
    for tf in sorted([*discovery.test_files, *discovery.seed_files], key=lambda t: t.path):
        if not tf.mtime_ns or tf.mtime_ns >= now - RACY_NS:
            try:
                stamp = content_key(Path(tf.abs_path).read_bytes())
            except OSError:
                stamp = "unreadable"
        else:
            stamp = f"{tf.size}:{tf.mtime_ns}"
        h.update(f"\0test\0{tf.path}\0{stamp}".encode())
    return h.hexdigest()


def run(ctx: RuleContext, fc: FactCache, key: str | None) -> list[Finding]:
    """The rule's findings: those kept under its key when the key is unchanged, else the
    check's (kept for the next scan). In the check's order, so fingerprints are the same."""
    if key is None:
        return list(ctx.rule.check(ctx))
    rule_key = hashlib.sha256(f"{key}\0{ctx.rule.id}".encode()).hexdigest()
    kept = fc.project_results.get(ctx.rule.id)
    if kept is not None and kept[0] == rule_key:
        return list(kept[1])
    found = tuple(ctx.rule.check(ctx))
    fc.keep_project_results(ctx.rule.id, (rule_key, found))
    return list(found)


@dataclass(frozen=True)
class Kept:
    """What a scan derived from its index, kept under its project key."""
    findings: dict[str, tuple[Finding, ...]]   # rule id -> the rule's findings, in order
    fact_warnings: tuple                       # the facts' parse problems and notes
    suppressions: dict                         # suppress.collect's
    summary: dict                              # what the stats read of the index
    memo: dict                                 # index.memo values (the coverage figures)


def reuse(fc: FactCache, key: str | None, rule_ids: list[str]) -> Kept | None:
    """What a scan with this key kept, when it ran every one of `rule_ids`."""
    kept = fc.derived
    if key is None or not isinstance(kept, tuple) or len(kept) != 2 or kept[0] != key \
            or not isinstance(kept[1], Kept) or not set(rule_ids) <= set(kept[1].findings):
        return None
    return kept[1]


def keep(fc: FactCache, key: str, kept: Kept) -> None:
    """Keep `kept` under `key`, with the findings of other rules a scan with the same key kept."""
    old = fc.derived
    if isinstance(old, tuple) and len(old) == 2 and old[0] == key and isinstance(old[1], Kept):
        kept = Kept({**old[1].findings, **kept.findings}, kept.fact_warnings, kept.suppressions,
                    kept.summary, {**old[1].memo, **kept.memo})
    fc.keep_derived((key, kept))

"""The scan pipeline: discover -> read -> facts -> schema -> index -> rules ->
findings. One direction, no stage patches another's output."""

from __future__ import annotations

import gc
import posixpath
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__, recognition, suppress
from .baseline import Baseline
from . import project_results, rule_results
from .collect import CacheOptions, FactStream, WorkerPrep, collect_facts, jobs_for, open_cache, save_cache
from .config import Config
from .discover import Discovery, DiscoveryMemo, Warning_, as_utf8, discover, drop_compiled, drop_generated
from .facts.scopes import ClientConfig
from .analysis.script_only import runnable_modules, script_only_modules
from .analysis.browser_only import browser_only
from .analysis.maintenance_routes import maintenance_routes
from .analysis.dead_code import dead_functions
from .analysis.unimported_actions import unimported_actions
from .analysis.untouched_models import untouched_models
from .analysis.check_constraints import checked_columns, constrained_fields
from .findings import (Finding, assign_fingerprints, in_dev_only, in_scripts, on_checked_columns, on_untouched_models,
                       report_order, unreached)
from .gitdiff import ChangedLines
from .index import ProjectIndex
from .report.coverage import coverage_figures, figures_key
from .resolve import ModuleResolver
from .review import Review, review
from .rules import REGISTRY, RuleContext, select_rules
from .schema import locate_schema, parse_schema_files
from .schema.model import Schema


@dataclass
class ScanResult:
    root: Path
    findings: list[Finding]
    warnings: list[Warning_]
    stats: dict
    index: ProjectIndex
    schema: Schema | None
    config: Config
    version: str = __version__
    discovery: Discovery | None = field(default=None, repr=False)
    # What suppressions, the baseline and the diff scope kept out of `findings`.
    review: Review | None = None


def client_config(config: Config) -> ClientConfig:
    p = config["prisma"]
    return ClientConfig(p["client_names"], p["client_types"], p["client_classes"], p["client_modules"])


def load_schema(root: Path, discovery: Discovery, config: Config,
                sources: list[tuple[str, str]] | None = None) -> tuple[Schema | None, list[Warning_]]:
    """`sources`, when given, receives the (path, text) of each schema file read."""
    warnings: list[Warning_] = []
    explicit = config["prisma"]["schema"]
    base = root if root.is_dir() else root.parent
    if explicit:
        target = base / explicit
        if target.is_dir():
            paths = sorted(target.rglob("*.prisma"))
        elif target.is_file():
            paths = [target]
        else:
            warnings.append(Warning_(explicit, "schema", "prisma.schema names a path that does not exist"))
            paths = []
    else:
        located = locate_schema(base, [s.path for s in discovery.schemas])
        paths = list(located.files)
        warnings += [Warning_(path, "schema", message) for path, message in located.notes]
    files = []
    for p in paths:
        try:
            rel = p.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            rel = str(p)
        try:
            files.append((rel, p.read_text(encoding="utf-8-sig", errors="replace")))
        except OSError as e:
            warnings.append(Warning_(rel, "schema", f"cannot read schema file: {e.strerror}"))
    if sources is not None:
        sources.extend(files)
    if not files:
        return None, warnings
    schema = parse_schema_files(files)
    for w in schema.warnings:
        warnings.append(Warning_(w.path, "schema", w.message, w.line))
    return schema, warnings


def generator_outputs(schema: Schema) -> list[str]:
    """Root-relative folders the schema's generators write a client into
    (`output` is relative to the file that declares the generator)."""
    out = []
    for g in schema.generators:
        if g.output:
            folder = posixpath.normpath(posixpath.join(posixpath.dirname(g.path), g.output))
            if not folder.startswith("..") and folder != ".":
                out.append(folder)
    return out


@contextmanager
def _facts_uncollected(freeze: bool = True):
    """Load the facts with the garbage collector off, then freeze everything loaded.
    Facts are hundreds of thousands of long-lived records and no garbage: each collection
    while they load walks all of them and frees nothing (two such on a warm scan of
    documenso, about a tenth of it). Frozen, the collections after skip them; `scan`
    unfreezes them as it returns, so that a caller that scans many times (the tests) gets
    them collected as before once it drops them. `freeze` false: collector off, nothing frozen."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


def scan(root: Path, config: Config, select=(), ignore=(), baseline: Baseline | None = None,
         changed: ChangedLines | None = None, cache: CacheOptions | None = None,
         jobs: int | None = None, progress=None, audit_all: bool = False) -> ScanResult:
    """`baseline` hides recorded findings; `changed` keeps only findings on changed lines;
    `cache` reuses facts of unchanged files (None: no cache); `jobs` caps the worker processes.
    `select`/`ignore` choose the rules that run; with `audit_all` (`dbaudit scan`) every rule
    the config enables runs too, so that the audit weighs the whole code, and `select`/`ignore`
    only choose the rules whose findings are listed (`review.unselected` holds the others)."""
    try:
        return _scan(root, config, select, ignore, baseline, changed, cache, jobs, progress, audit_all)
    finally:
        gc.unfreeze()


def _scan(root, config, select, ignore, baseline, changed, cache, jobs, progress, audit_all) -> ScanResult:
    started = time.perf_counter()
    rcfg = config["rules"]
    rules = chosen = select_rules(select or rcfg["select"], ignore or rcfg["ignore"])
    if audit_all:
        enabled = {r.id for r in [*select_rules(rcfg["select"], rcfg["ignore"]), *chosen]}
        rules = [r for r in REGISTRY if r.id in enabled]
    listed = [r.id for r in chosen] if audit_all and (select or ignore) else None
    root = root.resolve()
    base = root if root.is_dir() else root.parent
    ccfg = client_config(config)
    fc = open_cache(base, config, cache)
    schema_sources: list[tuple[str, str]] = []
    discovery, schema, schema_warnings, collected = _discover_and_collect(
        root, config, ccfg, fc, cache, jobs, progress, schema_sources)
    warnings = list(discovery.warnings)
    warnings += collected.warnings
    paths = collected.paths
    modules = ModuleResolver(base, set(paths), discovery.project_files)
    key = project_results.project_key(base, paths, modules, fc, config, schema_sources, discovery) \
        if fc is not None else None
    kept = project_results.reuse(fc, key, [r.id for r in rules]) if fc is not None else None

    def build_index(deferred: bool = False) -> ProjectIndex:
        # Deferred, it is built after `scan` returned and unfroze what it froze.
        with _facts_uncollected(freeze=not deferred):
            facts = collected.load_all()
        return ProjectIndex(base, facts, schema, discovery.project_files, ccfg, test_files=discovery.test_files,
                            seed_files=discovery.seed_files,
                            resolutions=fc.resolutions if fc is not None else None, modules=modules)

    if kept is not None:
        # Nothing any rule can read changed since the scan that kept these: its findings,
        # and what it derived from the index, hold; no file's facts need loading.
        index = DeferredIndex(lambda: build_index(deferred=True), kept.memo)
        fact_warnings, suppressions, summary = list(kept.fact_warnings), kept.suppressions, kept.summary
        by_rule = {r.id: list(kept.findings[r.id]) for r in rules}
    else:
        index = build_index()
        fact_warnings = collected.fact_warnings()
        suppressions = suppress.collect(index.files, schema_sources)
        by_rule = _run_rules(rules, index, config, suppressions, fc, schema_sources, key)
        summary = _index_summary(index)
        if fc is not None:
            # After the rules, so that the module resolutions (the importers map resolves
            # every import) are saved with the facts.
            fc.keep_resolutions(index.modules.resolutions())
            if key is not None:
                memo = {figures_key(config): coverage_figures(index, config)}
                project_results.keep(fc, key, project_results.Kept(
                    {rid: tuple(fs) for rid, fs in by_rule.items()}, tuple(fact_warnings), suppressions,
                    summary, memo))
    warnings += fact_warnings
    if fc is not None:
        # After the rules, so their results are saved with the facts.
        warnings += save_cache(fc, collected)
    warnings += schema_warnings
    findings = [f for fs in by_rule.values() for f in fs]
    refutable = {r.id for r in rules if r.refuted_by_check}
    if refutable:   # (the migration files are read only when a rule they can refute runs)
        findings = on_checked_columns(findings, constrained_fields(schema, checked_columns(
            base, discovery.migrations)), refutable)
    # Proven harmless (rules.md §8 `quiet`): counted, never reported or recorded.
    quiet = Counter(f.rule for f in findings if f.confidence == "quiet")
    findings = [f for f in findings if f.confidence != "quiet"]
    findings = in_scripts(findings, {**summary.get("script_only", {}), **discovery.scripts})
    findings = in_dev_only(findings, summary.get("dev_only", {}))
    dead = summary.get("unimported_actions", {})
    findings = unreached(findings, dead.get("no_endpoint", {}))
    # Still an endpoint (Next.js 14): what a crafted request can send it stays as graded.
    findings = unreached(findings, dead.get("uncalled", {}), spare=lambda f: f.category == "input-validation")
    findings = unreached(findings, summary.get("dead_functions", {}))
    findings = unreached(findings, summary.get("browser_only", {}))
    # Still an endpoint: what a crafted request can send it stays as graded.
    findings = unreached(findings, summary.get("maintenance_routes", {}),
                         spare=lambda f: f.category == "input-validation")
    findings = on_untouched_models(findings, summary.get("untouched_models", {}),
                                   {r.id for r in rules if r.on_queries})
    findings = _with_snippets(root if root.is_dir() else root.parent, findings)
    findings = assign_fingerprints(findings)
    findings.sort(key=report_order)
    outcome = review(findings, suppressions, [r.id for r in rules], baseline, changed,
                     min_confidence=config["min_confidence"], rules_listed=listed)
    if baseline is not None:
        warnings += [Warning_(baseline.file, "baseline", note) for note in outcome.notes]
    rec = summary["recognition"]
    if recognition.incomplete(rec):
        warnings.insert(0, Warning_(".", "recognition",
                                    recognition.warning_text(rec, config["prisma"]["client_names"],
                                                             schema.files if schema is not None else ())))
    stats = _stats(discovery, len(paths), summary, schema, outcome.reported, rules, time.perf_counter() - started)
    stats["rules_listed"] = [r.id for r in chosen]
    stats["recognition"] = rec
    stats["quiet_by_rule"] = dict(sorted(quiet.items()))
    shown = Counter(f.confidence for f in outcome.reported)
    shown.update(f.confidence for f in outcome.below_confidence)
    stats["by_confidence"] = {c: shown.get(c, 0) for c in ("high", "medium", "low")}
    stats.update(outcome.stats())
    stats["files_parsed"] = collected.parsed
    stats["files_from_cache"] = collected.cached
    return ScanResult(root, outcome.reported, warnings, stats, index, schema, config,
                      discovery=discovery, review=outcome)


def _discover_and_collect(root, config, ccfg, fc, cache, jobs, progress, schema_sources):
    """Discovery, the schema and every file's facts. With nothing cached every file will
    be parsed: the queries compile beside the walk, for the workers to inherit, and the
    walk sends files to the workers as it finds them (`FactStream`); the roles it could
    not settle alone are settled (here) before any file's facts are kept."""
    base = root if root.is_dir() else root.parent
    prep = stream = None
    if root.is_dir() and (fc is None or not fc.entries) and jobs_for(jobs) > 1:
        prep = WorkerPrep()
        stream = FactStream(prep, jobs_for(jobs), ccfg, config)
    try:
        memo = DiscoveryMemo(DiscoveryMemo.key_for(config), fc.discovery if fc is not None else None)
        discovery = discover(root, config, memo=memo, found=stream.found if stream is not None else None)
        drop_compiled(discovery)
        if fc is not None:
            fc.keep_discovery(memo)
        schema, schema_warnings = load_schema(root, discovery, config, schema_sources)
        if schema is not None:
            drop_generated(discovery, generator_outputs(schema))
        if prep is not None:
            prep.wait()
        with _facts_uncollected():
            collected = collect_facts(base, discovery.sources, config, ccfg, cache, jobs, progress,
                                      fc=fc, save=False, lazy=True, stream=stream)
    finally:
        if stream is not None:
            stream.close()
    return discovery, schema, schema_warnings, collected


def _run_rules(rules, index, config, suppressions, fc, schema_sources, key) -> dict[str, list[Finding]]:
    """Every rule's findings, by rule id. With a cache, a file-scoped rule's come from it for
    the files whose key is unchanged (rule_results.py), a project-scoped rule's when nothing
    it can read changed (`key`, project_results.py)."""
    findings: dict[str, list[Finding]] = {}
    keys = base = None
    for rule in rules:
        ctx = RuleContext(index, config, rule, suppressions)
        if fc is None:
            findings[rule.id] = list(rule.check(ctx))
        elif rule.scope == "file":
            if keys is None:
                keys, base = rule_results.file_keys(index, fc), rule_results.base_key(fc, schema_sources)
            findings[rule.id] = rule_results.run(ctx, fc, keys, base)
        else:
            findings[rule.id] = project_results.run(ctx, fc, key)
    return findings


def _index_summary(index: ProjectIndex) -> dict:
    """What the stats read of the index."""
    ops = Counter(c.kind for c in index.prisma_calls)
    return {
        "files_by_role": dict(sorted(Counter(f.role for f in index.files.values()).items())),
        "prisma_calls": len(index.prisma_calls),
        "prisma_calls_by_kind": dict(sorted(ops.items())),
        "recognition": recognition.summary(index),
        "script_only": {**runnable_modules(index), **script_only_modules(index)},
        "dev_only": {path: f.dev_only for path, f in sorted(index.files.items()) if f.dev_only},
        "unimported_actions": unimported_actions(index),
        "dead_functions": dead_functions(index),
        "browser_only": browser_only(index),
        "maintenance_routes": maintenance_routes(index),
        "untouched_models": untouched_models(index),
    }


class DeferredIndex:
    """The `ProjectIndex` of a scan that found everything it needed in the cache: built
    (every file's facts loaded) only when something reads it, but for the values the cache
    kept of it (`memo`: the coverage figures), which it answers without being built."""

    def __init__(self, build, memo: dict):
        self._build, self._seed, self._index = build, memo, None

    def memo(self, key: str, compute):
        if key in self._seed and self._index is None:
            return self._seed[key]
        return self._real().memo(key, compute)

    def _real(self) -> ProjectIndex:
        if self._index is None:
            self._index = self._build()
            self._index._memo.update(self._seed)
        return self._index

    def __getattr__(self, name: str):
        return getattr(self._real(), name)


def _with_snippets(root: Path, findings: list[Finding]) -> list[Finding]:
    """Fill each finding's snippet with its source lines (bounded). Files are read
    one at a time (findings taken path by path), so only one file's lines are held."""
    out: list[Finding | None] = [None] * len(findings)
    current, lines = None, []
    for i in sorted(range(len(findings)), key=lambda i: findings[i].path):
        f = findings[i]
        if f.path != current:
            current = f.path
            try:
                data, _ = as_utf8((root / f.path).read_bytes())
            except OSError:
                data = None
            lines = data.decode("utf-8").splitlines() if data is not None else []
        end = min(f.end_line, f.line + 7)
        snippet = "\n".join(lines[f.line - 1:end])[:2000] if lines else ""
        out[i] = replace(f, snippet=snippet, matched=f.matched or snippet)
    return out


def _stats(discovery, files_scanned, summary, schema, findings, rules, seconds) -> dict:
    by_sev = Counter(f.severity.value for f in findings)
    by_rule = Counter(f.rule for f in findings)
    return {
        "files_scanned": files_scanned,
        "files_out_of_scope": dict(sorted(discovery.out_of_scope.items())),
        "files_by_role": summary["files_by_role"],
        "schema_files": len(schema.files) if schema else 0,
        "prisma_calls": summary["prisma_calls"],
        "prisma_calls_by_kind": summary["prisma_calls_by_kind"],
        "rules_run": [r.id for r in rules],
        "findings": len(findings),
        "by_severity": {s: by_sev.get(s, 0) for s in ("critical", "high", "medium", "low")},
        "by_rule": dict(sorted(by_rule.items())),
        "seconds": round(seconds, 3),
    }

"""Read every source file and build its facts: from the cache when the bytes
are unchanged, otherwise parsed in a process pool sized to the cores (a serial
path for small batches, where starting workers costs more than it saves)."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .cache import FactCache, content_key, default_cache_root
from .config import Config
from .discover import SourceFile, Warning_, read_source
from .facts.extract import extract_facts
from .facts.model import FileFacts
from .facts.scopes import ClientConfig

# Below this many files to parse, a pool costs more than it saves.
POOL_THRESHOLD = 120
_CHUNK = 16


@dataclass
class CacheOptions:
    enabled: bool = True
    folder: Path | None = None   # default: the user cache folder


@dataclass
class Collected:
    facts: dict[str, FileFacts] = field(default_factory=dict)
    warnings: list[Warning_] = field(default_factory=list)
    parsed: int = 0
    cached: int = 0


def config_key(config: Config) -> str:
    """The configuration parts that change facts, and the reading limits (a cached
    file is trusted by its size and mtime, so it must have passed today's limits)."""
    limits = [config[k] for k in ("max_file_bytes", "max_line_length", "max_average_line_length")]
    return hashlib.sha256(json.dumps([config["prisma"], limits], sort_keys=True).encode()).hexdigest()


def _extract_batch(batch: list[tuple[str, str, bytes]], ccfg: ClientConfig) -> list[FileFacts]:
    return [extract_facts(path, role, data, ccfg) for path, role, data in batch]


def _jobs(requested: int | None) -> int:
    if requested:
        return max(1, requested)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def collect_facts(root: Path, sources: list[SourceFile], config: Config, ccfg: ClientConfig,
                  cache: CacheOptions | None = None, jobs: int | None = None,
                  progress=None) -> Collected:
    """`progress(done, total)` is told how many files have their facts."""
    out = Collected()
    fc = None
    if cache is not None and cache.enabled:
        fc = FactCache(cache.folder or default_cache_root(), root, config_key(config))
        if fc.note:
            out.warnings.append(Warning_(str(fc.file), "cache", fc.note))
    todo: list[tuple[str, str, bytes]] = []
    digests: dict[str, str] = {}
    by_path = {sf.path: sf for sf in sources}
    for sf in sources:
        if fc is not None:
            unchanged = fc.get_unchanged(sf.path, sf.role, sf.size, sf.mtime_ns)
            if unchanged is not None:
                digests[sf.path], out.facts[sf.path] = unchanged
                out.cached += 1
                continue
        data, skipped = read_source(sf, config["max_file_bytes"], config["max_line_length"],
                                    config["max_average_line_length"])
        if data is None:
            out.warnings.append(Warning_(sf.path, "skipped", skipped or "skipped"))
            continue
        digest = content_key(data)
        digests[sf.path] = digest
        hit = fc.get(sf.path, sf.role, digest) if fc is not None else None
        if hit is not None:
            out.facts[sf.path] = hit
            out.cached += 1
            fc.restat(sf.path, sf.size, sf.mtime_ns)   # touched, not changed
        else:
            todo.append((sf.path, sf.role, data))
    workers = _jobs(jobs)
    tick = progress or (lambda done, total: None)
    batches = [todo[i:i + _CHUNK] for i in range(0, len(todo), _CHUNK)]
    built: list[FileFacts] = []
    if workers > 1 and len(todo) >= POOL_THRESHOLD:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for batch in pool.map(_extract_batch, batches, [ccfg] * len(batches)):
                built.extend(batch)
                tick(out.cached + len(built), len(digests))
    else:
        for batch in batches:
            built.extend(_extract_batch(batch, ccfg))
            tick(out.cached + len(built), len(digests))
    roles = {sf.path: sf.role for sf in sources}
    for ff in built:
        out.facts[ff.path] = ff
        if fc is not None:
            sf = by_path[ff.path]
            fc.put(ff.path, roles[ff.path], digests[ff.path], ff, sf.size, sf.mtime_ns)
    out.parsed = len(built)
    out.facts = dict(sorted(out.facts.items()))
    for path, ff in out.facts.items():
        for line, col, what in ff.parse_errors:
            out.warnings.append(Warning_(path, "parse", f"{what} at line {line}, column {col}; "
                                         "parsed with error recovery", line))
        for kind, note in ff.notes:
            out.warnings.append(Warning_(path, kind, note))
    if fc is not None:
        problem = fc.save(set(digests))
        if problem:
            out.warnings.append(Warning_(str(fc.folder), "cache", problem))
    return out

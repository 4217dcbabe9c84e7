"""Every source file's facts: from the cache when the file is unchanged, otherwise
read, hashed and parsed by worker processes (a serial path for small batches,
where starting workers costs more than it saves).

The parent never reads a file it sends to a worker: it trusts a cached file by its
size and mtime, and hands every other file to a worker, which reads it, hashes it,
answers "unchanged" when the bytes are those the cache knows, and otherwise
extracts its facts and sends them back pickled (the bytes the cache stores, so the
parent does not pickle them again). While the workers parse, the parent unpickles
the cached facts. A scan that expects to parse much compiles the queries in a
thread while discovery walks the tree (`WorkerPrep`), and the workers, forked after
it, inherit them instead of each compiling them again.

With `lazy`, a file trusted by its size and mtime is not unpickled unless there is
time to spare (while workers parse): the engine may find every result it needs in
the cache without any file's facts (project_results.py), and `Collected.load_all`
loads the rest when it does need them."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import threading
from dataclasses import dataclass, field
from pathlib import Path

from . import fact_pickle
from .cache import FactCache, content_key, default_cache_root
from .config import Config
from .discover import SourceFile, Warning_, read_source
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
    # What the cache keeps on save: the files with facts and the skipped ones.
    present: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    # With `lazy`: files trusted by the cache whose facts are not loaded yet (`load_all`).
    pending: dict[str, SourceFile] = field(default_factory=dict)
    _fc: FactCache | None = field(default=None, repr=False)
    _load: tuple | None = field(default=None, repr=False)   # (ccfg, limits) to parse a damaged entry

    @property
    def paths(self) -> list[str]:
        """Every file with facts, loaded or pending, sorted."""
        return sorted([*self.facts, *self.pending]) if self.pending else list(self.facts)

    def load_all(self) -> dict[str, FileFacts]:
        """Every file's facts (the pending ones unpickled now), sorted by path."""
        if self.pending:
            fc = self._fc
            for path, sf in self.pending.items():
                hit = fc.get(path, sf.role, fc.digest(path, sf.role))
                self.facts[path] = hit if hit is not None else self._reparse(sf)
            self.pending = {}
            self.facts = dict(sorted(self.facts.items()))
        return self.facts

    def _reparse(self, sf: SourceFile) -> FileFacts:
        """The facts of a file whose cache entry would not load, parsed here."""
        from .facts.extract import extract_facts
        ccfg, limits = self._load
        data = read_source(sf, *limits)[0]
        facts = extract_facts(sf.path, sf.role, data, ccfg)
        self._fc.put(sf.path, sf.role, content_key(data), facts, sf.size, sf.mtime_ns)
        return facts

    def fact_warnings(self) -> list[Warning_]:
        """The parse problems and notes the facts record (needs every file's facts)."""
        out = []
        for path, ff in self.load_all().items():
            for line, col, what in ff.parse_errors:
                out.append(Warning_(path, "parse", f"{what} at line {line}, column {col}; "
                                    "parsed with error recovery", line))
            for kind, note in ff.notes:
                out.append(Warning_(path, kind, note))
        return out


def config_key(config: Config) -> str:
    """The configuration parts that change facts, and the reading limits (a cached
    file is trusted by its size and mtime, so it must have passed today's limits)."""
    limits = [config[k] for k in ("max_file_bytes", "max_line_length", "max_average_line_length")]
    return hashlib.sha256(json.dumps([config["prisma"], limits], sort_keys=True).encode()).hexdigest()


def _limits(config: Config) -> tuple[int, int, int]:
    return config["max_file_bytes"], config["max_line_length"], config["max_average_line_length"]


def open_cache(root: Path, config: Config, cache: CacheOptions | None) -> FactCache | None:
    if cache is None or not cache.enabled:
        return None
    return FactCache(cache.folder or default_cache_root(), root, config_key(config))


# -- the workers ---------------------------------------------------------------------

# One task: (file, the digest the cache holds for it or None). One record back:
# (path, digest, payload): payload None when the bytes are the cached ones, the
# pickled FileFacts when they were parsed, and (None, reason) when the file is skipped.
_Task = tuple[SourceFile, "str | None"]
_Record = tuple[str, "str | None", "bytes | str | None"]

_WORKER: dict = {}


def _init_worker(ccfg: ClientConfig, limits: tuple[int, int, int]) -> None:
    """Compile the combined queries once, when the worker starts (before its first file).
    The collector is on, whatever the parent forked it with (the engine turns it off while
    it loads facts)."""
    from .facts.extract import extract_facts  # noqa: F401 - imported before the first file
    gc.enable()
    cap_worker_memory()
    _WORKER["ccfg"], _WORKER["limits"] = ccfg, limits
    _compile_queries()   # nothing to do in a worker forked after `WorkerPrep.wait`


def worker_memory_cap(physical: int) -> int:
    """The address space one parse worker may take: half the machine's memory, at least 4 GiB."""
    return max(4 << 30, physical // 2)


def cap_worker_memory() -> None:
    """Cap this worker's address space, so that a file whose analysis runs away raises
    MemoryError there (one file skipped with a note, facts/extract.py) instead of the kernel
    killing the worker and, with it, the whole scan (a 6,000-line module once took 24 GiB).
    A lower limit already set is kept."""
    try:
        import resource
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = worker_memory_cap(physical)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft == resource.RLIM_INFINITY or soft > cap:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, OSError, ValueError, AttributeError):  # pragma: no cover - not Linux
        pass


def _build(task: _Task, ccfg: ClientConfig, limits: tuple[int, int, int]) -> _Record:
    sf, known = task
    data, skipped = read_source(sf, *limits)
    if data is None:
        return sf.path, None, skipped or "skipped"
    digest = content_key(data)
    if digest == known:
        return sf.path, digest, None
    from .facts.extract import extract_facts   # the extractors, only where files are parsed
    facts = extract_facts(sf.path, sf.role, data, ccfg)
    return sf.path, digest, fact_pickle.dumps(facts)


def _build_batch(batch: list[_Task]) -> list[_Record]:
    ccfg, limits = _WORKER["ccfg"], _WORKER["limits"]
    return [_build(task, ccfg, limits) for task in batch]


def jobs_for(requested: int | None) -> int:
    if requested:
        return max(1, requested)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class WorkerPrep:
    """What every parse worker needs before its first file, made once in this process
    while discovery walks the tree: the combined query of both grammars compiled in a
    thread, then the extractors imported (`wait`). Workers forked after `wait` inherit
    both instead of each spending 0.3 s of CPU on them (documenso: 0.23 s compiling,
    0.07 s importing); a scan small enough to parse here needs them too. py-tree-sitter
    0.26 holds the GIL while it compiles (imports that take 0.19 s alone take 0.42 s
    beside the thread), so the walk only goes on between its steps: the compile is on
    the way to the first fork wherever it runs in this process."""

    def __init__(self):
        self._thread = threading.Thread(target=_compile_queries, name="dbaudit-queries", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        self._thread.join()   # before any fork: no thread may be running then
        from .facts.extract import extract_facts  # noqa: F401 - inherited by the workers

    def ready(self) -> bool:
        """Whether `wait` would not wait for the compile."""
        return not self._thread.is_alive()


def _compile_queries() -> None:
    from .parse import combined_query
    for grammar in ("typescript", "tsx"):
        combined_query(grammar)


class ParsePool:
    """The parse workers, forked when the first batch is submitted."""

    def __init__(self, workers: int, ccfg: ClientConfig, config: Config):
        from concurrent.futures import ProcessPoolExecutor   # not on a warm scan, which parses nothing
        self.workers = workers
        self._executor = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                             initargs=(ccfg, _limits(config)))

    def submit(self, batches: list[list[_Task]]):
        return [self._executor.submit(_build_batch, b) for b in batches]

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def _batches(todo: list[_Task]) -> list[list[_Task]]:
    return [todo[i:i + _CHUNK] for i in range(0, len(todo), _CHUNK)]


class FactStream:
    """A cold scan's files sent to the workers while discovery still walks the tree
    (`found`, told of each source file with the role the walk gave it), so that the
    walk overlaps the parsing instead of preceding it. The workers are forked once the
    walk has found enough files for a pool and the queries have compiled (no thread
    may run at a fork). The walk's roles are provisional: `settle` drops the records
    of files whose role was settled otherwise after it (package.json scripts, route
    configs) or that were left out (generated folders), and those are sent again."""

    def __init__(self, prep: WorkerPrep, workers: int, ccfg: ClientConfig, config: Config):
        self._prep, self._workers, self._ccfg, self._config = prep, workers, ccfg, config
        self._waiting: list[_Task] = []
        self._sent: list[tuple[object, list[_Task]]] = []   # (future, its batch)
        self.pool: ParsePool | None = None

    def found(self, sf: SourceFile) -> None:
        self._waiting.append((sf, None))
        if self.pool is None:
            if len(self._waiting) < POOL_THRESHOLD or not self._prep.ready():
                return   # a small project is parsed in this process; a compile still runs
            self._prep.wait()
            self.pool = ParsePool(self._workers, self._ccfg, self._config)
        if len(self._waiting) >= _CHUNK:
            batches = _batches(self._waiting)
            self._sent += zip(self.pool.submit(batches), batches)
            self._waiting = []

    def settle(self, todo: list[_Task]) -> tuple[list[tuple[object, frozenset]], list[_Task]]:
        """The futures sent, each with the paths whose records to drop (the task
        is not the one `todo` holds now), and the tasks of `todo` still to send."""
        wanted = {task[0].path: task for task in todo}
        out, sent = [], set()
        for future, batch in self._sent:
            kept = {task[0].path for task in batch if wanted.get(task[0].path) == task}
            out.append((future, frozenset(task[0].path for task in batch) - kept))
            sent |= kept
        return out, [task for task in todo if task[0].path not in sent]

    def close(self) -> None:
        """Stop the workers if `collect_facts` did not (discovery or the schema failed)."""
        if self.pool is not None:
            self.pool.close()


# -- the parent ------------------------------------------------------------------------

_KEEP: frozenset = frozenset()


def _keep_all(futures: list) -> list[tuple[object, frozenset]]:
    return [(f, _KEEP) for f in futures]


def _results(futures: list):
    """Each batch's records in order, but those of the paths each (future, paths to
    drop) names, letting go of every future once read, so the pickled facts of all
    files are never held at once beside the unpickled ones."""
    i = 0
    while i < len(futures):
        future, drop = futures[i]
        records = future.result()
        futures[i] = None
        yield [r for r in records if r[0] not in drop] if drop else records
        i += 1


def _confirm_unchanged(fc: FactCache, todo: list[_Task], config: Config, out: Collected,
                       digests: dict[str, str], lazy: bool = False) -> list[_Task]:
    """Read and hash here the few files the cache knows but cannot trust by their mtime
    (written within the racy window of the last scan: the files a `--diff` rerun just
    parsed), taking the unchanged ones from the cache: a worker, with its query to
    compile, is started only for files whose bytes changed. The tasks left to parse."""
    known = [task for task in todo if task[1] is not None]
    if not known or len(known) >= POOL_THRESHOLD:
        return todo   # many: the workers read and hash them in parallel
    confirmed = set()
    for sf, digest in known:
        data, _ = read_source(sf, *_limits(config))
        if data is None or content_key(data) != digest:
            continue
        facts = None if lazy else fc.get(sf.path, sf.role, digest)
        if lazy or facts is not None:
            if lazy:
                out.pending[sf.path] = sf
            else:
                out.facts[sf.path] = facts
            digests[sf.path] = digest
            out.cached += 1
            fc.restat(sf.path, sf.size, sf.mtime_ns)
            confirmed.add(sf.path)
    return [task for task in todo if task[0].path not in confirmed]


def collect_facts(root: Path, sources: list[SourceFile], config: Config, ccfg: ClientConfig,
                  cache: CacheOptions | None = None, jobs: int | None = None,
                  progress=None, fc: FactCache | None = None, pool: ParsePool | None = None,
                  save: bool = True, lazy: bool = False, stream: FactStream | None = None) -> Collected:
    """`progress(done, total)` is told how many files have their facts. `fc`, an
    already open cache (else `cache` says which to open); `pool`, started workers
    (else a pool is started when there are enough files to parse); `save` false leaves
    writing the cache to the caller (`save_cache`), which adds the rules' results.
    `lazy` leaves the facts of files the cache vouches for in `pending` (unpickled while
    workers parse, if any, else not), and the facts' warnings to `fact_warnings()`.
    `stream`, the files discovery already sent to workers (its pool is closed here)."""
    out = Collected()
    if fc is None:
        fc = open_cache(root, config, cache)
    out._fc, out._load = fc, (ccfg, _limits(config))
    if fc is not None and fc.note:
        out.warnings.append(Warning_(str(fc.file), "cache", fc.note))
    trusted: list[SourceFile] = []
    todo: list[_Task] = []
    records: dict[str, _Record] = {}   # the skipped files' records: (path, None, reason)
    for sf in sources:
        if fc is not None and fc.trusts(sf.path, sf.role, sf.size, sf.mtime_ns):
            trusted.append(sf)
        elif fc is not None and (reason := fc.skip_reason(sf.path, sf.role, sf.size, sf.mtime_ns)):
            records[sf.path] = (sf.path, None, reason)   # skipped before, unchanged since
        else:
            todo.append((sf, fc.digest(sf.path, sf.role) if fc is not None else None))
    digests: dict[str, str] = {}
    if fc is not None:
        todo = _confirm_unchanged(fc, todo, config, out, digests, lazy)
    tick = progress or (lambda done, total: None)
    total = len(sources)
    own_pool = sent = None
    if stream is not None and stream.pool is not None:
        sent, todo = stream.settle(todo)
        pool = own_pool = stream.pool
    batches = _batches(todo)
    if pool is None and jobs_for(jobs) > 1:
        if len(todo) >= POOL_THRESHOLD:
            pool = own_pool = ParsePool(jobs_for(jobs), ccfg, config)
        elif todo and len(trusted) >= POOL_THRESHOLD:
            # A few changed files among many cached ones: one worker compiles the query
            # and parses them while this process unpickles the cached facts.
            pool = own_pool = ParsePool(1, ccfg, config)
    try:
        futures = None
        if pool is not None and (todo or sent):
            futures = (sent or []) + _keep_all(pool.submit(batches))
        # The cached facts are unpickled while the workers parse (lazily: only until
        # they are done; the rest may never be needed).
        for sf in trusted:
            digest = digests[sf.path] = fc.digest(sf.path, sf.role)
            out.cached += 1
            if lazy and (futures is None or all(f.done() for f, _ in futures)):
                out.pending[sf.path] = sf
                continue
            hit = fc.get(sf.path, sf.role, digest)
            if hit is None:   # a damaged entry: parse the file again
                out.cached -= 1
                del digests[sf.path]
                todo_one = [(sf, None)]
                batches.append(todo_one)
                if futures is not None:
                    futures += _keep_all(pool.submit([todo_one]))
                continue
            out.facts[sf.path] = hit
        done = out.cached
        total -= len(records)
        tick(done, total)
        if futures is not None:
            results = _results(futures)
        else:
            limits = _limits(config)
            results = ([_build(task, ccfg, limits) for task in batch] for batch in batches)
        by_path = {sf.path: sf for sf in sources}
        for batch in results:
            for record in batch:
                path, digest, payload = record
                if digest is None:
                    records[path] = record
                    total -= 1
                    if fc is not None:
                        sf = by_path[path]
                        fc.put_skipped(path, sf.role, sf.size, sf.mtime_ns, payload or "skipped")
                    continue
                sf = by_path[path]
                digests[path] = digest
                if payload is None:
                    fc.restat(path, sf.size, sf.mtime_ns)   # touched, not changed
                    if lazy:
                        out.pending[path] = sf
                        out.cached += 1
                        continue
                    hit = fc.get(path, sf.role, digest)
                    if hit is not None:
                        out.facts[path] = hit
                        out.cached += 1
                        continue
                    # The entry would not load: parse it here.
                    from .facts.extract import extract_facts
                    facts = extract_facts(path, sf.role, read_source(sf, *_limits(config))[0], ccfg)
                    payload = fact_pickle.dumps(facts)
                facts = pickle.loads(payload)
                out.facts[path] = facts
                out.parsed += 1
                if fc is not None:
                    fc.put_pickled(path, sf.role, digest, payload, sf.size, sf.mtime_ns)
            done = len(out.facts) + len(out.pending)
            tick(done, total)
    finally:
        if own_pool is not None:
            own_pool.close()
    # Skipped files in the order of discovery, as the one-process pipeline gave them.
    for sf in sources:
        record = records.get(sf.path)
        if record is not None and record[1] is None:
            out.warnings.append(Warning_(sf.path, "skipped", record[2] or "skipped"))
    out.facts = dict(sorted(out.facts.items()))
    if not lazy:
        out.warnings += out.fact_warnings()
    out.present = set(digests)
    out.skipped = {p for p, r in records.items() if r[1] is None}
    if fc is not None and save:
        out.warnings += save_cache(fc, out)
    return out


def save_cache(fc: FactCache, collected: Collected) -> list[Warning_]:
    problem = fc.save(collected.present, collected.skipped)
    return [Warning_(str(fc.folder), "cache", problem)] if problem else []

"""The facts cache: FileFacts by content hash, one pickle per scanned root.

Keyed by the file's bytes, path and role, and by everything that changes facts:
dbaudit's version, the grammar and binding versions, the query texts, the fact
extractor's own source and the client configuration. A corrupt, foreign or
stale cache is ignored and rewritten; entries of files no longer present are
dropped on every save, so it never grows without bound.

The default location is the user's cache folder, so a plain scan writes nothing
into the scanned repository; `--cache-dir` moves it (e.g. into the checkout for
CI caching) and `--no-cache` turns it off."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import time
from functools import lru_cache
from pathlib import Path

from . import __version__, fact_pickle
from .facts.model import FileFacts
from .resources import data_dir

_FORMAT = 4
# A file changed less than this before the cache was written is checked by its bytes.
RACY_NS = 2_000_000_000
# How many scanned roots keep a cache in one cache folder (least recently scanned go first).
MAX_ROOTS = 24


def default_cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dbaudit"


def _dist_version(dist: str, package: str) -> str:
    """The installed version of `dist`, read from the `<name>-<version>.dist-info` folder
    beside its package (without importing the package or importlib.metadata, which cost a
    warm scan 12 ms); importlib.metadata where that folder is not alone or not there."""
    spec = importlib.util.find_spec(package)
    if spec is not None and spec.origin:
        infos = list(Path(spec.origin).parent.parent.glob(f"{package}-*.dist-info"))
        if len(infos) == 1:
            return infos[0].name[len(package) + 1:-len(".dist-info")]
    from importlib import metadata
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


@lru_cache(maxsize=None)
def _code_fingerprint() -> str:
    h = hashlib.sha256()
    h.update(__version__.encode())
    for dist, package in (("tree-sitter", "tree_sitter"), ("tree-sitter-typescript", "tree_sitter_typescript")):
        h.update(_dist_version(dist, package).encode())
    for folder in (data_dir("queries"), Path(__file__).parent / "facts"):
        for p in sorted(folder.rglob("*")):
            if p.suffix in (".scm", ".py"):
                h.update(p.name.encode())
                h.update(p.read_bytes())
    for name in ("parse.py", "cache.py", "fact_pickle.py"):
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()


def content_key(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class FactCache:
    def __init__(self, folder: Path, root: Path, config_key: str):
        self.folder = folder
        root_id = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
        self.file = folder / f"facts-{root_id}.pickle"
        self.key = hashlib.sha256((_code_fingerprint() + config_key).encode()).hexdigest()
        # path -> (content digest, role, pickled FileFacts, size, mtime_ns): each
        # file's facts are pickled on their own, so saving after a one-file change
        # re-pickles one file.
        self.entries: dict[str, tuple[str, str, bytes, int, int]] = {}
        # When the loaded cache was written: a file whose mtime is not well before
        # that may have changed again within the clock's resolution ("racily clean",
        # as git calls it), so only its bytes can vouch for it.
        self.written_ns = 0
        # The glob decisions of the last discovery walk (discover.DiscoveryMemo).
        self.discovery = None
        # Files skipped by the reading limits: path -> (role, size, mtime_ns, reason), trusted
        # like facts by size and mtime, so a warm scan does not read a minified file again.
        self.skipped: dict[str, tuple[str, int, int, str]] = {}
        # Per-file findings of the file-scoped rules (rule_results.py): rule id ->
        # (rule key, path -> file key, path -> findings); opaque here.
        self.rule_results: dict[str, tuple] = {}
        # The module resolutions of the last scan (resolve.ModuleResolver.resolutions).
        self.resolutions: tuple | None = None
        # The findings of the project-scoped rules (project_results.py): rule id ->
        # (key over every input, findings); opaque here.
        self.project_results: dict[str, tuple] = {}
        # What the scan that ran the rules derived from its index, under the project key
        # (project_results.Kept); opaque here.
        self.derived: tuple | None = None
        self.hits = 0
        self.dirty = False
        self.note: str | None = None
        self._load()

    def _load(self) -> None:
        try:
            with open(self.file, "rb") as fh:
                data = pickle.load(fh)
        except FileNotFoundError:
            return
        except Exception:  # noqa: BLE001 - any corruption: start afresh
            self.note = f"ignored a corrupt facts cache at {self.file}; it will be rewritten"
            self.dirty = True
            return
        if not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("key") != self.key:
            self.dirty = True  # another dbaudit, grammar or config: stale
            return
        entries = data.get("entries")
        if isinstance(entries, dict):
            self.entries = entries
            written = data.get("written_ns")
            self.written_ns = written if isinstance(written, int) else 0
            self.discovery = data.get("discovery")
            skipped = data.get("skipped")
            self.skipped = skipped if isinstance(skipped, dict) else {}
            rule_results = data.get("rule_results")
            self.rule_results = rule_results if isinstance(rule_results, dict) else {}
            resolutions = data.get("resolutions")
            self.resolutions = resolutions if isinstance(resolutions, tuple) else None
            project_results = data.get("project_results")
            self.project_results = project_results if isinstance(project_results, dict) else {}
            self.derived = data.get("derived")

    def get(self, path: str, role: str, digest: str) -> FileFacts | None:
        hit = self.entries.get(path)
        if hit is None or hit[0] != digest or hit[1] != role:
            return None
        return self._load_entry(hit)

    def trusts(self, path: str, role: str, size: int, mtime_ns: int) -> bool:
        """Whether the file's size and mtime are those recorded and the mtime is
        safely older than the cache: the file need not be read."""
        hit = self.entries.get(path)
        return not (hit is None or len(hit) < 5 or hit[1] != role or hit[3] != size or hit[4] != mtime_ns
                    or not mtime_ns or mtime_ns >= self.written_ns - RACY_NS)

    def digest(self, path: str, role: str) -> str | None:
        """The content digest recorded for the file, if any (a worker that reads the
        same bytes need not parse them)."""
        hit = self.entries.get(path)
        return hit[0] if hit is not None and hit[1] == role else None

    def get_unchanged(self, path: str, role: str, size: int, mtime_ns: int) -> tuple[str, FileFacts] | None:
        """(digest, facts) when `trusts` the file."""
        if not self.trusts(path, role, size, mtime_ns):
            return None
        hit = self.entries[path]
        facts = self._load_entry(hit)
        return (hit[0], facts) if facts is not None else None

    def _load_entry(self, hit) -> FileFacts | None:
        try:
            facts = pickle.loads(hit[2])
        except Exception:  # noqa: BLE001 - a damaged entry: parse the file again
            return None
        self.hits += 1
        return facts

    def put(self, path: str, role: str, digest: str, facts: FileFacts, size: int = 0, mtime_ns: int = 0) -> None:
        self.put_pickled(path, role, digest, fact_pickle.dumps(facts), size, mtime_ns)

    def put_pickled(self, path: str, role: str, digest: str, pickled: bytes, size: int = 0,
                    mtime_ns: int = 0) -> None:
        """`put` for facts a worker already pickled."""
        self.entries[path] = (digest, role, pickled, size, mtime_ns)
        self.dirty = True

    def restat(self, path: str, size: int, mtime_ns: int) -> None:
        """Record a new size and mtime for an entry whose bytes were unchanged."""
        hit = self.entries.get(path)
        if hit is not None and (len(hit) < 5 or hit[3:5] != (size, mtime_ns)):
            self.entries[path] = (*hit[:3], size, mtime_ns)
            self.dirty = True
        elif mtime_ns >= self.written_ns - RACY_NS:
            self.dirty = True   # saved again, later, it becomes trusted by its mtime

    def skip_reason(self, path: str, role: str, size: int, mtime_ns: int) -> str | None:
        """Why the file was skipped last time, when its size and mtime are unchanged
        (and safely older than the cache)."""
        hit = self.skipped.get(path)
        if (hit is None or hit[0] != role or hit[1] != size or hit[2] != mtime_ns
                or not mtime_ns or mtime_ns >= self.written_ns - RACY_NS):
            return None
        return hit[3]

    def put_skipped(self, path: str, role: str, size: int, mtime_ns: int, reason: str) -> None:
        if self.skipped.get(path) != (role, size, mtime_ns, reason):
            self.skipped[path] = (role, size, mtime_ns, reason)
            self.dirty = True
        elif mtime_ns >= self.written_ns - RACY_NS:
            self.dirty = True   # saved again, later, it becomes trusted by its mtime

    def keep_discovery(self, memo) -> None:
        """Store this walk's glob decisions with the facts (saved when they changed)."""
        if memo is not None and memo.changed:
            self.dirty = True
        self.discovery = memo.state() if memo is not None else None

    def keep_rule_results(self, rule_id: str, results: tuple) -> None:
        if self.rule_results.get(rule_id) != results:
            self.rule_results[rule_id] = results
            self.dirty = True

    def keep_project_results(self, rule_id: str, results: tuple) -> None:
        if self.project_results.get(rule_id) != results:
            self.project_results[rule_id] = results
            self.dirty = True

    def keep_derived(self, derived: tuple) -> None:
        if self.derived != derived:
            self.derived = derived
            self.dirty = True

    def keep_resolutions(self, resolutions: tuple) -> None:
        if self.resolutions != resolutions:
            self.resolutions = resolutions
            self.dirty = True

    def save(self, present: set[str], skipped: set[str] = frozenset()) -> str | None:
        """Write the cache (pruned to `present` and the `skipped` files); a message when
        it could not be written."""
        stale = set(self.entries) - present
        for p in stale:
            del self.entries[p]
        gone = set(self.skipped) - set(skipped)
        for p in gone:
            del self.skipped[p]
        stale |= gone
        for rid, (key, file_keys, found) in list(self.rule_results.items()):
            if set(file_keys) - present:
                self.rule_results[rid] = (key, {p: k for p, k in file_keys.items() if p in present},
                                          {p: f for p, f in found.items() if p in present})
        if not (self.dirty or stale):
            return None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            import tempfile   # only when the cache is written
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".facts-", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump({"format": _FORMAT, "key": self.key, "entries": self.entries,
                             "written_ns": time.time_ns(), "discovery": self.discovery,
                             "skipped": self.skipped, "rule_results": self.rule_results,
                             "resolutions": self.resolutions,
                             "project_results": self.project_results,
                             "derived": self.derived}, fh,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)
            self._prune_other_roots()
        except OSError as e:
            return f"could not write the facts cache in {self.folder} ({e.strerror}); scans stay uncached"
        return None

    def _prune_other_roots(self) -> None:
        """Keep the caches of the most recently scanned roots only, so scans of
        many temporary folders do not fill the cache folder."""
        others = sorted(self.folder.glob("facts-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in others[MAX_ROOTS:]:
            try:
                old.unlink()
            except OSError:
                pass

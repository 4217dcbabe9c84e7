"""Walk the root: honour .gitignore and the built-in excludes, give every file
a role, and read each file defensively (size, binary, encoding, minified)."""

from __future__ import annotations

import json
import os
import posixpath
import re
import shlex
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path, PurePosixPath

import pathspec

from .config import Config
from .facts.entries import ROUTE_CONFIG_FILES, route_config_targets, sveltekit_route, under_app_routes
from .parse import SOURCE_EXTENSIONS
from .resolve import JS_TO_TS

DECLARATION_EXTENSIONS = (".d.ts", ".d.mts", ".d.cts")
MIGRATION_FILES = ("migration_lock.toml", "migration.sql")
PROJECT_FILES = ("package.json", "tsconfig.json", "jsconfig.json", "pnpm-workspace.yaml",
                 "prisma.config.ts", "prisma.config.mts", "prisma.config.js", "turbo.json",
                 "wrangler.toml", "wrangler.json", "wrangler.jsonc")
# Operational scripts, run by hand or by a package.json script, not per request.
# Seeds are scripts too; they are only out of scope by default (config out_of_scope).
SCRIPT_ROLES = ("script", "seed")
# Roles whose code never answers a request: tests, stories, operational scripts and seeds.
NON_APP_ROLES = ("test", "story", *SCRIPT_ROLES)
SCRIPT_BY_PATH = "is run by hand or by a package.json script"


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str        # relative to the root, `/`-separated
    abs_path: str
    role: str        # route, pages-api, page, remix-route, sveltekit-route, component, lib, script, test,
    #                  story, seed, schema
    size: int
    mtime_ns: int = 0  # with size, lets a warm scan trust its cache without reading the file


@dataclass(frozen=True, slots=True)
class Warning_:
    path: str
    kind: str        # skipped, parse, schema, config
    message: str
    line: int | None = None

    def to_dict(self) -> dict:
        return {"path": self.path, "kind": self.kind, "line": self.line, "message": self.message}


@dataclass
class Discovery:
    root: Path
    sources: list[SourceFile] = field(default_factory=list)
    schemas: list[SourceFile] = field(default_factory=list)
    project_files: list[str] = field(default_factory=list)   # package.json, tsconfig.json, ...
    migrations: list[str] = field(default_factory=list)      # Prisma Migrate files, for the report
    out_of_scope: dict[str, int] = field(default_factory=dict)
    warnings: list[Warning_] = field(default_factory=list)
    # Test files (out of scope, not parsed): a rule may still ask what they import.
    test_files: list[SourceFile] = field(default_factory=list)
    # Seeds left out of the scan (not parsed): what they import runs only when they run.
    seed_files: list[SourceFile] = field(default_factory=list)
    # Scanned files with a script role (SCRIPT_ROLES): path -> how it is run, a
    # phrase after the path (`is run by the script "backfill" of package.json`).
    scripts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Roles:
    """How discovery gives roles: the out-of-scope kinds' globs, the script
    globs, and the roles left out of the scan."""
    out_of_scope: dict[str, _Spec]
    scripts: _Spec
    skipped: frozenset

    @classmethod
    def from_config(cls, config: Config) -> "_Roles":
        # Every kind keeps its role; include_out_of_scope and scope only decide what is scanned.
        kinds = {kind: _spec(globs) for kind, globs in config["out_of_scope"].items()}
        skipped = frozenset(kinds) - frozenset(config["include_out_of_scope"])
        if config["scope"] == "app":
            skipped |= frozenset(SCRIPT_ROLES)
        return cls(kinds, _spec(config["script_paths"]), skipped)

    def classify(self, rel: str) -> str:
        return classify_role(rel, self.out_of_scope, self.scripts)


class _Spec:
    """A GitIgnoreSpec behind one combined regex of its patterns. pathspec tries each
    pattern in turn (a gitignore's last match decides), and most paths match none: a miss
    of the combined regex answers those at once, exactly as the patterns would."""

    __slots__ = ("spec", "_any_include", "_any")

    def __init__(self, lines):
        self.spec = pathspec.GitIgnoreSpec.from_lines(lines)
        compiled = [p for p in self.spec.patterns if p.include is not None and p.regex is not None]
        self._any_include = _combined([p for p in compiled if p.include])
        self._any = _combined(compiled)

    def match_file(self, rel: str) -> bool:
        """Whether the spec ignores `rel`: never when no including pattern matches."""
        if self._any_include is None or self._any_include.match(rel) is None:
            return False
        return self.spec.match_file(rel)

    def check_file(self, rel: str) -> bool | None:
        """True or False when a pattern decides `rel` (ignored, re-included), None when
        none matches it."""
        if self._any is None or self._any.match(rel) is None:
            return None
        return self.spec.check_file(rel).include


def _combined(patterns) -> re.Pattern | None:
    # Each pattern names its directory marker `ps_d`; one regex may name a group once.
    texts = [p.regex.pattern.replace("(?P<ps_d>", "(?:") for p in patterns]
    return re.compile("|".join(f"(?:{t})" for t in texts)) if texts else None


def _spec(lines) -> _Spec:
    return _Spec(lines)


class DiscoveryMemo:
    """What the glob matching of the last walk decided, to be reused by the next.

    Matching every path against the exclude globs, the .gitignore files and the
    role globs is most of a walk's time. A decision depends on the path, on the
    .gitignore texts in force above it (named by `chain`, a digest of those texts)
    and on the configuration and dbaudit's code (the memo's `key`; a memo under
    another key starts empty). Only what the current walk met is kept."""

    def __init__(self, key: str, old: dict | None = None):
        """`old`: an earlier memo's `state()`."""
        self.key = key
        same = isinstance(old, dict) and old.get("key") == key
        self._old_verdicts: dict[tuple[str, str], bool] = old["verdicts"] if same else {}
        self._old_roles: dict[str, str] = old["roles"] if same else {}
        self.verdicts: dict[tuple[str, str], bool] = {}
        self.roles: dict[str, str] = {}
        self.changed = not same

    def state(self) -> dict:
        """Plain data, to store (and give back to the next walk's memo)."""
        return {"key": self.key, "verdicts": self.verdicts, "roles": self.roles}

    @staticmethod
    def key_for(config: Config) -> str:
        import hashlib
        from . import __version__
        wanted = [config[k] for k in ("default_excludes", "exclude", "out_of_scope",
                                      "include_out_of_scope", "scope", "script_paths")]
        h = hashlib.sha256(json.dumps(wanted, sort_keys=True, default=str).encode())
        h.update(__version__.encode())
        h.update(Path(__file__).read_bytes())
        return h.hexdigest()

    def verdict(self, chain: str, probe: str, decide) -> bool:
        return self._recall(self._old_verdicts, self.verdicts, (chain, probe), decide)

    def role(self, rel: str, decide) -> str:
        return self._recall(self._old_roles, self.roles, rel, decide)

    def _recall(self, old: dict, new: dict, k, decide):
        """The last walk's answer for `k`, else `decide()` (which makes this walk's memo new)."""
        hit = old.get(k)
        if hit is None:
            hit = decide()
            self.changed = True
        new[k] = hit
        return hit

    def finish(self) -> None:
        """After the walk: whether entries were dropped counts as a change too."""
        if len(self.verdicts) != len(self._old_verdicts) or len(self.roles) != len(self._old_roles):
            self.changed = True
        self._old_verdicts, self._old_roles = {}, {}


class _Ignores:
    """The .gitignore files in force for a folder: (base, text) pairs, their specs
    compiled only when a path has to be matched, and a digest naming the chain."""

    __slots__ = ("files", "chain", "_specs")

    def __init__(self, files: tuple = (), chain: str = ""):
        self.files = files
        self.chain = chain
        self._specs = None

    def plus(self, base: str, text: str) -> "_Ignores":
        import hashlib
        chain = hashlib.blake2b(f"{self.chain}\0{base}\0{text}".encode("utf-8", "surrogateescape"),
                                digest_size=12).hexdigest()
        return _Ignores(self.files + ((base, text),), chain)

    def specs(self) -> tuple:
        if self._specs is None:
            self._specs = tuple((base, _gitignore_spec(text)) for base, text in self.files)
        return self._specs


@lru_cache(maxsize=256)
def _gitignore_spec(text: str) -> _Spec:
    return _spec(text.splitlines())


def classify_role(rel: str, out_of_scope: dict[str, _Spec],
                  scripts: _Spec | None = None) -> str:
    p = PurePosixPath(rel)
    if p.suffix == ".prisma":
        return "schema"
    for kind, spec in out_of_scope.items():
        if spec.match_file(rel):
            return kind
    parts = p.parts[:-1]
    stem = p.name.split(".")[0]
    if sveltekit_route(p.name):
        return "sveltekit-route"
    if "app" in parts and stem == "route":
        return "route"
    if "pages" in parts:
        # Next maps only files *inside* pages/api to API routes; pages/api.tsx is a page.
        i = parts.index("pages")
        if i + 1 < len(parts) and parts[i + 1] == "api":
            return "pages-api"
    if "app" in parts and stem == "page":
        return "page"
    if under_app_routes(rel):
        return "remix-route"
    if scripts is not None and scripts.match_file(rel):
        return "script"
    if p.suffix in (".tsx", ".jsx"):
        return "component"
    return "lib"


def discover(root: Path, config: Config, follow_symlinks: bool = False,
             memo: DiscoveryMemo | None = None, found=None) -> Discovery:
    """`memo`, when given, reuses the glob decisions of an earlier walk and records this one's.
    `found(sf)` is told of each source file as the walk meets it, with the role the walk
    gives it: package.json scripts, route configs and the schema's generated folders may
    still change that role or leave the file out (`Discovery.sources` has the final word)."""
    root = root.resolve()
    out = Discovery(root)
    excludes = _spec(list(config["default_excludes"]) + list(config["exclude"]))
    roles = _Roles.from_config(config)
    if root.is_file():
        _add_single_file(out, root, roles)
        return out
    if memo is None:
        memo = DiscoveryMemo("")
    # (directory, relative path, gitignore files in force)
    stack: list[tuple[Path, str, _Ignores]] = [(root, "", _Ignores())]
    seen_dirs: set[tuple[int, int]] = set()
    while stack:
        directory, rel_dir, ignores = stack.pop()
        try:
            st = directory.stat()
        except OSError as e:
            out.warnings.append(Warning_(rel_dir or ".", "skipped", f"cannot read folder: {e.strerror}"))
            continue
        if (st.st_dev, st.st_ino) in seen_dirs:
            continue  # a symlink loop
        seen_dirs.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as e:
            out.warnings.append(Warning_(rel_dir or ".", "skipped", f"cannot list folder: {e.strerror}"))
            continue
        if any(e.name == ".gitignore" for e in entries):
            try:
                text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
                ignores = ignores.plus(rel_dir, text)
            except OSError as e:
                out.warnings.append(Warning_(f"{rel_dir}/.gitignore" if rel_dir else ".gitignore", "skipped",
                                             f"cannot read .gitignore ({e.strerror}); its patterns were not applied"))
        subdirs = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if not _is_utf8_name(entry.name):
                # A name the file system holds as raw bytes: it cannot appear in a
                # UTF-8 report, baseline or fingerprint, so it is left out, with a note.
                out.warnings.append(Warning_(printable_path(rel), "skipped",
                                             "skipped: the name is not valid UTF-8; rename it to scan it"))
                continue
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=follow_symlinks)
                is_file = entry.is_file(follow_symlinks=follow_symlinks)
            except OSError:
                continue
            if is_link and not follow_symlinks:
                continue
            probe = rel + "/" if is_dir else rel
            if memo.verdict(ignores.chain, probe,
                            lambda: bool(excludes.match_file(probe) or _ignored(probe, ignores.specs()))):
                continue
            if is_dir:
                subdirs.append((Path(entry.path), rel, ignores))
            elif is_file:
                _add_file(out, Path(entry.path), rel, roles, memo, found)
        stack.extend(reversed(subdirs))
    memo.finish()
    _mark_package_scripts(out, roles)
    _route_config_modules(out)
    if not out.sources and not out.schemas:
        out.warnings.append(Warning_(".", "empty", "no TypeScript/JavaScript source or .prisma file "
                                     "in scope under the root; nothing to scan"))
    return out


def is_source_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(SOURCE_EXTENSIONS + (".prisma",)) and not lower.endswith(DECLARATION_EXTENSIONS)


def _add_single_file(out: Discovery, path: Path, roles: _Roles) -> None:
    """A root that is one file: the user named it, so it is scanned whatever
    the excludes and out-of-scope globs say."""
    if not is_source_name(path.name):
        out.warnings.append(Warning_(path.name, "empty", "not a TypeScript/JavaScript source or "
                                     ".prisma file; nothing to scan"))
        return
    # Its role comes from where it sits in its project (the nearest package.json).
    project = next((d for d in path.parents if (d / "package.json").is_file()), path.parent)
    role = roles.classify(path.relative_to(project).as_posix())
    st = path.stat()
    sf = SourceFile(path.name, str(path), role, st.st_size, st.st_mtime_ns)
    (out.schemas if sf.role == "schema" else out.sources).append(sf)
    if role in SCRIPT_ROLES:
        out.scripts[sf.path] = SCRIPT_BY_PATH


def _route_config_modules(out: Discovery) -> None:
    """Files a React Router `routes.ts` or a `remix.config.js` names are route modules
    wherever they sit (`route("notes/:id", "./pages/note.tsx")`)."""
    named: set[str] = set()
    for sf in out.sources:
        if PurePosixPath(sf.path).name not in ROUTE_CONFIG_FILES:
            continue
        try:
            source = Path(sf.abs_path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        has_app_dir = (Path(sf.abs_path).parent / "app").is_dir()
        named.update(route_config_targets(sf.path, source, has_app_dir))
    if named:
        out.sources = [replace(sf, role="remix-route")
                       if sf.path in named and sf.role in ("component", "lib") else sf for sf in out.sources]


def drop_generated(out: Discovery, folders: list[str]) -> None:
    """Move sources inside generated Prisma client folders (a generator's
    `output`) out of scope; the default globs only know the usual names."""
    prefixes = tuple(f.rstrip("/") + "/" for f in folders if f and f not in (".", ""))
    if not prefixes:
        return
    kept = [sf for sf in out.sources if not sf.path.startswith(prefixes)]
    dropped = len(out.sources) - len(kept)
    if dropped:
        out.sources = kept
        out.out_of_scope["generated"] = out.out_of_scope.get("generated", 0) + dropped


def drop_compiled(out: Discovery) -> None:
    """Move JavaScript files that sit beside a TypeScript source of the same name out of scope
    (`compiled`): the source is scanned, and its build would count every finding twice."""
    have = {sf.path for sf in out.sources}
    kept = [sf for sf in out.sources
            if not any(sf.path[: -len(ext)] + twin in have
                       for ext, twins in JS_TO_TS.items() if sf.path.endswith(ext) for twin in twins)]
    dropped = len(out.sources) - len(kept)
    if dropped:
        out.sources = kept
        out.out_of_scope["compiled"] = out.out_of_scope.get("compiled", 0) + dropped


def _is_utf8_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:   # os.fsdecode kept undecodable bytes as surrogates
        return False
    return True


def printable_path(rel: str) -> str:
    """A path for a UTF-8 report: undecodable bytes shown as U+FFFD."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _ignored(rel: str, ignores) -> bool:
    """git's precedence: the deepest .gitignore with a pattern that matches
    decides, so a nested `!keep.ts` re-includes what the root file ignores."""
    for base, spec in reversed(ignores):
        if base:
            if not rel.startswith(base + "/"):
                continue
            sub = rel[len(base) + 1:]
        else:
            sub = rel
        verdict = spec.check_file(sub)
        if verdict is not None:
            return verdict
    return False


def _add_file(out: Discovery, path: Path, rel: str, roles: _Roles, memo: DiscoveryMemo, found=None) -> None:
    name = path.name
    if name in MIGRATION_FILES:
        out.migrations.append(rel)
        return
    if name in PROJECT_FILES or (name.startswith("tsconfig") and name.endswith(".json")):
        out.project_files.append(rel)
        if not name.startswith("prisma.config"):
            return
    if not is_source_name(name):
        return
    try:
        st = path.stat()
    except OSError as e:
        out.warnings.append(Warning_(rel, "skipped", f"cannot read file: {e.strerror}"))
        return
    role = memo.role(rel, lambda: roles.classify(rel))
    sf = SourceFile(rel, str(path), role, st.st_size, st.st_mtime_ns)
    if role == "schema":
        out.schemas.append(sf)
    elif role in roles.skipped:
        _leave_out(out, sf)
    else:
        out.sources.append(sf)
        if role in SCRIPT_ROLES:
            out.scripts[rel] = SCRIPT_BY_PATH
        if found is not None:
            found(sf)


def _leave_out(out: Discovery, sf: SourceFile) -> None:
    out.out_of_scope[sf.role] = out.out_of_scope.get(sf.role, 0) + 1
    if sf.role == "test":
        out.test_files.append(sf)
    elif sf.role == "seed":
        out.seed_files.append(sf)


# -- files that package.json scripts run --------------------------------------

# Commands that run a TypeScript/JavaScript file named after them.
_RUNNERS = frozenset({"tsx", "ts-node", "ts-node-esm", "node", "bun", "esno", "esr", "vite-node",
                      "jiti", "babel-node", "swc-node", "sucrase-node", "deno"})
# Entries that start a server (the request path), not a script.
_SERVER_SCRIPT = re.compile(r"(?:dev|start|serve|server|preview)(?::|$)")
_SEPARATORS = re.compile(r"&&|\|\||[;|&]")


# What starting a server looks like in a file's text.
_STARTS_SERVER = re.compile(r"\.listen\(|createServer\(|\bserve\(|startStandaloneServer\(|NestFactory\.|"
                            r"\bnew (?:ApolloServer|Hono|Elysia)\b|\.start\(\s*\)|\bexport default\b")
# A relative import or require: the file may start its server through another module.
_LOCAL_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\(\s*)['"]\.{1,2}/""")


def package_script_targets(scripts: dict, servers: bool = False) -> dict[str, str]:
    """The files package.json `scripts` entries run, relative to that
    package.json's folder: path -> the first entry's name. Entries named like a server
    (`dev`, `start`) are left out, or with `servers`, the only ones kept."""
    out: dict[str, str] = {}
    for name, command in scripts.items():
        if not isinstance(command, str) or bool(_SERVER_SCRIPT.match(name)) != servers:
            continue
        for segment in _SEPARATORS.split(command):
            try:
                words = shlex.split(segment)
            except ValueError:
                continue
            target = _run_target(words)
            if target is not None:
                out.setdefault(posixpath.normpath(target), name)
    return out


def _run_target(words: list[str]) -> str | None:
    """The file a runner in `words` is handed (`dotenv -- tsx scripts/x.ts`),
    or None, also for a `watch` run (a dev server)."""
    runner = next((i for i, w in enumerate(words) if posixpath.basename(w) in _RUNNERS), None)
    if runner is None:
        return None
    rest = words[runner + 1:]
    if any(w in ("watch", "--watch", "-w") for w in rest):
        return None
    return next((w for w in rest if not w.startswith("-") and is_source_name(posixpath.basename(w))), None)


_LISTENS = re.compile(r"\.listen\(|createServer\(|startStandaloneServer\(")
_NEST_APP = re.compile(r"NestFactory\.create")
_CLOSES = re.compile(r"\.close\(\s*\)")


def _listens(path: Path) -> bool:
    """The file starts a server itself (`app.listen(3000)`, `NestFactory.create(…)`). A Nest
    application created and closed again without listening (`NestFactory.create(M)`, work,
    `app.close()`) is a standalone script borrowing the module's providers, not a server."""
    try:
        source = path.read_text(encoding="utf-8", errors="replace")[:200_000]
    except OSError:
        return False
    return bool(_LISTENS.search(source)) or (bool(_NEST_APP.search(source)) and not _CLOSES.search(source))


def _starts_no_server(path: Path) -> bool:
    """A self-contained file (no relative import) that starts no server and exports no
    handler: what a server-named entry runs is then a script."""
    try:
        source = path.read_text(encoding="utf-8", errors="replace")[:200_000]
    except OSError:
        return False
    return not _STARTS_SERVER.search(source) and not _LOCAL_IMPORT.search(source)


def _mark_package_scripts(out: Discovery, roles: _Roles) -> None:
    """Give the role `script` to the lib and component files a package.json
    script runs (Next route and page files and out-of-scope kinds keep theirs);
    a script by path learns which entry runs it."""
    run: dict[str, str] = {}
    seeds = _prisma_seeds(out)
    for rel in out.project_files:
        if posixpath.basename(rel) != "package.json":
            continue
        try:
            data = json.loads((out.root / rel).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        folder = posixpath.dirname(rel)
        seed = data.get("prisma") if isinstance(data, dict) else None
        seed = seed.get("seed") if isinstance(seed, dict) else None
        if isinstance(seed, str):
            for target in package_script_targets({"seed": seed}):
                seeds.setdefault(posixpath.normpath(posixpath.join(folder, target)),
                                 f'is Prisma\'s seed command ("prisma": {{"seed"}} of {rel})')
        scripts = data.get("scripts") if isinstance(data, dict) else None
        if not isinstance(scripts, dict):
            continue
        servers = {posixpath.normpath(posixpath.join(folder, t)) for t in package_script_targets(scripts, True)}
        for target, name in package_script_targets(scripts).items():
            path = posixpath.normpath(posixpath.join(folder, target))
            # `"debug": "tsx --inspect src/server.ts"` beside `"dev": "tsx src/server.ts"`: another
            # way to start the server, which a file that listens is too.
            if not path.startswith("../") and path not in servers and not _listens(out.root / path):
                run.setdefault(path, f'is run by the script "{name}" of {rel}')
        # `"dev": "ts-node script.ts"`: named like a server, but the file it runs starts none.
        for target, name in package_script_targets(scripts, servers=True).items():
            path = posixpath.normpath(posixpath.join(folder, target))
            if not path.startswith("../") and _starts_no_server(out.root / path):
                run.setdefault(path, f'is run by "{name}" of {rel} and starts no server')
    if not run and not seeds:
        return
    kept = []
    for sf in out.sources:
        # Prisma's own seed command names a seed, whatever package.json scripts also run it.
        role, how = ("seed", seeds[sf.path]) if sf.path in seeds else ("script", run.get(sf.path))
        if how is None or sf.role not in ("lib", "component", "script"):
            kept.append(sf)
            continue
        sf = replace(sf, role=role)
        if role in roles.skipped:
            _leave_out(out, sf)
        else:
            kept.append(sf)
            out.scripts[sf.path] = how
    out.sources = kept


# `migrations: { seed: "tsx prisma/seed.ts" }` in prisma.config.*: the seed command (Prisma 6.12+).
_CONFIG_SEED = re.compile(r"""\bseed\s*:\s*(["'`])([^"'`]+)\1""")


def _prisma_seeds(out: Discovery) -> dict[str, str]:
    """The files Prisma's seed command runs, as prisma.config.* files write it: path -> how."""
    seeds: dict[str, str] = {}
    for rel in out.project_files:
        if not posixpath.basename(rel).startswith("prisma.config"):
            continue
        try:
            source = (out.root / rel).read_text(encoding="utf-8", errors="replace")[:200_000]
        except OSError:
            continue
        m = _CONFIG_SEED.search(source)
        if m:
            for target in package_script_targets({"seed": m.group(2)}):
                seeds.setdefault(posixpath.normpath(posixpath.join(posixpath.dirname(rel), target)),
                                 f"is Prisma's seed command (migrations.seed of {rel})")
    return seeds


def read_source(sf: SourceFile, max_bytes: int, max_line: int,
                max_average: int = 300) -> tuple[bytes | None, str | None]:
    """The file's bytes as UTF-8, or None and the reason it was skipped."""
    if sf.size > max_bytes:
        return None, f"skipped: {sf.size:,} bytes is over the {max_bytes:,}-byte limit (max_file_bytes)"
    try:
        with open(sf.abs_path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        return None, "skipped: the file disappeared during the scan"
    except OSError as e:
        return None, f"skipped: cannot read the file ({e.strerror})"
    if len(data) > max_bytes:
        return None, f"skipped: over the {max_bytes:,}-byte limit (max_file_bytes)"
    data, problem = as_utf8(data)
    if data is None:
        return None, f"skipped: {problem}"
    lines = data.split(b"\n")
    longest = max((len(line) for line in lines), default=0)
    if longest > max_line:
        return None, (f"skipped: minified or generated (a {longest:,}-character line; "
                      f"max_line_length is {max_line:,})")
    average = len(data) / max(len(lines), 1)
    if len(data) > 4096 and average > max_average:
        return None, (f"skipped: minified or generated (lines average {average:,.0f} characters; "
                      f"max_average_line_length is {max_average:,})")
    return data, None


def as_utf8(data: bytes) -> tuple[bytes | None, str | None]:
    """Source bytes as BOM-less UTF-8 (UTF-16 with a BOM is converted), or
    None and why not. Facts, spans and snippets all read this one form."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8"), None
        except UnicodeDecodeError:
            return None, "invalid UTF-16 text"
    if b"\x00" in data[:8192]:
        return None, "binary file"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, f"not UTF-8 text (invalid byte at offset {e.start})"
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a BOM would shift the first line's columns
    return data, None

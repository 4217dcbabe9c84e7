"""Walk the root: honour .gitignore and the built-in excludes, give every file
a role, and read each file defensively (size, binary, encoding, minified)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import pathspec

from .config import Config
from .facts.entries import ROUTE_CONFIG_FILES, route_config_targets, under_app_routes
from .parse import SOURCE_EXTENSIONS

DECLARATION_EXTENSIONS = (".d.ts", ".d.mts", ".d.cts")
MIGRATION_FILES = ("migration_lock.toml", "migration.sql")
PROJECT_FILES = ("package.json", "tsconfig.json", "jsconfig.json", "pnpm-workspace.yaml",
                 "prisma.config.ts", "prisma.config.mts", "prisma.config.js", "turbo.json")


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str        # relative to the root, `/`-separated
    abs_path: str
    role: str        # route, pages-api, page, remix-route, component, lib, test, story, seed, schema
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


def _spec(lines) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(lines)


def classify_role(rel: str, out_of_scope: dict[str, pathspec.PathSpec]) -> str:
    p = PurePosixPath(rel)
    if p.suffix == ".prisma":
        return "schema"
    for kind, spec in out_of_scope.items():
        if spec.match_file(rel):
            return kind
    parts = p.parts[:-1]
    stem = p.name.split(".")[0]
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
    if p.suffix in (".tsx", ".jsx"):
        return "component"
    return "lib"


def discover(root: Path, config: Config, follow_symlinks: bool = False) -> Discovery:
    root = root.resolve()
    out = Discovery(root)
    excludes = _spec(list(config["default_excludes"]) + list(config["exclude"]))
    # Every kind keeps its role; include_out_of_scope only decides what is scanned.
    role_specs = {kind: _spec(globs) for kind, globs in config["out_of_scope"].items()}
    skipped_kinds = frozenset(role_specs) - frozenset(config["include_out_of_scope"])
    if root.is_file():
        _add_single_file(out, root, role_specs)
        return out
    # (directory, relative path, gitignore specs in force as (base, spec))
    stack: list[tuple[Path, str, tuple]] = [(root, "", ())]
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
                ignores = ignores + ((rel_dir, _spec(text.splitlines())),)
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
            if excludes.match_file(probe) or _ignored(probe, ignores):
                continue
            if is_dir:
                subdirs.append((Path(entry.path), rel, ignores))
            elif is_file:
                _add_file(out, Path(entry.path), rel, role_specs, skipped_kinds)
        stack.extend(reversed(subdirs))
    _route_config_modules(out)
    if not out.sources and not out.schemas:
        out.warnings.append(Warning_(".", "empty", "no TypeScript/JavaScript source or .prisma file "
                                     "in scope under the root; nothing to scan"))
    return out


def is_source_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(SOURCE_EXTENSIONS + (".prisma",)) and not lower.endswith(DECLARATION_EXTENSIONS)


def _add_single_file(out: Discovery, path: Path, role_specs) -> None:
    """A root that is one file: the user named it, so it is scanned whatever
    the excludes and out-of-scope globs say."""
    if not is_source_name(path.name):
        out.warnings.append(Warning_(path.name, "empty", "not a TypeScript/JavaScript source or "
                                     ".prisma file; nothing to scan"))
        return
    # Its role comes from where it sits in its project (the nearest package.json).
    project = next((d for d in path.parents if (d / "package.json").is_file()), path.parent)
    role = classify_role(path.relative_to(project).as_posix(), role_specs)
    st = path.stat()
    sf = SourceFile(path.name, str(path), role, st.st_size, st.st_mtime_ns)
    (out.schemas if sf.role == "schema" else out.sources).append(sf)


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
        verdict = spec.check_file(sub).include
        if verdict is not None:
            return verdict
    return False


def _add_file(out: Discovery, path: Path, rel: str, role_specs, skipped_kinds: frozenset) -> None:
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
    role = classify_role(rel, role_specs)
    sf = SourceFile(rel, str(path), role, st.st_size, st.st_mtime_ns)
    if role == "schema":
        out.schemas.append(sf)
    elif role in skipped_kinds:
        out.out_of_scope[role] = out.out_of_scope.get(role, 0) + 1
        if role == "test":
            out.test_files.append(sf)
    else:
        out.sources.append(sf)


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

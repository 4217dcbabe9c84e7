"""Find the `.prisma` files that make up a project's schema(s).

Each package (the scan root and every folder with a package.json) is resolved
the way the Prisma CLI would: package.json `prisma.schema`, then
`prisma.config.*` `schema:`, then `--schema <path>` in the package.json scripts
that run `prisma` (a file the first two name inside a folder a script's `--schema`
names stands for that folder: the script generates the client from all of it),
then the default locations, then the `.prisma` files under
`prisma/`. Only when no package resolves do we fall back to every `.prisma`
file the scanner discovered, so a stray `schema.backup.prisma` next to a
configured schema is not merged in. `.prisma` files under docs, examples, tests
and fixtures folders are never searched (a path the project names is read).

A named path that does not exist (generated at build time) is noted and the
search goes on. Several complete schemas of one package that declare mostly the
same models (`prisma/postgres/` and `prisma/sqlite/`, one per provider) are
alternatives, not parts of one schema: the PostgreSQL one (else the first by
path) is read, the others noted. So are copies of one schema in several packages
(an API and a bot sharing a database): the PostgreSQL one, else the largest, is read.
Schemas of different models are different databases, each read.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILES = (
    "prisma.config.ts",
    "prisma.config.mts",
    "prisma.config.cts",
    "prisma.config.js",
    "prisma.config.mjs",
    "prisma.config.cjs",
    ".config/prisma.ts",
)
DEFAULT_FILES = ("prisma/schema.prisma", "schema.prisma")
DEFAULT_FOLDER = "prisma/schema"
# Folders never holding a project's own schema, pruned when walking the tree.
SKIP_DIRS = frozenset(
    {"node_modules", ".git", ".next", ".turbo", "dist", "build", "out", "coverage", ".output", ".nuxt",
     ".svelte-kit", ".netlify", ".wrangler", ".vinxi", ".react-router", ".cache"}
)

_LINE_COMMENT = re.compile(r"^\s*//.*$", re.M)
_SCHEMA_STRING = re.compile(r"""\bschema\s*:\s*(["'`])([^"'`]+)\1""")
# `schema: path.join(__dirname, "prisma", "schema")` and the like.
_SCHEMA_JOIN = re.compile(r"""\bschema\s*:\s*(?:path\.)?(?:join|resolve)\(([^)]*)\)""")
_STRING_LITERAL = re.compile(r"""(["'`])([^"'`]*)\1""")
_TEMPLATE_PREFIX = re.compile(r"^\$\{[^}]*\}/?")
# `prisma migrate deploy --schema prisma/x.prisma` or `--schema=./db/schema.prisma`.
_SCHEMA_FLAG = re.compile(r"""--schema(?:=|\s+)(["']?)([^\s"'&;|]+)\1""")
_PRISMA_COMMAND = re.compile(r"(?:^|[\s/])prisma\s")
_GENERATE = re.compile(r"(?:^|[\s/])prisma\s+(?:--?\S+\s+)*generate\b")
_COMMAND_SEPARATOR = re.compile(r"&&|\|\||[;|]")
_DATASOURCE_PROVIDER = re.compile(
    r'^\s*datasource\s+\w+\s*\{[^}]*?\bprovider\s*=\s*"([^"]*)"', re.M | re.S
)
# Folders whose `.prisma` files are never the app's schema, when searching
# (besides SKIP_DIRS); any folder whose name starts with `test` too.
NOT_APP_DIRS = frozenset(
    {"docs", "examples", "example", "fixtures", "__tests__", "__fixtures__"}
)
POSTGRES_PROVIDERS = ("postgresql", "postgres")


@dataclass(frozen=True)
class SchemaLocation:
    """Where a project's schema is: the files read (merged across packages),
    other complete schemas that were not read, and notes (root-relative path,
    message) on named paths that do not exist and on alternatives."""

    files: tuple[Path, ...]
    alternatives: tuple[tuple[Path, ...], ...] = ()
    notes: tuple[tuple[str, str], ...] = ()


def find_schema_files(root: Path, candidate_paths: list[str] | None = None) -> list[Path]:
    """All `.prisma` files forming the project's schema(s), as absolute paths
    (`locate_schema(...).files`)."""
    return list(locate_schema(root, candidate_paths).files)


def locate_schema(root: Path, candidate_paths: list[str] | None = None) -> SchemaLocation:
    """The project's schema files and notes on how they were found.

    `candidate_paths` are the scanner's discovered files (relative to `root`
    or absolute); without them the tree is walked, skipping node_modules.
    """
    root = Path(root).resolve()
    candidates = (
        [(root / p).resolve() for p in candidate_paths]
        if candidate_paths is not None
        else _walk(root)
    )
    found: dict[Path, None] = {}
    alternatives: list[tuple[Path, ...]] = []
    missing: list[tuple[Path, str]] = []
    packages = _package_dirs(root, candidates)
    workspaces = _workspace_names(packages)
    for package in packages:
        files, others, absent = _resolve_package(package, workspaces)
        found.update(dict.fromkeys(files))
        alternatives += others
        missing += absent
    if not found:
        files, others = _choose(
            group_schemas([p for p in candidates if p.suffix == ".prisma" and _searchable(p, root)
                           and not _generated_client(p.parent)])
        )
        found.update(dict.fromkeys(files))
        alternatives += others
    elif len(packages) > 1:
        files, others = _copies_across_packages(list(found))
        found = dict.fromkeys(files)
        alternatives += others
    notes = [
        (_rel(path, root), f"{where} names {_rel(path, root)}, which does not exist (generated at "
         "build time?); the schema was searched for instead")
        for path, where in missing
    ]
    if alternatives:
        chosen = sorted(found)
        read = _rel(min(chosen), root) if len(chosen) == 1 else _rel(chosen[0].parent, root) + "/"
        others = ", ".join(_rel(g[0] if len(g) == 1 else g[0].parent, root) for g in alternatives)
        notes.append((read, f"several alternative schemas (one per provider, or copies in several "
                      f"packages?): {read} is the one read "
                      f"for model recognition; not read: {others}"))
    return SchemaLocation(tuple(found), tuple(alternatives), tuple(notes))


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _choose(groups: list[list[Path]]) -> tuple[list[Path], list[tuple[Path, ...]]]:
    """The schema out of `groups` (see group_schemas). Complete schemas (each declares a
    datasource) of one package that declare mostly the same models are alternatives
    (`prisma/postgres/` and `prisma/sqlite/`, one per provider): the PostgreSQL one (else
    the first by path) is read. Every other group is read too: schemas of other models are
    other databases (`prisma/global/` and `prisma/region/`, a client each), and schemas in
    other packages belong to other services of the repository."""
    providers = {tuple(g): _provider(g) for g in groups}
    complete = [g for g in groups if providers[tuple(g)] is not None]
    by_package: dict[Path | None, list[list[Path]]] = defaultdict(list)
    for g in complete:
        by_package[_package_root(g[0].parent)].append(g)
    skipped: list[tuple[Path, ...]] = []
    for full in by_package.values():
        models = {tuple(g): _models(g) for g in full}
        clusters: list[list[list[Path]]] = []
        for g in full:
            home = next((c for c in clusters if any(_alike(models[tuple(g)], models[tuple(h)]) for h in c)), None)
            if home is None:
                clusters.append([g])
            else:
                home.append(g)
        for cluster in clusters:
            if len(cluster) >= 2:
                chosen = next((g for g in cluster if providers[tuple(g)] in POSTGRES_PROVIDERS), cluster[0])
                skipped += [tuple(g) for g in cluster if g is not chosen]
    dropped = {p for g in skipped for p in g}
    return sorted(p for g in groups for p in g if p not in dropped), skipped


def _copies_across_packages(files: list[Path]) -> tuple[list[Path], list[tuple[Path, ...]]]:
    """Complete schemas of several packages that declare mostly the same models (a bot and
    an API sharing one database, each with a copy of its schema) are one schema: the
    PostgreSQL one, else the one with the most models, else the first by path, is read; the
    others are alternatives. Reading them all would declare each model twice."""
    by_package: dict[Path | None, list[Path]] = defaultdict(list)
    for path in files:
        by_package[_package_root(path.parent)].append(path)
    groups = [g for g in by_package.values() if _provider(g) is not None]
    models = {tuple(g): _models(g) for g in groups}
    skipped: list[tuple[Path, ...]] = []
    for g in sorted(groups, key=lambda g: (_provider(g) not in POSTGRES_PROVIDERS, -len(models[tuple(g)]), g[0])):
        if tuple(g) in skipped:
            continue
        skipped += [tuple(h) for h in groups if h is not g and tuple(h) not in skipped
                    and _alike(models[tuple(g)], models[tuple(h)])]
    dropped = {p for g in skipped for p in g}
    return [p for p in files if p not in dropped], skipped


_MODEL = re.compile(r"^\s*model\s+(\w+)\s*\{", re.M)


def _models(files: list[Path]) -> frozenset[str]:
    names: set[str] = set()
    for path in files:
        try:
            names.update(_MODEL.findall(path.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
    return frozenset(names)


def _alike(a: frozenset[str], b: frozenset[str]) -> bool:
    """The same data model, give or take a few models: half of the smaller schema's
    models or more are in the other (two empty schemas are alike)."""
    if not a or not b:
        return not a and not b
    return len(a & b) * 2 >= min(len(a), len(b))


def _provider(files: list[Path]) -> str | None:
    """The datasource provider one of `files` declares ("" when it names none),
    None without a datasource block."""
    for path in files:
        try:
            m = _DATASOURCE_PROVIDER.search(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if m:
            return m.group(1)
    return None


def group_schemas(paths: list[Path]) -> list[list[Path]]:
    """Group schema files into schemas: one group per folder, where a subfolder
    joins its nearest ancestor group within the same package (folder schemas
    are read recursively), while another package's folder is its own schema."""
    by_dir: dict[Path, list[Path]] = defaultdict(list)
    for p in paths:
        by_dir[Path(p).parent].append(Path(p))
    package_of = {folder: _package_root(folder) for folder in by_dir}
    groups: dict[Path, list[Path]] = {}
    for folder in sorted(by_dir, key=lambda d: len(d.parts)):
        head = next(
            (
                h
                for h in sorted(groups, key=lambda d: -len(d.parts))
                if h in folder.parents and package_of[h] == package_of[folder]
            ),
            folder,
        )
        groups.setdefault(head, []).extend(by_dir[folder])
    return [sorted(groups[h]) for h in sorted(groups)]


def _walk(root: Path) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        files.extend(
            Path(dirpath, f) for f in filenames if f.endswith(".prisma") or f == "package.json"
        )
    return files


def _skipped(path: Path, root: Path) -> bool:
    return any(part in SKIP_DIRS for part in _parts(path, root))


def _searchable(path: Path, root: Path) -> bool:
    """Not in SKIP_DIRS nor in a docs, examples, tests or fixtures folder."""
    return not any(
        part in SKIP_DIRS or part in NOT_APP_DIRS or part.startswith("test")
        for part in _parts(path, root)[:-1]
    )


def _parts(path: Path, root: Path) -> tuple[str, ...]:
    try:
        return path.relative_to(root).parts
    except ValueError:
        return path.parts


def _package_dirs(root: Path, candidates: list[Path]) -> list[Path]:
    """The root, then every folder between a candidate file and the root that
    holds a package.json (monorepo packages), in path order."""
    packages: set[Path] = set()
    checked: set[Path] = set()
    for path in candidates:
        for folder in path.parents:
            if folder == root or root not in folder.parents or folder in checked:
                break
            checked.add(folder)
            if folder.name not in SKIP_DIRS and (folder / "package.json").is_file() \
                    and not _generated_client(folder):
                packages.add(folder)
    return [root, *sorted(p for p in packages if _searchable(p / "package.json", root))]


def _workspace_names(packages: list[Path]) -> dict[str, Path]:
    """The repository's packages by their package.json `name` (`@acme/db` -> packages/db)."""
    out: dict[str, Path] = {}
    for p in packages:
        name = _package_json(p).get("name")
        if isinstance(name, str) and name:
            out.setdefault(name, p)
    return out


def _through_workspace(path: Path, workspaces: dict[str, Path]) -> Path:
    """`…/node_modules/@acme/db/prisma/schema.prisma` is `packages/db/prisma/schema.prisma` when
    `@acme/db` is a package of the repository (a workspace link, absent before install)."""
    parts = path.parts
    if "node_modules" not in parts:
        return path
    i = len(parts) - 1 - parts[::-1].index("node_modules")
    width = 2 if i + 1 < len(parts) and parts[i + 1].startswith("@") else 1
    name = "/".join(parts[i + 1:i + 1 + width])
    folder = workspaces.get(name)
    return folder.joinpath(*parts[i + 1 + width:]) if folder is not None else path


def _resolve_package(
    package: Path, workspaces: dict[str, Path] | None = None,
) -> tuple[list[Path], list[tuple[Path, ...]], list[tuple[Path, str]]]:
    """The first schema location that exists for one package, as Prisma looks:
    (files, alternative schemas not read, named paths that do not exist with
    where they are named)."""
    missing: list[tuple[Path, str]] = []
    named = (
        ("package.json prisma.schema", _from_package_json(package)),
        (_config_name(package), _from_prisma_config(package)),
    )
    scripted = [_through_workspace(t, workspaces or {}) for t in _from_package_scripts(package)]
    # A file named where a script's `--schema` names the folder that holds it
    # (`schema: 'prisma/schema/schema.prisma'` beside `prisma generate --schema=./prisma/schema`):
    # the client is generated from the folder's files, as the flag comes first in Prisma's search.
    steps = [(where, [_widened(target, scripted)]) for where, target in named if target is not None]
    steps.append(("a package.json script's --schema", scripted))
    for where, targets in steps:
        schemas = []
        for target in targets:
            files = _schema_at(target)
            if files:
                schemas.append(files)
            else:
                missing.append((target, where))
        if schemas:
            files, others = _choose(schemas)
            return files, others, missing
    for name in DEFAULT_FILES:
        if (package / name).is_file():
            return [package / name], [], missing
    files = _prisma_files_in(package / DEFAULT_FOLDER)
    if not files:
        usual = [p for p in _prisma_files_in(package / "prisma") if _searchable(p, package)]
        files, others = _choose(group_schemas(usual))
        return files, others, missing
    return files, [], missing


def _widened(target: Path, scripted: list[Path]) -> Path:
    """The folder of `scripted` that holds the schema file `target`, else `target`."""
    if not target.is_file():
        return target
    folder = next((d for d in scripted if d.is_dir() and target.parent.resolve() == d.resolve()), None)
    return folder if folder is not None else target


def _schema_at(target: Path) -> list[Path]:
    if target.is_file():
        return [target]
    return _prisma_files_in(target)


def _prisma_files_in(folder: Path) -> list[Path]:
    """Every `.prisma` file under a schema folder, recursively, as Prisma reads it."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.prisma") if p.is_file() and not _skipped(p, folder))


def _generated_client(folder: Path) -> bool:
    """A client Prisma generated (`output = "../generated/client"`): its package.json names
    it `prisma-client-<hash>` or `.prisma/client`, and the `schema.prisma` beside it is a copy
    of the schema it was generated from, not a schema of its own."""
    if not (folder / "package.json").is_file():
        return False
    name = _package_json(folder).get("name")
    return isinstance(name, str) and (name.startswith("prisma-client-") or name == ".prisma/client")


def _package_json(package: Path) -> dict:
    try:
        data = json.loads((package / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _from_package_json(package: Path) -> Path | None:
    prisma = _package_json(package).get("prisma")
    schema = prisma.get("schema") if isinstance(prisma, dict) else None
    return (package / schema).resolve() if isinstance(schema, str) and schema else None


def _from_package_scripts(package: Path) -> list[Path]:
    """The `--schema` paths of the package.json scripts that run `prisma`, in order. When a
    script runs `prisma generate`, only what generate reads counts: it builds the client the
    code imports. A generate without `--schema` reads the default location, so, when that
    exists, no path is named here; another command's `--schema` (a reset schema pushed on its
    own, `prisma db push --schema=prisma/reset.prisma`) is not the application's then."""
    scripts = _package_json(package).get("scripts")
    named: dict[Path, None] = {}
    generated: dict[Path, None] = {}
    plain_generate = False
    for command in scripts.values() if isinstance(scripts, dict) else ():
        for segment in _COMMAND_SEPARATOR.split(command) if isinstance(command, str) else ():
            if not _PRISMA_COMMAND.search(segment + " "):
                continue
            paths = [(package / value).resolve() for _, value in _SCHEMA_FLAG.findall(segment)]
            named.update(dict.fromkeys(paths))
            if _GENERATE.search(segment):
                generated.update(dict.fromkeys(paths))
                plain_generate = plain_generate or not paths
    default = _default_target(package) if plain_generate else None
    if generated:
        # `prisma generate && prisma generate --schema ai.prisma` builds two clients: both schemas.
        return ([default] if default is not None else []) + list(generated)
    if default is not None:
        return []
    return list(named)


def _default_target(package: Path) -> Path | None:
    """Where `prisma` without `--schema` reads the package's schema, when it is there."""
    return next((package / name for name in DEFAULT_FILES if (package / name).is_file()),
                package / DEFAULT_FOLDER if (package / DEFAULT_FOLDER).is_dir() else None)


def _config_name(package: Path) -> str:
    return next((name for name in CONFIG_FILES if (package / name).is_file()), "prisma.config")


def _from_prisma_config(package: Path) -> Path | None:
    for name in CONFIG_FILES:
        config = package / name
        if not config.is_file():
            continue
        try:
            source = _LINE_COMMENT.sub("", config.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return None
        value = _schema_value(source)
        return (config.parent / value).resolve() if value else None
    return None


def _schema_value(source: str) -> str | None:
    """The `schema:` path in a prisma.config file, if written literally."""
    joined = _SCHEMA_JOIN.search(source)
    if joined:
        parts = [s for _, s in _STRING_LITERAL.findall(joined.group(1))]
        return "/".join(parts) or None
    m = _SCHEMA_STRING.search(source)
    if not m:
        return None
    return _TEMPLATE_PREFIX.sub("", m.group(2)) or None


def _package_root(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` that holds a package.json."""
    for candidate in (folder, *folder.parents):
        if (candidate / "package.json").is_file():
            return candidate
    return None

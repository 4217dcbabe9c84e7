"""Find the `.prisma` files that make up a project's schema(s).

Each package (the scan root and every folder with a package.json) is resolved
the way the Prisma CLI would: package.json `prisma.schema`, then
`prisma.config.*` `schema:`, then the default locations. Only when no package
resolves do we fall back to every `.prisma` file the scanner discovered, so a
stray `schema.backup.prisma` next to a configured schema is not merged in.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
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
    {"node_modules", ".git", ".next", ".turbo", "dist", "build", "out", "coverage"}
)

_LINE_COMMENT = re.compile(r"^\s*//.*$", re.M)
_SCHEMA_STRING = re.compile(r"""\bschema\s*:\s*(["'`])([^"'`]+)\1""")
# `schema: path.join(__dirname, "prisma", "schema")` and the like.
_SCHEMA_JOIN = re.compile(r"""\bschema\s*:\s*(?:path\.)?(?:join|resolve)\(([^)]*)\)""")
_STRING_LITERAL = re.compile(r"""(["'`])([^"'`]*)\1""")
_TEMPLATE_PREFIX = re.compile(r"^\$\{[^}]*\}/?")


def find_schema_files(root: Path, candidate_paths: list[str] | None = None) -> list[Path]:
    """All `.prisma` files forming the project's schema(s), as absolute paths.

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
    for package in _package_dirs(root, candidates):
        found.update(dict.fromkeys(_resolve_package(package)))
    if found:
        return list(found)
    return sorted(p for p in candidates if p.suffix == ".prisma" and not _skipped(p, root))


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
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        parts = path.parts
    return any(part in SKIP_DIRS for part in parts)


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
            if folder.name not in SKIP_DIRS and (folder / "package.json").is_file():
                packages.add(folder)
    return [root, *sorted(p for p in packages if not _skipped(p, root))]


def _resolve_package(package: Path) -> list[Path]:
    """The first schema location that exists for one package, as Prisma looks."""
    for configured in (_from_package_json(package), _from_prisma_config(package)):
        if configured is not None:
            files = _schema_at(configured)
            if files:
                return files
    for name in DEFAULT_FILES:
        if (package / name).is_file():
            return [package / name]
    return _prisma_files_in(package / DEFAULT_FOLDER)


def _schema_at(target: Path) -> list[Path]:
    if target.is_file():
        return [target]
    return _prisma_files_in(target)


def _prisma_files_in(folder: Path) -> list[Path]:
    """Every `.prisma` file under a schema folder, recursively, as Prisma reads it."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.prisma") if p.is_file() and not _skipped(p, folder))


def _from_package_json(package: Path) -> Path | None:
    try:
        data = json.loads((package / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    prisma = data.get("prisma") if isinstance(data, dict) else None
    schema = prisma.get("schema") if isinstance(prisma, dict) else None
    return (package / schema).resolve() if isinstance(schema, str) and schema else None


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

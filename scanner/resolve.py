"""Module specifier -> repository file: relative paths, tsconfig `paths` /
`baseUrl` (following `extends`), and workspace packages (package.json
`name`, `exports`, `main`). Works on the set of discovered files, never the
disk beyond the project files it is handed."""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

RESOLVE_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
# The TypeScript sources a JavaScript name may stand for (an import written `./x.js`, a
# compiled `x.js` committed beside `x.ts`).
JS_TO_TS = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}


def strip_jsonc(text: str) -> str:
    """Remove // and /* */ comments (outside strings) and trailing commas."""
    out = []
    i, n = 0, len(text)
    in_str = False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
            continue
        if c == '"':
            in_str = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


def load_json(path: Path) -> dict | None:
    try:
        data = json.loads(strip_jsonc(path.read_text(encoding="utf-8-sig", errors="replace")))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# Nuxt's aliases of its source folder (`~`, `@`) and root (`~~`, `@@`), then the rest.
_NUXT_ALIAS = re.compile(r"^(~~|@@|~|@)/(.+)$")


@dataclass
class TsConfig:
    dir: str                                  # repo-relative folder of the tsconfig
    base_url: str | None = None               # repo-relative
    paths: list[tuple[str, list[str]]] = field(default_factory=list)   # (pattern, targets), most specific first
    paths_dir: str = ""                       # folder of the tsconfig that declared `paths`

    @property
    def paths_base(self) -> str:
        """What `paths` targets are relative to: baseUrl when set (wherever in
        the extends chain), else the folder of the file declaring `paths`."""
        return self.base_url if self.base_url is not None else self.paths_dir


# The first number of a version spec and the one after its dot: `^15.1.0`, `>=6.2`, `~5`.
_VERSION = re.compile(r"^\D*(\d+)(?:\.(\d+))?")


@dataclass
class Package:
    name: str
    dir: str
    manifest: dict

    def dependency(self, name: str):
        """The version spec the manifest asks for `name`, None when it asks for none
        (devDependencies win over dependencies, as npm merges them)."""
        for section in ("devDependencies", "dependencies"):
            deps = self.manifest.get(section)
            if isinstance(deps, dict) and name in deps:
                return deps[name]
        return None

    def version(self, name: str) -> tuple[int, int | None] | None:
        """(major, minor) of the version the manifest asks for `name` (`^15.1.0` → (15, 1),
        `~6` → (6, None)); None when it names none, or names no number (`latest`, `workspace:*`)."""
        m = _VERSION.match(str(self.dependency(name) or ""))
        return (int(m.group(1)), int(m.group(2)) if m.group(2) else None) if m else None


class ModuleResolver:
    def __init__(self, root: Path, files: set[str], project_files: list[str]):
        self.root = root
        self.files = files
        self.tsconfigs: dict[str, TsConfig] = {}
        self.packages: dict[str, Package] = {}
        self._cache: dict[tuple[str, str], str | None] = {}
        self._package_cache: dict[str, str | None] = {}
        self._file_cache: dict[tuple[str, str], str | None] = {}   # by importer, not its folder
        self._inputs_key: str | None = None
        # Every package.json folder, named or not: where one app or package of the repo starts.
        self.package_dirs = frozenset(posixpath.dirname(rel) for rel in project_files
                                      if posixpath.basename(rel) == "package.json")
        # Folders deployed to Cloudflare Workers (a wrangler config beside their code).
        self.worker_dirs = frozenset(posixpath.dirname(rel) for rel in project_files
                                     if posixpath.basename(rel).startswith("wrangler."))
        # SvelteKit apps: `$lib` is their `src/lib` (kit.files.lib's default), an alias the
        # generated .svelte-kit/tsconfig.json declares, which a checkout does not have.
        # Nuxt apps likewise: `~/x` and `@/x` name the source folder, `~~/x` and `@@/x` the
        # app's root, aliases of the generated .nuxt/tsconfig.json.
        kit_dirs, nuxt_dirs = set(), set()
        for rel in project_files:
            name = posixpath.basename(rel)
            if name == "package.json":
                data = load_json(root / rel)
                if data and isinstance(data.get("name"), str):
                    self.packages[data["name"]] = Package(data["name"], posixpath.dirname(rel), data)
                if data and Package("", "", data).dependency("@sveltejs/kit") is not None:
                    kit_dirs.add(posixpath.dirname(rel))
                if data and Package("", "", data).dependency("nuxt") is not None:
                    nuxt_dirs.add(posixpath.dirname(rel))
        self.kit_dirs = frozenset(kit_dirs)
        self.nuxt_dirs = frozenset(nuxt_dirs)
        self._by_length = sorted(self.packages, key=len, reverse=True)
        for rel in project_files:
            name = posixpath.basename(rel)
            if name in ("tsconfig.json", "jsconfig.json"):
                cfg = self._load_tsconfig(rel, set())
                if cfg is not None:
                    self.tsconfigs[posixpath.dirname(rel)] = cfg

    # -- tsconfig -------------------------------------------------------------
    def _load_tsconfig(self, rel: str, seen: set[str]) -> TsConfig | None:
        if rel in seen:
            return None
        seen.add(rel)
        data = load_json(self.root / rel)
        if data is None:
            return None
        here = posixpath.dirname(rel)
        cfg = TsConfig(here)
        ext = data.get("extends")
        for parent_ref in ([ext] if isinstance(ext, str) else ext if isinstance(ext, list) else []):
            parent_rel = self._extends_path(here, parent_ref)
            if parent_rel is not None:
                parent = self._load_tsconfig(parent_rel, seen)
                if parent is not None:   # later entries of an `extends` list win
                    if parent.base_url is not None:
                        cfg.base_url = parent.base_url
                    if parent.paths:
                        cfg.paths, cfg.paths_dir = parent.paths, parent.paths_dir
        opts = data.get("compilerOptions") or {}
        if isinstance(opts, dict):
            if isinstance(opts.get("baseUrl"), str):
                cfg.base_url = posixpath.normpath(posixpath.join(here, opts["baseUrl"]))
            if isinstance(opts.get("paths"), dict):
                cfg.paths_dir = here
                cfg.paths = sorted(((k, [t for t in v if isinstance(t, str)])
                                    for k, v in opts["paths"].items() if isinstance(v, list)),
                                   key=lambda kv: _specificity(kv[0]))
        return cfg

    def _extends_path(self, here: str, ref: str) -> str | None:
        if ref.startswith("."):
            cand = posixpath.normpath(posixpath.join(here, ref))
            for c in (cand, cand + ".json", posixpath.join(cand, "tsconfig.json")):
                if (self.root / c).is_file():
                    return c
            return None
        pkg, sub = self._split_package(ref)
        if pkg is None:
            return None
        base = self.packages[pkg].dir
        cand = posixpath.normpath(posixpath.join(base, sub or "tsconfig.json"))
        for c in (cand, cand + ".json"):
            if (self.root / c).is_file():
                return c
        return None

    # -- resolutions kept between scans ------------------------------------------------
    def inputs_key(self) -> str:
        """What every resolution depends on: the scanned files, the tsconfigs (as followed
        through `extends`) and the workspace packages' manifests."""
        if self._inputs_key is None:
            h = hashlib.sha256("\0".join(sorted(self.files)).encode())
            h.update(repr(sorted(self.tsconfigs.items())).encode())
            h.update(repr((sorted(self.kit_dirs), sorted(self.nuxt_dirs))).encode())
            h.update(json.dumps([(p.name, p.dir, p.manifest) for p in self.packages.values()],
                                sort_keys=True, default=str).encode())
            self._inputs_key = h.hexdigest()
        return self._inputs_key

    def resolutions(self) -> tuple[str, dict, dict]:
        """The resolutions made so far, under `inputs_key`, for `adopt` in a later scan."""
        return self.inputs_key(), dict(self._cache), dict(self._package_cache)

    def adopt(self, kept: tuple[str, dict, dict] | None) -> None:
        """Take the resolutions a former scan made, when its inputs were these."""
        if kept is not None and kept[0] == self.inputs_key():
            self._cache.update(kept[1])
            self._package_cache.update(kept[2])

    def _tsconfig_for(self, path: str) -> TsConfig | None:
        d = posixpath.dirname(path)
        while True:
            cfg = self.tsconfigs.get(d)
            if cfg is not None:
                return cfg
            if not d:
                return None
            d = posixpath.dirname(d)

    # -- resolution ---------------------------------------------------------------
    def _file(self, base: str) -> str | None:
        """A discovered source file for `base` with or without an extension."""
        base = posixpath.normpath(base)
        if base.startswith("../") or base == "..":
            return None
        stem, ext = posixpath.splitext(base)
        # `./b.js` means the TypeScript source b.ts when there is one (as tsc resolves it).
        for alt in JS_TO_TS.get(ext, ()):
            if stem + alt in self.files:
                return stem + alt
        if base in self.files:
            return base
        for e in RESOLVE_EXTENSIONS:
            if base + e in self.files:
                return base + e
        folder = "" if base == "." else f"{base}/"   # `..` from `lib/x.ts` is the root's index
        for e in RESOLVE_EXTENSIONS:
            cand = f"{folder}index{e}"
            if cand in self.files:
                return cand
        return None

    def resolve(self, importer: str, spec: str) -> str | None:
        by_file = (importer, spec)
        if by_file in self._file_cache:
            return self._file_cache[by_file]
        k = (posixpath.dirname(importer), spec)
        if k in self._cache:
            result = self._cache[k]
        else:
            result = self._cache[k] = self._resolve(importer, spec)
        self._file_cache[by_file] = result
        return result

    def _resolve(self, importer: str, spec: str) -> str | None:
        if spec.startswith("."):
            return self._file(posixpath.join(posixpath.dirname(importer), spec))
        cfg = self._tsconfig_for(importer)
        if cfg is not None:
            for pattern, targets in cfg.paths:
                star = self._match(pattern, spec)
                if star is None:
                    continue
                for t in targets:
                    hit = self._file(posixpath.join(cfg.paths_base, t.replace("*", star)))
                    if hit is not None:
                        return hit
            if cfg.base_url is not None:
                hit = self._file(posixpath.join(cfg.base_url, spec))
                if hit is not None:
                    return hit
        if spec == "$lib" or spec.startswith("$lib/"):
            return self._kit_lib(importer, spec[len("$lib"):])
        alias = _NUXT_ALIAS.match(spec)
        if alias is not None:
            hit = self._nuxt_alias(importer, alias.group(1), alias.group(2))
            if hit is not None:
                return hit
        return self._resolve_package(spec)

    def app_dir(self, importer: str, dirs: frozenset[str]) -> str | None:
        """The folder of `dirs` (apps of one framework) the importer belongs to, or None."""
        d = posixpath.dirname(importer)
        while d not in dirs:
            if not d:
                return None
            d = posixpath.dirname(d)
        return d

    def _kit_lib(self, importer: str, rest: str) -> str | None:
        """`$lib/x` from a file of a SvelteKit app: the app's `src/lib/x`."""
        d = self.app_dir(importer, self.kit_dirs)
        return self._file(posixpath.join(d, "src/lib") + rest) if d is not None else None

    def _nuxt_alias(self, importer: str, alias: str, rest: str) -> str | None:
        """`~/x` or `@/x` from a file of a Nuxt app: `x` in its source folder (the app's root in
        Nuxt 3, `app/` in Nuxt 4, where `server/` stays at the root); `~~/x` or `@@/x`: `x`
        at the app's root."""
        d = self.app_dir(importer, self.nuxt_dirs)
        if d is None:
            return None
        folders = (d,) if alias in ("~~", "@@") else (d, posixpath.join(d, "app"))
        return next((hit for f in folders if (hit := self._file(posixpath.join(f, rest))) is not None), None)

    @staticmethod
    def _match(pattern: str, spec: str) -> str | None:
        if "*" not in pattern:
            return "" if pattern == spec else None
        pre, post = pattern.split("*", 1)
        if spec.startswith(pre) and spec.endswith(post) and len(spec) >= len(pre) + len(post):
            return spec[len(pre): len(spec) - len(post)]
        return None

    def _split_package(self, spec: str) -> tuple[str | None, str]:
        for name in self._by_length:
            if spec == name:
                return name, ""
            if spec.startswith(name + "/"):
                return name, spec[len(name) + 1:]
        return None, ""

    def _resolve_package(self, spec: str) -> str | None:
        """A workspace package's module (the same whichever file imports it)."""
        if spec not in self._package_cache:
            self._package_cache[spec] = self._resolve_package_uncached(spec)
        return self._package_cache[spec]

    def _resolve_package_uncached(self, spec: str) -> str | None:
        name, sub = self._split_package(spec)
        if name is None:
            return None
        pkg = self.packages[name]
        key = "./" + sub if sub else "."
        targets = _export_targets(pkg.manifest.get("exports"), key)
        if not sub:
            for f in ("types", "typings", "module", "main", "source"):
                if isinstance(pkg.manifest.get(f), str):
                    targets.append(pkg.manifest[f])
            targets += ["src/index", "index"]
        else:
            targets += [sub, "src/" + sub]
        for t in targets:
            for cand in _source_candidates(posixpath.normpath(posixpath.join(pkg.dir, t)), pkg.dir):
                hit = self._file(cand)
                if hit is not None:
                    return hit
        return None


_BUILD_DIR = re.compile(r"^(dist|build|lib|out|esm|cjs)/")
_DECLARATION = re.compile(r"\.d\.[mc]?ts$")
_JS_EXT = re.compile(r"\.(js|jsx|mjs|cjs)$")


def _source_candidates(target: str, pkg_dir: str) -> list[str]:
    """A package entry as written, then the source it was built from: a
    declaration file's module, and `dist/` (or build/lib/out) mapped to `src/`,
    since a monorepo's build output is not in the scan (or not built yet)."""
    out = [target]
    bare = _DECLARATION.sub("", target)
    if bare != target:
        out.append(bare)
    inside = posixpath.relpath(bare, pkg_dir) if pkg_dir else bare
    if _BUILD_DIR.match(inside):
        src = posixpath.normpath(posixpath.join(pkg_dir, _BUILD_DIR.sub("src/", inside)))
        out += [src, _JS_EXT.sub("", src)]
    return out


def _specificity(pattern: str) -> tuple:
    """Sort key: exact patterns first, then the longest prefix before `*`
    (TypeScript's and Node's rule for overlapping patterns)."""
    return (0, 0) if "*" not in pattern else (1, -len(pattern.split("*", 1)[0]))


def _export_targets(exports, key: str) -> list[str]:
    """Targets for a subpath in a package.json `exports` field, most source-like first."""
    if exports is None:
        return []
    if isinstance(exports, str):
        return [exports] if key == "." else []
    if isinstance(exports, list):
        out = []
        for e in exports:
            out += _export_targets(e, key)
        return out
    if not isinstance(exports, dict):
        return []
    if not any(k.startswith(".") for k in exports):
        return _condition_targets(exports) if key == "." else []
    if key in exports:
        return _condition_targets(exports[key])
    for pattern, value in sorted(exports.items(), key=lambda kv: _specificity(kv[0])):
        if "*" in pattern:
            pre, post = pattern.split("*", 1)
            if key.startswith(pre) and key.endswith(post):
                star = key[len(pre): len(key) - len(post)]
                return [t.replace("*", star) for t in _condition_targets(value)]
    return []


def _condition_targets(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        out = []
        for v in value:
            out += _condition_targets(v)
        return out
    if isinstance(value, dict):
        out = []
        for cond in ("source", "types", "import", "module", "default", "require", "node"):
            if cond in value:
                out += _condition_targets(value[cond])
        for k, v in value.items():
            if k not in ("source", "types", "import", "module", "default", "require", "node"):
                out += _condition_targets(v)
        return out
    return []

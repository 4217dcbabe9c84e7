"""Which test files load a module: test runner configs that alias it, and test files
outside the scan that import it. multiple-prisma-clients asks this of a client module
no scanned file imports (an integration-test harness); test files are not parsed or
cached, so they are read here with a plain pattern, once per asked module."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Callable, Iterable

# `from './db-harness'`, `import('./x')`, `require('./x')`: module specifiers in a file.
_IMPORT_SPEC = re.compile(
    r"(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['\"]([^'\"\n]+)['\"]", re.M)

# vitest.config.ts, vitest.integration.config.mts, jest.config.js, playwright.config.ts
_TEST_CONFIG = re.compile(r"^(?:vitest|jest|playwright)[\w.-]*\.config\.[cm]?[jt]s$")

_READ_LIMIT = 1 << 20


def is_test_config(name: str) -> bool:
    """Whether a file name is a test runner's config, whose text `TestLoads` reads."""
    return _TEST_CONFIG.match(name) is not None


class TestLoads:
    def __init__(self, root: Path, scanned: Iterable[str], test_files: Iterable,
                 resolve: Callable[[str, str], str | None]):
        self.root = root
        self._configs = sorted(p for p in scanned if is_test_config(posixpath.basename(p)))
        self._test_files = list(test_files)  # discovery's out-of-scope test SourceFiles
        self._resolve = resolve
        self._memo: dict[str, list[str]] = {}

    def paths(self) -> frozenset[str]:
        """The test files and test runner configs: what runs only under a test runner."""
        return frozenset((*self._configs, *(sf.path for sf in self._test_files)))

    def of(self, path: str) -> list[str]:
        if path not in self._memo:
            self._memo[path] = self._aliasing_configs(path) + self._importing_tests(path)
        return self._memo[path]

    def _aliasing_configs(self, path: str) -> list[str]:
        # `resolve(here, "integration/db.ts")` in vitest.integration.config.mts loads the
        # module for tests only.
        out = []
        for cfg in self._configs:
            base = posixpath.dirname(cfg)
            target = posixpath.splitext(path)[0]
            rel = posixpath.relpath(target, base) if base else target
            data = _read(self.root / cfg)
            if data is not None and re.search(
                    r"['\"](?:\./)?" + re.escape(rel) + r"(?:\.[cm]?[jt]sx?)?['\"]", data):
                out.append(cfg)
        return out

    def _importing_tests(self, path: str) -> list[str]:
        stem = posixpath.splitext(posixpath.basename(path))[0]
        out = []
        for tf in self._test_files:
            data = _read(Path(tf.abs_path))
            if data is None or stem not in data:
                continue
            if any(self._resolve(tf.path, spec) == path for spec in _IMPORT_SPEC.findall(data)):
                out.append(tf.path)
        return out


class ImportingFiles:
    """Which of some files left out of the scan (seeds) import a module: each is read and its
    imports resolved once, on the first question."""

    def __init__(self, files: Iterable, resolve: Callable[[str, str], str | None]):
        self._files = list(files)
        self._resolve = resolve
        self._by_target: dict[str, list[str]] | None = None

    def of(self, path: str) -> list[str]:
        if self._by_target is None:
            self._by_target = {}
            for sf in self._files:
                for spec in set(_IMPORT_SPEC.findall(_read(Path(sf.abs_path)) or "")):
                    target = self._resolve(sf.path, spec)
                    if target is not None:
                        self._by_target.setdefault(target, []).append(sf.path)
        return sorted(self._by_target.get(path, ()))


def _read(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(_READ_LIMIT).decode("utf-8", "replace")
    except OSError:
        return None

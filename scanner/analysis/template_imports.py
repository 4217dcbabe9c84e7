"""What the repository's templates import, when the scan can read it. Svelte components write
their imports out in their `<script>` blocks (`import { formatDate } from '$lib/dates'`), and
Svelte has no auto-import, so reading those statements says which modules and names the
components use. Vue (Nuxt auto-imports composables and utils), Astro and MDX templates are not
read: in a repository that uses them, any module may be imported by a template the scan cannot
see, and dead-code judgments that need every importer stay off (analysis/dead_code.py). A
package counts only where it has templates: a `vue` dependency with no `.vue` file under its
package's folder (a vendored plugin's) imports nothing; Nuxt counts always."""

from __future__ import annotations

import os
import posixpath
import re

from .sources import SKIP_DIRS

# Packages whose components live in files the scan does not parse as TypeScript.
TEMPLATE_PACKAGES = ("svelte", "@sveltejs/kit", "vue", "nuxt", "astro", "@next/mdx", "@mdx-js/loader",
                     "@mdx-js/react", "@mdx-js/rollup", "contentlayer", "contentlayer2")
_READABLE = frozenset({"svelte", "@sveltejs/kit"})
_MAX_TEXT = 1 << 20
# `import x from 'm'`, `import { a, b as c } from "m"`, `import * as ns from 'm'`, `import type …`,
# `export … from 'm'`, `import 'm'`, `import('m')`.
_FROM = re.compile(r"""\b(?:import|export)\s+(?:type\s+)?([^'";]*?)\s*\bfrom\s*['"]([^'"\n]+)['"]""")
_BARE = re.compile(r"""\bimport\s*\(?\s*['"]([^'"\n]+)['"]""")
_NAMED = re.compile(r"\{([^}]*)\}")


# The files each template package's templates live in. Nuxt is not here: it auto-imports
# composables and server utilities into plain `.ts` files as well, so it counts without them.
_TEMPLATE_FILES = {"svelte": ".svelte", "@sveltejs/kit": ".svelte", "vue": ".vue", "astro": ".astro",
                   "@next/mdx": ".mdx", "@mdx-js/loader": ".mdx", "@mdx-js/react": ".mdx", "@mdx-js/rollup": ".mdx",
                   "contentlayer": ".mdx", "contentlayer2": ".mdx"}
_TEMPLATE_EXTS = tuple(sorted(set(_TEMPLATE_FILES.values())))


def _template_packages(index) -> frozenset[str]:
    """The template packages some package of the repository depends on and has templates of
    under its folder: a dependency with no template file (a vendored plugin's `vue`, kept for
    a build that is not there) imports nothing."""
    def build() -> frozenset[str]:
        wanted = [(pkg.dir, name) for pkg in index.modules.packages.values() for name in TEMPLATE_PACKAGES
                  if pkg.dependency(name)]
        if not wanted:
            return frozenset()
        found = {(posixpath.dirname(p), posixpath.splitext(p)[1]) for p in _template_paths(index)}
        return frozenset(name for home, name in wanted if name not in _TEMPLATE_FILES or any(
            ext == _TEMPLATE_FILES[name] and (not home or folder == home or folder.startswith(home + "/"))
            for folder, ext in found))
    return index.memo("template-packages", build)


def _template_paths(index) -> tuple[str, ...]:
    """The repository's template files (`.svelte`, `.vue`, `.astro`, `.mdx`), as paths from its
    root: one walk, for both what packages hold templates and what Svelte components import."""
    def walk() -> tuple[str, ...]:
        out: list[str] = []
        root = index.root
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
            rel = os.path.relpath(folder, root).replace(os.sep, "/")
            out += [name if rel == "." else f"{rel}/{name}" for name in files if name.endswith(_TEMPLATE_EXTS)]
        return tuple(out)
    return index.memo("template-paths", walk)


def uses_templates(index) -> bool:
    """Some package of the repository uses templates the scan does not parse as TypeScript."""
    return bool(_template_packages(index))


def template_imports(index) -> dict[str, tuple[frozenset[str], bool]] | None:
    """{scanned module: (the names templates import from it, whether one imports it whole)}
    when every template package of the repository is Svelte's and every component could be
    read; None otherwise (their imports are not known)."""
    return index.memo("template-reading", lambda: _read(index))[0]


def template_texts(index) -> tuple[bytes, ...]:
    """The text of every Svelte component, where template_imports reads them: what they name
    (`data.service.refresh()`) counts as a use."""
    return index.memo("template-reading", lambda: _read(index))[1]


def _read(index) -> tuple[dict[str, tuple[frozenset[str], bool]] | None, tuple[bytes, ...]]:
    used = _template_packages(index)
    if not used or not used <= _READABLE:
        return None, ()
    texts: list[bytes] = []
    names: dict[str, set[str]] = {}
    whole: set[str] = set()
    for rel in _template_paths(index):
        if not rel.endswith(".svelte"):
            continue
        full = os.path.join(index.root, rel)
        try:
            if os.path.getsize(full) > _MAX_TEXT:
                return None, ()
            with open(full, "rb") as fh:
                data = fh.read()
        except OSError:
            return None, ()
        texts.append(data)
        text = data.decode("utf-8", "replace")
        for clause, spec in _specifiers(text):
            target = index.modules.resolve(rel, spec)
            if target is None:
                continue
            got = _clause_names(clause)
            if got is None:
                whole.add(target)
            else:
                names.setdefault(target, set()).update(got)
    return {p: (frozenset(names.get(p, ())), p in whole) for p in set(names) | whole}, tuple(texts)


def _specifiers(text: str):
    """(import clause, specifier) of each import or re-export; a bare import or a dynamic one
    has the clause `*` (the whole module)."""
    for m in _FROM.finditer(text):
        yield m.group(1), m.group(2)
    for m in _BARE.finditer(text):
        yield "*", m.group(1)


def _clause_names(clause: str) -> set[str] | None:
    """The names an import clause takes (`default` for a default import); None for the whole
    module (`* as ns`, a bare import)."""
    clause = clause.strip()
    if not clause or "*" in clause:
        return None
    out = set()
    m = _NAMED.search(clause)
    if m is not None:
        for part in m.group(1).split(","):
            part = part.strip().removeprefix("type ").strip()
            if part:
                out.add(part.split(" as ")[0].strip())
        clause = clause[:m.start()] + clause[m.end():]
    if clause.strip(" ,"):
        out.add("default")
    return out


def loaded_by_templates(index, path: str) -> bool:
    """A component imports the module (known only where template_imports can read them)."""
    found = template_imports(index)
    return found is not None and path in found

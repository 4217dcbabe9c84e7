"""Next.js route files no Next.js app builds: dead code (rules.md §8, outside the request path).

Next.js turns `app/**/route.ts`, `app/**/page.tsx` and `pages/api/**` into endpoints only in
the project it builds: the package whose manifest depends on `next` (or holds a `next.config`).
In a repository where some package does depend on `next`, such a file in a package that
neither depends on it nor configures it (a monorepo's root holding an old `app/api` folder
beside `frontend/` and `backend/`) is built by nothing and answers no request. So is a file with
a route handler's name and exports (`route.ts` exporting `GET` / `POST`) outside any `app/`
folder of a Next.js package, which nothing imports: a stray copy of a route (`inventory/route.ts`
beside the served `app/api/inventory/route.ts`), which Next.js never routes."""

from __future__ import annotations

import os
from pathlib import PurePosixPath

from ..facts.model import HTTP_METHODS

_NEXT_ROLES = ("route", "page", "pages-api")
_NEXT_CONFIGS = ("next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs")


def unbuilt_routes(index) -> list[tuple[str, int, str]]:
    """(path, last line, why) for the Next.js route files of packages that do not build them."""
    packages = {p.dir: p for p in index.modules.packages.values()}
    if not any(p.dependency("next") is not None for p in packages.values()):
        return []
    out = []
    for path in sorted(index.files):
        facts = index.files[path]
        if facts.role not in _NEXT_ROLES:
            continue
        home = index.package_of(path)
        pkg = packages.get(home)
        if pkg is None or pkg.dependency("next") is not None \
                or any(os.path.exists(os.path.join(index.root, home, c)) for c in _NEXT_CONFIGS):
            continue
        where = f"the package at {home or 'the repository root'}"
        last = max((f.span.end_line for f in facts.functions), default=1)
        out.append((path, last, f"{where} neither depends on next nor configures it, while another package "
                                f"does: no Next.js build turns {path} into an endpoint (dead code)"))
    return out


def stray_routes(index) -> list[tuple[str, int, str]]:
    """(path, last line, why) for the files named and shaped as App Router route handlers
    (`route.ts` exporting an HTTP method) that sit outside every `app/` folder (their role is
    a library's) of a package that depends on next, and that no module imports."""
    packages = {p.dir: p for p in index.modules.packages.values()}
    out = []
    for path in sorted(index.files):
        facts = index.files[path]
        if facts.role != "lib" or PurePosixPath(path).name.split(".")[0] != "route" \
                or not any(HTTP_METHODS.intersection(f.exported_as) for f in facts.functions):
            continue
        pkg = packages.get(index.package_of(path))
        if pkg is None or pkg.dependency("next") is None or index.importers(path):
            continue
        last = max((f.span.end_line for f in facts.functions), default=1)
        out.append((path, last, f"{path} has the name and the exports of a route handler, but Next.js routes "
                                "only the route files under app/, and no module imports it (dead code)"))
    return out

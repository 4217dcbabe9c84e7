"""Routes whose path names one-off maintenance or debugging: `app/api/seed/route.ts`,
`pages/api/backfill.ts`, `app/routes/api+/seeder/route.ts`, `server/api/seed.post.ts`,
`app/api/debug-db/cleanup/route.ts`. Seeding a database, backfilling a column or poking at data
to debug it is done by a developer who calls the endpoint by hand, not per user request:
their findings are graded low (findings.unreached), as a seed script's are, with why as
evidence. Only file-routed modules are read (the framework serves them by their path, so the
path is the URL); a word of the path counts whole (`seed`, not `seedling`)."""

from __future__ import annotations

import re
import sys

# Roles of modules a framework serves by their file's path.
_FILE_ROUTED = frozenset({"route", "pages-api", "remix-route", "sveltekit-route", "nitro-route"})
_MAINTENANCE = frozenset({"seed", "seeds", "seeder", "seeding", "backfill", "backfills", "debug"})
# Path words: segments split on what routing conventions put between words (`/`, `.`, `-`,
# `_`, `+`, `(group)`, `[param]`, `$param`).
_WORD = re.compile(r"[A-Za-z0-9]+")


def maintenance_routes(index) -> dict[str, tuple[tuple[int, int, str], ...]]:
    """{path: ((1, last line, why),)} for the file-routed modules whose path names a seed, a
    backfill or debugging."""
    out = {}
    for path, facts in sorted(index.files.items()):
        if facts.role not in _FILE_ROUTED:
            continue
        home = index.package_of(path)
        below = path[len(home) + 1:] if home else path
        word = next((w for w in _WORD.findall(below.lower()) if w in _MAINTENANCE), None)
        if word is None:
            continue
        named = "debugging" if word == "debug" else f"a {word.rstrip('s')}"
        kind = "a diagnostics endpoint" if word == "debug" else "a one-off maintenance endpoint"
        out[path] = ((1, sys.maxsize, f"its route's path names {named} ({below}): {kind} a developer calls "
                      "by hand, not per request"),)   # (the whole file)
    return out

"""Modules only scripts load: the helpers a seed or maintenance script imports
(`bin/seed.ts` → `bin/factory/threads.ts`) run when that script runs, by hand or from a
package.json script, never per request. Their findings are graded like the script's own
(findings.in_scripts)."""

from __future__ import annotations

from ..discover import NON_APP_ROLES, SCRIPT_ROLES
from ..facts.entries import ENTRY_ROLES


def script_only_modules(index) -> dict[str, str]:
    """{path: how it is run} for every scanned module that some file imports and that only
    scripts (or modules only scripts load) import, directly or through others."""
    scripts = {p for p, f in index.files.items() if f.role in SCRIPT_ROLES}
    found: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for path in sorted(index.files):
            facts = index.files[path]
            if path in found or facts.role in NON_APP_ROLES or facts.role in ENTRY_ROLES:
                continue
            importers = index.importers(path)
            if importers and all(i in scripts or i in found for i in importers):
                via = sorted(i for i in importers if i in scripts) or sorted(importers)
                found[path] = f"is loaded only by scripts ({via[0]}{', …' if len(importers) > 1 else ''})"
                changed = True
    return found

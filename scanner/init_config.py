"""`dbaudit init`: a commented `.dbaudit.yaml` written from what a quick scan
of the repository saw — its schema, the receivers it did not recognise as
clients, the folders holding entry points — with the scope globs to adapt.

Everything set here is what the scan found (so the file changes nothing until
edited); the guesses are comments."""

from __future__ import annotations

import posixpath
from pathlib import PurePosixPath

import yaml

from .config import PROJECT_FILE
from .recognition import suggested_names

# A cheap rule: the scan is for its facts (clients, calls, entry points), not findings.
PROBE_RULES = ["float-for-money"]
MAX_ROOTS = 4


def _flow(values) -> str:
    """A YAML flow list, each item quoted only where YAML needs it."""
    return yaml.safe_dump(list(values), default_flow_style=True, width=10_000).strip()


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _schema_setting(files: tuple[str, ...]) -> str:
    """The file, or the folder of a multi-file schema."""
    if len(files) == 1:
        return files[0]
    return posixpath.commonpath([posixpath.dirname(f) for f in files]) or "."


def entry_roots(index) -> dict[str, list[str]]:
    """Entry kind (facts/entries.py) -> the top-most folders holding its handlers."""
    folders: dict[str, set[str]] = {}
    for path, facts in index.files.items():
        for fn in facts.functions:
            if fn.entry_kind:
                folders.setdefault(fn.entry_kind, set()).add(posixpath.dirname(path) or ".")
    return {kind: _roots(found) for kind, found in sorted(folders.items())}


def _top_most(found: set[str]) -> set[str]:
    return {f for f in found if not any(f != o and (o == "." or PurePosixPath(f).is_relative_to(o))
                                         for o in found)}


def _roots(found: set[str]) -> list[str]:
    """The top-most folders; while there are more than MAX_ROOTS, the deepest ones are
    lifted to their parent (app/api/users, app/api/posts, … become app/api)."""
    roots = _top_most(found)
    while len(roots) > MAX_ROOTS:
        depth = max(f.count("/") for f in roots)
        if depth == 0:
            break
        roots = _top_most({posixpath.dirname(f) if f.count("/") == depth else f for f in roots})
    return sorted(roots)


def _comment_list(key: str, globs, indent: str = "") -> list[str]:
    return [f"# {indent}{key}:", *(f"# {indent}  - {_flow([g])[1:-1]}" for g in globs)]


def render_init(result, defaults) -> str:
    """The text of `.dbaudit.yaml`. `result` is a scan of the repository with the
    packaged defaults (`defaults`, a Config)."""
    names = list(defaults["prisma"]["client_names"])
    rec = result.stats["recognition"]
    unresolved = [t for t in rec["top_unresolved"] if t["configurable"]]
    lines = [f"# {PROJECT_FILE}: dbaudit's settings for this repository, written by `dbaudit init`.",
             "# Every option, with its default and what it does: config/default.yaml in the",
             "# dbaudit package.",
             "# A list set here replaces the default list; a key not set keeps its default.",
             "",
             "prisma:"]
    files = result.schema.files if result.schema else ()
    if files:
        lines += ["  # The schema dbaudit found (as the Prisma CLI would); pinned here so a moved",
                  "  # or added .prisma file does not change it silently.",
                  f"  schema: {_flow([_schema_setting(files)])[1:-1]}"]
    else:
        lines += ["  # No schema.prisma was found: name it (file or folder, relative to this file)",
                  "  # for the schema rules and the model checks to run.",
                  '  # schema: prisma/schema.prisma']
    lines += ["  # Names and member chains that are Prisma clients (the defaults)."]
    if unresolved:
        lines += [f"  # {rec['analysed']} of {rec['prisma_shaped_calls']} Prisma-shaped calls were analysed; "
                  "these receivers were not",
                  "  # recognised as clients (calls, files, first seen):"]
        lines += [f"  #   {t['receiver']}: {_count(t['calls'], 'call')} in {_count(t['files'], 'file')} ({t['example']})"
                  for t in unresolved]
        lines += ["  # If they are Prisma clients, use the second line instead of the first:",
                  f"  client_names: {_flow(names)}",
                  f"  # client_names: {_flow(suggested_names(rec, names))}"]
    else:
        lines += [f"  client_names: {_flow(names)}"]
    roots = entry_roots(result.index)
    lines += ["", "# Entry points seen (the code that answers requests; for reference, not a setting):"]
    if roots:
        lines += [f"#   {kind}: {', '.join(folders)}" for kind, folders in roots.items()]
    else:
        lines.append("#   none (no route handler, loader, controller or resolver was recognised)")
    lines += ["",
              "# Operational scripts: scanned, their findings reported with severity low.",
              "# The default globs are below; uncomment to set your own (the list replaces them).",
              *_comment_list("script_paths", defaults["script_paths"]),
              "",
              "# Tests are left out of the scan by these globs (default); uncomment to change them.",
              "# out_of_scope:",
              *_comment_list("test", defaults["out_of_scope"]["test"], "  "),
              "",
              "# Extra paths to leave out (gitignore syntax), e.g. [legacy/, \"**/*.generated.ts\"]:",
              "# exclude: []",
              "",
              "# Exit 1 from `dbaudit scan` when a finding is at or above this severity:",
              f"# fail_on: {defaults['fail_on']}",
              ""]
    return "\n".join(lines)

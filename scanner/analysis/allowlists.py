"""Allow-lists a value is tested against: `if (!VALID_TYPES.has(type)) return …` or
`ROLES.includes(role)` in a test, where the list is a `const` of the module written out as
literals (`const VALID_TYPES = new Set(["ANIMAL", "CONTACT"])`, `const ROLES = ['a', 'b']`).
A `const` of the function that tests the value counts the same (`const valid = ['queued',
'failed']; if (!valid.includes(status)) throw …`): the name must be declared once in the file,
so the list the test reads is the one written out. A value that passed such a test is one of
those literals: spliced into SQL text, it can only be one of the statements the code wrote
(rules.md §8: an allow-list lookup is quiet)."""

from __future__ import annotations

import re

from .sources import source_lines

_METHODS = ("has", "includes")
# A literal: a string without a substitution, or a number.
_LITERAL = r"""(?:'[^'\\\n]*'|"[^"\\\n]*"|-?\d+(?:\.\d+)?)"""
_LIST = re.compile(rf"""\s*\[\s*(?:{_LITERAL}\s*,\s*)*(?:{_LITERAL}\s*,?\s*)?\]""")


def allowlist_check(index, path: str, check: str) -> bool:
    """Whether `check` (a taint flow's guard, `VALID_TYPES.has`) tests membership in a `const`
    list or set of literals of `path` (of the module, or of a function)."""
    name, _, method = check.rpartition(".")
    if method not in _METHODS or not re.fullmatch(r"[A-Za-z_$][\w$]*", name or ""):
        return False
    return index.memo(f"allowlist:{path}:{name}", lambda: _literal_list(index, path, name))


def _literal_list(index, path: str, name: str) -> bool:
    text = b"\n".join(source_lines(index, path)).decode("utf-8", "replace")
    decl = re.compile(rf"^[ \t]*(?:export\s+)?const\s+{re.escape(name)}\s*(?::[^=\n]+)?=\s*"
                      rf"(?:new\s+Set\s*(?:<[^>\n]*>)?\(\s*)?", re.M)
    found = [m for m in decl.finditer(text)]
    return len(found) == 1 and bool(_LIST.match(text, found[0].end()))

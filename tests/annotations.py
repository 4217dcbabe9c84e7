"""Reads `// ruleid:` / `// ok:` / `// todoruleid:` / `// todook:` and
`// prisma-call:` / `// not-prisma-call` annotations from fixture files.

An annotation applies to the next line that is not itself an annotation.
Several may stack; a comma-separated list names several items. A `ruleid` item
may name the finding's confidence: `// ruleid: n-plus-one confidence=high`."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("todoruleid", "todook", "ruleid", "ok", "prisma-call", "not-prisma-call")
_ANNOTATION = re.compile(
    r"^\s*(?://|\{?/\*|\*)\s*(todoruleid|todook|ruleid|ok|prisma-call|not-prisma-call)\b:?\s*(.*?)\s*(?:\*/\}?)?\s*$"
)
SOURCE_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs", ".prisma")


@dataclass
class Expectations:
    # kind -> set of (path, line, item)
    items: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    # (path, line, rule) -> the confidence a `ruleid` annotation names
    confidence: dict[tuple[str, int, str], str] = field(default_factory=dict)

    def rule_lines(self, kind: str, rule: str) -> set[tuple[str, int]]:
        return {(p, l) for p, l, item in self.items[kind] if item == rule}

    def rules_named(self) -> set[str]:
        return {item for k in ("ruleid", "ok", "todoruleid", "todook") for _, _, item in self.items[k]}


def read_annotations(root: Path) -> Expectations:
    exp = Expectations()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in SOURCE_SUFFIXES or "node_modules" in path.parts:
            continue
        rel = path.relative_to(root).as_posix()
        pending: list[tuple[str, str]] = []
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = _ANNOTATION.match(line)
            if m:
                pending.append((m.group(1), m.group(2)))
                continue
            for kind, rest in pending:
                if kind == "not-prisma-call":
                    exp.items[kind].add((rel, lineno, ""))
                    continue
                for item in (x.strip() for x in rest.split(",")):
                    item, _, level = item.partition(" confidence=")
                    if item:
                        exp.items[kind].add((rel, lineno, item))
                    if level:
                        exp.confidence[(rel, lineno, item)] = level.strip()
            pending = []
    return exp

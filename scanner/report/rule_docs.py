"""A rule's docs page, read into plain blocks a template can render.

The pages are the ruff-style Markdown of docs/rules/<id>.md. Only what they
use is read: paragraphs, `-` lists, fenced code, inline `code`, and links
(kept as their text, so the report makes no request). The result is data, never
HTML: templates escape it like any other text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_INLINE = re.compile(r"`([^`]+)`|\[([^\]]+)\]\([^)]*\)|\*\*([^*]+)\*\*|\*([^*]+)\*")


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    code: bool = False
    strong: bool = False


@dataclass(frozen=True, slots=True)
class Block:
    kind: str                                  # paragraph, list, code
    segments: tuple[Segment, ...] = ()         # paragraph
    items: tuple[tuple[Segment, ...], ...] = ()  # list
    code: str = ""                             # code
    language: str = ""


def inline(text: str) -> tuple[Segment, ...]:
    out, pos = [], 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            out.append(Segment(text[pos:m.start()]))
        code, link, strong, em = m.groups()
        if code is not None:
            out.append(Segment(code, code=True))
        elif strong is not None:
            out.append(Segment(strong, strong=True))
        else:
            out.append(Segment(link if link is not None else em))
        pos = m.end()
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return tuple(out)


def parse_blocks(markdown: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    para: list[str] = []
    items: list[str] = []
    lines = markdown.splitlines()
    i = 0

    def flush():
        if para:
            blocks.append(Block("paragraph", inline(" ".join(para))))
            para.clear()
        if items:
            blocks.append(Block("list", items=tuple(inline(x) for x in items)))
            items.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            lang = stripped[3:].strip()
            code = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            blocks.append(Block("code", code="\n".join(code), language=lang))
        elif not stripped:
            flush()
        elif stripped.startswith(("- ", "* ")):
            if para:
                flush()
            items.append(stripped[2:])
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + stripped   # a list item's continuation line
        else:
            if items:
                flush()
            para.append(stripped)
        i += 1
    flush()
    return tuple(blocks)


def sections(markdown: str) -> dict[str, tuple[Block, ...]]:
    """`## Heading` -> its blocks."""
    out: dict[str, tuple[Block, ...]] = {}
    current, body = None, []
    for line in markdown.splitlines():
        if line.startswith("## "):
            if current is not None:
                out[current] = parse_blocks("\n".join(body))
            current, body = line[3:].strip(), []
        elif current is not None:
            body.append(line)
    if current is not None:
        out[current] = parse_blocks("\n".join(body))
    return out


@lru_cache(maxsize=None)
def rule_sections(docs_path: Path) -> dict[str, tuple[Block, ...]]:
    """The page's sections, or {} when the page is missing (the docs test flags that)."""
    try:
        return sections(docs_path.read_text(encoding="utf-8"))
    except OSError:
        return {}


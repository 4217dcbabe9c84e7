"""A rule's docs page for the terminal: `dbaudit explain RULE` shows the
example and the fix first, then the long details (the page on disk keeps the
ruff order: What it does / Why is this bad? / Example / Use instead / …)."""

from __future__ import annotations

import re

# Sections moved to the front, in this order; the others keep theirs.
FIRST = ("Example", "Use instead")
_HEADING = re.compile(r"^## +(.+?)\s*$", re.M)


def sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The page's head (title, severity line) and its `## ` sections as (heading, text)."""
    starts = [m.start() for m in _HEADING.finditer(text)]
    if not starts:
        return text, []
    head = text[:starts[0]]
    parts = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)])]
    return head, [(_HEADING.match(p).group(1), p) for p in parts]


def example_first(text: str) -> str:
    """The same page with the Example and Use instead sections moved right after the head."""
    head, parts = sections(text)
    if not parts:
        return text
    first = [p for name in FIRST for h, p in parts if h == name]
    rest = [p for h, p in parts if h not in FIRST]
    body = "".join(p if p.endswith("\n\n") else p.rstrip("\n") + "\n\n" for p in [*first, *rest])
    return head + body.rstrip("\n") + "\n"


def render_terminal(text: str, color: bool, width: int | None = None) -> str:
    """The page rendered by rich (headings, lists, code blocks); plain text without colour
    codes when `color` is false (standard output is not a terminal)."""
    import io

    from rich.console import Console
    from rich.markdown import Markdown
    buf = io.StringIO()
    console = Console(file=buf, width=width or 100, no_color=not color, force_terminal=color,
                      color_system="auto" if color else None, highlight=False)
    console.print(Markdown(example_first(text), code_theme="ansi_dark"))
    out = buf.getvalue()
    # Plain text keeps no padding: rich pads each line to the console width.
    return out if color else "".join(line.rstrip() + "\n" for line in out.splitlines())

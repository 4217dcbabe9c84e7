"""Line and token helpers for the schema parser.

Prisma's grammar is line oriented except inside parentheses and brackets, so
the parser works on *logical lines*: physical lines with their comments split
off, joined while a `(` or `[` is still open. Comments are `//` and `///` to
the end of the line, and `/* … */` or `/** … */` blocks anywhere, over several
lines too (a `/**` block reads as a `///` doc comment). Every helper treats
string literals as opaque, so `"//"`, `"/*"`, `"("` or `\\"` inside a string
change nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A string literal, possibly unterminated at the end of the line.
_STR = r'"(?:[^"\\]|\\.)*(?:"|\\?$)'
_STRING = re.compile(_STR)
_STRING_OR_COMMENT = re.compile(_STR + r"|//")
_STRING_OR_ANY_COMMENT = re.compile(_STR + r"|//|/\*")
_BRACKET_TOKEN = re.compile(_STR + r"|[()\[\]]")
_ARGUMENT_TOKEN = re.compile(_STR + r"|[()\[\],]")
# A line that cannot be the continuation of an open argument list: a field
# (`name Type`), a block attribute, a closing brace or a block header.
_STATEMENT_START = re.compile(r"\s*(?:[A-Za-z_]\w*\s+[A-Za-z_]|@@|\})")
_ATTRIBUTE_NAME = re.compile(r"@@?([A-Za-z_][\w.]*)")
_LEADING_NAME = re.compile(r"\s*([A-Za-z_][\w.]*)")
_NAMED_ARG = re.compile(r"([A-Za-z_]\w*)\s*:\s*(.*)\Z", re.S)
_ESCAPE = re.compile(r"\\(.)")
_MAX_JOINED_LINES = 50


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # 1-based number of the first physical line
    code: str  # stripped text outside comments
    comment: str | None  # text of its `//` comments, slashes stripped
    is_doc: bool  # the whole line is a `///` doc comment
    unclosed: bool  # a `(` or `[` was still open where the statement ended


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str  # without the `@`/`@@`: "default", "db.VarChar"
    raw: str  # "@default(now())"
    args: str | None  # text between the parentheses, None without them


def physical_lines(text: str) -> list[str]:
    """Split on \\n, \\r\\n or \\r only (str.splitlines would also split on
    form feeds and other separators and shift every later line number)."""
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def split_comment(line: str) -> tuple[str, str | None]:
    """Return (code, comment) where comment keeps its leading slashes."""
    cut = line.find("//")
    if cut < 0:
        return line, None
    if '"' in line:
        cut = next(
            (m.start() for m in _STRING_OR_COMMENT.finditer(line) if m.group() == "//"),
            -1,
        )
        if cut < 0:
            return line, None
    return line[:cut], line[cut:]


def bracket_depth(code: str) -> int:
    if "(" not in code and "[" not in code and ")" not in code and "]" not in code:
        return 0
    bare = _STRING.sub('""', code) if '"' in code else code
    return bare.count("(") + bare.count("[") - bare.count(")") - bare.count("]")


@dataclass(frozen=True, slots=True)
class _Split:
    code: str  # the line outside comments (a block comment leaves a space)
    comments: tuple[str, ...]  # comment texts, markers stripped, empty ones kept
    is_doc: bool  # every comment on the line is a `///` or `/** */` doc comment
    open_block: str | None  # "/*" or "/**" when a block comment runs on


def split_comments(line: str, open_block: str | None = None) -> _Split:
    """Split one physical line into code and comments; `open_block` is the
    block comment still open from the line before ("/*" or "/**")."""
    code: list[str] = []
    comments: list[tuple[str, str]] = []  # (marker, text)
    pos = 0
    if open_block:
        end = line.find("*/")
        if end < 0:
            return _Split("", (_block_text(line),), open_block == "/**", open_block)
        comments.append((open_block, line[:end]))
        pos = end + 2
        open_block = None
    while True:
        m = _STRING_OR_ANY_COMMENT.search(line, pos)
        if m is None:
            code.append(line[pos:])
            break
        token = m.group()
        if token.startswith('"'):
            code.append(line[pos : m.end()])
            pos = m.end()
            continue
        code.append(line[pos : m.start()])
        if token == "//":
            comments.append(("///" if line.startswith("///", m.start()) else "//", line[m.start() :]))
            break
        marker = "/**" if line.startswith("/**", m.start()) else "/*"
        end = line.find("*/", m.end())
        if end < 0:
            comments.append((marker, line[m.end() :]))
            open_block = marker
            break
        comments.append((marker, line[m.end() : end]))
        code.append(" ")
        pos = end + 2
    texts = tuple(
        _comment_text(text) if marker.startswith("//") else _block_text(text)
        for marker, text in comments
    )
    is_doc = bool(comments) and all(marker in ("///", "/**") for marker, _ in comments)
    return _Split("".join(code), texts, is_doc, open_block)


def logical_lines(text: str) -> list[Line]:
    raw = physical_lines(text)
    lines: list[Line] = []
    block: str | None = None
    i = 0
    while i < len(raw):
        first = split_comments(raw[i], block)
        block = first.open_block
        start = i
        depth = bracket_depth(first.code)
        parts, texts = [first.code.strip()], list(first.comments)
        while depth > 0 and i + 1 < len(raw) and i - start < _MAX_JOINED_LINES:
            nxt = split_comments(raw[i + 1], block)
            if _STATEMENT_START.match(nxt.code):
                break
            i += 1
            block = nxt.open_block
            parts.append(nxt.code.strip())
            texts.extend(nxt.comments)
            depth += bracket_depth(nxt.code)
        code = _join_parts(parts)
        is_doc = not code and first.is_doc
        comment = " ".join(t for t in texts if t) or None
        if comment is None and first.comments and not code:
            comment = ""  # an empty comment line still keeps comments attached
        lines.append(Line(start + 1, code, comment, is_doc, depth > 0))
        i += 1
    return lines


def _join_parts(parts: list[str]) -> str:
    """Join continuation lines as if written on one line: `@relation(a, b)`."""
    code = ""
    for part in parts:
        if not part:
            continue
        glue = "" if not code or code[-1] in "([" or part[0] in ")]" else " "
        code += glue + part
    return code


def _comment_text(comment: str) -> str:
    return comment.lstrip("/").strip()


def _block_text(text: str) -> str:
    """A block comment's text on one line: ` * note` and `*` borders stripped."""
    return text.strip().lstrip("*").strip()


def matching_close(text: str, open_at: int) -> int | None:
    """Index of the bracket closing the one at `open_at`, or None."""
    depth = 0
    for m in _BRACKET_TOKEN.finditer(text, open_at):
        token = m.group()
        if token in "([":
            depth += 1
        elif token in ")]":
            depth -= 1
            if depth == 0:
                return m.start()
    return None


def read_attributes(text: str) -> tuple[list[Attribute], str | None]:
    """Parse a run of `@name(args)` attributes.

    Returns the attributes read and, if something else follows, that text.
    """
    attrs: list[Attribute] = []
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos].isspace():
            pos += 1
        if pos == end:
            return attrs, None
        m = _ATTRIBUTE_NAME.match(text, pos)
        if not m:
            return attrs, text[pos:]
        args = None
        stop = m.end()
        if stop < end and text[stop] == "(":
            close = matching_close(text, stop)
            if close is None:
                return attrs, text[pos:]
            args, stop = text[stop + 1 : close], close + 1
        attrs.append(Attribute(m.group(1), text[pos:stop], args))
        pos = stop


def split_top_level(text: str) -> list[str]:
    """Split on commas outside strings, parentheses and brackets."""
    parts, depth, last = [], 0, 0
    for m in _ARGUMENT_TOKEN.finditer(text):
        token = m.group()
        if token in "([":
            depth += 1
        elif token in ")]":
            depth -= 1
        elif token == "," and depth == 0:
            parts.append(text[last : m.start()].strip())
            last = m.end()
    parts.append(text[last:].strip())
    return [p for p in parts if p]


def parse_args(text: str | None) -> tuple[list[str], dict[str, str]]:
    """Split attribute arguments into positional values and `name: value` pairs."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for part in split_top_level(text or ""):
        m = _NAMED_ARG.match(part)
        if m:
            named[m.group(1)] = m.group(2).strip()
        else:
            positional.append(part)
    return positional, named


def unquote(value: str | None) -> str | None:
    """The content of a string literal; other values are returned as written."""
    if value is None:
        return None
    value = value.strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return _ESCAPE.sub(r"\1", value[1:-1])
    return value


def list_names(value: str | None) -> tuple[str, ...]:
    """Names in `[a, b(sort: Desc), "c"]`, options stripped (`a` alone works too)."""
    if not value:
        return ()
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    names = []
    for item in split_top_level(value):
        if item.startswith('"'):
            names.append(unquote(item) or "")
        else:
            m = _LEADING_NAME.match(item)
            if m:
                names.append(m.group(1))
    return tuple(names)

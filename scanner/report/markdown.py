"""`-f markdown`: a pull-request comment (or `$GITHUB_STEP_SUMMARY`): counts
by severity, new vs baseline vs fixed when a baseline was used, and a table
of the new findings, most severe first. Fits GitHub's comment limit by
leaving rows out, with a note saying how many."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import quote

from ..findings import Finding
from .locations import SEVERITIES, path_prefix, utf16_len

# GitHub rejects issue and pull-request comments longer than this (characters).
COMMENT_LIMIT = 65_536
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def _escape_prose(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell(text: str) -> str:
    """Text for one table cell: one line, pipes escaped (inside code spans too,
    as GFM tables require), HTML-like text outside code spans shown as text."""
    text = " ".join(text.split())
    out, pos = [], 0
    for m in _CODE_SPAN.finditer(text):
        out.append(_escape_prose(text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_escape_prose(text[pos:]))
    return "".join(out).replace("|", "\\|")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _counts_row(label: str, severities) -> str:
    c = Counter(severities)
    return f"| {label} | " + " | ".join(str(c.get(s, 0)) for s in SEVERITIES) + f" | {sum(c.values())} |"


def _link(f: Finding, prefix: str, link_base: str | None) -> str:
    path = prefix + f.path
    anchor = f"#L{f.line}" + (f"-L{f.end_line}" if f.end_line > f.line else "")
    target = quote(path, safe="/-._~") + anchor
    if link_base:
        target = link_base.rstrip("/") + "/" + target
    label = f"{path}:{f.line}".replace("`", "'")
    return f"[`{label}`]({target})"


def _row(f: Finding, prefix: str, link_base: str | None) -> str:
    return (f"| {f.severity.value} | `{f.rule}` | {cell(_link(f, prefix, link_base))} | "
            f"{cell(f.message)} |")


def _fits(parts: list[str], extra: str, limit: int) -> bool:
    return utf16_len("\n".join([*parts, extra])) + 1 <= limit


def render(result, source_root=None, link_base: str | None = None, max_chars: int = COMMENT_LIMIT,
           warn=None, **_options) -> str:
    prefix = path_prefix(result, source_root)
    review = getattr(result, "review", None)
    baseline = review.baseline if review is not None else None
    diff = review.diff if review is not None else None
    new = sorted(result.findings, key=lambda f: (-f.severity.rank, f.path, f.line, f.column, f.rule))
    word = "new finding" if baseline is not None or diff is not None else "finding"

    head = ["## dbaudit", ""]
    by_sev = Counter(f.severity.value for f in new)
    detail = ", ".join(f"{by_sev[s]} {s}" for s in SEVERITIES if by_sev[s])
    line = f"**{_plural(len(new), word)}**" + (f" ({detail})" if detail else "")
    extras = []
    if baseline is not None:
        extras += [f"{len(baseline.baselined)} in the baseline", f"{len(baseline.fixed)} fixed"]
    if review is not None and review.suppressed:
        extras.append(f"{len(review.suppressed)} suppressed inline")
    if review is not None and review.unselected:
        extras.append(f"{len(review.unselected)} of other rules not listed (--select/--ignore)")
    if review is not None and review.below_severity:
        extras.append(f"{len(review.below_severity)} below {review.min_severity} not listed")
    head.append(" · ".join([line, *extras]))
    if diff is not None:
        head += ["", f"Only lines changed since `{diff.ref}` (merge base `{diff.merge_base[:12]}`) are "
                     f"reported; {len(review.outside_diff)} other finding(s) are outside them."]
    head += ["", "| | " + " | ".join(SEVERITIES) + " | total |", "|---|" + "---:|" * (len(SEVERITIES) + 1)]
    head.append(_counts_row("new" if word == "new finding" else "reported", (f.severity.value for f in new)))
    if baseline is not None:
        head.append(_counts_row("in the baseline", (f.severity.value for f in baseline.baselined)))
        head.append(_counts_row("fixed", (e.severity for e in baseline.fixed)))
    head.append("")

    parts = list(head)
    if not new:
        parts.append(f"No {word}s.")
    else:
        parts += [f"### {word[:1].upper()}{word[1:]}s", "", "| Severity | Rule | Location | Message |",
                  "|---|---|---|---|"]
        rows = len(parts)
        for f in new:
            row = _row(f, prefix, link_base)
            if not _fits(parts, row, max_chars):
                break
            parts.append(row)
        shown = len(parts) - rows
        if shown < len(new):
            # make room for the note that says what was left out
            while shown and not _fits(parts, "\n" + _truncation_note(len(new) - shown, max_chars), max_chars):
                parts.pop()
                shown -= 1
            parts += ["", _truncation_note(len(new) - shown, max_chars)]
            if warn is not None:
                warn(f"markdown: {len(new) - shown} of {len(new)} findings left out to fit GitHub's "
                     f"{max_chars}-character comment limit")
    if baseline is not None and baseline.fixed:
        fixed = ["", f"<details><summary>Fixed since the baseline ({len(baseline.fixed)})</summary>", ""]
        fixed += [f"- `{e.rule}` {cell(e.path)}: {cell(e.message)}" for e in baseline.fixed]
        fixed += ["", "</details>"]
        if _fits(parts + fixed, "", max_chars):
            parts += fixed
    text = "\n".join(parts).rstrip("\n") + "\n"
    return text


def _truncation_note(left: int, limit: int) -> str:
    return (f"_…and {_plural(left, 'more finding')} not shown: GitHub comments hold at most {limit} "
            f"characters. The SARIF upload (code scanning) or `dbaudit scan -f json` lists them all._")

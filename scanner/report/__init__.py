"""Reporters: a registry of `render(result) -> str`, one module per format."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from ..findings import Severity
from ..review import Review
from . import github, json_report, markdown, sarif, text_report


class _Registry(dict):
    """The reporters by format. The HTML audit's module (and with it Jinja2, about
    0.2 s to import) is imported on first use: most scans never render HTML."""

    _LAZY = {"html": "html_report"}

    def __missing__(self, fmt: str):
        if fmt not in self._LAZY:
            raise KeyError(fmt)
        from importlib import import_module
        render = import_module(f".{self._LAZY[fmt]}", __name__).render
        self[fmt] = render
        return render

    def __contains__(self, fmt) -> bool:
        return dict.__contains__(self, fmt) or fmt in self._LAZY


REPORTERS: dict[str, Callable] = _Registry({
    "text": text_report.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "github": github.render,
    "markdown": markdown.render,
})

# Formats that can stream to an open file instead of building one string:
# `write(result, fh, **options)`, same text as `render`.
WRITERS: dict[str, Callable] = {
    "json": json_report.write,
    "sarif": sarif.write,
}

# The JSON report is a contract: it lists every finding whatever the view shows.
UNFILTERED = frozenset({"json"})


def shown(result, min_severity: str | None):
    """The result as a report shows it at `--min-severity`: findings below that
    severity leave `findings` for `review.below_severity`, which the summaries count.
    Only a view: --fail-on, the score and the JSON report read every finding."""
    if not min_severity:
        return result
    floor = Severity.parse(min_severity).rank
    kept = [f for f in result.findings if f.severity.rank >= floor]
    below = [f for f in result.findings if f.severity.rank < floor]
    review = result.review if result.review is not None else Review(reported=list(result.findings))
    return replace(result, findings=kept,
                   review=replace(review, below_severity=below, min_severity=min_severity))


def render(fmt: str, result, min_severity: str | None = None, **options) -> str:
    view = result if fmt in UNFILTERED else shown(result, min_severity)
    return REPORTERS[fmt](view, **options)


def write(fmt: str, result, fh, min_severity: str | None = None, **options) -> None:
    """`render` written to the open text file `fh`, streamed where the format can."""
    view = result if fmt in UNFILTERED else shown(result, min_severity)
    writer = WRITERS.get(fmt)
    if writer is None:
        fh.write(REPORTERS[fmt](view, **options))
    else:
        writer(view, fh, **options)

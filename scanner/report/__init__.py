"""Reporters: a registry of `render(result) -> str`, one module per format."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from ..findings import Severity
from ..review import Review


class _Registry(dict):
    """Functions of the reporter modules by format, each module imported on first use:
    a scan renders one or two formats (the HTML audit's module, with Jinja2, takes about
    0.2 s to import; the others together a few hundredths, on every warm scan)."""

    def __init__(self, modules: dict[str, str], attr: str):
        super().__init__()
        self._modules, self._attr = modules, attr

    def __missing__(self, fmt: str):
        if fmt not in self._modules:
            raise KeyError(fmt)
        from importlib import import_module
        function = getattr(import_module(f".{self._modules[fmt]}", __name__), self._attr)
        self[fmt] = function
        return function

    def __contains__(self, fmt) -> bool:
        return fmt in self._modules

    def __iter__(self):
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)

    def get(self, fmt, default=None):
        return self[fmt] if fmt in self._modules else default


_MODULES = {"text": "text_report", "json": "json_report", "sarif": "sarif", "github": "github",
            "markdown": "markdown", "html": "html_report"}
REPORTERS: dict[str, Callable] = _Registry(_MODULES, "render")

# Formats that can stream to an open file instead of building one string:
# `write(result, fh, **options)`, same text as `render`.
WRITERS: dict[str, Callable] = _Registry({f: _MODULES[f] for f in ("json", "sarif")}, "write")

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

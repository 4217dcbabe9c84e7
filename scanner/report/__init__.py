"""Reporters: a registry of `render(result) -> str`, one module per format."""

from __future__ import annotations

from typing import Callable

from . import github, html_report, json_report, markdown, sarif, text_report

REPORTERS: dict[str, Callable] = {
    "text": text_report.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "github": github.render,
    "markdown": markdown.render,
    "html": html_report.render,
}


def render(fmt: str, result, **options) -> str:
    return REPORTERS[fmt](result, **options)

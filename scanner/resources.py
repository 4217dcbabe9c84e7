"""Locate the data folders (queries, templates, config, docs) both in a wheel
and in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`queries`, `templates`, `config` or `docs/rules`.

    A wheel carries them under `scanner/_data/`; an editable or source checkout
    keeps them at the repository root, beside the package."""
    packaged = _PKG / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PKG.parent / name

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
FIXTURES = REPO / "fixtures"


@lru_cache(maxsize=None)
def scan_dir(path: str, select: tuple[str, ...] = (), min_confidence: str | None = None):
    from scanner.config import load_config
    from scanner.engine import scan
    root = Path(path)
    overrides = {"min_confidence": min_confidence} if min_confidence else None
    return scan(root, load_config(root, overrides=overrides), select=list(select))


@pytest.fixture
def repo() -> Path:
    return REPO

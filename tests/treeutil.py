"""Build small project trees on disk for discovery, resolution and CLI tests."""

from __future__ import annotations

from pathlib import Path


def make_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (relative path -> text or bytes) under `root`; return root."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and folder under root with its bytes and mtime (ns): equal
    snapshots mean nothing was written, touched, added or removed."""
    out: dict[str, tuple[bytes, int]] = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        out[p.relative_to(root).as_posix()] = (p.read_bytes() if p.is_file() else b"", st.st_mtime_ns)
    out["."] = (b"", root.stat().st_mtime_ns)
    return out

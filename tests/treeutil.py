"""Build small project trees on disk for discovery, resolution and CLI tests."""

from __future__ import annotations

import os
from pathlib import Path

# chmod does not stop root (CI runs as root): permission tests skip there.
RUNNING_AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

# A module exporting the shared client, and a loop over it: one high
# n-plus-one finding, on line 4 of LOOP_TS (its column is 11).
CLIENT_TS = 'import { PrismaClient } from "@prisma/client"\nexport const prisma = new PrismaClient()\n'
LOOP_TS = ('import { prisma } from "./db"\n'
           "export async function load(ids: string[]) {\n"
           "  for (const id of ids) {\n"
           "    await prisma.user.findFirst({ where: { id } })\n"
           "  }\n"
           "}\n")


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

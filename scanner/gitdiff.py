"""Git plumbing for `scan --diff REF`: the lines changed since the merge base
of REF and HEAD, uncommitted and untracked changes included, as paths
relative to the scanned root. Runs the `git` command; no library."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_OCTAL = re.compile(rb"\\([0-7]{3}|.)")
_C_ESCAPES = {b"n": b"\n", b"t": b"\t", b'"': b'"', b"\\": b"\\", b"a": b"\a", b"b": b"\b",
              b"f": b"\f", b"r": b"\r", b"v": b"\v"}
FETCH_HINT = ("in GitHub Actions check out with `fetch-depth: 0` (actions/checkout), "
              "elsewhere run `git fetch origin <branch>`")


class GitDiffError(ValueError):
    """`--diff` cannot work here; the CLI exits 2 with the message."""


@dataclass(frozen=True)
class ChangedLines:
    """Lines added or modified since `merge_base`, by path relative to the
    scanned root. A path mapped to None changed as a whole (new, untracked)."""
    ref: str
    merge_base: str
    files: dict[str, frozenset[int] | None] = field(default_factory=dict)

    def touches(self, path: str, start: int, end: int) -> bool:
        if path not in self.files:
            return False
        lines = self.files[path]
        return lines is None or any(n in lines for n in range(start, max(start, end) + 1))


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd,
                              capture_output=True, check=False)
    except FileNotFoundError:
        raise GitDiffError("--diff needs git, and no `git` command was found on PATH.") from None


def _out(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout.decode("utf-8", errors="replace").strip()


def repo_root(path: Path) -> Path | None:
    """The work tree's top folder, or None outside a git repository (or
    without git)."""
    base = path if path.is_dir() else path.parent
    try:
        proc = _git(base, "rev-parse", "--show-toplevel")
    except GitDiffError:
        return None
    return Path(_out(proc)).resolve() if proc.returncode == 0 and _out(proc) else None


def changed_lines(root: Path, ref: str) -> ChangedLines:
    base = root if root.is_dir() else root.parent
    if repo_root(base) is None:
        _git(base, "--version")  # raises when git itself is missing
        raise GitDiffError(f"--diff {ref}: {base} is not inside a git repository. "
                           "Run the scan without --diff, or from a git checkout.")
    if ref.startswith("-"):
        raise GitDiffError(f"--diff {ref}: a git ref cannot start with '-'.")
    if _git(base, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode != 0:
        raise GitDiffError(f"--diff {ref}: the repository has no commit yet (HEAD does not exist); "
                           "commit once, or scan without --diff.")
    if _git(base, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise GitDiffError(f"--diff {ref}: unknown git ref '{ref}'. Name an existing branch, tag or "
                           f"commit; a remote branch must be fetched first ({FETCH_HINT}).")
    mb = _git(base, "merge-base", ref, "HEAD")
    if mb.returncode != 0 or not _out(mb):
        raise GitDiffError(f"--diff {ref}: '{ref}' and HEAD have no common ancestor here, often "
                           f"because the clone is shallow; fetch the history ({FETCH_HINT}).")
    merge_base = _out(mb).split()[0]
    diff = _git(base, "diff", "--relative", "--no-color", "--no-ext-diff", "--no-textconv",
                "--find-renames", "--unified=0", "--src-prefix=a/", "--dst-prefix=b/",
                merge_base, "--", ".")
    if diff.returncode != 0:
        raise GitDiffError(f"--diff {ref}: `git diff` failed: "
                           f"{diff.stderr.decode('utf-8', errors='replace').strip()}")
    files: dict[str, frozenset[int] | None] = {
        path: frozenset(lines) for path, lines in parse_unified_diff(diff.stdout).items()}
    untracked = _git(base, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
    for raw in untracked.stdout.split(b"\0"):
        if raw:
            files[raw.decode("utf-8", errors="replace")] = None
    return ChangedLines(ref, merge_base, files)


def _unquote(raw: bytes) -> bytes:
    """Undo git's C-style quoting of unusual path names (`"a\\303\\251.ts"`)."""
    if not (raw.startswith(b'"') and raw.endswith(b'"')):
        return raw

    def sub(m: re.Match) -> bytes:
        tok = m.group(1)
        return bytes([int(tok, 8)]) if len(tok) == 3 else _C_ESCAPES.get(tok, tok)
    return _OCTAL.sub(sub, raw[1:-1])


def parse_unified_diff(patch: bytes) -> dict[str, set[int]]:
    """New-side line numbers of added/modified lines per file of a
    `--unified=0` patch with `b/` destination prefixes. Deleted files and
    pure deletions add no line."""
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    in_header = False  # `+++ ` names a file only in a header, not as an added line
    for line in patch.split(b"\n"):
        if line.startswith(b"diff --git "):
            in_header, current = True, None
        elif in_header and line.startswith(b"+++ "):
            target = _unquote(line[4:].rstrip(b"\r").split(b"\t")[0])
            if target == b"/dev/null" or not target.startswith(b"b/"):
                current = None
                continue
            current = out.setdefault(target[2:].decode("utf-8", errors="replace"), set())
        elif line.startswith(b"@@"):
            in_header = False
            m = _HUNK.match(line) if current is not None else None
            if m:
                start, count = int(m.group(1)), int(m.group(2) or b"1")
                current.update(range(start, start + count))
    return out

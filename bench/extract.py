"""Extract the repositories of bench/corpus.yaml, at their pinned commits, from
the bare git directories the fetch tool brings (`/work/.mirror/<owner>+<name>`)
into FOLDER/<owner>+<name>, ready for bench/corpus.py and bench/scan.py.

    python bench/extract.py MIRRORS FOLDER [--only NAME]

Snapshots may lack their largest blobs (fonts, images): those files are left
out with a note instead of failing the whole tree, as `git archive` would.
A repository whose pinned commit is not in its snapshot is extracted at HEAD,
with a note: the corpus table then names the commit actually scanned.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def git_dir(mirror: Path) -> Path | None:
    for candidate in (mirror / "repo" / ".git", mirror / "repo", mirror):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def git(gd: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", f"--git-dir={gd}", *args], input=data, capture_output=True)


def extract(gd: Path, commit: str, into: Path) -> tuple[str, int, int]:
    """Write the tree of `commit` under `into`; return (commit used, files, files missing)."""
    if git(gd, "cat-file", "-e", f"{commit}^{{commit}}").returncode != 0:
        commit = git(gd, "rev-parse", "HEAD").stdout.decode().strip()
        print(f"  pinned commit absent from the snapshot; using HEAD {commit[:12]}", file=sys.stderr)
    listing = git(gd, "ls-tree", "-r", "-z", commit).stdout.split(b"\0")
    blobs = []
    for row in listing:
        if not row:
            continue
        meta, path = row.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode != b"120000":       # symlinks are left out
            blobs.append((sha.decode(), path.decode("utf-8", "surrogateescape")))
    written = missing = 0
    batch = subprocess.Popen(["git", f"--git-dir={gd}", "cat-file", "--batch"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert batch.stdin and batch.stdout
    for sha, path in blobs:
        batch.stdin.write(sha.encode() + b"\n")
        batch.stdin.flush()
        header = batch.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            missing += 1
            continue
        data = batch.stdout.read(int(header[2]))
        batch.stdout.read(1)
        target = into / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    batch.stdin.close()
    batch.wait()
    return commit, written, missing


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mirrors", type=Path, help="where fetch put the bare repositories")
    ap.add_argument("folder", type=Path, help="where to extract them")
    ap.add_argument("--list", type=Path, default=REPO / "bench" / "corpus.yaml")
    ap.add_argument("--only", action="append", default=[], metavar="NAME")
    args = ap.parse_args(argv)
    entries = yaml.safe_load(args.list.read_text(encoding="utf-8"))["repos"]
    status = 0
    for e in entries:
        if args.only and not any(n.lower() in e["repo"].lower() for n in args.only):
            continue
        name = e["repo"].replace("/", "+")
        gd = git_dir(args.mirrors / name)
        if gd is None:
            print(f"{e['repo']}: not fetched (no {args.mirrors / name})", file=sys.stderr)
            status = 1
            continue
        into = args.folder / name
        if into.exists():
            print(f"{e['repo']}: {into} exists; remove it to extract again", file=sys.stderr)
            continue
        commit, written, missing = extract(gd, str(e["commit"]), into)
        print(f"{e['repo']}: {commit[:12]} {written} files" + (f", {missing} absent from the snapshot" if missing else ""))
    return status


if __name__ == "__main__":
    sys.exit(main())

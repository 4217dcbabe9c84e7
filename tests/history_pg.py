"""A throwaway PostgreSQL cluster for the history tests: `initdb` in a temp
folder and `pg_ctl start` on a free loopback port with its socket in that
folder. initdb refuses to run as root, so under root (CI) the server runs as
the `postgres` system user Debian's package creates (else `nobody`), through
runuser. Started once per test session."""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


def server_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian keeps it off PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        # /tmp, not $TMPDIR: the server user must be able to reach the folder.
        self.dir = Path(tempfile.mkdtemp(prefix="dbaudit-pg-", dir="/tmp" if os.path.isdir("/tmp") else None))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.user = None
        if os.geteuid() == 0:
            self.user = "postgres" if _user_exists("postgres") else "nobody"
            info = pwd.getpwnam(self.user)
            os.chown(self.dir, info.pw_uid, info.pw_gid)
        self.port = 0
        self.url = ""

    def _run(self, *cmd: str) -> None:
        full = ["runuser", "-u", self.user, "--", *cmd] if self.user else list(cmd)
        done = subprocess.run(full, capture_output=True, text=True, timeout=120, cwd=self.dir)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(full)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{log}")

    def start(self) -> "Cluster":
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "dbaudit", "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        for _ in range(3):  # a port taken between probing and binding: try another
            self.port = _free_port()
            opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off")
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                          "-w", "-t", "60", "-o", opts, "start")
                break
            except RuntimeError:
                if "could not bind" not in (self.log.read_text(errors="replace") if self.log.exists() else ""):
                    raise
        self.url = f"postgresql://dbaudit@127.0.0.1:{self.port}"
        atexit.register(self.stop)
        return self

    def new_database(self) -> str:
        """A fresh empty database; its URL."""
        import psycopg
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"{self.url}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{self.url}/{name}"

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run((["runuser", "-u", self.user, "--"] if self.user else []) +
                           [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                           capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


_CLUSTER: Cluster | None = None
_FAILED: str | None = None


def cluster() -> Cluster | None:
    """The session's cluster, started on first use; None when no PostgreSQL
    server binaries are installed (the caller skips, or fails under CI). A
    cluster that would not start fails every test that needs it, once tried."""
    global _CLUSTER, _FAILED
    if _FAILED is not None:
        raise RuntimeError(_FAILED)
    if _CLUSTER is None:
        bindir = server_bin()
        if bindir is None:
            return None
        candidate = Cluster(bindir)
        try:
            _CLUSTER = candidate.start()
        except Exception as e:
            candidate.stop()
            _FAILED = f"the throwaway PostgreSQL cluster did not start: {e}"
            raise
    return _CLUSTER

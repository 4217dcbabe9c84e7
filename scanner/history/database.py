"""Which store (URL resolution), how to connect to it (engines tuned per back
end), and the `Store` handle the commands use.

SQLite is opened in WAL mode with a busy timeout and write transactions start
with `BEGIN IMMEDIATE`, so concurrent savers queue for the write lock instead
of failing with "database is locked" on a read-to-write lock upgrade."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError

from .errors import HistoryError
from .migrations import ensure_schema, needs_migration, stored_version

ENV_URL = "DBAUDIT_HISTORY_URL"
DEFAULT_FILE = Path(".dbaudit") / "history.sqlite"
BUSY_TIMEOUT_MS = 60_000


def resolve_url(option: str | None, config_url: str, root: Path) -> str:
    """The store URL: `--history` > $DBAUDIT_HISTORY_URL > config `history.url` >
    `.dbaudit/history.sqlite` under the scanned root. A relative SQLite path
    from the config file is relative to the root, from a flag or the
    environment to the current directory."""
    if option:
        return normalise_url(option, Path.cwd())
    env = os.environ.get(ENV_URL, "").strip()
    if env:
        return normalise_url(env, Path.cwd())
    if config_url.strip():
        return normalise_url(config_url.strip(), root)
    return sqlite_url(root / DEFAULT_FILE)


def sqlite_url(path: Path) -> str:
    return URL.create("sqlite", database=str(path.absolute())).render_as_string()


def normalise_url(raw: str, base: Path) -> str:
    """A bare file path means SQLite; `postgres://` and `postgresql://` get the
    psycopg (v3) driver, the only PostgreSQL driver dbaudit ships for."""
    raw = raw.strip()
    if "://" not in raw:
        return sqlite_url(base / Path(raw).expanduser())
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        raise HistoryError(f"history URL {raw!r} is not a valid database URL; use "
                           "sqlite:///path/to/history.sqlite or postgresql://user@host/db.") from None
    backend = url.get_backend_name()
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
        backend = "postgresql"
    elif backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise HistoryError(f"history URL {raw!r} names no file; an in-memory history would "
                               "be lost at exit. Use sqlite:///path/to/history.sqlite.")
        path = Path(url.database).expanduser()
        url = url.set(database=str(path if path.is_absolute() else (base / path).absolute()))
    elif backend != "postgresql":
        raise HistoryError(f"history URL {display_url(raw)}: unsupported database "
                           f"'{backend}'; use sqlite:///… or postgresql://….")
    return url.render_as_string(hide_password=False)


def display_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<invalid URL>"


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    return Path(u.database) if u.get_backend_name() == "sqlite" and u.database else None


def create_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "postgresql":
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise HistoryError("a PostgreSQL history needs the psycopg driver: "
                               "pip install 'dbaudit[postgres]'.") from None
        # A bounded wait for an unreachable server: a CI job fails fast instead of hanging.
        return sa.create_engine(u, pool_size=1, max_overflow=1, connect_args={"connect_timeout": 15})
    engine = sa.create_engine(u, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @sa.event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_conn, _record):
        # Take transaction control from the sqlite3 module so BEGIN can be IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _sqlite_begin(conn):
        write = conn.get_execution_options().get("dbaudit_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def transaction(engine: Engine, write: bool) -> Iterator[Connection]:
    """One transaction; a write one holds SQLite's write lock from its start."""
    with engine.connect() as conn:
        if write:
            conn = conn.execution_options(dbaudit_write=True)
        with conn.begin():
            yield conn


def explain_db_error(url: str, err: DBAPIError) -> HistoryError:
    """Turn a driver error into a message that names the store and the fix."""
    text = str(err.orig) if err.orig is not None else str(err)
    path = sqlite_path(url)
    if path is not None:
        lowered = text.lower()
        if "not a database" in lowered or "malformed" in lowered or "file is encrypted" in lowered:
            return HistoryError(
                f"{path} is not a dbaudit history (not a SQLite database, or a corrupt one: {text}). "
                f"Move it aside (mv '{path}' '{path}.broken') and save again to start a new "
                f"history, or choose another file with --history or ${ENV_URL}.")
        if "unable to open" in lowered or "readonly" in lowered or "read-only" in lowered:
            return HistoryError(f"cannot write the history file {path} ({text}); make its folder "
                                f"writable or choose another file with --history or ${ENV_URL}.")
        return HistoryError(f"history file {path}: {text}")
    first = text.strip().splitlines()[0] if text.strip() else type(err.orig).__name__
    return HistoryError(f"history database {display_url(url)}: {first}. Check the URL "
                        f"(--history, ${ENV_URL} or config history.url) and that the server is up.")


class Store:
    """An open history store: `read()` and `write()` hand out one transaction
    each and turn driver errors into HistoryError naming the store."""

    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url)
        path = sqlite_path(url)
        self.where = str(path) if path is not None else display_url(url)
        self.backend = make_url(url).get_backend_name()

    @classmethod
    def open(cls, url: str, create: bool) -> "Store":
        """Open (and create or migrate) a store. With create=False a missing
        SQLite file is an error rather than a new empty file."""
        path = sqlite_path(url)
        if path is not None and not path.exists():
            if not create:
                raise HistoryError(f"no history at {path}: save a scan first with "
                                   "`dbaudit scan PATH --save`, or point --history at a store.")
            _make_folder(path.parent)
        store = cls(url)
        try:
            store._prepare()
        except BaseException:
            store.close()
            raise
        return store

    def _prepare(self) -> None:
        with self.read() as conn:
            version = stored_version(conn, self.where)
        if needs_migration(version, self.where):
            with self.write() as conn:
                ensure_schema(conn, self.where)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._errors(), transaction(self.engine, write=False) as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self._errors(), transaction(self.engine, write=True) as conn:
            yield conn

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except IntegrityError:
            raise  # a lost race on a unique key: the writer retries
        except DBAPIError as e:
            raise explain_db_error(self.url, e) from None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def _make_folder(folder: Path) -> None:
    """Create the store's folder; `.dbaudit/` gets a `.gitignore` (unless it
    has one) so the history and its WAL files never show up as changes in the
    scanned repo."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if folder.name == ".dbaudit" and not ignore.exists():
            ignore.write_text("# dbaudit's local files (scan history)\n*\n", encoding="utf-8")
    except OSError as e:
        raise HistoryError(f"cannot create the history folder {folder} ({e.strerror}); choose "
                           f"another store with --history or ${ENV_URL}.") from None

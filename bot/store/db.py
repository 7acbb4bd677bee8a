"""Database engines, sessions and migrations.

An engine is created for a URL by whoever owns it (a `bot.store.Store`) and lives as long as
its owner; nothing is cached here. SQLite gets WAL and a busy timeout so the bot, the action
server and the staff console can share one file, and write transactions start with BEGIN
IMMEDIATE so that two simultaneous writers queue up instead of one failing with a stale snapshot.
`python -m bot.store.db upgrade` migrates the configured database to the latest schema.
"""
from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ContextManager, Dict, Iterator, List, Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = MIGRATIONS_DIR / "alembic.ini"
# Our own version table, so we never collide with anything else sharing a PostgreSQL database.
VERSION_TABLE = "iop_alembic_version"


def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # Hand transaction control to SQLAlchemy's "begin" event (pysqlite's own is unreliable).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout = 5000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("sqlite_immediate", True) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def new_engine(url: str) -> Engine:
    """An engine (a connection pool) for `url`; the caller owns it and disposes of it."""
    kwargs: Dict[str, Any] = {"future": True, "hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 5}
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql"):
        kwargs["connect_args"] = {"connect_timeout": 5}
    kwargs["pool_pre_ping"] = True
    return create_engine(url, **kwargs)


@contextmanager
def session_scope(maker: sessionmaker, bind: Optional[Engine] = None) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any exception."""
    session: Session = maker() if bind is None else maker(bind=bind)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


class Sessions:
    """Transactions on one engine: `sessions()` to write, `sessions(write=False)` to read.

    Objects stay readable after commit (callers get plain copies anyway). Reads on SQLite start
    DEFERRED so they run alongside a writer instead of queueing behind it.
    """

    def __init__(self, engine: Engine) -> None:
        self._maker = sessionmaker(bind=engine, future=True, expire_on_commit=False)
        self._reader = engine.execution_options(sqlite_immediate=False)

    def __call__(self, *, write: bool = True) -> ContextManager[Session]:
        return session_scope(self._maker, None if write else self._reader)


@contextmanager
def _connection(url: str) -> Iterator[Connection]:
    """One transaction on a short-lived engine: migrations run once, from a command or a test."""
    engine = new_engine(url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` to `revision` (default: the latest)."""
    from alembic import command

    with _connection(url) as connection:
        command.upgrade(_alembic_config(connection), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Migrate the database at `url` back to `revision` (default: drop everything of ours)."""
    from alembic import command

    with _connection(url) as connection:
        command.downgrade(_alembic_config(connection), revision)


def current_revision(url: str) -> Optional[str]:
    """The revision the database is at, or None before the first migration."""
    from alembic.runtime.migration import MigrationContext

    with _connection(url) as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def redacted(url: str) -> str:
    """The URL without its password, fit for a log line or a repr."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: Optional[List[str]] = None) -> int:
    """Command line: `python -m bot.store.db upgrade|downgrade|current`."""
    parser = argparse.ArgumentParser(prog="python -m bot.store.db", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("upgrade", "downgrade", "current"))
    parser.add_argument("revision", nargs="?", help="target revision (upgrade: head, downgrade: base)")
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or SQLite under var/)")
    args = parser.parse_args(argv)
    if args.url:
        url = args.url
    else:
        from bot.settings import database_url

        url = database_url()
    if args.command == "upgrade":
        upgrade(url, args.revision or "head")
    elif args.command == "downgrade":
        downgrade(url, args.revision or "base")
    print(f"{redacted(url)}: at revision {current_revision(url) or '(none)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

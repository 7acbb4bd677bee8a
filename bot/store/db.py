"""Database engines, sessions and migrations.

Engines are created lazily and cached per URL. SQLite gets WAL and a busy timeout so the bot,
the action server and the staff console can share one file, and write transactions start with
BEGIN IMMEDIATE so that two simultaneous writers queue up instead of one failing with a stale
snapshot. `python -m bot.store.db upgrade` migrates the configured database to the latest schema.
"""
from __future__ import annotations

import argparse
import logging
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = MIGRATIONS_DIR / "alembic.ini"
# Our own version table, so we never collide with anything else sharing a PostgreSQL database.
VERSION_TABLE = "iop_alembic_version"

_engines: Dict[str, Engine] = {}
_sessionmakers: Dict[str, sessionmaker] = {}
_lock = threading.Lock()


def _resolve(url: Optional[str]) -> str:
    return url or settings.database_url()


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


def _create(url: str) -> Engine:
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


def get_engine(url: Optional[str] = None) -> Engine:
    """The engine for `url` (default: settings.database_url()), created once per URL."""
    resolved = _resolve(url)
    with _lock:
        engine = _engines.get(resolved)
        if engine is None:
            engine = _engines[resolved] = _create(resolved)
        return engine


def dispose_engine(url: Optional[str] = None) -> None:
    """Close the pooled connections of one URL's engine and forget it (tests, shutdown)."""
    resolved = _resolve(url)
    with _lock:
        engine = _engines.pop(resolved, None)
        _sessionmakers.pop(resolved, None)
    if engine is not None:
        engine.dispose()


def _sessionmaker(url: Optional[str]) -> sessionmaker:
    resolved = _resolve(url)
    engine = get_engine(resolved)
    with _lock:
        maker = _sessionmakers.get(resolved)
        if maker is None:
            maker = _sessionmakers[resolved] = sessionmaker(
                bind=engine, future=True, expire_on_commit=False
            )
        return maker


@contextmanager
def session_scope(url: Optional[str] = None, *, write: bool = True) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any exception.

    `write=False` lets SQLite readers run alongside a writer instead of queueing behind it.
    """
    maker = _sessionmaker(url)
    if write:
        session: Session = maker()
    else:
        session = maker(bind=get_engine(url).execution_options(sqlite_immediate=False))
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(url: Optional[str] = None, revision: str = "head") -> None:
    """Migrate the database at `url` to `revision` (default: the latest)."""
    from alembic import command

    engine = get_engine(url)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)


def downgrade(url: Optional[str] = None, revision: str = "base") -> None:
    """Migrate the database at `url` back to `revision` (default: drop everything of ours)."""
    from alembic import command

    engine = get_engine(url)
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), revision)


def current_revision(url: Optional[str] = None) -> Optional[str]:
    """The revision the database is at, or None before the first migration."""
    from alembic.runtime.migration import MigrationContext

    with get_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: Optional[List[str]] = None) -> int:
    """Command line: `python -m bot.store.db upgrade|downgrade|current`."""
    parser = argparse.ArgumentParser(prog="python -m bot.store.db", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("upgrade", "downgrade", "current"))
    parser.add_argument("revision", nargs="?", help="target revision (upgrade: head, downgrade: base)")
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or SQLite under var/)")
    args = parser.parse_args(argv)
    url = _resolve(args.url)
    if args.command == "upgrade":
        upgrade(url, args.revision or "head")
    elif args.command == "downgrade":
        downgrade(url, args.revision or "base")
    print(f"{_redacted(url)}: at revision {current_revision(url) or '(none)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

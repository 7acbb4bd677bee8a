"""Alembic environment: runs our migrations on the connection bot.store.db hands over.

Works on SQLite and PostgreSQL; SQLite uses batch mode so later column changes can be written
once for both. Logging is left alone: the caller's configuration must not be replaced.
"""
from __future__ import annotations

from alembic import context

from bot.store.db import VERSION_TABLE, new_engine
from bot.store.models import Base


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Use the caller's connection if given, else the configured database."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        from bot.settings import database_url

        url = database_url()
    engine = new_engine(url)
    try:
        with engine.begin() as own:
            _run(own)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; use python -m bot.store.db upgrade")
run_migrations_online()

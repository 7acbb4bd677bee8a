"""bot.store.db: migrations, SQLite settings, and SQL errors without personal data."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from bot.store import Store
from bot.store.db import current_revision, downgrade, upgrade
from bot.store.models import Base

# --- migrations ----------------------------------------------------------------------------


def test_migrations_match_models(any_db_url: str, any_store: Store) -> None:
    assert current_revision(any_db_url) == "0005_sms_inbox"
    with any_store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if "iop_alembic_version" not in str(d)]
    assert diffs == []


def test_migrations_go_down_and_up_again(any_db_url: str) -> None:
    downgrade(any_db_url, "base")
    assert current_revision(any_db_url) is None
    upgrade(any_db_url)
    upgrade(any_db_url)  # already at head: nothing to do
    assert current_revision(any_db_url) == "0005_sms_inbox"


def test_module_command_upgrades(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from bot.store.db import main

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert main(["upgrade", "--url", url]) == 0
    assert "0005_sms_inbox" in capsys.readouterr().out


# --- engines -------------------------------------------------------------------------------


def test_sqlite_uses_wal_and_busy_timeout(store: Store) -> None:
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_sql_errors_do_not_carry_personal_data(store: Store) -> None:
    with pytest.raises(Exception) as info:
        with store.session() as session:
            session.execute(text("INSERT INTO nowhere VALUES (:p)"), {"p": "+14105550142"})
    assert "4105550142" not in str(info.value)

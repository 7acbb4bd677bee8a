"""The Store and its database: migrations, SQLite settings, engines, failures that must stay kind."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from bot.store import StorageUnavailable, Store, configured_store
from bot.store.callbacks import CallbackData
from bot.store.db import current_revision, downgrade, upgrade
from bot.store.models import Base
from bot.website.console.pages import request_path

# --- migrations ----------------------------------------------------------------------------


def test_migrations_match_models(any_db_url: str, any_store: Store) -> None:
    assert current_revision(any_db_url) == "0001_initial"
    with any_store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if "iop_alembic_version" not in str(d)]
    assert diffs == []


def test_migrations_go_down_and_up_again(any_db_url: str) -> None:
    downgrade(any_db_url, "base")
    assert current_revision(any_db_url) is None
    upgrade(any_db_url)
    upgrade(any_db_url)  # already at head: nothing to do
    assert current_revision(any_db_url) == "0001_initial"


def test_module_command_upgrades(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from bot.store.db import main

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert main(["upgrade", "--url", url]) == 0
    assert "0001_initial" in capsys.readouterr().out


# --- engines -------------------------------------------------------------------------------


def test_sqlite_uses_wal_and_busy_timeout(store: Store) -> None:
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_each_store_holds_its_own_engine(db_url: str, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    with Store(db_url) as first, Store(db_url) as second, Store(other) as third:
        with first.session() as writing:
            assert writing.get_bind() is first.engine
        with first.session(write=False) as reading:
            assert reading.get_bind().pool is first.engine.pool  # reads share the pool
        assert second.engine is not first.engine
        assert third.engine is not first.engine


def test_configured_store_follows_database_url(database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = configured_store()
    assert shared.url == database and configured_store() is shared
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    upgrade(other)
    monkeypatch.setenv("DATABASE_URL", other)
    assert configured_store() is not shared and configured_store().url == other


def test_store_repr_hides_the_password() -> None:
    with Store("postgresql://iop:secret@127.0.0.1:1/iop") as store:
        assert "secret" not in repr(store) and "127.0.0.1" in repr(store)


# --- a database that is not there ----------------------------------------------------------

# an unreachable database URL
DEAD_URLS = [
    "sqlite:////nonexistent-dir/never/db.sqlite",
    "postgresql://nobody:secret@127.0.0.1:1/none",
]


@pytest.mark.parametrize("url", DEAD_URLS)
def test_dead_database_raises_storage_unavailable(url: str, sample_data: CallbackData) -> None:
    with Store(url) as store:
        with pytest.raises(StorageUnavailable) as info:
            store.callbacks.create("conv-1", sample_data, "soon", console_path=request_path)
        assert "secret" not in str(info.value) and "4105550142" not in str(info.value)
        with pytest.raises(StorageUnavailable):
            store.callbacks.list()
        with pytest.raises(StorageUnavailable):
            store.opt_outs.is_opted_out("+14105550142")


def test_unmigrated_database_raises_storage_unavailable(tmp_path: Path, sample_data: CallbackData) -> None:
    with Store(f"sqlite:///{tmp_path / 'empty.sqlite'}") as store:
        with pytest.raises(StorageUnavailable) as info:
            store.callbacks.create("conv-1", sample_data, "soon", console_path=request_path)
        assert "4105550142" not in repr(info.value.__cause__)


def test_sql_errors_do_not_carry_personal_data(store: Store) -> None:
    with pytest.raises(Exception) as info:
        with store.session() as session:
            session.execute(text("INSERT INTO nowhere VALUES (:p)"), {"p": "+14105550142"})
    assert "4105550142" not in str(info.value)

"""bot.store: the Store (its own engine, a repr without the password), the shared configured_store,
and StorageUnavailable for any failure of a database that is not there."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.store import StorageUnavailable, Store, configured_store
from bot.store.callbacks import CallbackData
from bot.store.db import upgrade
from bot.website.console.pages import request_path

# --- one engine per Store ------------------------------------------------------------------


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

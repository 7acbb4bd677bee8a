"""Rasa's tracker store follows DATABASE_URL: conversations survive restarts on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_server.tracker_store import UrlSQLTrackerStore


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_tracker_round_trip(backend: str, tmp_path, monkeypatch, request) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.sqlite'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    domain = Domain.load("domain.yml")
    store = UrlSQLTrackerStore(domain)
    tracker = DialogueStateTracker.from_events(
        "conv-roundtrip", [UserUttered("hello"), SlotSet("screen_for", "self")], slots=domain.slots
    )
    try:
        await store.save(tracker)
        reopened = UrlSQLTrackerStore(domain)  # a restarted server
        loaded = await reopened.retrieve("conv-roundtrip")
        assert loaded is not None and loaded.get_slot("screen_for") == "self"
        assert str(reopened.engine.url).startswith(url.split(":")[0])
    finally:
        # the shared test server is also used by the migration tests, which expect only our tables
        UrlSQLTrackerStore.Base.metadata.drop_all(store.engine)


async def test_the_first_turn_after_a_database_restart_works(tmp_path, monkeypatch) -> None:
    """Rasa's own pool would hand out a dead connection once after PostgreSQL restarts."""
    from tests.support.stack import new_postgres

    server = new_postgres()
    try:
        monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
        monkeypatch.setenv("DATABASE_URL", server.url)
        domain = Domain.load("domain.yml")
        store = UrlSQLTrackerStore(domain)
        await store.save(DialogueStateTracker.from_events("conv-restart", [UserUttered("hello")], slots=domain.slots))
        assert await store.retrieve("conv-restart") is not None  # a pooled connection now exists
        server.stop()
        server.start()
        loaded = await store.retrieve("conv-restart")
        assert loaded is not None and loaded.latest_message.text == "hello"
        store.engine.dispose()
    finally:
        server.remove()

"""Rasa's tracker store follows DATABASE_URL: conversations survive restarts on SQLite and PostgreSQL, and our
leaner reads and writes keep Rasa's own rows and results."""
from __future__ import annotations

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from sqlalchemy.engine.url import make_url

from bot.rasa_server.tracker_store import UrlSQLTrackerStore, sql_store_fields


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_tracker_round_trip(backend: str, tmp_path, monkeypatch, request) -> None:
    url = f"sqlite:///{tmp_path / 'iop.sqlite'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr("bot.settings.VAR_DIR", tmp_path)  # SQLite conversations: a file beside ours
    domain = Domain.load("domain.yml")
    store = UrlSQLTrackerStore(domain)
    if backend == "sqlite":
        assert store.engine.url.database == str(tmp_path / "tracker.sqlite")
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


def _turns(n: int, start: float) -> list:
    """n turns of a conversation: the user's message, a slot, the bot's answer, listening again."""
    events = []
    for i in range(n):
        t = start + 10 * i
        events += [
            UserUttered(f"message {i}", {"name": "faq", "confidence": 0.9}, timestamp=t),
            SlotSet("screen_for", "self" if i % 2 else "loved_one", timestamp=t + 1),
            BotUttered(f"answer {i}", timestamp=t + 2),
            ActionExecuted(ACTION_LISTEN_NAME, timestamp=t + 3),
        ]
    return events


def _session(start: float) -> list:
    return [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=start), SessionStarted(timestamp=start + 0.5),
            ActionExecuted(ACTION_LISTEN_NAME, timestamp=start + 1)]


# (what happens, the events added before the next save)
STEPS = [
    ("a first turn", [*_session(100), *_turns(1, 110)]),
    ("three more turns in one save", _turns(3, 200)),
    ("a save that adds nothing", []),
    ("a new session", [*_session(1000), *_turns(2, 1010)]),
    ("a turn in the new session", _turns(1, 1100)),
]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_reads_and_writes_what_rasa_s_own_store_does(backend: str, tmp_path, monkeypatch, request) -> None:
    """Our leaner queries against Rasa's SQLTrackerStore on the same table: after every save the rows
    are the same as Rasa's save writes, and both read back the same latest session and the full history."""
    url = f"sqlite:///{tmp_path / 'tracker.sqlite'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    domain = Domain.load("domain.yml")
    ours = UrlSQLTrackerStore(domain)
    assert ours.engine.url.database == make_url(url).database  # never the conversations under var/
    rasa = SQLTrackerStore(domain, **sql_store_fields(url))
    columns = ("type_name", "timestamp", "intent_name", "action_name", "data")

    def rows(sender: str) -> list:
        with ours.session_scope() as session:
            query = session.query(*(getattr(SQLTrackerStore.SQLEvent, c) for c in columns))
            return [tuple(r) for r in query.filter_by(sender_id=sender).order_by(SQLTrackerStore.SQLEvent.id)]

    try:
        trackers = {"ours": DialogueStateTracker("conv-ours", domain.slots),
                    "rasa": DialogueStateTracker("conv-rasa", domain.slots)}
        for name, added in STEPS:
            for who, store in (("ours", ours), ("rasa", rasa)):
                tracker = await store.retrieve(trackers[who].sender_id) or trackers[who]
                for event in added:
                    tracker.update(event)
                await store.save(tracker)
            assert rows("conv-ours") == rows("conv-rasa"), name
            for read in ("retrieve", "retrieve_full_tracker"):
                mine = await getattr(ours, read)("conv-ours")
                theirs = await getattr(rasa, read)("conv-ours")
                assert list(mine.events) == list(theirs.events), (name, read)
                assert mine.current_slot_values() == theirs.current_slot_values(), (name, read)
        latest = await ours.retrieve("conv-ours")
        assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["message 0", "message 1", "message 0"]
        assert await ours.retrieve("conv-nobody") is None
    finally:
        UrlSQLTrackerStore.Base.metadata.drop_all(ours.engine)

"""bot.tools.bench.stores: conversations split into turns and replayed through a real tracker store."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain

from bot.tools.bench.stores import replay, turns_of

EVENTS = [
    {"event": "action", "name": "action_session_start"}, {"event": "session_started"},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1.0}}},
    {"event": "action", "name": "utter_greet"}, {"event": "bot", "text": "Hello"},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "what is iop", "parse_data": {"intent": {"name": "faq", "confidence": 1.0}}},
    {"event": "slot", "name": "screen_for", "value": "self"}, {"event": "action", "name": "action_listen"},
]


def test_a_turn_begins_at_each_user_message() -> None:
    turns = turns_of(EVENTS)
    assert [len(t) for t in turns] == [3, 4, 3]
    assert [t[0]["event"] for t in turns[1:]] == ["user", "user"]
    assert turns_of([]) == [[]]


async def test_replay_stores_every_event_of_every_conversation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.rasa_server.tracker_store import UrlSQLTrackerStore

    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    domain = Domain.load("domain.yml")
    store = UrlSQLTrackerStore(domain)
    figures = await replay(store, domain, turns_of(EVENTS), conversations=2)
    assert figures["wall_ms_p50"] > 0 and figures["cpu_ms_mean"] > 0
    senders = list(await store.keys())
    assert len(senders) == 2
    for sender in senders:
        tracker = await store.retrieve_full_tracker(sender)
        assert [e.as_dict()["event"] for e in tracker.events] == [e["event"] for e in EVENTS]
        assert tracker.get_slot("screen_for") == "self"

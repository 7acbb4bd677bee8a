"""Retention on a simulated clock, on SQLite and on a real PostgreSQL server: conversations (Rasa's
own tracker store writes them) and closed requests past their period are gone, the rest stays."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Iterator, List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.store import Store
from bot.store.models import utcnow
from bot.store.retention import Policy, purge, run_on_schedule, tracker_engine

DAY = dt.timedelta(days=1)
DOMAIN = Domain.from_dict({"slots": {"first_name": {"type": "text", "mappings": [{"type": "custom"}]}}})


@pytest.fixture
def trackers(any_db_url: str) -> Iterator[SQLTrackerStore]:
    """Rasa's SQL tracker store on the same database (as deployed on PostgreSQL)."""
    url = make_url(any_db_url)
    store = SQLTrackerStore(domain=DOMAIN, dialect=url.drivername, host=url.host, port=url.port,
                            db=url.database or "", username=url.username, password=url.password)
    yield store
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS events"))
    store.engine.dispose()


def _save(trackers: SQLTrackerStore, sender: str, when: dt.datetime) -> None:
    ts = when.timestamp()
    events = [UserUttered("my name is Ann and my son uses heroin", timestamp=ts),
              SlotSet("first_name", "Ann", timestamp=ts + 1)]
    asyncio.run(trackers.save(DialogueStateTracker.from_events(sender, events, slots=DOMAIN.slots)))


def _senders(trackers: SQLTrackerStore) -> List[str]:
    with trackers.engine.connect() as connection:
        return sorted(row[0] for row in connection.execute(text("SELECT DISTINCT sender_id FROM events")))


def test_conversations_past_the_period_are_deleted(any_store: Store, trackers: SQLTrackerStore, any_db_url: str) -> None:
    now = utcnow()
    _save(trackers, "old", now - 31 * DAY)
    _save(trackers, "recent", now - 29 * DAY)
    engine = tracker_engine(any_db_url)
    result = purge(any_store, engine, Policy(tracker_days=30, closed_request_days=365), now)
    assert result.tracker_events == 2
    assert _senders(trackers) == ["recent"]
    assert purge(any_store, engine, Policy(tracker_days=30, closed_request_days=365), now + 2 * DAY).tracker_events == 2
    assert _senders(trackers) == []
    engine.dispose()


def test_closed_requests_past_the_period_are_deleted_open_ones_stay(any_store: Store, sample_data, trackers,
                                                                     any_db_url: str) -> None:
    for conversation in ("done-1", "done-2", "open"):
        any_store.callbacks.create(conversation, sample_data, "today", console_path=lambda ref: ref)
    refs = {r.conversation_id: r.ref for r in any_store.callbacks.list()}
    any_store.callbacks.complete(refs["done-1"], "sam", "reached")
    any_store.callbacks.complete(refs["done-2"], "sam", None)
    engine = tracker_engine(any_db_url)
    policy = Policy(tracker_days=30, closed_request_days=365)
    kept = purge(any_store, engine, policy, utcnow() + 364 * DAY)
    assert kept.closed_requests == 0 and len(any_store.callbacks.list()) == 3
    gone = purge(any_store, engine, policy, utcnow() + 366 * DAY)
    assert gone.closed_requests == 2
    assert [r.conversation_id for r in any_store.callbacks.list()] == ["open"]
    assert any_store.callbacks.get(refs["done-1"]) is None
    engine.dispose()


def test_nothing_to_do_without_a_tracker_table(store: Store, db_url: str) -> None:
    engine = tracker_engine(db_url)
    assert purge(store, engine, Policy(30, 365)).tracker_events == 0
    engine.dispose()


def test_the_policy_is_the_programs() -> None:
    from bot.settings import program

    assert Policy.from_settings() == Policy(program().conversation_days, program().closed_request_days)
    assert (program().conversation_days, program().closed_request_days) == (30, 365)


async def test_the_schedule_runs_at_once_and_stops(store: Store, db_url: str) -> None:
    runs: List[dt.datetime] = []
    stop = asyncio.Event()

    def clock() -> dt.datetime:
        runs.append(utcnow())
        stop.set()  # one run, then the worker is asked to stop
        return utcnow()

    engine = tracker_engine(db_url)
    await asyncio.wait_for(run_on_schedule(store, stop, policy=Policy(30, 365), engine=engine, now=clock), timeout=10)
    engine.dispose()
    assert len(runs) == 1

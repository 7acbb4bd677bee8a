"""Rasa tracker store on the same database choice as the rest of the app (DATABASE_URL or SQLite).

Rasa's SQL tracker store takes dialect/host/db fields; we derive them from one URL so that switching
to PostgreSQL is a single environment variable, and conversations survive a restart.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
from typing import Any, Dict, Optional, Text

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine.url import make_url

from bot.settings import tracker_database_url

logger = logging.getLogger(__name__)
PING_TIMEOUT_SECONDS = 3.0


def sql_store_fields(url: str) -> Dict[str, Any]:
    """Rasa's SQLTrackerStore arguments (dialect, host, port, db, ...) for one database URL."""
    parsed = make_url(url)
    return {"dialect": parsed.drivername, "host": parsed.host, "port": parsed.port, "db": parsed.database or "",
            "username": parsed.username, "password": parsed.password, "query": dict(parsed.query) or None}


class UrlSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore configured from TRACKER_DATABASE_URL / DATABASE_URL (see bot.settings)."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[str] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            domain=domain,
            event_broker=event_broker,
            **sql_store_fields(tracker_database_url()),
            **kwargs,
        )
        # Rasa builds its pool without pre-ping: after the database restarts, the first turn of each
        # pooled connection would fail on a dead socket. A pinged pool replaces it, same settings.
        built = self.engine
        self.engine = sa.create_engine(built.url, pool_pre_ping=True, **create_engine_kwargs(built.url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        built.dispose()

    # Reading and writing a turn: Rasa's queries and rows, without building an ORM object per event.
    # Rasa's own code loads every column of every event of the session into an object only to read
    # `data`, counts the stored events through a subquery of all columns, and adds new events one ORM
    # object at a time; at 220 events that was most of the store's time per turn.

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """Rasa's `_retrieve`: the same query and order, selecting only the serialised events."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            rows = query.with_entities(self.SQLEvent.data).all()
        if not self.domain or not rows:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(data) for (data,) in rows], self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's `save`: the events not stored yet, as the same rows, in one statement."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            stored = (
                self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False)
                .order_by(None)
                .with_entities(sa.func.count(self.SQLEvent.id))
                .scalar()
            )
            rows = [self._row(tracker.sender_id, event.type_name, event.as_dict())
                    for event in itertools.islice(tracker.events, stored, None)]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()

    @staticmethod
    def _row(sender_id: Text, type_name: Text, data: Dict[Text, Any]) -> Dict[Text, Any]:
        """The columns Rasa's `save` fills for one event."""
        return {
            "sender_id": sender_id,
            "type_name": type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }


def _ping(engine: Any) -> None:
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")


async def conversation_store_available(app: Any) -> bool:
    """Whether the conversation database answers right now.

    Rasa wraps tracker stores in a fail-safe that, on a database error, quietly starts a blank
    conversation in memory; the person would get answers with their context lost. Channels call
    this first and say plainly that something is wrong instead.
    """
    store = getattr(getattr(getattr(app, "ctx", None), "agent", None), "tracker_store", None)
    if isinstance(store, FailSafeTrackerStore):
        store = store._tracker_store
    engine = getattr(store, "engine", None)
    if engine is None:
        return True
    try:
        await asyncio.wait_for(asyncio.to_thread(_ping, engine), timeout=PING_TIMEOUT_SECONDS)
        return True
    except Exception as exc:
        logger.error("conversation store ping failed: %s", type(exc).__name__)
        return False

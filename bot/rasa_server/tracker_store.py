"""Rasa tracker store on the same database choice as the rest of the app (DATABASE_URL or SQLite).

Rasa's SQL tracker store takes dialect/host/db fields; we derive them from one URL so that switching
to PostgreSQL is a single environment variable, and conversations survive a restart.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from sqlalchemy.engine.url import make_url

from bot.settings import tracker_database_url

logger = logging.getLogger(__name__)
PING_TIMEOUT_SECONDS = 3.0


class UrlSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore configured from TRACKER_DATABASE_URL / DATABASE_URL (see bot.settings)."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[str] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        url = make_url(tracker_database_url())
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database or "",
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query) or None,
            **kwargs,
        )
        # Rasa builds its pool without pre-ping: after the database restarts, the first turn of each
        # pooled connection would fail on a dead socket. A pinged pool replaces it, same settings.
        built = self.engine
        self.engine = sa.create_engine(built.url, pool_pre_ping=True, **create_engine_kwargs(built.url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        built.dispose()


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

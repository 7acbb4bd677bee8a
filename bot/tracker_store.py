"""Rasa tracker store on the same database choice as the rest of the app (DATABASE_URL or SQLite).

Rasa's SQL tracker store takes dialect/host/db fields; we derive them from one URL so that switching
to PostgreSQL is a single environment variable, and conversations survive a restart.
"""
from __future__ import annotations

from typing import Any, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy.engine.url import make_url

from bot.settings import tracker_database_url


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

"""Deleting what people told us once it is no longer needed, on a schedule.

The periods are the program's (content/program.yml `retention`, quoted by the privacy notices).
Conversations (Rasa's tracker events) are kept `conversation_days` (default 30): every event older
than that is deleted, so no turn of any conversation outlives the period. Callback requests are
kept while open; once done, `closed_request_days` (default 365). Delivered staff
notifications (a reference and an outcome, never a name or number) and the MessageSids of answered
texts (their number and text are cleared as soon as the reply is out) go with the conversations.

Kept on purpose: open requests (staff still owe the call), SMS opt-outs (a STOP must be honoured
for as long as we can send) and the staff audit log (who saw what must outlive what was seen).

`make purge` runs it once; the website runs it every RETENTION_INTERVAL_HOURS (default 6).
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

from sqlalchemy import delete, inspect, text
from sqlalchemy.engine import Engine

from bot.settings import env, program
from bot.store import Store
from bot.store.errors import guard
from bot.store.models import STATUS_DONE, CallbackRequest, OutboxMessage, utcnow

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_HOURS = 6.0
TRACKER_EVENTS_TABLE = "events"  # Rasa's SQLTrackerStore


@dataclass(frozen=True)
class Policy:
    """How long each kind of record is kept, in days."""

    tracker_days: int
    closed_request_days: int

    @classmethod
    def from_settings(cls) -> "Policy":
        """The program's periods (content/program.yml `retention`), the ones its notices quote."""
        prog = program()
        return cls(tracker_days=prog.conversation_days, closed_request_days=prog.closed_request_days)


@dataclass(frozen=True)
class Purged:
    """How many rows one run deleted (counts only: nothing about their content)."""

    tracker_events: int
    closed_requests: int
    notifications: int
    texts: int = 0


@guard
def purge_requests(store: Store, policy: Policy, now: dt.datetime) -> Tuple[int, int]:
    """Delete closed requests and delivered notifications past their periods: (requests, notifications)."""
    closed_before = now - dt.timedelta(days=policy.closed_request_days)
    delivered_before = now - dt.timedelta(days=policy.tracker_days)
    with store.session() as session:
        requests = session.execute(
            delete(CallbackRequest).where(CallbackRequest.status == STATUS_DONE, CallbackRequest.done_at < closed_before)
        ).rowcount
        notifications = session.execute(
            delete(OutboxMessage).where(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.created_at < delivered_before)
        ).rowcount
    return requests, notifications


@guard
def purge_tracker_events(engine: Engine, policy: Policy, now: dt.datetime) -> int:
    """Delete every conversation event older than the tracker period (none if Rasa made no table yet)."""
    if not inspect(engine).has_table(TRACKER_EVENTS_TABLE):
        return 0
    cutoff = (now - dt.timedelta(days=policy.tracker_days)).timestamp()
    with engine.begin() as connection:
        result = connection.execute(text(f"DELETE FROM {TRACKER_EVENTS_TABLE} WHERE timestamp < :cutoff"), {"cutoff": cutoff})
        return int(result.rowcount or 0)


def purge(store: Store, tracker_engine: Engine, policy: Policy, now: Optional[dt.datetime] = None) -> Purged:
    """One retention run over both databases."""
    now = now or utcnow()
    requests, notifications = purge_requests(store, policy, now)
    texts = store.sms_inbox.purge(now - dt.timedelta(days=policy.tracker_days))
    events = purge_tracker_events(tracker_engine, policy, now)
    result = Purged(tracker_events=events, closed_requests=requests, notifications=notifications, texts=texts)
    log.info(
        "retention: deleted %d conversation events, %d closed requests, %d notifications, %d answered texts",
        result.tracker_events, result.closed_requests, result.notifications, result.texts,
    )
    return result


def tracker_engine(url: Optional[str] = None) -> Engine:
    """An engine on the conversation database (TRACKER_DATABASE_URL / DATABASE_URL), made like ours:
    SQLite waits for Rasa's writes instead of failing, and no statement's parameters reach an error."""
    from bot.settings import tracker_database_url
    from bot.store.db import new_engine

    return new_engine(url or tracker_database_url())


async def run_on_schedule(
    store: Store,
    stop: asyncio.Event,
    *,
    policy: Policy,
    engine: Engine,
    interval_hours: float = DEFAULT_INTERVAL_HOURS,
    now: Callable[[], dt.datetime] = utcnow,
) -> None:
    """Purge at start and then every `interval_hours` until `stop` is set; a failed run is retried next time."""
    while not stop.is_set():
        try:
            await asyncio.to_thread(purge, store, engine, policy, now())
        except Exception as exc:  # noqa: BLE001 - the website must keep serving
            log.error("retention run failed: %s", type(exc).__name__)
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval_hours * 3600)
        except asyncio.TimeoutError:
            pass


def interval_hours() -> float:
    return float(env("RETENTION_INTERVAL_HOURS", str(DEFAULT_INTERVAL_HOURS)) or DEFAULT_INTERVAL_HOURS)


def main(argv: Optional[List[str]] = None) -> int:
    """`make purge`: one run against the configured databases."""
    from bot.logs import configure_logging

    argparse.ArgumentParser(description="Delete conversations and closed requests past their retention period.").parse_args(argv)
    configure_logging(logging.INFO)
    policy = Policy.from_settings()
    engine = tracker_engine()
    with Store.from_settings() as store:
        result = purge(store, engine, policy)
    engine.dispose()
    print(
        f"Deleted {result.tracker_events} conversation events older than {policy.tracker_days} days, "
        f"{result.closed_requests} requests closed more than {policy.closed_request_days} days ago, "
        f"{result.notifications} delivered notifications."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

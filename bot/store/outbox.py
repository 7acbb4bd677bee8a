"""The staff notification outbox: rows written with the event they announce, delivered later.

A message is enqueued in the same transaction as its callback request, so a notification exists
for every request whatever happens next. The deliverer (bot.website.notify) claims due rows with
a lease, so concurrent workers never send one twice, and records each outcome here; when to retry
is its decision, passed in as `retry_at`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Collection, List

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.store.errors import guard
from bot.store.models import OutboxMessage

if TYPE_CHECKING:  # see bot.store: db is imported when a Store is built
    from bot.store.db import Sessions

TOPIC_CALLBACK_CREATED = "callback.created"
MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class DueMessage:
    """A claimed outbox row, detached from its session."""

    id: int
    topic: str
    payload: str
    attempts: int
    created_at: dt.datetime


def enqueue(session: Session, topic: str, payload: str, now: dt.datetime) -> None:
    """Add a message in the caller's transaction: it exists if and only if the event does."""
    session.add(OutboxMessage(created_at=now, topic=topic, payload=payload, attempts=0, next_attempt_at=now))


class Outbox:
    """Claiming due messages and recording delivery outcomes (synchronous: run in a thread)."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    @guard
    def claim_due(
        self, now: dt.datetime, limit: int, lease: dt.timedelta, topics: Collection[str] = (TOPIC_CALLBACK_CREATED,)
    ) -> List[DueMessage]:
        """Pick due rows of `topics` and push their next attempt past the lease, so nobody else sends them.

        Each deliverer claims its own topics: the staff webhook's, or the on-call pager's.
        """
        claimed: List[DueMessage] = []
        with self._sessions() as session:
            rows = session.execute(
                select(OutboxMessage)
                .where(
                    OutboxMessage.delivered_at.is_(None),
                    OutboxMessage.next_attempt_at <= now,
                    OutboxMessage.topic.in_(tuple(topics)),
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
            ).scalars().all()
            for row in rows:
                result = session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, OutboxMessage.next_attempt_at == row.next_attempt_at)
                    .values(next_attempt_at=now + lease)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:
                    claimed.append(DueMessage(row.id, row.topic, row.payload, row.attempts, row.created_at))
        return claimed

    @guard
    def mark_delivered(self, message_id: int, now: dt.datetime) -> None:
        """Delivered: never tried again."""
        with self._sessions() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(delivered_at=now, next_attempt_at=None, attempts=OutboxMessage.attempts + 1, last_error=None)
                .execution_options(synchronize_session=False)
            )

    @guard
    def mark_failed(self, message: DueMessage, error: str, retry_at: dt.datetime) -> None:
        """One more failed attempt; the next one may start at `retry_at` (the deliverer's backoff)."""
        with self._sessions() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id)
                .values(attempts=message.attempts + 1, next_attempt_at=retry_at, last_error=error[:MAX_ERROR_LENGTH])
                .execution_options(synchronize_session=False)
            )

    @guard
    def release(self, message_ids: List[int], retry_at: dt.datetime) -> None:
        """Claimed rows that were not tried (the receiver is down): retry them with the failed one."""
        if not message_ids:
            return
        with self._sessions() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(message_ids), OutboxMessage.delivered_at.is_(None))
                .values(next_attempt_at=retry_at)
                .execution_options(synchronize_session=False)
            )

    @guard
    def give_up(self, message_id: int, reason: str) -> None:
        """Never try this row again; the reason stays on it."""
        with self._sessions() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(next_attempt_at=None, last_error=reason)
                .execution_options(synchronize_session=False)
            )

"""The inbound SMS inbox: every text Twilio hands us is written here before Twilio gets its 200.

Why: the reply runs in the background after Twilio has been answered, so a server that dies in
between would silently drop the text, a crisis text included. A row is unique per MessageSid (a
webhook Twilio sends twice is answered once, by whichever server sees it first), leased to the
server handling it (renewed while the turn runs), and finished once the reply is out, which clears
the number and the text. A row whose lease ran out unfinished is taken over by any server.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, List, Optional

from sqlalchemy import delete, or_, select, update
from sqlalchemy import exc as sa_exc

from bot.store.errors import guard
from bot.store.models import SmsInboxMessage

if TYPE_CHECKING:  # see bot.store: db is imported when a Store is built
    from bot.store.db import Sessions


@dataclass(frozen=True)
class InboxMessage:
    """A claimed text, detached from its session (the number and text kept out of repr)."""

    id: int
    message_sid: str
    phone: str = field(repr=False)
    body: str = field(repr=False)
    num_media: int
    received_at: dt.datetime
    attempts: int


class SmsInbox:
    """Writes, leases and finishes inbound texts (synchronous: async callers use a thread)."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    @guard
    def accept(
        self, message_sid: str, phone: str, body: str, num_media: int, now: dt.datetime, lease: dt.timedelta
    ) -> Optional[int]:
        """Write a new text, leased to the caller; None if this MessageSid was written before."""
        try:
            with self._sessions() as session:
                row = SmsInboxMessage(
                    message_sid=message_sid, received_at=now, phone_e164=phone, body=body, num_media=num_media,
                    claimed_until=now + lease, attempts=1,
                )
                session.add(row)
                session.flush()
                return int(row.id)
        except sa_exc.IntegrityError:
            return None

    @guard
    def renew(self, message_id: int, until: dt.datetime) -> None:
        """Keep the lease while the turn runs, so no other server takes the text over."""
        with self._sessions() as session:
            session.execute(
                update(SmsInboxMessage)
                .where(SmsInboxMessage.id == message_id, SmsInboxMessage.done_at.is_(None))
                .values(claimed_until=until)
                .execution_options(synchronize_session=False)
            )

    @guard
    def finish(self, message_id: int, now: dt.datetime) -> None:
        """The reply is out: forget the number and the text, keep the MessageSid for duplicates."""
        with self._sessions() as session:
            session.execute(
                update(SmsInboxMessage)
                .where(SmsInboxMessage.id == message_id)
                .values(done_at=now, claimed_until=None, phone_e164=None, body=None)
                .execution_options(synchronize_session=False)
            )

    @guard
    def claim_unfinished(self, now: dt.datetime, lease: dt.timedelta, limit: int = 20) -> List[InboxMessage]:
        """Take over unfinished texts whose lease ran out (their server stopped), oldest first."""
        claimed: List[InboxMessage] = []
        with self._sessions() as session:
            rows = session.execute(
                select(SmsInboxMessage)
                .where(
                    SmsInboxMessage.done_at.is_(None),
                    or_(SmsInboxMessage.claimed_until.is_(None), SmsInboxMessage.claimed_until < now),
                )
                .order_by(SmsInboxMessage.id)
                .limit(limit)
            ).scalars().all()
            for row in rows:
                taken = session.execute(
                    update(SmsInboxMessage)
                    .where(
                        SmsInboxMessage.id == row.id,
                        SmsInboxMessage.done_at.is_(None),
                        SmsInboxMessage.claimed_until == row.claimed_until,  # IS NULL when None
                    )
                    .values(claimed_until=now + lease, attempts=SmsInboxMessage.attempts + 1)
                    .execution_options(synchronize_session=False)
                )
                if taken.rowcount == 1:
                    claimed.append(InboxMessage(
                        row.id, row.message_sid, row.phone_e164 or "", row.body or "", row.num_media,
                        row.received_at, row.attempts + 1,
                    ))
        return claimed

    @guard
    def purge(self, before: dt.datetime) -> int:
        """Delete finished rows received before `before` (retention: the MessageSid is no longer needed)."""
        with self._sessions() as session:
            return int(session.execute(
                delete(SmsInboxMessage).where(SmsInboxMessage.done_at.is_not(None), SmsInboxMessage.received_at < before)
            ).rowcount or 0)

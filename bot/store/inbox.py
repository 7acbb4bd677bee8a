"""The inbound SMS inbox: every text Twilio hands us is written here before Twilio gets its 200.

Why: the reply runs in the background after Twilio has been answered, so a server that dies in
between would silently drop the text, a crisis text included. A row is unique per MessageSid (a
webhook Twilio sends twice is answered once, by whichever server sees it first), leased to the
server handling it under a claim token (renewed while it waits and while the turn runs), and
finished once the reply is out, which clears the number and the text. A row whose lease ran out
unfinished is taken over by any server under a new token; the old holder can then neither renew nor
finish it.

The insert skips a duplicate (ON CONFLICT DO NOTHING) instead of failing on the unique index:
a failed statement would be written to the database server's log with the number and the text.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, List, Optional, Tuple

from sqlalchemy import delete, or_, select, update

from bot.store.errors import guard
from bot.store.models import SmsInboxMessage

if TYPE_CHECKING:  # see bot.store: db is imported when a Store is built
    from bot.store.db import Sessions


@dataclass(frozen=True)
class InboxMessage:
    """A claimed text, detached from its session (the number and text kept out of repr)."""

    id: int
    message_sid: str
    token: str = field(repr=False)
    phone: str = field(repr=False)
    body: str = field(repr=False)
    num_media: int
    received_at: dt.datetime
    attempts: int


def _insert_skipping_duplicates(dialect: str, values: dict):  # type: ignore[no-untyped-def]
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(SmsInboxMessage).values(**values).on_conflict_do_nothing(index_elements=["message_sid"])


class SmsInbox:
    """Writes, leases and finishes inbound texts (synchronous: async callers use a thread)."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    @guard
    def accept(
        self, message_sid: str, phone: str, body: str, num_media: int, now: dt.datetime, lease: dt.timedelta
    ) -> Optional[Tuple[int, str]]:
        """Write a new text, leased to the caller: (row id, claim token); None if written before."""
        token = secrets.token_hex(16)
        with self._sessions() as session:
            inserted = session.execute(_insert_skipping_duplicates(session.get_bind().dialect.name, dict(
                message_sid=message_sid, received_at=now, phone_e164=phone, body=body, num_media=num_media,
                claimed_until=now + lease, claim_token=token, attempts=1,
            ))).rowcount
            if inserted != 1:
                return None
            row_id = session.execute(
                select(SmsInboxMessage.id).where(SmsInboxMessage.message_sid == message_sid)
            ).scalar_one()
            return int(row_id), token

    @guard
    def renew(self, message_id: int, token: str, until: dt.datetime) -> bool:
        """Keep the lease while waiting and while the turn runs; False once it was lost."""
        with self._sessions() as session:
            return session.execute(
                update(SmsInboxMessage)
                .where(SmsInboxMessage.id == message_id, SmsInboxMessage.claim_token == token,
                       SmsInboxMessage.done_at.is_(None))
                .values(claimed_until=until)
                .execution_options(synchronize_session=False)
            ).rowcount == 1

    @guard
    def finish(self, message_id: int, token: str, now: dt.datetime) -> bool:
        """The reply is out: forget the number and the text, keep the MessageSid for duplicates.
        False if another server holds the lease now (it finishes the row itself)."""
        with self._sessions() as session:
            return session.execute(
                update(SmsInboxMessage)
                .where(SmsInboxMessage.id == message_id, SmsInboxMessage.claim_token == token)
                .values(done_at=now, claimed_until=None, claim_token=None, phone_e164=None, body=None)
                .execution_options(synchronize_session=False)
            ).rowcount == 1

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
                token = secrets.token_hex(16)
                taken = session.execute(
                    update(SmsInboxMessage)
                    .where(
                        SmsInboxMessage.id == row.id,
                        SmsInboxMessage.done_at.is_(None),
                        SmsInboxMessage.claim_token == row.claim_token,  # IS NULL when None
                    )
                    .values(claimed_until=now + lease, claim_token=token, attempts=SmsInboxMessage.attempts + 1)
                    .execution_options(synchronize_session=False)
                )
                if taken.rowcount == 1:
                    claimed.append(InboxMessage(
                        row.id, row.message_sid, token, row.phone_e164 or "", row.body or "", row.num_media,
                        row.received_at, row.attempts + 1,
                    ))
        return claimed

    @guard
    def purge(self, before: dt.datetime) -> int:
        """Retention: delete rows received before `before`, answered or not (an unanswered one that old
        was given up long ago; its number and text go with it)."""
        with self._sessions() as session:
            return int(session.execute(delete(SmsInboxMessage).where(SmsInboxMessage.received_at < before)).rowcount or 0)

"""The SMS channel's side of the inbox (bot/store/inbox.py): written before Twilio is answered,
leased from then on (while the text waits for its sender's earlier texts and while its turn runs),
finished only once the reply is out, taken over when a server stopped.

Database trouble never costs a reply: without a usable database a text is answered from memory
(deduplicated in this process only) and the error is logged by its type alone.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, List, Optional

from bot.store import Store
from bot.store.inbox import InboxMessage

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=30)  # a stopped server's texts are taken over after this
RENEW_SECONDS = 10.0  # a held lease is renewed this often
MAX_ATTEMPTS = 5  # after this many, a text is answered with the failure reply (or crisis lines) and closed
SEEN_IN_MEMORY = 1000
MAX_SID_LENGTH = 64


@dataclass(frozen=True)
class Claim:
    """A text's row in the inbox and the token of our lease on it."""

    id: int
    token: str


class Inbox:
    """Accept, lease, finish and take over inbound texts for one server process."""

    def __init__(self, store: Callable[[], Store], now: Callable[[], dt.datetime]) -> None:
        self._store = store
        self._now = now
        self._seen: "OrderedDict[str, None]" = OrderedDict()

    def _first_time_here(self, message_sid: str) -> bool:
        """False for a MessageSid this process saw recently (a retried webhook, database or not)."""
        if not message_sid:
            return True
        if message_sid in self._seen:
            return False
        self._seen[message_sid] = None
        while len(self._seen) > SEEN_IN_MEMORY:
            self._seen.popitem(last=False)
        return True

    async def accept(self, message_sid: str, phone: str, body: str, num_media: int) -> "tuple[bool, Optional[Claim]]":
        """(new?, our claim): written and leased to us, or (False, None) if received before."""
        if not self._first_time_here(message_sid):
            return False, None
        if not message_sid or len(message_sid) > MAX_SID_LENGTH:
            return True, None
        try:
            row = await asyncio.to_thread(self._store().sms_inbox.accept, message_sid, phone, body, num_media, self._now(), LEASE)
        except Exception as exc:
            logger.error("SMS inbox unavailable (%s); answering this text from memory only", type(exc).__name__)
            return True, None
        return (row is not None), (Claim(*row) if row else None)

    async def keep_lease(self, claim: Claim) -> None:
        """Renew the lease until cancelled, so no other server takes the text over."""
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                held = await asyncio.to_thread(self._store().sms_inbox.renew, claim.id, claim.token, self._now() + LEASE)
            except Exception as exc:
                logger.error("could not renew an SMS inbox lease: %s", type(exc).__name__)
                continue
            if not held:
                logger.warning("an SMS inbox lease was taken over by another server")
                return

    async def finish(self, claim: Claim) -> None:
        """The reply is out; if this fails the text is answered again later: twice, never zero times."""
        try:
            await asyncio.to_thread(self._store().sms_inbox.finish, claim.id, claim.token, self._now())
        except Exception as exc:
            logger.error("could not mark an SMS as answered: %s", type(exc).__name__)

    async def take_over(self) -> List[InboxMessage]:
        """Unfinished texts whose lease ran out, now leased to us (oldest first)."""
        try:
            claimed = await asyncio.to_thread(self._store().sms_inbox.claim_unfinished, self._now(), LEASE)
        except Exception as exc:
            logger.error("SMS inbox unavailable (%s); unfinished texts are looked for again later", type(exc).__name__)
            return []
        for message in claimed:
            logger.warning("taking over an unanswered SMS received %s (attempt %d)",
                           message.received_at.isoformat(timespec="seconds"), message.attempts)
        return claimed

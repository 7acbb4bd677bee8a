"""The SMS channel's side of the inbox (bot/store/inbox.py): written before Twilio is answered,
leased while a turn runs, finished when the reply is out, taken over when a server stopped.

Database trouble never costs a reply: without a usable database a text is answered from memory
(deduplicated in this process only) and the error is logged by its type alone.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import OrderedDict
from typing import Callable, List, Optional, Tuple

from bot.store import Store
from bot.store.inbox import InboxMessage

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=30)  # a stopped server's texts are taken over after this
RENEW_SECONDS = 10.0  # a running turn keeps its lease
MAX_ATTEMPTS = 5  # a text that stopped its server this often is given up (and logged)
SEEN_IN_MEMORY = 1000
MAX_SID_LENGTH = 64


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

    async def accept(self, message_sid: str, phone: str, body: str, num_media: int) -> Tuple[bool, Optional[int]]:
        """(new?, inbox row): written and leased to us, or (False, None) if received before."""
        if not self._first_time_here(message_sid):
            return False, None
        if not message_sid or len(message_sid) > MAX_SID_LENGTH:
            return True, None
        try:
            row = await asyncio.to_thread(self._store().sms_inbox.accept, message_sid, phone, body, num_media, self._now(), LEASE)
        except Exception as exc:
            logger.error("SMS inbox unavailable (%s); answering this text from memory only", type(exc).__name__)
            return True, None
        return (row is not None), row

    async def keep_lease(self, inbox_id: int) -> None:
        """Renew the lease until cancelled, so no other server takes a running turn over."""
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                await asyncio.to_thread(self._store().sms_inbox.renew, inbox_id, self._now() + LEASE)
            except Exception as exc:
                logger.error("could not renew an SMS inbox lease: %s", type(exc).__name__)

    async def finish(self, inbox_id: int) -> None:
        """The reply is out; if this fails the text is answered again later: twice, never zero times."""
        try:
            await asyncio.to_thread(self._store().sms_inbox.finish, inbox_id, self._now())
        except Exception as exc:
            logger.error("could not mark an SMS as answered: %s", type(exc).__name__)

    async def take_over(self) -> List[InboxMessage]:
        """Unfinished texts whose lease ran out, now leased to us; those tried too often are given up."""
        try:
            claimed = await asyncio.to_thread(self._store().sms_inbox.claim_unfinished, self._now(), LEASE)
        except Exception as exc:
            logger.error("SMS inbox unavailable (%s); unfinished texts are looked for again later", type(exc).__name__)
            return []
        taken: List[InboxMessage] = []
        for message in claimed:
            if message.attempts > MAX_ATTEMPTS:
                logger.error("an inbound SMS was given up after %d attempts", message.attempts - 1)
                await self.finish(message.id)
                continue
            logger.warning("taking over an unanswered SMS received %s", message.received_at.isoformat(timespec="seconds"))
            taken.append(message)
        return taken

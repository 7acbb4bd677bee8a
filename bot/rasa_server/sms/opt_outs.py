"""Whether a phone number opted out of text messages, kept in our database.

An opt-out must hold across restarts, so it is stored; it must also hold while the database is
down, so a STOP seen by this process is remembered in memory too (by conversation id, never by
number). If the database cannot say and this process saw no STOP, the number is answered: Twilio
itself blocks numbers that sent STOP at carrier level.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Callable, Set

from bot.store import Store, configured_store

logger = logging.getLogger(__name__)


class OptOuts:
    """Opt-out status per number: the database, plus this process's memory of STOP and START."""

    def __init__(self, store: Callable[[], Store] = configured_store) -> None:
        self._store = store
        self._local: Set[str] = set()  # sender ids that opted out while this process ran

    async def is_opted_out(self, phone: str, sender_id: str) -> bool:
        """True after STOP until START; False if unknown because the database is down."""
        if sender_id in self._local:
            return True
        try:
            return bool(await asyncio.to_thread(lambda: self._store().opt_outs.is_opted_out(phone)))
        except Exception as exc:
            logger.error("opt-out status unavailable (%s); answering", type(exc).__name__)
            return False

    async def record(self, phone: str, sender_id: str, opted_out: bool) -> None:
        """Record STOP (True) or START (False); a database outage cannot undo a STOP seen here."""
        if opted_out:
            self._local.add(sender_id)
        else:
            self._local.discard(sender_id)
        direction = "out" if opted_out else "in"
        try:
            await asyncio.to_thread(lambda: self._store().opt_outs.set(phone, opted_out))
        except Exception as exc:
            logger.error("could not store SMS opt-%s: %s", direction, type(exc).__name__)
        logger.info("SMS opt-%s recorded", direction)

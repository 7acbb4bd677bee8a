"""SMS opt-outs: a number that replied STOP gets no more texts until it replies START."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import exc as sa_exc

from bot.phones import require_e164
from bot.store.errors import StorageUnavailable, guard
from bot.store.models import SmsOptOut, utcnow

if TYPE_CHECKING:  # see bot.store: db is imported when a Store is built
    from bot.store.db import Sessions

_WRITE_ATTEMPTS = 3


class OptOuts:
    """Reads and writes of the opt-out table (synchronous: async callers use a thread)."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    @guard
    def is_opted_out(self, phone_e164: str) -> bool:
        """True when the number asked us to stop texting it."""
        with self._sessions(write=False) as session:
            row = session.get(SmsOptOut, phone_e164)
            return bool(row is not None and row.opted_out)

    @guard
    def set(self, phone_e164: str, opted_out: bool) -> None:
        """Record a STOP (True) or START (False) for a number."""
        require_e164(phone_e164)
        for _ in range(_WRITE_ATTEMPTS):
            try:
                with self._sessions() as session:
                    row = session.get(SmsOptOut, phone_e164)
                    if row is None:
                        session.add(SmsOptOut(phone_e164=phone_e164, opted_out=bool(opted_out), updated_at=utcnow()))
                    else:
                        row.opted_out = bool(opted_out)
                        row.updated_at = utcnow()
                return
            except sa_exc.IntegrityError:
                continue  # inserted concurrently: update it on the next pass
        raise StorageUnavailable("could not record the SMS preference")

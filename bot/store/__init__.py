"""Our own data: callback requests, the staff notification outbox, SMS opt-outs, the inbound SMS
inbox, staff accounts and the staff audit log.

A `Store` holds one engine (a connection pool) and its sessions for one database, the way
Rasa's SQLTrackerStore does, and reaches each table group through a repository:
`store.callbacks`, `store.outbox`, `store.pages` (on-call pages), `store.opt_outs`, `store.sms_inbox`
(inbound texts until answered), `store.staff` (console accounts) and
`store.audit` (what staff did). Whoever creates a Store disposes of it;
`configured_store()` is the shared one for code that has no lifetime of its own to tie it to.
Any database failure surfaces as StorageUnavailable.
"""
from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING, ContextManager, Optional, Type

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.store.callbacks import Callbacks
from bot.store.errors import InvalidTransition, RequestNotFound, StorageUnavailable
from bot.store.inbox import SmsInbox
from bot.store.opt_outs import OptOuts
from bot.store.outbox import Outbox
from bot.store.pages import Pages
from bot.store.staff import AuditLog, StaffAccounts

if TYPE_CHECKING:
    from bot.store.db import Sessions


class Store:
    """One database: its engine, its sessions and the repositories on top of them."""

    def __init__(self, url: str) -> None:
        # Imported here, not above: `python -m bot.store.db` must find the module not yet loaded.
        from bot.store.db import Sessions, new_engine

        self.url = url
        self.engine: Engine = new_engine(url)
        self._sessions: Sessions = Sessions(self.engine)
        self.callbacks = Callbacks(self._sessions)
        self.outbox = Outbox(self._sessions)
        self.pages = Pages(self._sessions)
        self.opt_outs = OptOuts(self._sessions)
        self.sms_inbox = SmsInbox(self._sessions)
        self.staff = StaffAccounts(self._sessions)
        self.audit = AuditLog(self._sessions)

    @classmethod
    def from_settings(cls) -> "Store":
        """A new Store for the configured database (DATABASE_URL, else SQLite under var/)."""
        from bot.settings import database_url

        return cls(database_url())

    def session(self, *, write: bool = True) -> ContextManager[Session]:
        """A transaction that commits on success; `write=False` for reads that must not queue."""
        return self._sessions(write=write)

    def dispose(self) -> None:
        """Close the pooled connections (shutdown, tests, a simulated restart)."""
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.dispose()

    def __repr__(self) -> str:
        from bot.store.db import redacted

        return f"Store({redacted(self.url)!r})"


_shared: Optional[Store] = None
_shared_lock = threading.Lock()


def configured_store() -> Store:
    """The process's Store for the configured database, created on first use.

    For code without an application lifetime to own a Store (the action server, the SMS
    channel's opt-out checks): one connection pool per process rather than one per call. If the
    configured URL changes (tests point DATABASE_URL elsewhere), the old Store is disposed of.
    """
    from bot.settings import database_url

    global _shared
    url = database_url()
    with _shared_lock:
        if _shared is None or _shared.url != url:
            if _shared is not None:
                _shared.dispose()
            _shared = Store(url)
        return _shared


__all__ = ["InvalidTransition", "RequestNotFound", "StorageUnavailable", "Store", "configured_store"]

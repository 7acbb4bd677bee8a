"""Staff console accounts, and the audit log of what staff do in the console.

Only scrypt hashes (bot.website.console.passwords makes them) are stored, and only `credentials()`
hands one back, for signing in; every other read returns accounts without it. Usernames are
matched exactly, but two accounts may not differ by case alone, so nobody is mistaken for another
in a claim or in the log. Methods are synchronous and return plain dataclasses, like callbacks.py.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional

from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.errors import guard
from bot.store.models import AuditEvent, StaffAccount, utcnow

if TYPE_CHECKING:  # see bot.store: db is imported when a Store is built
    from bot.store.db import Sessions

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
# What the audit log records for a failed sign-in with a name that is no account: never an account.
UNKNOWN_USER = "unknown"
DEFAULT_AUDIT_LIMIT = 500


class AccountExists(ValueError):
    """An account with that username (in any case) exists already."""


class AccountNotFound(LookupError):
    """No account has that username."""


@dataclass(frozen=True)
class Account:
    """A staff account as the console and the command show it: never with its hash."""

    id: int
    username: str
    is_admin: bool
    disabled: bool
    created_at: dt.datetime
    password_changed_at: dt.datetime


@dataclass(frozen=True)
class Credentials:
    """An account with its password hash, for checking a sign-in and nothing else."""

    account: Account
    password_hash: str


@dataclass(frozen=True)
class AuditRecord:
    """One event: who (`username`), what (`action`), when (`at`, UTC), on which request, and a short detail."""

    id: int
    at: dt.datetime
    username: str
    action: str
    request_ref: Optional[str]
    detail: Optional[str]


def valid_username(username: str) -> str:
    """The username without surrounding spaces; ValueError unless letters, digits and . _ @ - (max 64)."""
    name = (username or "").strip()
    if not USERNAME_PATTERN.fullmatch(name) or name.lower() == UNKNOWN_USER:
        raise ValueError("a username is 1-64 letters, digits or . _ @ - and starts with a letter or digit")
    return name


def _require_hash(password_hash: str) -> str:
    """Refuse anything that is not a hash in our format, so a plain password can never be stored."""
    if not password_hash.startswith("scrypt$") or password_hash.count("$") != 5 or len(password_hash) > 255:
        raise ValueError("expected a scrypt password hash")
    return password_hash


def audit_event(username: str, action: str, ref: Optional[str] = None, detail: Optional[str] = None) -> AuditEvent:
    """One audit row for now, cut to its columns. `detail` is a short code, never free text a person typed."""
    return AuditEvent(
        at=utcnow(),
        username=(username or UNKNOWN_USER)[:100],
        action=action[:40],
        request_ref=ref[:16] if ref else None,
        detail=detail[:200] if detail else None,
    )


def _account(row: StaffAccount) -> Account:
    return Account(
        id=row.id,
        username=row.username,
        is_admin=bool(row.is_admin),
        disabled=bool(row.disabled),
        created_at=row.created_at,
        password_changed_at=row.password_changed_at,
    )


def _by_name(session: Session, username: str) -> Optional[StaffAccount]:
    query = select(StaffAccount).where(StaffAccount.username == (username or "").strip())
    return session.execute(query).scalars().first()


def _existing(session: Session, username: str) -> StaffAccount:
    row = _by_name(session, username)
    if row is None:
        raise AccountNotFound(username)
    return row


class StaffAccounts:
    """Every read and write of staff accounts."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    @guard
    def add(self, username: str, password_hash: str, *, is_admin: bool = False) -> Account:
        """A new, enabled account; AccountExists if the name is taken in any case."""
        name, encoded = valid_username(username), _require_hash(password_hash)
        try:
            with self._sessions() as session:
                taken = select(StaffAccount.id).where(func.lower(StaffAccount.username) == name.lower())
                if session.execute(taken).first() is not None:
                    raise AccountExists(name)
                now = utcnow()
                row = StaffAccount(
                    username=name, password_hash=encoded, is_admin=bool(is_admin), disabled=False,
                    created_at=now, password_changed_at=now,
                )
                session.add(row)
                session.flush()
                return _account(row)
        except sa_exc.IntegrityError:
            raise AccountExists(name) from None  # added at the same moment by someone else

    @guard
    def get(self, username: str) -> Optional[Account]:
        """The account with exactly this username, or None."""
        with self._sessions(write=False) as session:
            row = _by_name(session, username)
            return _account(row) if row is not None else None

    @guard
    def credentials(self, username: str) -> Optional[Credentials]:
        """The account and its hash, for checking a sign-in; None when there is no such account."""
        with self._sessions(write=False) as session:
            row = _by_name(session, username)
            return Credentials(_account(row), row.password_hash) if row is not None else None

    @guard
    def list(self) -> List[Account]:
        """Every account, by username."""
        with self._sessions(write=False) as session:
            rows = session.execute(select(StaffAccount).order_by(StaffAccount.username)).scalars()
            return [_account(row) for row in rows]

    @guard
    def has_active(self) -> bool:
        """True when at least one account may sign in."""
        with self._sessions(write=False) as session:
            query = select(StaffAccount.id).where(StaffAccount.disabled.is_(False)).limit(1)
            return session.execute(query).first() is not None

    @guard
    def set_disabled(self, username: str, disabled: bool) -> Account:
        """Disable (True) or enable (False) an account; AccountNotFound if there is none."""
        with self._sessions() as session:
            row = _existing(session, username)
            row.disabled = bool(disabled)
            return _account(row)

    def disable(self, username: str) -> Account:
        return self.set_disabled(username, True)

    def enable(self, username: str) -> Account:
        return self.set_disabled(username, False)

    @guard
    def set_password(self, username: str, password_hash: str) -> Account:
        """Replace the password hash; the new change time ends the account's open sessions."""
        encoded = _require_hash(password_hash)
        with self._sessions() as session:
            row = _existing(session, username)
            row.password_hash = encoded
            row.password_changed_at = utcnow()
            return _account(row)

    @guard
    def ensure_admin(self, username: str, password_hash: str) -> str:
        """The configured first administrator: 'created', 'updated' (hash or role) or 'unchanged'.

        A disabled account stays disabled: turning it off must outlast a restart.
        """
        name, encoded = valid_username(username), _require_hash(password_hash)
        with self._sessions() as session:
            row = _by_name(session, name)
            if row is not None:
                if row.password_hash == encoded and row.is_admin:
                    return "unchanged"
                if row.password_hash != encoded:
                    row.password_hash, row.password_changed_at = encoded, utcnow()
                row.is_admin = True
                return "updated"
        try:
            self.add(name, encoded, is_admin=True)
        except AccountExists:
            return "unchanged"  # another process created it a moment ago
        return "created"


class AuditLog:
    """The staff audit log: append and read back, nothing else."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    @guard
    def record(
        self, username: str, action: str, ref: Optional[str] = None, detail: Optional[str] = None
    ) -> None:
        """Note one event now (see audit_event)."""
        with self._sessions() as session:
            session.add(audit_event(username, action, ref, detail))

    @guard
    def recent(self, limit: int = DEFAULT_AUDIT_LIMIT) -> List[AuditRecord]:
        """The newest `limit` events, newest first."""
        query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
        with self._sessions(write=False) as session:
            return [
                AuditRecord(r.id, r.at, r.username, r.action, r.request_ref, r.detail)
                for r in session.execute(query).scalars()
            ]

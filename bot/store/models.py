"""Database tables: callback requests, the notification outbox, on-call pages, SMS opt-outs, the
inbound SMS inbox, staff accounts and the staff audit log.

Timestamps are stored as naive UTC (SQLite has no time zones) and read back as aware UTC, so no
caller ever has to guess which zone a value is in. The schema itself is created by the alembic
migrations in bot/store/migrations; these classes must stay in step with them.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

Base = declarative_base()

STATUS_NEW = "new"
STATUS_CLAIMED = "claimed"
STATUS_DONE = "done"
STATUSES = (STATUS_NEW, STATUS_CLAIMED, STATUS_DONE)
OPEN_STATUSES = (STATUS_NEW, STATUS_CLAIMED)
FOR_WHOM = ("self", "loved_one")
TOPICS = ("family_consultation",)
RELATIONS = ("child_under_18", "adult_child", "partner", "parent", "sibling_friend")

# One open request per conversation: a partial unique index, enforced by the database itself so
# that two simultaneous submissions cannot both get through.
OPEN_PER_CONVERSATION_WHERE = "status IN ('new', 'claimed')"


def utcnow() -> dt.datetime:
    """The current instant, aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[dt.datetime], dialect: Dialect) -> Optional[dt.datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> Optional[dt.datetime]:
        if value is None:
            return None
        if isinstance(value, str):  # raw SQLite text, e.g. from a hand-written query
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class CallbackRequest(Base):
    """A person asked for a call back; admissions staff claim it and mark it done."""

    __tablename__ = "callback_requests"

    id = Column(Integer, primary_key=True)
    ref = Column(String(16), nullable=False)
    conversation_id = Column(String(255), nullable=False)
    created_at = Column(UTCDateTime(), nullable=False, default=utcnow)
    first_name = Column(String(100), nullable=False)
    phone_e164 = Column(String(20), nullable=False)
    best_time = Column(String(200), nullable=False, default="")
    voicemail_ok = Column(Boolean, nullable=False, default=False)
    voicemail_name_ok = Column(Boolean, nullable=False, default=False)
    text_ok = Column(Boolean, nullable=False, default=False)
    for_whom = Column(String(20), nullable=False)
    screening_outcome = Column(String(50), nullable=True)
    urgent = Column(Boolean, nullable=False, default=False)
    channel = Column(String(50), nullable=False)
    status = Column(String(20), nullable=False, default=STATUS_NEW)
    claimed_by = Column(String(100), nullable=True)
    claimed_at = Column(UTCDateTime(), nullable=True)
    done_at = Column(UTCDateTime(), nullable=True)
    outcome_note = Column(Text, nullable=True)
    expected_window_text = Column(String(200), nullable=False, default="")
    # "family_consultation" for a call a family member asked for after the family conversation, and
    # who the loved one is to them (a relation such as "partner", never a name).
    topic = Column(String(40), nullable=True)
    loved_one_relation = Column(String(40), nullable=True)
    # The on-call person who answered a page for this request ("ACK <ref>" by text), and when.
    acknowledged_at = Column(UTCDateTime(), nullable=True)
    acknowledged_by = Column(String(100), nullable=True)

    __table_args__ = (
        UniqueConstraint("ref", name="uq_callback_requests_ref"),
        Index("ix_callback_requests_conversation_id", "conversation_id"),
        Index(
            "uq_callback_requests_open_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text(OPEN_PER_CONVERSATION_WHERE),
            postgresql_where=text(OPEN_PER_CONVERSATION_WHERE),
        ),
        Index("ix_callback_requests_status_created", "status", "created_at"),
    )


class OutboxMessage(Base):
    """A notification to deliver to staff; durable so that a restart or an outage loses nothing."""

    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True)
    created_at = Column(UTCDateTime(), nullable=False, default=utcnow)
    topic = Column(String(100), nullable=False)
    payload = Column(Text, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    # NULL once delivered or given up on; otherwise when the next attempt may start.
    next_attempt_at = Column(UTCDateTime(), nullable=True)
    delivered_at = Column(UTCDateTime(), nullable=True)
    last_error = Column(Text, nullable=True)

    __table_args__ = (Index("ix_outbox_next_attempt_at", "next_attempt_at"),)


class Page(Base):
    """A text message to the on-call staff about one request: level 0 first, level 1 the backup.

    One row per request and level, so a request pages each level at most once whoever tries.
    The recipient is a staff contact from the rota; the page itself carries no personal detail.
    """

    __tablename__ = "pages"

    id = Column(Integer, primary_key=True)
    callback_request_id = Column(Integer, ForeignKey("callback_requests.id", ondelete="CASCADE"), nullable=False)
    level = Column(Integer, nullable=False)
    recipient_name = Column(String(100), nullable=False)
    recipient_phone = Column(String(20), nullable=False)
    created_at = Column(UTCDateTime(), nullable=False, default=utcnow)
    sent_at = Column(UTCDateTime(), nullable=True)
    # Why the page was not sent, when it was not ("acknowledged first", Twilio's error code...).
    not_sent = Column(String(200), nullable=True)

    __table_args__ = (
        UniqueConstraint("callback_request_id", "level", name="uq_pages_request_level"),
        Index("ix_pages_level_created", "level", "created_at"),
    )


class SmsOptOut(Base):
    """Whether a phone number replied STOP (and has not since replied START)."""

    __tablename__ = "sms_opt_outs"

    phone_e164 = Column(String(20), primary_key=True)
    opted_out = Column(Boolean, nullable=False)
    updated_at = Column(UTCDateTime(), nullable=False, default=utcnow)


class SmsInboxMessage(Base):
    """One inbound text, written before Twilio is answered so that a crash cannot lose it.

    The number and the text stay only until the reply has gone out (then both are cleared); the
    MessageSid stays as long as the conversation, so a webhook Twilio sends twice is answered once.
    `claimed_until` is the lease of the server handling it (`claim_token`), renewed from the moment
    it is written: once it passes, any server takes the message over, and the old holder can no
    longer renew or finish it.
    """

    __tablename__ = "sms_inbox"

    id = Column(Integer, primary_key=True, autoincrement=True)
    message_sid = Column(String(64), nullable=False, unique=True)
    received_at = Column(UTCDateTime(), nullable=False, default=utcnow)
    phone_e164 = Column(String(40), nullable=True)
    body = Column(Text, nullable=True)
    num_media = Column(Integer, nullable=False, default=0)
    claimed_until = Column(UTCDateTime(), nullable=True)
    claim_token = Column(String(32), nullable=True)  # who holds the lease: only they renew or finish it
    attempts = Column(Integer, nullable=False, default=0)
    done_at = Column(UTCDateTime(), nullable=True)

    __table_args__ = (Index("ix_sms_inbox_unfinished", "done_at", "claimed_until"),)


class StaffAccount(Base):
    """A person who may sign in to the staff console; only the scrypt hash of the password is kept."""

    __tablename__ = "staff_accounts"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False)
    password_hash = Column(String(255), nullable=False)
    is_admin = Column(Boolean, nullable=False, default=False)
    disabled = Column(Boolean, nullable=False, default=False)
    created_at = Column(UTCDateTime(), nullable=False, default=utcnow)
    password_changed_at = Column(UTCDateTime(), nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("username", name="uq_staff_accounts_username"),)


class AuditEvent(Base):
    """Who did what in the staff console, and when: sign-ins, views, exports, claims, account changes."""

    __tablename__ = "audit_events"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime(), nullable=False, default=utcnow)
    username = Column(String(100), nullable=False)
    action = Column(String(40), nullable=False)
    request_ref = Column(String(16), nullable=True)
    detail = Column(String(200), nullable=True)

    __table_args__ = (Index("ix_audit_events_at", "at"),)

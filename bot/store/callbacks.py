"""Callback requests: storing what the form collected, the staff queue, claim and done, CSV export.

Methods are synchronous (async callers wrap them in asyncio.to_thread) and return plain
dataclasses detached from any session. Everything that depends on where the code runs (the
program's initials, the console's link for a request, the staff's time zone) is passed in by
the caller, so this module knows only the tables.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
import secrets
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional

from sqlalchemy import exc as sa_exc
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.phones import require_e164
from bot.store.errors import InvalidTransition, RequestNotFound, StorageUnavailable, guard
from bot.store.models import (
    FOR_WHOM,
    RELATIONS,
    TOPICS,
    OPEN_STATUSES,
    STATUS_CLAIMED,
    STATUS_DONE,
    STATUS_NEW,
    STATUSES,
    CallbackRequest,
    utcnow,
)
from bot.store.outbox import TOPIC_CALLBACK_CREATED, enqueue
from bot.store.pages import FIRST, plan
from bot.store.staff import audit_event

if TYPE_CHECKING:  # see bot.store: db is imported when a Store is built
    from bot.settings import OnCallContact
    from bot.store.db import Sessions

log = logging.getLogger(__name__)

# No 0/O, 1/I/L or U/V look-alikes: the code is read out over the phone.
REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
REF_LENGTH = 4
DEFAULT_REF_PREFIX = "CB"
MAX_NOTE_LENGTH = 4000
_MAX_ATTEMPTS = 8

# Reference -> the staff console's path for that request (the console defines it); notifications carry it.
ConsolePath = Callable[[str], str]


@dataclass
class CallbackData:
    """What the person told us in the callback form."""

    first_name: str
    phone_e164: str
    best_time: str
    voicemail_ok: bool
    voicemail_name_ok: bool
    text_ok: bool
    for_whom: str
    screening_outcome: Optional[str]
    urgent: bool
    channel: str
    topic: Optional[str] = None
    loved_one_relation: Optional[str] = None


@dataclass(kw_only=True)
class CallbackRecord(CallbackData):
    """A stored callback request: what the person told us, and where the request stands.
    `created` is False when an open request already existed."""

    id: int
    ref: str
    conversation_id: str
    created_at: dt.datetime
    status: str
    claimed_by: Optional[str]
    claimed_at: Optional[dt.datetime]
    done_at: Optional[dt.datetime]
    outcome_note: Optional[str]
    expected_window_text: str
    acknowledged_at: Optional[dt.datetime] = None
    acknowledged_by: Optional[str] = None
    created: bool = False

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


_RECORD_COLUMNS = [f.name for f in fields(CallbackRecord) if f.name != "created"]


def _record(row: CallbackRequest, created: bool = False) -> CallbackRecord:
    return CallbackRecord(**{name: getattr(row, name) for name in _RECORD_COLUMNS}, created=created)


# --- references --------------------------------------------------------------------------


def ref_prefix(short_name: Optional[str]) -> str:
    """Initials of the program's short name ('Harbor Light' -> 'HL'), else 'CB'."""
    initials = "".join(word[0] for word in re.findall(r"[A-Za-z]+", short_name or ""))[:3].upper()
    return initials if len(initials) >= 2 else DEFAULT_REF_PREFIX


def new_ref(prefix: str) -> str:
    """A short code people can read aloud, e.g. 'HL-7K3Q'."""
    return f"{prefix}-" + "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))


def normalize_ref(ref: str) -> str:
    """Accept what a person types: any case, spaces, a missing dash."""
    cleaned = re.sub(r"[^A-Za-z0-9]", "", ref or "").upper()
    if len(cleaned) > REF_LENGTH:
        return f"{cleaned[:-REF_LENGTH]}-{cleaned[-REF_LENGTH:]}"
    return cleaned


# --- helpers -------------------------------------------------------------------------------


def _validated(data: CallbackData) -> CallbackData:
    if data.for_whom not in FOR_WHOM:
        raise ValueError(f"for_whom must be one of {FOR_WHOM}")
    require_e164(data.phone_e164)
    first_name = (data.first_name or "").strip()[:100]
    if not first_name:
        raise ValueError("first_name is required")
    return CallbackData(
        first_name=first_name,
        phone_e164=data.phone_e164,
        best_time=(data.best_time or "").strip()[:200],
        voicemail_ok=bool(data.voicemail_ok),
        voicemail_name_ok=bool(data.voicemail_ok and data.voicemail_name_ok),
        text_ok=bool(data.text_ok),
        for_whom=data.for_whom,
        screening_outcome=(data.screening_outcome or None) and str(data.screening_outcome)[:50],
        urgent=bool(data.urgent),
        channel=(data.channel or "unknown")[:50],
        topic=data.topic if data.topic in TOPICS else None,
        loved_one_relation=data.loved_one_relation if data.loved_one_relation in RELATIONS else None,
    )


def notification_payload(row: CallbackRequest, console_path: ConsolePath) -> str:
    """What staff notifications may carry: never a name or a phone number."""
    return json.dumps(
        {
            "ref": row.ref,
            "urgent": bool(row.urgent),
            "screening_outcome": row.screening_outcome,
            "created_at": row.created_at.isoformat(),
            "console_path": console_path(row.ref),
        },
        sort_keys=True,
    )


def _open_request(session: Session, conversation_id: str) -> Optional[CallbackRequest]:
    query = select(CallbackRequest).where(
        CallbackRequest.conversation_id == conversation_id,
        CallbackRequest.status.in_(OPEN_STATUSES),
    )
    return session.execute(query).scalars().first()


def _by_ref(session: Session, ref: str) -> Optional[CallbackRequest]:
    query = select(CallbackRequest).where(CallbackRequest.ref == normalize_ref(ref))
    return session.execute(query).scalars().first()


def _status_filter(status: Optional[str]) -> Optional[Iterable[str]]:
    if status in (None, "", "all"):
        return None
    if status == "open":
        return OPEN_STATUSES
    if status in STATUSES:
        return (status,)
    raise ValueError(f"unknown status filter {status!r}")


def _audit(session: Session, staff: str, action: Optional[str], ref: str) -> None:
    if action:
        session.add(audit_event(staff, action, ref))


def _staff_name(staff: str) -> str:
    name = (staff or "").strip()[:100]
    if not name:
        raise ValueError("staff name is required")
    return name


# --- CSV -----------------------------------------------------------------------------------

CSV_COLUMNS = [
    "ref",
    "created_at",
    "status",
    "urgent",
    "first_name",
    "phone_e164",
    "best_time",
    "voicemail_ok",
    "voicemail_name_ok",
    "text_ok",
    "for_whom",
    "screening_outcome",
    "channel",
    "topic",
    "loved_one_relation",
    "expected_window_text",
    "claimed_by",
    "claimed_at",
    "done_at",
    "outcome_note",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(name: str, value: Any, tz: dt.tzinfo) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.astimezone(tz).isoformat(timespec="seconds")
    text = str(value)
    # Free text typed by a person must not become a spreadsheet formula; a validated E.164
    # number is left as it is.
    if name != "phone_e164" and text.startswith(_FORMULA_START):
        return "'" + text
    return text


# --- the repository ------------------------------------------------------------------------


class Callbacks:
    """Every read and write of callback requests."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    @guard
    def create(
        self,
        conversation_id: str,
        data: CallbackData,
        window_text: str,
        *,
        console_path: ConsolePath,
        prefix: str = DEFAULT_REF_PREFIX,
        page_to: Optional["OnCallContact"] = None,
        now: Optional[dt.datetime] = None,
    ) -> CallbackRecord:
        """Store a callback request, its staff notification and its on-call page in one transaction.

        A conversation has at most one open request: submitting again (a double click, a retry,
        two simultaneous deliveries) returns the existing request with `created=False`.
        `window_text` is what the person was promised; `prefix` starts the reference (see
        `ref_prefix`); `console_path` gives the console's link that the notification carries;
        `page_to` is the on-call person to text about it (bot.paging), if anyone; `now` the
        time of the request (the current time by default).
        """
        if not conversation_id:
            raise ValueError("conversation_id is required")
        clean = _validated(data)
        for _ in range(_MAX_ATTEMPTS):
            try:
                with self._sessions() as session:
                    existing = _open_request(session, conversation_id)
                    if existing is not None:
                        return _record(existing, created=False)
                    created_at = now or utcnow()
                    row = CallbackRequest(
                        ref=new_ref(prefix),
                        conversation_id=conversation_id,
                        created_at=created_at,
                        status=STATUS_NEW,
                        expected_window_text=(window_text or "")[:200],
                        **vars(clean),
                    )
                    session.add(row)
                    session.flush()
                    enqueue(session, TOPIC_CALLBACK_CREATED, notification_payload(row, console_path), created_at)
                    if page_to is not None:
                        plan(session, row, FIRST, page_to, created_at)
                    record = _record(row, created=True)
                log.info("callback request %s stored (urgent=%s)", record.ref, record.urgent)
                return record
            except sa_exc.IntegrityError:
                # Another submission for this conversation won the race (found on the next pass),
                # or the random reference was taken (a new one is drawn).
                log.debug("callback request insert collided; retrying")
                continue
        raise StorageUnavailable("could not store the callback request after several attempts")

    @guard
    def list(self, status: Optional[str] = None, limit: Optional[int] = None) -> List[CallbackRecord]:
        """Requests, urgent first, then oldest first. `status`: new, claimed, done, open or None (all)."""
        wanted = _status_filter(status)
        query = select(CallbackRequest).order_by(
            CallbackRequest.urgent.desc(), CallbackRequest.created_at.asc(), CallbackRequest.id.asc()
        )
        if wanted is not None:
            query = query.where(CallbackRequest.status.in_(tuple(wanted)))
        if limit is not None:
            query = query.limit(limit)
        with self._sessions(write=False) as session:
            return [_record(row) for row in session.execute(query).scalars()]

    @guard
    def get(self, ref: str) -> Optional[CallbackRecord]:
        """One request by its reference (typed in any case), or None."""
        with self._sessions(write=False) as session:
            row = _by_ref(session, ref)
            return _record(row) if row is not None else None

    @guard
    def claim(self, ref: str, staff: str, audit_action: Optional[str] = None) -> CallbackRecord:
        """Mark a new request as being handled by `staff` (claiming your own claim again is harmless).

        `audit_action`: recorded in the staff audit log in the same transaction, so a claim is never
        made without its record.
        """
        staff = _staff_name(staff)
        with self._sessions() as session:
            row = _by_ref(session, ref)
            if row is None:
                raise RequestNotFound(ref)
            if row.status == STATUS_CLAIMED and row.claimed_by == staff:
                return _record(row)
            if row.status == STATUS_CLAIMED:
                raise InvalidTransition(InvalidTransition.ALREADY_CLAIMED, ref=row.ref, name=str(row.claimed_by))
            if row.status != STATUS_NEW:
                raise InvalidTransition(InvalidTransition.ALREADY_DONE, ref=row.ref)
            result = session.execute(
                update(CallbackRequest)
                .where(CallbackRequest.id == row.id, CallbackRequest.status == STATUS_NEW)
                .values(status=STATUS_CLAIMED, claimed_by=staff, claimed_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise InvalidTransition(InvalidTransition.CLAIMED_MEANWHILE, ref=row.ref)
            _audit(session, staff, audit_action, row.ref)
            session.refresh(row)
            return _record(row)

    @guard
    def complete(self, ref: str, staff: str, note: Optional[str], audit_action: Optional[str] = None) -> CallbackRecord:
        """Close a request with an outcome note; a request can be closed once (`audit_action` as in claim)."""
        staff = _staff_name(staff)
        note = (note or "").strip()[:MAX_NOTE_LENGTH] or None
        with self._sessions() as session:
            row = _by_ref(session, ref)
            if row is None:
                raise RequestNotFound(ref)
            if row.status not in OPEN_STATUSES:
                raise InvalidTransition(InvalidTransition.ALREADY_DONE, ref=row.ref)
            now = utcnow()
            values: Dict[str, Any] = {"status": STATUS_DONE, "done_at": now, "outcome_note": note}
            if row.claimed_by is None:
                values.update(claimed_by=staff, claimed_at=now)
            result = session.execute(
                update(CallbackRequest)
                .where(CallbackRequest.id == row.id, CallbackRequest.status.in_(OPEN_STATUSES))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise InvalidTransition(InvalidTransition.CLOSED_MEANWHILE, ref=row.ref)
            _audit(session, staff, audit_action, row.ref)
            session.refresh(row)
            return _record(row)

    def export_csv(self, status: Optional[str] = None, *, tz: dt.tzinfo) -> str:
        """All requests (or one status) as CSV, times in `tz` (the program's time zone)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for record in self.list(status):
            writer.writerow([_csv_cell(name, getattr(record, name), tz) for name in CSV_COLUMNS])
        return out.getvalue()

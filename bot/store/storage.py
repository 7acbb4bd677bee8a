"""Callback requests, staff workflow and SMS opt-outs: every read and write of our own data.

Functions are synchronous (async callers wrap them in asyncio.to_thread) and return plain
dataclasses detached from any session. Any database failure surfaces as StorageUnavailable so
that the assistant can apologise and give the phone number instead of failing silently.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import logging
import re
import secrets
from dataclasses import dataclass, fields
from typing import Any, Callable, Iterable, List, Optional, TypeVar, cast

import phonenumbers
from sqlalchemy import select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from bot.store.db import session_scope
from bot.store.models import (
    FOR_WHOM,
    OPEN_STATUSES,
    STATUS_CLAIMED,
    STATUS_DONE,
    STATUS_NEW,
    STATUSES,
    CallbackRequest,
    OutboxMessage,
    SmsOptOut,
    utcnow,
)

log = logging.getLogger(__name__)

TOPIC_CALLBACK_CREATED = "callback.created"
# No 0/O, 1/I/L or U/V look-alikes: the code is read out over the phone.
REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
REF_LENGTH = 4
DEFAULT_REF_PREFIX = "CB"
CONSOLE_REQUEST_PATH = "/staff/r/{ref}"
MAX_NOTE_LENGTH = 4000
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_MAX_ATTEMPTS = 8

T = TypeVar("T")


class StorageUnavailable(RuntimeError):
    """The database cannot be reached or used right now; the caller should apologise and move on."""


class RequestNotFound(LookupError):
    """No callback request has that reference."""


class InvalidTransition(ValueError):
    """The request is not in a state that allows this step (e.g. claiming a finished request)."""


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


@dataclass
class CallbackRecord:
    """A stored callback request. `created` is False when an open request already existed."""

    id: int
    ref: str
    conversation_id: str
    created_at: dt.datetime
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
    status: str
    claimed_by: Optional[str]
    claimed_at: Optional[dt.datetime]
    done_at: Optional[dt.datetime]
    outcome_note: Optional[str]
    expected_window_text: str
    created: bool = False

    @property
    def console_path(self) -> str:
        return CONSOLE_REQUEST_PATH.format(ref=self.ref)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


_RECORD_COLUMNS = [f.name for f in fields(CallbackRecord) if f.name != "created"]


def _record(row: CallbackRequest, created: bool = False) -> CallbackRecord:
    return CallbackRecord(**{name: getattr(row, name) for name in _RECORD_COLUMNS}, created=created)


def _guard(func: Callable[..., T]) -> Callable[..., T]:
    """Turn driver and pool failures into StorageUnavailable (without parameters in the text)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return func(*args, **kwargs)
        except (sa_exc.DBAPIError, sa_exc.TimeoutError) as exc:
            log.error("database unavailable in %s: %s", func.__name__, type(exc).__name__)
            raise StorageUnavailable(f"database unavailable ({type(exc).__name__})") from exc

    return wrapper


# --- references --------------------------------------------------------------------------


def ref_prefix(short_name: Optional[str] = None) -> str:
    """Initials of the program's short name ('Harbor Light' -> 'HL'), else 'CB'."""
    if short_name is None:
        try:
            from bot.settings import program

            short_name = program().short_name
        except Exception:  # settings problems are reported elsewhere; a code still works
            short_name = ""
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


# --- phone numbers -------------------------------------------------------------------------


def normalize_phone(text: str, region: str = "US") -> Optional[str]:
    """The one valid phone number in `text` as E.164 (e.g. '+14105550142'), else None."""
    if not text or len(text) > 100:
        return None
    try:
        number = phonenumbers.parse(text.strip(), region)
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    found = {
        phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    }
    return found.pop() if len(found) == 1 else None


def format_phone(phone_e164: str, region: str = "US") -> str:
    """Human form for staff: national format at home, international otherwise."""
    try:
        number = phonenumbers.parse(phone_e164, None)
    except phonenumbers.NumberParseException:
        return phone_e164
    home = phonenumbers.region_code_for_number(number) == region
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def _require_e164(phone_e164: str) -> str:
    if not isinstance(phone_e164, str) or not _E164.match(phone_e164):
        raise ValueError("phone number must be in E.164 form, e.g. +14105550142")
    return phone_e164


# --- callback requests ---------------------------------------------------------------------


def _validated(data: CallbackData) -> CallbackData:
    if data.for_whom not in FOR_WHOM:
        raise ValueError(f"for_whom must be one of {FOR_WHOM}")
    _require_e164(data.phone_e164)
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
    )


def _open_request(session: Session, conversation_id: str) -> Optional[CallbackRequest]:
    query = select(CallbackRequest).where(
        CallbackRequest.conversation_id == conversation_id,
        CallbackRequest.status.in_(OPEN_STATUSES),
    )
    return session.execute(query).scalars().first()


def outbox_payload(row: CallbackRequest) -> str:
    """What staff notifications may carry: never a name or a phone number."""
    return json.dumps(
        {
            "ref": row.ref,
            "urgent": bool(row.urgent),
            "screening_outcome": row.screening_outcome,
            "created_at": row.created_at.isoformat(),
            "console_path": CONSOLE_REQUEST_PATH.format(ref=row.ref),
        },
        sort_keys=True,
    )


@_guard
def create_callback_request(
    conversation_id: str, data: CallbackData, window_text: str, url: Optional[str] = None
) -> CallbackRecord:
    """Store a callback request and its staff notification in one transaction.

    A conversation has at most one open request: submitting again (a double click, a retry, two
    simultaneous deliveries) returns the existing request with `created=False`.
    """
    if not conversation_id:
        raise ValueError("conversation_id is required")
    clean = _validated(data)
    prefix = ref_prefix()
    for _ in range(_MAX_ATTEMPTS):
        try:
            with session_scope(url) as session:
                existing = _open_request(session, conversation_id)
                if existing is not None:
                    return _record(existing, created=False)
                now = utcnow()
                row = CallbackRequest(
                    ref=new_ref(prefix),
                    conversation_id=conversation_id,
                    created_at=now,
                    status=STATUS_NEW,
                    expected_window_text=(window_text or "")[:200],
                    **vars(clean),
                )
                session.add(row)
                session.flush()
                session.add(
                    OutboxMessage(
                        created_at=now,
                        topic=TOPIC_CALLBACK_CREATED,
                        payload=outbox_payload(row),
                        attempts=0,
                        next_attempt_at=now,
                    )
                )
                record = _record(row, created=True)
            log.info("callback request %s stored (urgent=%s)", record.ref, record.urgent)
            return record
        except sa_exc.IntegrityError:
            # Another submission for this conversation won the race (found on the next pass),
            # or the random reference was taken (a new one is drawn).
            log.debug("callback request insert collided; retrying")
            continue
    raise StorageUnavailable("could not store the callback request after several attempts")


def _status_filter(status: Optional[str]) -> Optional[Iterable[str]]:
    if status in (None, "", "all"):
        return None
    if status == "open":
        return OPEN_STATUSES
    if status in STATUSES:
        return (status,)
    raise ValueError(f"unknown status filter {status!r}")


@_guard
def list_requests(
    status: Optional[str] = None, url: Optional[str] = None, limit: Optional[int] = None
) -> List[CallbackRecord]:
    """Requests, urgent first, then oldest first. `status`: new, claimed, done, open or None (all)."""
    wanted = _status_filter(status)
    query = select(CallbackRequest).order_by(
        CallbackRequest.urgent.desc(), CallbackRequest.created_at.asc(), CallbackRequest.id.asc()
    )
    if wanted is not None:
        query = query.where(CallbackRequest.status.in_(tuple(wanted)))
    if limit is not None:
        query = query.limit(limit)
    with session_scope(url, write=False) as session:
        return [_record(row) for row in session.execute(query).scalars()]


def _by_ref(session: Session, ref: str) -> Optional[CallbackRequest]:
    query = select(CallbackRequest).where(CallbackRequest.ref == normalize_ref(ref))
    return session.execute(query).scalars().first()


@_guard
def get_request(ref: str, url: Optional[str] = None) -> Optional[CallbackRecord]:
    """One request by its reference, or None."""
    with session_scope(url, write=False) as session:
        row = _by_ref(session, ref)
        return _record(row) if row is not None else None


@_guard
def get_open_request_for_conversation(conversation_id: str, url: Optional[str] = None) -> Optional[CallbackRecord]:
    """The conversation's open request, if any (so the assistant can say 'you already asked')."""
    with session_scope(url, write=False) as session:
        row = _open_request(session, conversation_id)
        return _record(row) if row is not None else None


def _staff_name(staff: str) -> str:
    name = (staff or "").strip()[:100]
    if not name:
        raise ValueError("staff name is required")
    return name


@_guard
def claim(ref: str, staff: str, url: Optional[str] = None) -> CallbackRecord:
    """Mark a new request as being handled by `staff` (claiming your own claim again is harmless)."""
    staff = _staff_name(staff)
    with session_scope(url) as session:
        row = _by_ref(session, ref)
        if row is None:
            raise RequestNotFound(ref)
        if row.status == STATUS_CLAIMED and row.claimed_by == staff:
            return _record(row)
        if row.status != STATUS_NEW:
            who = f" by {row.claimed_by}" if row.status == STATUS_CLAIMED else ""
            raise InvalidTransition(f"{row.ref} is already {row.status}{who}")
        result = session.execute(
            update(CallbackRequest)
            .where(CallbackRequest.id == row.id, CallbackRequest.status == STATUS_NEW)
            .values(status=STATUS_CLAIMED, claimed_by=staff, claimed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise InvalidTransition(f"{row.ref} was just claimed by someone else")
        session.refresh(row)
        return _record(row)


@_guard
def complete(ref: str, staff: str, note: Optional[str], url: Optional[str] = None) -> CallbackRecord:
    """Close a request with an outcome note; a request can be closed once."""
    staff = _staff_name(staff)
    note = (note or "").strip()[:MAX_NOTE_LENGTH] or None
    with session_scope(url) as session:
        row = _by_ref(session, ref)
        if row is None:
            raise RequestNotFound(ref)
        if row.status not in OPEN_STATUSES:
            raise InvalidTransition(f"{row.ref} is already {row.status}")
        now = utcnow()
        values: dict = {"status": STATUS_DONE, "done_at": now, "outcome_note": note}
        if row.claimed_by is None:
            values.update(claimed_by=staff, claimed_at=now)
        result = session.execute(
            update(CallbackRequest)
            .where(CallbackRequest.id == row.id, CallbackRequest.status.in_(OPEN_STATUSES))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise InvalidTransition(f"{row.ref} was just closed by someone else")
        session.refresh(row)
        return _record(row)


# --- CSV export ----------------------------------------------------------------------------

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


@_guard
def export_csv(status: Optional[str] = None, url: Optional[str] = None, tz: Optional[dt.tzinfo] = None) -> str:
    """All requests (or one status) as CSV, times in the program's time zone."""
    if tz is None:
        try:
            from bot.settings import program

            tz = program().tz
        except Exception:
            tz = dt.timezone.utc
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in list_requests(status, url=url):
        writer.writerow([_csv_cell(name, getattr(record, name), cast(dt.tzinfo, tz)) for name in CSV_COLUMNS])
    return out.getvalue()


# --- SMS opt-outs --------------------------------------------------------------------------


@_guard
def set_sms_opt_out(phone_e164: str, opted_out: bool, url: Optional[str] = None) -> None:
    """Record a STOP (True) or START (False) for a number."""
    _require_e164(phone_e164)
    for _ in range(3):
        try:
            with session_scope(url) as session:
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


@_guard
def is_sms_opted_out(phone_e164: str, url: Optional[str] = None) -> bool:
    """True when the number asked us to stop texting it."""
    with session_scope(url, write=False) as session:
        row = session.get(SmsOptOut, phone_e164)
        return bool(row is not None and row.opted_out)

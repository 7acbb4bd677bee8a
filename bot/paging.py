"""Paging the on-call staff: who is on call at a moment, whether a request pages them, and the
acknowledgement they text back.

At night nobody watches the console, so a request that needs a person soon is sent by text
message to whoever the rota in content/program.yml (`on_call`) names for that moment. The rules
here are plain functions of the settings and the time: the action server asks them whom a request
pages when it stores it, and the SMS channel whether a reply acknowledges a page from someone on
the rota. The backup and the wait before it is paged are read by the pager (bot.website.pager).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional

from bot.clients.twilio_api import ENV_SETTINGS, TwilioClient
from bot.hours import is_open
from bot.settings import OnCallContact, OnCallShift, Program

# Something meant as a reference: a token with a digit, or letters, a dash and four characters.
# "ACK 68D8" or "ACK CB-7K3Q" must not acknowledge whatever page came last.
_DASH = "\u2010\u2011\u2012\u2013\u2014-"  # the hyphen last: literal in a [class]
_REF_LIKE = re.compile(rf"\b[a-z]{{2,3}}[{_DASH}][a-z0-9]{{4}}\b|\b(?=[a-z0-9]{{4,7}}\b)[a-z]*\d[a-z0-9]*\b", re.I)
TWILIO_SETTINGS = ENV_SETTINGS


@dataclass(frozen=True)
class Acknowledgement:
    """A reply that acknowledges a page; `ref` None means "the latest page I was sent"."""

    ref: Optional[str]


def _covers(shift: OnCallShift, local: dt.datetime, prog: Program) -> bool:
    """Whether `shift` covers the local time `local` (holidays as in the opening hours)."""
    if shift.outside_opening_hours:
        return not is_open(local, prog)

    def on(day: dt.date) -> bool:
        return (shift.holidays and day in prog.holidays) or day.weekday() in shift.days

    start, end, now = shift.start, shift.end, local.time()
    if start is None or end is None:
        return on(local.date())
    if start < end:
        return on(local.date()) and start <= now < end
    # The shift runs past midnight: the evening part today, or the morning part of yesterday's.
    return (on(local.date()) and now >= start) or (on(local.date() - dt.timedelta(days=1)) and now < end)


def on_call_now(now: dt.datetime, prog: Program) -> Optional[OnCallContact]:
    """The first rota entry covering `now`, else the backup; None without an on_call section."""
    on_call = prog.on_call
    if on_call is None:
        return None
    local = now.astimezone(prog.tz)
    for shift in on_call.rota:
        if _covers(shift, local, prog):
            return shift.contact
    return on_call.backup


def sending_configured() -> bool:
    """Whether this process can send text messages (the Twilio account settings are all present)."""
    return TwilioClient.from_env().configured


def first_page(now: dt.datetime, prog: Program, *, urgent: bool, can_send: Optional[bool] = None) -> Optional[OnCallContact]:
    """Whom a request stored at `now` pages at once, or None when it waits for opening hours.

    Pages go out for urgent requests (or every request with `page_for: all`), outside opening
    hours (or always with `page_when: always`), and only when texts can actually be sent: the
    person is told someone was paged only when that is true.
    """
    on_call = prog.on_call
    if on_call is None:
        return None
    if on_call.page_for == "urgent" and not urgent:
        return None
    if on_call.page_when != "always" and is_open(now, prog):
        return None
    if not (sending_configured() if can_send is None else can_send):
        return None
    return on_call_now(now, prog)


def rota_contact(phone: str, prog: Program) -> Optional[OnCallContact]:
    """The rota entry (or backup) with this number, whatever the time: only they may acknowledge."""
    on_call = prog.on_call
    if on_call is None or not phone:
        return None
    for contact in [shift.contact for shift in on_call.rota] + [on_call.backup]:
        if contact.phone == phone:
            return contact
    return None


def parse_acknowledgement(text: str, prefix: str) -> Optional[Acknowledgement]:
    """'ACK HL-7K3Q', 'ackHL-7K3Q', 'ack hl7k3q calling now', 'Ack' or 'OK HL-7K3Q' -> an
    acknowledgement, else None (the text is an ordinary message).

    `prefix` starts the program's references (bot.store.callbacks.ref_prefix). ACK without a
    reference means the latest page this number was sent; "OK" counts only with a reference, since
    a bare "ok" is too easily a reply to something else. A reference that is not one of ours comes
    back as typed, so that it is reported unknown rather than taken for the latest page.
    """
    from bot.store.callbacks import REF_ALPHABET, REF_LENGTH

    ours = re.compile(rf"\b{re.escape(prefix)}[\s{_DASH}]?([{REF_ALPHABET}]{{{REF_LENGTH}}})\b", re.I)
    start = re.compile(rf"^\s*(?:acknowledged?|ack)(?:\b|(?={re.escape(prefix)}))(?P<rest>.*)$", re.I | re.S)
    text = (text or "").strip()
    match = start.match(text)
    if match is None:
        okay = re.match(r"^ok(?:ay)?\b[\s:.,!-]*(?P<rest>.*?)[\s.!]*$", text, re.I | re.S)
        if okay is None or not ours.fullmatch(okay.group("rest")):
            return None
        match = okay
    rest = match.group("rest")
    found = ours.search(rest)
    if found:
        return Acknowledgement(f"{prefix}-{found.group(1)}".upper())
    other = _REF_LIKE.search(rest)
    return Acknowledgement(other.group(0).strip().upper()[:16] if other else None)

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

from bot.hours import is_open
from bot.settings import OnCallContact, OnCallShift, Program, env

# "ACK", "Ack HL-7K3Q, calling now", "acknowledged"; "OK" alone or with a reference only.
_ACK_START = re.compile(r"^\s*(?:ack|acknowledged?)\b(?P<rest>.*)$", re.I | re.S)
_OK_ONLY = re.compile(r"^\s*ok(?:ay)?\b[\s:.,!-]*(?P<rest>[a-z0-9 -]*?)[\s.!]*$", re.I)
TWILIO_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER")


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
    return all(env(name) for name in TWILIO_SETTINGS)


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
    """'ACK HL-7K3Q', 'ack hl7k3q calling now', 'Ack' or 'OK HL-7K3Q' -> an acknowledgement, else None.

    `prefix` starts the program's references (bot.store.callbacks.ref_prefix). Without a
    reference the reply means the latest page this number was sent.
    """
    from bot.store.callbacks import REF_ALPHABET, REF_LENGTH

    ref = re.compile(rf"\b{re.escape(prefix)}[\s-]?([{REF_ALPHABET}]{{{REF_LENGTH}}})\b", re.I)
    text = text or ""
    match = _ACK_START.match(text)
    if match is None:
        match = _OK_ONLY.match(text)
        if match is None or (match.group("rest").strip() and not ref.fullmatch(match.group("rest").strip())):
            return None
    found = ref.search(match.group("rest"))
    return Acknowledgement(f"{prefix}-{found.group(1)}".upper() if found else None)

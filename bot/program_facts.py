"""What one program offers (content/program.yml `facts`), said in sentences.

Every FAQ answer is general ("programs vary, ask us") until a provider states its own facts. A fact
that is set is said first in the answers that name it (`ours:` in content/faq/<topic>.yml); a fact
that is not set says nothing, so the general answer stands. The words live in
content/program_facts.yml; this module only picks the phrase and fills in the values, so that a
"no" (no childcare) is said as plainly as a "yes" and no answer claims more than the file says.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Sequence, Tuple

from bot import clock

# Medicines a program may list per disorder; anything else is refused as a likely typo.
MEDICINES: Mapping[str, Tuple[str, ...]] = {
    "opioid": ("methadone", "buprenorphine", "naltrexone"),
    "alcohol": ("naltrexone", "acamprosate", "disulfiram"),
}
# Where a track meets.
TRACK_SETTINGS = ("in_person", "virtual", "both")
# A track starting at or after this hour is an evening track.
EVENING_FROM = dt.time(16, 0)

# The facts an FAQ topic may name in `ours:`, in the order they are usually said.
SAYABLE = (
    "tracks",
    "length",
    "ages",
    "self_pay",
    "payment_options",
    "insurance",
    "opioid_medication",
    "alcohol_medication",
    "drug_testing",
    "transportation",
    "childcare",
    "telehealth",
    "family_program",
    "languages",
)


@dataclass(frozen=True)
class Meeting:
    """Weekdays (Monday=0) and local start and end times of a recurring session."""

    days: Tuple[int, ...]
    start: dt.time
    end: dt.time

    @property
    def minutes_per_week(self) -> int:
        each = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        return each * len(self.days)


@dataclass(frozen=True)
class Track:
    """One schedule people can join, e.g. an evening track."""

    name: str
    meeting: Meeting
    setting: str  # one of TRACK_SETTINGS

    @property
    def evening(self) -> bool:
        return self.meeting.start >= EVENING_FROM


@dataclass(frozen=True)
class Facts:
    """A program's own facts; None (or empty) means "not stated", never "no"."""

    tracks: Tuple[Track, ...] = ()
    length_weeks: Optional[Tuple[int, int]] = None
    adults: Optional[bool] = None
    teens: Optional[Tuple[int, int]] = None
    self_pay_per_day: Optional[int] = None
    payment_options: Tuple[str, ...] = ()
    insurers: Tuple[str, ...] = ()
    public_plans: Tuple[str, ...] = ()
    # Medicines offered in the program; () states "none here", None states nothing.
    opioid_medicines: Optional[Tuple[str, ...]] = None
    alcohol_medicines: Optional[Tuple[str, ...]] = None
    drug_testing: Optional[bool] = None
    transportation: Optional[bool] = None
    childcare: Optional[bool] = None
    telehealth: Optional[bool] = None
    # A family program: its meetings, or True when it runs without a fixed schedule.
    family_program: Optional[object] = None
    languages: Tuple[str, ...] = ()


def and_list(items: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def days_phrase(days: Sequence[int]) -> str:
    """'Monday to Thursday' for three or more days in a row, 'Tuesdays' for one, else 'Monday,
    Wednesday and Thursday'."""
    ordered = sorted(set(days))
    if len(ordered) == 1:
        return f"{clock.DAYS[ordered[0]]}s"
    if len(ordered) >= 3 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{clock.DAYS[ordered[0]]} to {clock.DAYS[ordered[-1]]}"
    return and_list([clock.DAYS[d] for d in ordered])


NOON = dt.time(12, 0)


def hours_phrase(start: dt.time, end: dt.time) -> str:
    """'6 to 9pm' when both are in the afternoon or both in the morning, '9am to noon', 'noon to
    3pm', else '9am to 1pm'."""
    first = "noon" if start == NOON else clock.clock(start)
    last = "noon" if end == NOON else clock.clock(end)
    if NOON not in (start, end) and (start.hour < 12) == (end.hour < 12):
        first = first[:-2]
    return f"{first} to {last}"


def weekly_hours(minutes: int) -> str:
    """'9 hours', '7.5 hours', '1 hour': the week's sessions added up, to the nearest quarter hour."""
    hours = round(minutes / 15) / 4
    return "1 hour" if hours == 1 else f"{hours:g} hours"


def _range(pair: Tuple[int, int]) -> str:
    low, high = pair
    return str(low) if low == high else f"{low} to {high}"


# What follows the facts in a text message when the general answer would make it too long; it keeps
# its {program_phone} for bot.texts to fill.
SMS_AFTER = "sms_after_facts"


def sentences(facts: Optional[Facts], phrases: Mapping[str, str]) -> Dict[str, str]:
    """The sentence for each stated fact, keyed as in SAYABLE; facts not stated are absent."""
    if facts is None:
        return {}
    said: Dict[str, str] = {}

    def say(key: str, phrase: str, **values: str) -> None:
        said[key] = phrases[phrase].format(**values)

    if facts.tracks:
        lines = [
            phrases["track"].format(
                name=t.name,
                days=days_phrase(t.meeting.days),
                hours=hours_phrase(t.meeting.start, t.meeting.end),
                weekly_hours=weekly_hours(t.meeting.minutes_per_week),
                when=phrases["when_evening" if t.evening else "when_day"],
                setting=phrases[f"setting_{t.setting}"],
            )
            for t in facts.tracks
        ]
        say("tracks", "tracks", tracks=" ".join(lines))
    if facts.length_weeks:
        say("length", "length", weeks=_range(facts.length_weeks))
    if facts.teens and facts.adults:
        say("ages", "ages_adults_and_teens", teens=_range(facts.teens))
    elif facts.teens:
        say("ages", "ages_teens_only", teens=_range(facts.teens))
    elif facts.adults:
        say("ages", "ages_adults_only")
    if facts.self_pay_per_day:
        say("self_pay", "self_pay", rate=f"${facts.self_pay_per_day:,}")
    if facts.payment_options:
        say("payment_options", "payment_options", options=and_list(facts.payment_options))
    if facts.insurers or facts.public_plans:
        say("insurance", "insurance", plans=and_list(facts.insurers + facts.public_plans))
    for kind in ("opioid", "alcohol"):
        medicines = getattr(facts, f"{kind}_medicines")
        if medicines is not None:
            phrase = f"{kind}_medication" + ("" if medicines else "_none")
            say(f"{kind}_medication", phrase, medicines=and_list(medicines))
    for flag in ("drug_testing", "transportation", "childcare", "telehealth"):
        value = getattr(facts, flag)
        if value is not None:
            say(flag, flag if value else f"{flag}_no")
    if isinstance(facts.family_program, Meeting):
        meeting = facts.family_program
        say(
            "family_program",
            "family_program_schedule",
            days=days_phrase(meeting.days),
            hours=hours_phrase(meeting.start, meeting.end),
        )
    elif facts.family_program is not None:
        say("family_program", "family_program" if facts.family_program else "family_program_no")
    if facts.languages:
        say("languages", "languages", languages=and_list(facts.languages))
    return said


# Every phrase content/program_facts.yml must hold, with the values it may use.
PHRASES: Mapping[str, Tuple[str, ...]] = {
    "tracks": ("tracks",),
    "track": ("name", "days", "hours", "weekly_hours", "when", "setting"),
    "when_day": (),
    "when_evening": (),
    **{f"setting_{s}": () for s in TRACK_SETTINGS},
    "length": ("weeks",),
    "ages_adults_only": (),
    "ages_teens_only": ("teens",),
    "ages_adults_and_teens": ("teens",),
    "self_pay": ("rate",),
    "payment_options": ("options",),
    "insurance": ("plans",),
    "opioid_medication": ("medicines",),
    "opioid_medication_none": (),
    "alcohol_medication": ("medicines",),
    "alcohol_medication_none": (),
    **{flag: () for flag in ("drug_testing", "transportation", "childcare", "telehealth")},
    **{f"{flag}_no": () for flag in ("drug_testing", "transportation", "childcare", "telehealth")},
    "family_program": (),
    "family_program_no": (),
    "family_program_schedule": ("days", "hours"),
    "languages": ("languages",),
    SMS_AFTER: ("program_phone",),
}

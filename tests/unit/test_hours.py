"""Opening hours and callback windows, table-driven against a fixed program (not the deployable file)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Dict, Optional

import pytest

from bot.hours import callback_window, is_open, next_opening
from bot.settings import Program, parse_program
from bot.texts import catalogue

BASE: Dict[str, Any] = {
    "program": {
        "name": "Harbor Light Recovery IOP",
        "short_name": "Harbor Light",
        "phone": "(410) 555-0142",
        "address": "1200 Harbor Street, Baltimore, MD 21230",
        "website": "https://harborlight.example.org",
    },
    "timezone": "America/New_York",
    "opening_hours": {
        "monday": ["08:00", "20:00"],
        "tuesday": ["08:00", "20:00"],
        "wednesday": ["08:00", "20:00"],
        "thursday": ["08:00", "20:00"],
        "friday": ["08:00", "18:00"],
        "saturday": ["09:00", "13:00"],
        "sunday": "closed",
    },
    "holidays": ["2026-11-26", "2026-12-25", "2027-01-01"],
    "callback_within_minutes": 120,
    "crisis": {
        "suicide_and_crisis_line": "988",
        "suicide_and_crisis_chat": "988lifeline.org",
        "suicide_and_crisis_chat_spanish": "988lineadevida.org",
        "emergency": "911",
        "samhsa_helpline": "1-800-662-4357",
    },
}


def make_program(**overrides: Any) -> Program:
    data = {**BASE, **overrides}
    return parse_program(data)


PROG = make_program()


def utc(value: dt.datetime) -> dt.datetime:
    """Compare instants in UTC: Python never finds an ambiguous local time equal across zones."""
    return value.astimezone(dt.timezone.utc)


def t(value: str) -> dt.datetime:
    """An aware instant; values without an offset are New York wall time."""
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PROG.tz)
    return parsed


# now, expected is_open
OPEN_CASES = [
    ("2026-06-10T12:00", True),  # Wednesday midday
    ("2026-06-10T08:00", True),  # opening minute
    ("2026-06-10T07:59", False),
    ("2026-06-10T20:00", False),  # closing minute is closed
    ("2026-06-10T16:00Z", True),  # 12:00 EDT given in UTC
    ("2026-06-11T00:30Z", False),  # 20:30 EDT Wednesday given in UTC
    ("2026-06-13T12:59", True),  # Saturday morning
    ("2026-06-13T13:00", False),  # Saturday after 1pm
    ("2026-06-14T12:00", False),  # Sunday
    ("2026-12-25T12:00", False),  # holiday (a Friday)
    ("2026-11-01T05:30Z", False),  # Sunday 01:30 EDT, before the clocks fall back
    ("2026-11-02T13:00Z", True),  # Monday 08:00 EST after fall-back
    ("2026-11-02T12:30Z", False),  # Monday 07:30 EST (would be 08:30 in EDT)
    ("2027-03-15T12:00Z", True),  # Monday 08:00 EDT after spring-forward
    ("2027-03-15T12:30Z", True),
    ("2027-03-15T11:59Z", False),  # 07:59 EDT
]


@pytest.mark.parametrize("now, expected", OPEN_CASES)
def test_is_open(now: str, expected: bool) -> None:
    assert is_open(t(now), PROG) is expected


# now, expected next opening
NEXT_CASES = [
    ("2026-06-10T12:00", "2026-06-10T12:00"),  # open: now
    ("2026-06-10T06:00", "2026-06-10T08:00"),  # early morning: today
    ("2026-06-10T21:00", "2026-06-11T08:00"),  # after closing: tomorrow
    ("2026-06-12T18:30", "2026-06-13T09:00"),  # Friday evening: Saturday
    ("2026-06-13T14:00", "2026-06-15T08:00"),  # Saturday afternoon: Monday
    ("2026-06-14T10:00", "2026-06-15T08:00"),  # Sunday: Monday
    ("2026-12-24T21:00", "2026-12-26T09:00"),  # night before a holiday: skips it
    ("2026-12-25T10:00", "2026-12-26T09:00"),  # on the holiday
    ("2027-03-13T19:00Z", "2027-03-15T12:00Z"),  # spring-forward weekend, given in UTC
    ("2027-03-14T06:30Z", "2027-03-15T12:00Z"),  # 01:30 EST, half an hour before the gap
    ("2026-10-31T18:00Z", "2026-11-02T13:00Z"),  # fall-back weekend, given in UTC
    ("2026-11-01T05:30Z", "2026-11-02T13:00Z"),  # 01:30 EDT (first of the two 01:30s)
    ("2026-11-01T06:30Z", "2026-11-02T13:00Z"),  # 01:30 EST (second)
]


@pytest.mark.parametrize("now, expected", NEXT_CASES)
def test_next_opening(now: str, expected: str) -> None:
    result = next_opening(t(now), PROG)
    assert utc(result) == utc(t(expected))
    assert getattr(result.tzinfo, "key", None) == "America/New_York"


# now, expected start, expected end, expected text
WINDOW_CASES = [
    # weekday midday
    ("2026-06-10T12:00", "2026-06-10T12:00", "2026-06-10T14:00", "within about 2 hours"),
    # exactly two hours before closing still fits
    ("2026-06-10T18:00", "2026-06-10T18:00", "2026-06-10T20:00", "within about 2 hours"),
    # 90 minutes left: try today, else first thing tomorrow (30 minutes of the promise left over)
    (
        "2026-06-10T18:30",
        "2026-06-10T18:30",
        "2026-06-11T08:30",
        "before 8pm today, or tomorrow after 8am",
    ),
    # 10 minutes before closing
    ("2026-06-10T19:50", "2026-06-11T08:00", "2026-06-11T10:00", "tomorrow after 8am"),
    # after closing
    ("2026-06-10T21:00", "2026-06-11T08:00", "2026-06-11T10:00", "tomorrow after 8am"),
    # early morning
    ("2026-06-10T06:15", "2026-06-10T08:00", "2026-06-10T10:00", "today after 8am"),
    # Friday evening
    ("2026-06-12T18:05", "2026-06-13T09:00", "2026-06-13T11:00", "tomorrow after 9am"),
    # Saturday late morning: an hour left
    (
        "2026-06-13T12:00",
        "2026-06-13T12:00",
        "2026-06-15T09:00",
        "before 1pm today, or on Monday after 8am",
    ),
    # Saturday afternoon after 1pm
    ("2026-06-13T14:00", "2026-06-15T08:00", "2026-06-15T10:00", "on Monday after 8am"),
    # Sunday
    ("2026-06-14T10:00", "2026-06-15T08:00", "2026-06-15T10:00", "tomorrow after 8am"),
    # holiday (Christmas, a Friday)
    ("2026-12-25T12:00", "2026-12-26T09:00", "2026-12-26T11:00", "tomorrow after 9am"),
    # night before a holiday
    ("2026-12-24T21:00", "2026-12-26T09:00", "2026-12-26T11:00", "on Saturday after 9am"),
    # night before Thanksgiving
    ("2026-11-25T21:00", "2026-11-27T08:00", "2026-11-27T10:00", "on Friday after 8am"),
    # New Year's Eve night: Jan 1 is a holiday
    ("2026-12-31T21:00", "2027-01-02T09:00", "2027-01-02T11:00", "on Saturday after 9am"),
    # DST spring-forward weekend, given in UTC (Saturday 14:00 EST)
    ("2027-03-13T19:00Z", "2027-03-15T12:00Z", "2027-03-15T14:00Z", "on Monday after 8am"),
    # DST fall-back weekend, given in UTC (Saturday 14:00 EDT)
    ("2026-10-31T18:00Z", "2026-11-02T13:00Z", "2026-11-02T15:00Z", "on Monday after 8am"),
    # the second 01:30 on fall-back night (EST)
    ("2026-11-01T06:30Z", "2026-11-02T13:00Z", "2026-11-02T15:00Z", "tomorrow after 8am"),
]


@pytest.mark.parametrize("now, start, end, text", WINDOW_CASES)
def test_callback_window(now: str, start: str, end: str, text: str) -> None:
    window = callback_window(t(now), PROG)
    assert (utc(window.start), utc(window.end), window.text) == (utc(t(start)), utc(t(end)), text)
    assert getattr(window.start.tzinfo, "key", None) == "America/New_York"
    assert getattr(window.end.tzinfo, "key", None) == "America/New_York"


SUNDAY_OPEN = {**BASE["opening_hours"], "sunday": ["00:00", "12:00"]}


# program overrides, now, start, end, text
SPECIAL_CASES = [
    # The promise spans the spring-forward gap: two real hours, not two wall-clock hours.
    (
        {"opening_hours": SUNDAY_OPEN},
        "2027-03-14T06:30Z",
        "2027-03-14T06:30Z",
        "2027-03-14T08:30Z",
        "within about 2 hours",
    ),
    # ... and the fall-back repeat hour.
    (
        {"opening_hours": SUNDAY_OPEN},
        "2026-11-01T05:00Z",
        "2026-11-01T05:00Z",
        "2026-11-01T07:00Z",
        "within about 2 hours",
    ),
    # A closure of a week or more names the date.
    (
        {"holidays": [f"2026-12-{d}" for d in range(21, 32)]},
        "2026-12-19T14:00",
        "2027-01-01T08:00",
        "2027-01-01T10:00",
        "on Friday, January 1 after 8am",
    ),
    # Other promise lengths read naturally.
    ({"callback_within_minutes": 60}, "2026-06-10T12:00", "2026-06-10T12:00", "2026-06-10T13:00", "within about 1 hour"),
    ({"callback_within_minutes": 90}, "2026-06-10T12:00", "2026-06-10T12:00", "2026-06-10T13:30", "within about 1.5 hours"),
    ({"callback_within_minutes": 45}, "2026-06-10T12:00", "2026-06-10T12:00", "2026-06-10T12:45", "within about 45 minutes"),
    # Opening at a half hour.
    (
        {"opening_hours": {**BASE["opening_hours"], "thursday": ["08:30", "20:00"]}},
        "2026-06-10T21:00",
        "2026-06-11T08:30",
        "2026-06-11T10:30",
        "tomorrow after 8:30am",
    ),
]


@pytest.mark.parametrize("overrides, now, start, end, text", SPECIAL_CASES)
def test_callback_window_special(overrides: Dict[str, Any], now: str, start: str, end: str, text: str) -> None:
    prog = make_program(**overrides)
    window = callback_window(t(now), prog)
    assert (utc(window.start), utc(window.end), window.text) == (utc(t(start)), utc(t(end)), text)


# now, expected text with the phrases below
OWN_WORDS_CASES = [
    ("2026-06-10T12:00", "in 2 hours or so"),
    ("2026-06-10T18:30", "by 8pm, else tomorrow from 8am"),
    ("2026-06-13T14:00", "on Monday from 8am"),
]
OWN_WORDS = {
    "within": "in {duration} or so",
    "before_closing": "by {close}, else {day} from {opening}",
    "next_opening": "{day} from {opening}",
}


@pytest.mark.parametrize("now, text", OWN_WORDS_CASES)
def test_callback_window_words_come_from_the_catalogue(now: str, text: str) -> None:
    """The phrases are content (content/callback_window.yml); only the clock words are filled in here."""
    texts = replace(catalogue(PROG), callback_window=OWN_WORDS)
    assert callback_window(t(now), PROG, texts=texts).text == text


@pytest.mark.parametrize("func", [is_open, next_opening, callback_window])
def test_naive_datetime_is_refused(func: Any) -> None:
    with pytest.raises(ValueError):
        func(dt.datetime(2026, 6, 10, 12, 0), PROG)


def test_no_opening_at_all_is_reported() -> None:
    start = dt.date(2026, 1, 1)
    everything: Optional[list] = [str(start + dt.timedelta(days=i)) for i in range(800)]
    prog = make_program(holidays=everything)
    with pytest.raises(ValueError):
        next_opening(t("2026-06-10T12:00"), prog)

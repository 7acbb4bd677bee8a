"""Clock and duration wording, one spelling for every screen (table-driven)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot import clock

NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    "t, expected, with_minutes",
    [
        (dt.time(0, 0), "12am", "12:00am"),
        (dt.time(8, 0), "8am", "8:00am"),
        (dt.time(8, 30), "8:30am", "8:30am"),
        (dt.time(11, 59), "11:59am", "11:59am"),
        (dt.time(12, 0), "12pm", "12:00pm"),
        (dt.time(13, 5), "1:05pm", "1:05pm"),
        (dt.time(20, 0), "8pm", "8:00pm"),
        (dt.time(23, 45), "11:45pm", "11:45pm"),
        (dt.datetime(2026, 3, 3, 15, 4, tzinfo=NY), "3:04pm", "3:04pm"),
    ],
)
def test_clock(t, expected: str, with_minutes: str) -> None:
    assert clock.clock(t) == expected
    assert clock.clock(t, minutes=True) == with_minutes


@pytest.mark.parametrize(
    "minutes, expected",
    [
        (1, "1 minute"),
        (30, "30 minutes"),
        (45, "45 minutes"),
        (60, "1 hour"),
        (90, "1.5 hours"),
        (100, "100 minutes"),
        (120, "2 hours"),
        (150, "2.5 hours"),
        (24 * 60, "1 day"),
        (2 * 24 * 60, "2 days"),
        (25 * 60, "25 hours"),
    ],
)
def test_duration(minutes: int, expected: str) -> None:
    assert clock.duration(minutes) == expected


TUE = dt.date(2026, 3, 3)


@pytest.mark.parametrize(
    "day, long, short",
    [
        (TUE, "today", "today"),
        (TUE - dt.timedelta(days=1), "today", "today"),
        (TUE + dt.timedelta(days=1), "tomorrow", "tomorrow"),
        (TUE + dt.timedelta(days=2), "on Thursday", "Thursday"),
        (TUE + dt.timedelta(days=6), "on Monday", "Monday"),
        (TUE + dt.timedelta(days=7), "on Tuesday, March 10", "Tuesday, Mar 10"),
        (dt.date(2027, 1, 4), "on Monday, January 4", "Monday, Jan 4"),
    ],
)
def test_day_phrase(day: dt.date, long: str, short: str) -> None:
    assert clock.day_phrase(day, TUE) == long
    assert clock.day_phrase(day, TUE, short=True) == short


@pytest.mark.parametrize(
    "zone, label",
    [("America/New_York", "Eastern time"), ("America/Los_Angeles", "Pacific time"), ("Pacific/Honolulu", "Hawaii time"), ("Europe/Berlin", "Europe/Berlin")],
)
def test_zone_label(zone: str, label: str) -> None:
    assert clock.zone_label(zone) == label


EIGHT_TO_EIGHT = (dt.time(8), dt.time(20))


@pytest.mark.parametrize(
    "hours, expected",
    [
        (
            [EIGHT_TO_EIGHT] * 4 + [(dt.time(8), dt.time(18)), (dt.time(9), dt.time(13)), None],
            "Mon-Thu 8am-8pm, Fri 8am-6pm, Sat 9am-1pm (Eastern time)",
        ),
        ([EIGHT_TO_EIGHT] * 7, "Mon-Sun 8am-8pm (Eastern time)"),
        ([None, (dt.time(8, 30), dt.time(17, 15))] + [None] * 5, "Tue 8:30am-5:15pm (Eastern time)"),
        ([EIGHT_TO_EIGHT, None, EIGHT_TO_EIGHT, None, EIGHT_TO_EIGHT, None, None], "Mon 8am-8pm, Wed 8am-8pm, Fri 8am-8pm (Eastern time)"),
    ],
)
def test_week_hours(hours, expected: str) -> None:
    assert clock.week_hours(hours, "America/New_York") == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (dt.datetime(2026, 11, 25, 20, 4, tzinfo=dt.timezone.utc), "Wed Nov 25, 3:04pm EST"),
        (dt.datetime(2026, 7, 1, 13, 0, tzinfo=dt.timezone.utc), "Wed Jul 1, 9:00am EDT"),
        (dt.datetime(2026, 1, 1, 5, 0, tzinfo=dt.timezone.utc), "Thu Jan 1, 12:00am EST"),
    ],
)
def test_timestamp(value: dt.datetime, expected: str) -> None:
    assert clock.timestamp(value, NY) == expected

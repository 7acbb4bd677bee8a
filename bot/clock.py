"""Clock and duration wording, written once: '8am', '8:30pm', '2 hours', 'tomorrow', 'Eastern time'.

A person reads these in answers, text messages and the staff console; one spelling everywhere keeps
"8am" from turning into "8:00 AM" on another screen. Pure functions without locale: strftime's
day and month names change with the server's locale, these never do.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional, Sequence, Tuple, Union

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHORT_DAYS = tuple(day[:3] for day in DAYS)
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
SHORT_MONTHS = tuple(month[:3] for month in MONTHS)

# How a US time zone is named in a sentence; any other zone is shown by its IANA name.
ZONE_LABELS = {
    "America/New_York": "Eastern time",
    "America/Chicago": "Central time",
    "America/Denver": "Mountain time",
    "America/Phoenix": "Arizona time",
    "America/Los_Angeles": "Pacific time",
    "America/Anchorage": "Alaska time",
    "Pacific/Honolulu": "Hawaii time",
}

OpeningHours = Sequence[Optional[Tuple[dt.time, dt.time]]]


def clock(t: Union[dt.time, dt.datetime], *, minutes: bool = False) -> str:
    """'8am', '8:30pm'; with `minutes`, always 'h:mm' ('8:00am') so times in a list line up."""
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    if t.minute == 0 and not minutes:
        return f"{hour}{suffix}"
    return f"{hour}:{t.minute:02d}{suffix}"


def duration(minutes: int) -> str:
    """'1 minute', '45 minutes', '1 hour', '1.5 hours', '2 hours', '1 day'; other amounts in minutes."""
    if minutes < 60:
        return f"{minutes} minutes" if minutes != 1 else "1 minute"
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"{days} days" if days != 1 else "1 day"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hours" if hours != 1 else "1 hour"
    if minutes % 30 == 0:
        return f"{minutes / 60:g} hours"
    return f"{minutes} minutes"


def day_phrase(day: dt.date, today: dt.date, *, short: bool = False) -> str:
    """A day as said from `today`: 'today', 'tomorrow', 'on Monday', 'on Monday, January 4'.

    A week or more ahead the date is added, so "Monday" never means the wrong week. `short` drops
    the 'on' and abbreviates the month ('Monday, Jan 4'), for a text message.
    """
    days = (day - today).days
    if days <= 0:
        return "today"
    if days == 1:
        return "tomorrow"
    weekday = DAYS[day.weekday()]
    lead = "" if short else "on "
    if days < 7:
        return f"{lead}{weekday}"
    month = (SHORT_MONTHS if short else MONTHS)[day.month - 1]
    return f"{lead}{weekday}, {month} {day.day}"


def zone_label(timezone: str) -> str:
    """'Eastern time' for America/New_York; the IANA name itself for zones without a common name."""
    return ZONE_LABELS.get(timezone, timezone)


def week_hours(opening_hours: OpeningHours, timezone: str) -> str:
    """Opening hours in one line, runs of equal days joined: 'Mon-Thu 8am-8pm, Fri 8am-6pm (Eastern time)'.

    `opening_hours` has seven entries, Monday first, each (open, close) or None when closed.
    """
    parts = []
    i = 0
    while i < 7:
        hours = opening_hours[i]
        j = i
        while j + 1 < 7 and opening_hours[j + 1] == hours:
            j += 1
        if hours is not None:
            label = SHORT_DAYS[i] if i == j else f"{SHORT_DAYS[i]}-{SHORT_DAYS[j]}"
            parts.append(f"{label} {clock(hours[0])}-{clock(hours[1])}")
        i = j + 1
    return ", ".join(parts) + f" ({zone_label(timezone)})"


def timestamp(value: dt.datetime, tz: dt.tzinfo) -> str:
    """'Wed Nov 25, 3:04pm EST': an instant in a time zone, for lists staff scan."""
    local = value.astimezone(tz)
    zone = local.tzname() or ""
    return (
        f"{SHORT_DAYS[local.weekday()]} {SHORT_MONTHS[local.month - 1]} {local.day}, "
        f"{clock(local, minutes=True)} {zone}"
    ).strip()

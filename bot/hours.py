"""Opening hours: is the admissions office open, and when can a person expect a call back.

A callback promise is only kept if it matches when staff are actually at their desks, so every
answer here comes from the program's opening hours and holidays. All arithmetic happens on
absolute (UTC) instants: adding a timedelta to a zone-aware datetime in Python moves the wall
clock, which is wrong across a daylight-saving change. The promise's wording comes from
content/callback_window.yml, with the clock words from bot.clock.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional, Tuple

from bot import clock
from bot.settings import Program
from bot.texts import Catalogue, catalogue

UTC = dt.timezone.utc

# Fewer minutes than this before closing and nobody can realistically call today.
LAST_CALL_MINUTES = 30
# Far enough to cover any realistic run of holidays; past it the settings are broken.
_SEARCH_DAYS = 400


@dataclass(frozen=True)
class CallbackWindow:
    """When staff will call: [start, end) as tz-aware instants, and the phrase we tell the person.

    `text` completes the sentence "Expect a call {text}.", e.g. "within about 2 hours" or
    "tomorrow after 8am".
    """

    start: dt.datetime
    end: dt.datetime
    text: str


def _require_aware(now: dt.datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def _at(day: dt.date, t: dt.time, prog: Program) -> dt.datetime:
    """The instant of local wall time `t` on `day`, normalized (a time in a DST gap moves forward)."""
    return dt.datetime.combine(day, t, tzinfo=prog.tz).astimezone(UTC).astimezone(prog.tz)


def _hours_on(day: dt.date, prog: Program) -> Optional[Tuple[dt.time, dt.time]]:
    if day in prog.holidays:
        return None
    return prog.opening_hours[day.weekday()]


def _open_period(now: dt.datetime, prog: Program) -> Optional[Tuple[dt.datetime, dt.datetime]]:
    """The (opening, closing) instants of the period that contains `now`, or None if closed."""
    local = now.astimezone(prog.tz)
    hours = _hours_on(local.date(), prog)
    if hours is None:
        return None
    opens, closes = _at(local.date(), hours[0], prog), _at(local.date(), hours[1], prog)
    if opens.astimezone(UTC) <= now.astimezone(UTC) < closes.astimezone(UTC):
        return opens, closes
    return None


def is_open(now: dt.datetime, prog: Program) -> bool:
    """True while the admissions office is open (holidays are closed all day)."""
    _require_aware(now)
    return _open_period(now, prog) is not None


def _next_opening_after(now: dt.datetime, prog: Program) -> dt.datetime:
    """The first opening instant strictly after `now`."""
    instant = now.astimezone(UTC)
    day = now.astimezone(prog.tz).date()
    for offset in range(_SEARCH_DAYS):
        candidate_day = day + dt.timedelta(days=offset)
        hours = _hours_on(candidate_day, prog)
        if hours is None:
            continue
        opens = _at(candidate_day, hours[0], prog)
        if opens.astimezone(UTC) > instant:
            return opens
    raise ValueError("no opening time found within a year: check opening_hours and holidays")


def next_opening(now: dt.datetime, prog: Program) -> dt.datetime:
    """`now` (in the program's time zone) when open, else the next opening instant."""
    _require_aware(now)
    if _open_period(now, prog) is not None:
        return now.astimezone(prog.tz)
    return _next_opening_after(now, prog)


def _day_phrase(start: dt.datetime, now: dt.datetime, prog: Program) -> str:
    """'today', 'tomorrow', 'on Monday' or, a week or more ahead, 'on Monday, January 4'."""
    return clock.day_phrase(start.astimezone(prog.tz).date(), now.astimezone(prog.tz).date())


def callback_window(now: dt.datetime, prog: Program, *, texts: Optional[Catalogue] = None) -> CallbackWindow:
    """When staff will call back someone who asks at `now`, worded by `texts` (the program's catalogue).

    - Open with at least `callback_within_minutes` left: now .. now+within, "within about 2 hours".
    - Open with at least 30 minutes left, but less than `within`: staff try before closing, else
      after the next opening; end is the next opening plus the minutes left over (business time),
      text "before 8pm today, or tomorrow after 8am".
    - Otherwise (closing in under 30 minutes, after hours, weekend, holiday): start is the next
      opening after this open period, end = start + within, text "tomorrow after 8am".
    """
    _require_aware(now)
    phrase = (texts or catalogue(prog)).window_text
    within = dt.timedelta(minutes=prog.callback_within_minutes)
    instant = now.astimezone(UTC)
    period = _open_period(now, prog)
    if period is not None:
        closes = period[1].astimezone(UTC)
        left = closes - instant
        if left >= within:
            return CallbackWindow(
                start=now.astimezone(prog.tz),
                end=(instant + within).astimezone(prog.tz),
                text=phrase("within", duration=clock.duration(prog.callback_within_minutes)),
            )
        following = _next_opening_after(closes, prog)
        if left >= dt.timedelta(minutes=LAST_CALL_MINUTES):
            end = following.astimezone(UTC) + (within - left)
            return CallbackWindow(
                start=now.astimezone(prog.tz),
                end=end.astimezone(prog.tz),
                text=phrase(
                    "before_closing",
                    close=clock.clock(period[1]),
                    day=_day_phrase(following, now, prog),
                    opening=clock.clock(following),
                ),
            )
        start = following
    else:
        start = _next_opening_after(now, prog)
    return CallbackWindow(
        start=start,
        end=(start.astimezone(UTC) + within).astimezone(prog.tz),
        text=phrase("next_opening", day=_day_phrase(start, now, prog), opening=clock.clock(start)),
    )

"""Program settings (content/program.yml) and deployment settings (environment variables).

A provider deploys the assistant by editing one YAML file, so that file is validated strictly
and every problem is reported at once with the field it concerns.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot import clock
from bot.program_facts import MEDICINES, TRACK_SETTINGS, Facts, Meeting, Track

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = PROJECT_ROOT / "content"
PROGRAM_FILE = CONTENT_DIR / "program.yml"
VAR_DIR = Path(os.environ.get("IOP_VAR_DIR", PROJECT_ROOT / "var"))

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class SettingsError(ValueError):
    """Raised with every problem found in the program settings file."""


HOLIDAYS = "holidays"
PAGE_FOR = ("urgent", "all")
PAGE_WHEN = ("outside_opening_hours", "always")
OUTSIDE_OPENING_HOURS = "outside_opening_hours"


@dataclass(frozen=True)
class OnCallContact:
    """A person (or a shared line) the on-call pages go to; `name` is what the console shows."""

    name: str
    phone: str


@dataclass(frozen=True)
class OnCallShift:
    """One rota entry: a contact and when they are on call.

    Either `outside_opening_hours`, or `days` (weekday indexes, Monday=0; `holidays` for the
    program's holidays) with local `start`..`end` hours; an end at or before the start runs past
    midnight into the next day. Without hours the shift covers the whole of each day.
    """

    contact: OnCallContact
    outside_opening_hours: bool = False
    days: frozenset = frozenset()
    holidays: bool = False
    start: Optional[dt.time] = None
    end: Optional[dt.time] = None


@dataclass(frozen=True)
class OnCall:
    """Who is paged by text message when a request needs a person while the office is closed."""

    rota: Tuple[OnCallShift, ...]
    backup: OnCallContact
    page_for: str = "urgent"
    page_when: str = OUTSIDE_OPENING_HOURS
    acknowledge_within_minutes: int = 15


@dataclass(frozen=True)
class Program:
    """The validated program settings."""

    name: str
    short_name: str
    phone: str
    address: str
    website: str
    timezone: str
    # weekday index (Monday=0) -> (open, close) or None when closed
    opening_hours: Tuple[Optional[Tuple[dt.time, dt.time]], ...]
    holidays: frozenset
    callback_within_minutes: int
    crisis_line: str
    crisis_chat: str
    crisis_chat_spanish: str
    emergency: str
    samhsa_helpline: str
    # How long conversations, and requests once closed, are kept (days); texts quote these.
    conversation_days: int = 30
    closed_request_days: int = 365
    # Paging the on-call staff (None: requests wait for opening hours).
    on_call: Optional[OnCall] = None
    # What this program offers, said first in the answers (None: every answer stays general).
    facts: Optional[Facts] = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def placeholders(self) -> Dict[str, str]:
        """Values that content texts may use as {placeholders}."""
        return {
            "program_name": self.name,
            "program_short_name": self.short_name,
            "program_phone": self.phone,
            "program_address": self.address,
            "program_website": self.website,
            "crisis_line": self.crisis_line,
            "crisis_chat": self.crisis_chat,
            "crisis_chat_spanish": self.crisis_chat_spanish,
            "emergency": self.emergency,
            "samhsa_helpline": self.samhsa_helpline,
            "opening_hours": self.describe_hours(),
            "conversation_days": str(self.conversation_days),
            "closed_request_days": str(self.closed_request_days),
        }

    def describe_hours(self) -> str:
        """Opening hours in one short human line, e.g. 'Mon-Thu 8am-8pm, Fri 8am-6pm'."""
        return clock.week_hours(self.opening_hours, self.timezone)


def _parse_time(value: Any, where: str, errors: List[str]) -> Optional[dt.time]:
    if not isinstance(value, str) or not _TIME.match(value):
        errors.append(f"{where}: expected a time as \"HH:MM\" (24h), got {value!r}")
        return None
    hour, minute = value.split(":")
    return dt.time(int(hour), int(minute))


def _whole_number(value: Any, low: int, high: int) -> bool:
    """An int from `low` to `high` (YAML's true/false are not numbers)."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _text(data: Mapping[str, Any], key: str, where: str, errors: List[str]) -> str:
    value = data.get(key) if isinstance(data, Mapping) else None
    if value is None or not str(value).strip():
        errors.append(f"{where}.{key}: required, must be non-empty text")
        return ""
    if "{" in str(value) or "}" in str(value):
        errors.append(f"{where}.{key}: braces are not allowed")
    return str(value).strip()


def parse_program(data: Any) -> Program:
    """Validate raw YAML data; raise SettingsError listing every problem."""
    errors: List[str] = []
    if not isinstance(data, Mapping):
        raise SettingsError("program settings: the file must be a YAML mapping")
    prog = data.get("program") or {}
    if not isinstance(prog, Mapping):
        errors.append("program: must be a mapping")
        prog = {}
    name = _text(prog, "name", "program", errors)
    short_name = str(prog.get("short_name") or name).strip()
    phone = _text(prog, "phone", "program", errors)
    if phone and len(re.sub(r"\D", "", phone)) < 10:
        errors.append("program.phone: needs at least 10 digits")
    address = _text(prog, "address", "program", errors)
    website = _text(prog, "website", "program", errors)

    tz = str(data.get("timezone") or "")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(f"timezone: unknown time zone {tz!r} (use an IANA name like America/New_York)")

    hours_raw = data.get("opening_hours")
    opening: List[Optional[Tuple[dt.time, dt.time]]] = []
    if not isinstance(hours_raw, Mapping):
        errors.append("opening_hours: required mapping of weekday -> [open, close] or closed")
        hours_raw = {}
    unknown = set(hours_raw) - set(WEEKDAYS)
    if unknown:
        errors.append(f"opening_hours: unknown day(s) {sorted(unknown)}")
    for day in WEEKDAYS:
        value = hours_raw.get(day, "closed")
        where = f"opening_hours.{day}"
        if value in ("closed", None, False):
            opening.append(None)
            continue
        if not isinstance(value, list) or len(value) != 2:
            errors.append(f"{where}: expected [\"HH:MM\", \"HH:MM\"] or closed, got {value!r}")
            opening.append(None)
            continue
        start = _parse_time(value[0], where, errors)
        end = _parse_time(value[1], where, errors)
        if start and end and start >= end:
            errors.append(f"{where}: opening time must be before closing time")
        opening.append((start, end) if start and end and start < end else None)
    if hours_raw and not any(opening) and not errors:
        errors.append("opening_hours: at least one day must be open")

    holidays = set()
    for item in data.get("holidays") or []:
        try:
            holidays.add(dt.date.fromisoformat(str(item)))
        except ValueError:
            errors.append(f"holidays: {item!r} is not a date as YYYY-MM-DD")

    within = data.get("callback_within_minutes", 120)
    if not isinstance(within, int) or within <= 0 or within > 7 * 24 * 60:
        errors.append("callback_within_minutes: a whole number of minutes between 1 and 10080")
        within = 120

    retention = data.get("retention") or {}
    if not isinstance(retention, Mapping):
        errors.append("retention: must be a mapping")
        retention = {}
    days = {}
    for key in ("conversation_days", "closed_request_days"):
        default = Program.__dataclass_fields__[key].default
        value = retention.get(key, default)
        if not _whole_number(value, 1, 3650):
            errors.append(f"retention.{key}: a whole number of days between 1 and 3650")
            value = default
        days[key] = value

    on_call = _parse_on_call(data.get("on_call"), errors)
    facts = _parse_facts(data.get("facts"), errors)

    crisis = data.get("crisis") or {}
    crisis_line = _text(crisis, "suicide_and_crisis_line", "crisis", errors)
    crisis_chat = _text(crisis, "suicide_and_crisis_chat", "crisis", errors)
    crisis_chat_spanish = _text(crisis, "suicide_and_crisis_chat_spanish", "crisis", errors)
    emergency = _text(crisis, "emergency", "crisis", errors)
    samhsa = _text(crisis, "samhsa_helpline", "crisis", errors)

    if errors:
        raise SettingsError("Invalid program settings:\n  - " + "\n  - ".join(errors))
    return Program(
        name=name,
        short_name=short_name,
        phone=phone,
        address=address,
        website=website,
        timezone=tz,
        opening_hours=tuple(opening),
        holidays=frozenset(holidays),
        callback_within_minutes=within,
        crisis_line=crisis_line,
        crisis_chat=crisis_chat,
        crisis_chat_spanish=crisis_chat_spanish,
        emergency=emergency,
        samhsa_helpline=samhsa,
        on_call=on_call,
        facts=facts,
        **days,
    )


def _contact(raw: Any, where: str, errors: List[str]) -> Optional[OnCallContact]:
    from bot.phones import normalize_phone

    if not isinstance(raw, Mapping):
        errors.append(f"{where}: expected a mapping with name and phone")
        return None
    name = _text(raw, "name", where, errors)
    phone = str(raw.get("phone") or "").strip()
    if not phone.startswith("+") or normalize_phone(phone) != phone:
        errors.append(f"{where}.phone: a phone number in E.164 form, e.g. \"+14105550170\", got {phone!r}")
        return None
    return OnCallContact(name=name[:60], phone=phone) if name else None


def _shift(raw: Any, where: str, errors: List[str]) -> Optional[OnCallShift]:
    contact = _contact(raw, where, errors)
    if not isinstance(raw, Mapping):
        return None
    _keys(raw, where, ("name", "phone", "when", "days", "hours"), errors)
    when, days_raw, hours = raw.get("when"), raw.get("days"), raw.get("hours")
    if when is not None:
        if when != OUTSIDE_OPENING_HOURS:
            errors.append(f"{where}.when: only {OUTSIDE_OPENING_HOURS!r} is known, got {when!r}")
        if days_raw is not None or hours is not None:
            errors.append(f"{where}: give either when or days (with optional hours), not both")
        return OnCallShift(contact, outside_opening_hours=True) if contact else None
    if not isinstance(days_raw, list) or not days_raw:
        errors.append(f"{where}: needs when: {OUTSIDE_OPENING_HOURS} or days: [monday, ..., {HOLIDAYS}]")
        return None
    bad = [d for d in days_raw if d not in WEEKDAYS and d != HOLIDAYS]
    if bad:
        errors.append(f"{where}.days: unknown day(s) {bad}")
    start = end = None
    if hours is not None:
        if not isinstance(hours, list) or len(hours) != 2:
            errors.append(f"{where}.hours: expected [\"HH:MM\", \"HH:MM\"], got {hours!r}")
        else:
            start, end = _parse_time(hours[0], f"{where}.hours", errors), _parse_time(hours[1], f"{where}.hours", errors)
    if contact is None or bad:
        return None
    return OnCallShift(
        contact,
        days=frozenset(WEEKDAYS.index(d) for d in days_raw if d in WEEKDAYS),
        holidays=HOLIDAYS in days_raw,
        start=start,
        end=end,
    )


def _parse_on_call(raw: Any, errors: List[str]) -> Optional[OnCall]:
    """The optional on_call section; None when it is absent."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        errors.append("on_call: must be a mapping with rota and backup")
        return None
    found_before = len(errors)
    _keys(raw, "on_call", ("rota", "backup", "page_for", "page_when", "acknowledge_within_minutes"), errors)
    rota_raw = raw.get("rota")
    if not isinstance(rota_raw, list) or not rota_raw:
        errors.append("on_call.rota: a list of at least one entry (name, phone, and when or days)")
        rota_raw = []
    rota = [_shift(item, f"on_call.rota[{i}]", errors) for i, item in enumerate(rota_raw)]
    backup = _contact(raw.get("backup"), "on_call.backup", errors)
    page_for = raw.get("page_for", "urgent")
    if page_for not in PAGE_FOR:
        errors.append(f"on_call.page_for: one of {list(PAGE_FOR)}, got {page_for!r}")
    page_when = raw.get("page_when", OUTSIDE_OPENING_HOURS)
    if page_when not in PAGE_WHEN:
        errors.append(f"on_call.page_when: one of {list(PAGE_WHEN)}, got {page_when!r}")
    minutes = raw.get("acknowledge_within_minutes", 15)
    if not _whole_number(minutes, 1, 240):
        errors.append("on_call.acknowledge_within_minutes: a whole number of minutes between 1 and 240")
    if backup and any(s and s.contact.phone == backup.phone for s in rota):
        errors.append("on_call.backup: must be another number than the rota's (the backup is who is paged when the rota does not answer)")
    if len(errors) > found_before:
        return None  # parse_program raises with every error
    return OnCall(tuple(s for s in rota if s), backup, page_for, page_when, minutes)


FACT_KEYS = ("tracks", "length_weeks", "ages", "self_pay", "insurance", "services", "languages")
SERVICE_FLAGS = ("drug_testing", "transportation", "childcare", "telehealth")
SERVICE_KEYS = ("opioid_medication", "alcohol_medication", *SERVICE_FLAGS, "family_program")


def _keys(raw: Any, where: str, known: Tuple[str, ...], errors: List[str]) -> Mapping[str, Any]:
    """`raw` as a mapping (empty if it is not one), with any key outside `known` reported."""
    if not isinstance(raw, Mapping):
        errors.append(f"{where}: must be a mapping")
        return {}
    unknown = sorted(str(key) for key in set(raw) - set(known))
    if unknown:
        errors.append(f"{where}: unknown key(s) {unknown}; known: {list(known)}")
    return raw


def _names(raw: Any, where: str, errors: List[str], allowed: Optional[Tuple[str, ...]] = None) -> Tuple[str, ...]:
    """A list of short names (insurers, languages, medicines), each said as written."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        errors.append(f"{where}: a list of names, e.g. [First, Second]")
        return ()
    names = tuple(" ".join(x.split()) for x in raw)
    for name in names:
        if len(name) > 60 or "{" in name or "}" in name:
            errors.append(f"{where}: {name[:60]!r} must be at most 60 characters, without braces")
        elif allowed is not None and name not in allowed:
            errors.append(f"{where}: unknown {name!r}; one of {list(allowed)}")
    if len(set(n.lower() for n in names)) < len(names):
        errors.append(f"{where}: names a value twice")
    return names


def _meeting(raw: Mapping[str, Any], where: str, errors: List[str]) -> Optional[Meeting]:
    """`days` (weekdays) and `hours` [from, to] on the same day."""
    days, hours = raw.get("days"), raw.get("hours")
    if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
        errors.append(f"{where}.days: a list of weekdays, e.g. [monday, wednesday], got {days!r}")
        return None
    if not isinstance(hours, list) or len(hours) != 2:
        errors.append(f"{where}.hours: expected [\"HH:MM\", \"HH:MM\"], got {hours!r}")
        return None
    start, end = _parse_time(hours[0], f"{where}.hours", errors), _parse_time(hours[1], f"{where}.hours", errors)
    if start is None or end is None:
        return None
    if start >= end:
        errors.append(f"{where}.hours: the start must be before the end on the same day")
        return None
    return Meeting(tuple(sorted({WEEKDAYS.index(d) for d in days})), start, end)


def _track(raw: Any, where: str, errors: List[str]) -> Optional[Track]:
    known = ("name", "days", "hours", "setting")
    raw = _keys(raw, where, known, errors)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 40 or "{" in name or "}" in name:
        errors.append(f"{where}.name: the track's name as text of at most 40 characters, e.g. Evening track")
        name = None
    setting = raw.get("setting", "in_person")
    if setting not in TRACK_SETTINGS:
        errors.append(f"{where}.setting: one of {list(TRACK_SETTINGS)}, got {setting!r}")
    meeting = _meeting(raw, where, errors)
    if not name or meeting is None or setting not in TRACK_SETTINGS:
        return None
    return Track(" ".join(name.split()), meeting, setting)


def _ages(raw: Any, errors: List[str]) -> Tuple[Optional[bool], Optional[Tuple[int, int]]]:
    raw = _keys(raw, "facts.ages", ("adults", "teens"), errors)
    adults, teens = raw.get("adults"), raw.get("teens")
    if adults is not None and not isinstance(adults, bool):
        errors.append("facts.ages.adults: true or false")
        adults = None
    if teens is None or teens is False:
        teens = None
    elif not (isinstance(teens, list) and len(teens) == 2 and all(_whole_number(a, 10, 19) for a in teens) and teens[0] <= teens[1]):
        errors.append(f"facts.ages.teens: the youngest and oldest teen age served, e.g. [13, 17], got {teens!r}")
        teens = None
    else:
        teens = (teens[0], teens[1])
    if not adults and not teens and not any(e.startswith("facts.ages") for e in errors):
        errors.append("facts.ages: serves nobody; set adults: true and/or teens: [from, to]")
    return adults, teens


def _length(raw: Any, errors: List[str]) -> Optional[Tuple[int, int]]:
    if raw is None:
        return None
    pair = [raw, raw] if not isinstance(raw, list) else raw
    if len(pair) != 2 or not all(_whole_number(w, 1, 104) for w in pair) or pair[0] > pair[1]:
        errors.append(f"facts.length_weeks: weeks as a number or [from, to] between 1 and 104, got {raw!r}")
        return None
    return (pair[0], pair[1])


def _services(raw: Any, errors: List[str]) -> Dict[str, Any]:
    raw = _keys(raw, "facts.services", SERVICE_KEYS, errors)
    found: Dict[str, Any] = {}
    for kind in ("opioid", "alcohol"):
        key = f"{kind}_medication"
        value = raw.get(key)
        if value is False or value == []:  # stated: none here
            found[f"{kind}_medicines"] = ()
        elif isinstance(value, list):
            found[f"{kind}_medicines"] = _names(value, f"facts.services.{key}", errors, MEDICINES[kind])
        elif value is not None:  # left empty (null) states nothing
            errors.append(f"facts.services.{key}: a list of medicines from {list(MEDICINES[kind])}, or [] for none")
    for flag in SERVICE_FLAGS:
        value = raw.get(flag)
        if value is not None and not isinstance(value, bool):
            errors.append(f"facts.services.{flag}: true or false, got {value!r}")
        elif value is not None:
            found[flag] = value
    family = raw.get("family_program")
    if isinstance(family, bool):
        found["family_program"] = family
    elif family is not None:
        family = _keys(family, "facts.services.family_program", ("days", "hours"), errors)
        meeting = _meeting(family, "facts.services.family_program", errors)
        if meeting:
            found["family_program"] = meeting
    return found


def _parse_facts(raw: Any, errors: List[str]) -> Optional[Facts]:
    """The optional facts section; None when it is absent. A fact left out is not stated."""
    if raw is None:
        return None
    found_before = len(errors)
    raw = _keys(raw, "facts", FACT_KEYS, errors)
    tracks_raw = raw.get("tracks")
    if tracks_raw is not None and (not isinstance(tracks_raw, list) or not tracks_raw):
        errors.append("facts.tracks: a list of tracks (name, days, hours, setting)")
        tracks_raw = []
    tracks = tuple(t for t in (_track(item, f"facts.tracks[{i}]", errors) for i, item in enumerate(tracks_raw or [])) if t)
    adults, teens = _ages(raw["ages"], errors) if "ages" in raw else (None, None)
    pay = _keys(raw["self_pay"], "facts.self_pay", ("per_day", "options"), errors) if "self_pay" in raw else {}
    per_day = pay.get("per_day")
    if per_day is not None and not _whole_number(per_day, 1, 10000):
        errors.append(f"facts.self_pay.per_day: whole US dollars per treatment day, 1 to 10000, got {per_day!r}")
    plans = _keys(raw["insurance"], "facts.insurance", ("insurers", "public_plans"), errors) if "insurance" in raw else {}
    services = _services(raw["services"], errors) if "services" in raw else {}
    insurers = _names(plans.get("insurers"), "facts.insurance.insurers", errors)
    public_plans = _names(plans.get("public_plans"), "facts.insurance.public_plans", errors)
    if {n.lower() for n in insurers} & {n.lower() for n in public_plans}:
        errors.append("facts.insurance: a plan is named both as an insurer and as a public plan")
    if services.get("telehealth") is False and any(t.setting != "in_person" for t in tracks):
        errors.append("facts.services.telehealth: false, but a track meets online; make them agree")
    facts = Facts(
        tracks=tracks,
        length_weeks=_length(raw.get("length_weeks"), errors),
        adults=adults,
        teens=teens,
        self_pay_per_day=per_day,
        payment_options=_names(pay.get("options"), "facts.self_pay.options", errors),
        insurers=insurers,
        public_plans=public_plans,
        languages=_names(raw.get("languages"), "facts.languages", errors),
        **services,
    )
    return None if len(errors) > found_before else facts


def load_program_file(path: Path) -> Program:
    """Read and validate a program settings file."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError(f"program settings file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise SettingsError(f"program settings file {path} is not valid YAML: {exc}") from exc
    return parse_program(raw)


@lru_cache(maxsize=1)
def program() -> Program:
    """The deployed program's settings (file from IOP_PROGRAM_FILE or content/program.yml)."""
    return load_program_file(Path(os.environ.get("IOP_PROGRAM_FILE", PROGRAM_FILE)))


def sqlalchemy_url(url: str) -> str:
    """Heroku-style URLs name the dialect "postgres"; SQLAlchemy 1.4 wants "postgresql"."""
    return re.sub(r"^postgres://", "postgresql://", url)


def database_url() -> str:
    """Our application database: DATABASE_URL, else SQLite under var/."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return sqlalchemy_url(url)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'iop.sqlite'}"


def tracker_database_url() -> str:
    """Rasa's tracker store: the same backend as ours (a separate file for SQLite, to avoid lock contention)."""
    url = os.environ.get("TRACKER_DATABASE_URL", "").strip()
    if url:
        return sqlalchemy_url(url)
    main = database_url()
    if main.startswith("sqlite"):
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{VAR_DIR / 'tracker.sqlite'}"
    return main


def env(name: str, default: Optional[str] = None) -> Optional[str]:
    """An environment setting; empty strings count as unset."""
    value = os.environ.get(name, "")
    return value if value.strip() else default

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

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = PROJECT_ROOT / "content"
PROGRAM_FILE = CONTENT_DIR / "program.yml"
VAR_DIR = Path(os.environ.get("IOP_VAR_DIR", PROJECT_ROOT / "var"))

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class SettingsError(ValueError):
    """Raised with every problem found in the program settings file."""


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
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3650:
            errors.append(f"retention.{key}: a whole number of days between 1 and 3650")
            value = default
        days[key] = value

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
        **days,
    )


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


def database_url() -> str:
    """Our application database: DATABASE_URL, else SQLite under var/."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        # Heroku-style URLs name the dialect "postgres"; SQLAlchemy 1.4 wants "postgresql".
        return re.sub(r"^postgres://", "postgresql://", url)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'iop.sqlite'}"


def tracker_database_url() -> str:
    """Rasa's tracker store: the same backend as ours (a separate file for SQLite, to avoid lock contention)."""
    url = os.environ.get("TRACKER_DATABASE_URL", "").strip()
    if url:
        return re.sub(r"^postgres://", "postgresql://", url)
    main = database_url()
    if main.startswith("sqlite"):
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{VAR_DIR / 'tracker.sqlite'}"
    return main


def env(name: str, default: Optional[str] = None) -> Optional[str]:
    """An environment setting; empty strings count as unset."""
    value = os.environ.get(name, "")
    return value if value.strip() else default

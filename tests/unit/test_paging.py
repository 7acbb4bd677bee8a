"""bot/paging.py and the on_call settings: who is on call when, which requests page them, and which
replies acknowledge a page. Table-driven, on the shipped hours (see tests.support.on_call)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Optional

import pytest
import yaml

from bot import paging
from bot.settings import PROGRAM_FILE, Program, SettingsError, parse_program
from tests.support.on_call import BACKUP, NIGHT_NURSE, NY, STRANGER, WEEKEND, on_call_section


def settings(**changes: Any) -> Program:
    data = yaml.safe_load(PROGRAM_FILE.read_text(encoding="utf-8"))
    data["on_call"] = on_call_section(**changes)
    return parse_program(data)


def at(day: str, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=NY)


# --- settings ------------------------------------------------------------------------------------


def test_without_on_call_nobody_is_paged() -> None:
    prog = parse_program(yaml.safe_load(PROGRAM_FILE.read_text(encoding="utf-8")))
    assert prog.on_call is None
    assert paging.first_page(at("2026-03-04", 2), prog, urgent=True, can_send=True) is None
    assert paging.rota_contact(NIGHT_NURSE, prog) is None


def test_a_valid_section_is_read() -> None:
    on_call = settings().on_call
    assert on_call is not None
    assert [s.contact.name for s in on_call.rota] == ["Weekend clinician", "Night nurse"]
    assert on_call.rota[0].days == frozenset({5, 6}) and on_call.rota[0].holidays
    assert on_call.rota[1].outside_opening_hours and on_call.backup.phone == BACKUP
    assert on_call.acknowledge_within_minutes == 15


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"rota": []}, "on_call.rota: a list of at least one entry"),
        ({"backup": None}, "on_call.backup: expected a mapping"),
        ({"backup": {"name": "Director", "phone": "410-555-0179"}}, "on_call.backup.phone: a phone number in E.164"),
        ({"backup": {"name": "", "phone": BACKUP}}, "on_call.backup.name: required"),
        ({"rota": [{"name": "A", "phone": NIGHT_NURSE}]}, "on_call.rota[0]: needs when"),
        ({"rota": [{"name": "A", "phone": NIGHT_NURSE, "when": "nights"}]}, "on_call.rota[0].when: only"),
        ({"rota": [{"name": "A", "phone": NIGHT_NURSE, "days": ["funday"]}]}, "on_call.rota[0].days: unknown day(s) ['funday']"),
        ({"rota": [{"name": "A", "phone": NIGHT_NURSE, "days": ["monday"], "hours": ["20:00"]}]}, "on_call.rota[0].hours: expected"),
        ({"rota": [{"name": "A", "phone": NIGHT_NURSE, "days": ["monday"], "hours": ["8pm", "08:00"]}]}, "on_call.rota[0].hours: expected a time"),
        ({"rota": [{"name": "A", "phone": NIGHT_NURSE, "when": "outside_opening_hours", "days": ["monday"]}]}, "either when or days"),
        ({"rota": [{"name": "A", "phone": NIGHT_NURSE, "when": "outside_opening_hours", "pager": 1}]}, "unknown key(s) ['pager']"),
        ({"rota": [{"name": "A", "phone": BACKUP, "when": "outside_opening_hours"}]}, "on_call.backup: must be another number"),
        ({"page_for": "some"}, "on_call.page_for: one of ['urgent', 'all']"),
        ({"page_when": "nights"}, "on_call.page_when: one of"),
        ({"acknowledge_within_minutes": 0}, "on_call.acknowledge_within_minutes: a whole number"),
        ({"acknowledge_within_minutes": "15"}, "on_call.acknowledge_within_minutes: a whole number"),
        ({"escalate": True}, "on_call: unknown key(s) ['escalate']"),
        ({"rota": [{"name": "A", "phone": NIGHT_NURSE, "when": "outside_opening_hours", 2: 1, "pager": 1}]}, "unknown key(s) ['2', 'pager']"),
    ],
)
def test_mistakes_are_named(changes: Dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        settings(**changes)
    assert message in str(raised.value)


# --- who is on call ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment, expected",
    [
        (at("2026-03-04", 2), NIGHT_NURSE),  # Wednesday 2am: closed, a weekday
        (at("2026-03-04", 12), BACKUP),  # open on a weekday: no rota entry covers it
        (at("2026-03-04", 20, 30), NIGHT_NURSE),  # after closing
        (at("2026-03-07", 11), WEEKEND),  # Saturday, even while the office is open 9-1
        (at("2026-03-08", 3), WEEKEND),  # Sunday night
        (at("2026-11-26", 14), WEEKEND),  # Thanksgiving, a holiday on a Thursday
        (at("2026-11-27", 2), NIGHT_NURSE),  # the night after: a weekday again
    ],
)
def test_the_first_rota_entry_covering_the_moment_is_on_call(moment: dt.datetime, expected: str) -> None:
    prog = settings()
    contact = paging.on_call_now(moment, prog)
    assert contact is not None and contact.phone == expected


OVERNIGHT = [
    {"name": "Mon-Thu nights", "phone": NIGHT_NURSE, "days": ["monday", "tuesday", "wednesday", "thursday"], "hours": ["20:00", "08:00"]},
    {"name": "Friday evening", "phone": WEEKEND, "days": ["friday"], "hours": ["18:00", "23:00"]},
]


@pytest.mark.parametrize(
    "moment, expected",
    [
        (at("2026-03-02", 21), NIGHT_NURSE),  # Monday 9pm: Monday's shift
        (at("2026-03-03", 7, 59), NIGHT_NURSE),  # Tuesday 7:59am: still Monday's shift
        (at("2026-03-03", 8), BACKUP),  # Tuesday 8am: over
        (at("2026-03-02", 7), BACKUP),  # Monday 7am: Sunday has no shift
        (at("2026-03-06", 7), NIGHT_NURSE),  # Friday 7am: Thursday's shift runs into Friday
        (at("2026-03-06", 22, 59), WEEKEND),
        (at("2026-03-06", 23), BACKUP),  # the end is not included
    ],
)
def test_hours_may_run_past_midnight_and_gaps_go_to_the_backup(moment: dt.datetime, expected: str) -> None:
    contact = paging.on_call_now(moment, settings(rota=OVERNIGHT))
    assert contact is not None and contact.phone == expected


# --- which requests page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, moment, urgent, can_send, expected",
    [
        ({}, at("2026-03-04", 2), True, True, NIGHT_NURSE),
        ({}, at("2026-03-04", 2), False, True, None),  # routine: waits for the morning
        ({}, at("2026-03-04", 12), True, True, None),  # open: the console is watched
        ({}, at("2026-03-04", 2), True, False, None),  # texts cannot be sent: nobody would be told
        ({"page_for": "all"}, at("2026-03-04", 2), False, True, NIGHT_NURSE),
        ({"page_when": "always"}, at("2026-03-04", 12), True, True, BACKUP),
        ({"page_when": "always"}, at("2026-03-07", 10), True, True, WEEKEND),
        ({}, at("2026-12-25", 10), True, True, WEEKEND),  # Christmas: closed all day
    ],
)
def test_first_page(changes: Dict[str, Any], moment: dt.datetime, urgent: bool, can_send: bool, expected: Optional[str]) -> None:
    contact = paging.first_page(moment, settings(**changes), urgent=urgent, can_send=can_send)
    assert (contact.phone if contact else None) == expected


def test_sending_needs_every_twilio_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in paging.TWILIO_SETTINGS:
        monkeypatch.setenv(name, "x")
    assert paging.sending_configured()
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", " ")
    assert not paging.sending_configured()
    assert paging.first_page(at("2026-03-04", 2), settings(), urgent=True) is None


# --- acknowledgements ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone, expected",
    [(NIGHT_NURSE, "Night nurse"), (WEEKEND, "Weekend clinician"), (BACKUP, "Clinical director"), (STRANGER, None), ("", None)],
)
def test_only_rota_numbers_can_acknowledge(phone: str, expected: Optional[str]) -> None:
    contact = paging.rota_contact(phone, settings())
    assert (contact.name if contact else None) == expected


@pytest.mark.parametrize(
    "text, ref",
    [
        ("ACK HL-7K3Q", "HL-7K3Q"),
        ("ack hl-7k3q", "HL-7K3Q"),
        ("Ack hl7k3q", "HL-7K3Q"),
        ("ACK HL 7K3Q, calling her now", "HL-7K3Q"),
        ("ack: HL-7K3Q.", "HL-7K3Q"),
        ("ACK-HL-7K3Q", "HL-7K3Q"),
        ("OK HL-7K3Q", "HL-7K3Q"),
        ("ackHL-7K3Q", "HL-7K3Q"),
        ("ACK HL\u20137K3Q", "HL-7K3Q"),  # an en dash from a phone's keyboard
        ("ACK", None),
        ("ack.", None),
        ("Ack, calling now", None),
        ("Ack. Calling her in 5 min", None),
        ("acknowledged", None),
        # Meant as a reference but not one of ours: reported unknown, never taken for the latest page.
        ("ACK 68D8", "68D8"),
        ("ack CB-7K3Q", "CB-7K3Q"),
        ("ACK HL-7K3O", "HL-7K3O"),
    ],
)
def test_acknowledgements(text: str, ref: Optional[str]) -> None:
    assert paging.parse_acknowledgement(text, "HL") == paging.Acknowledgement(ref)


@pytest.mark.parametrize(
    "text",
    ["hello", "ok", "Okay!", "ok thanks", "ok cool", "package", "backup", "acker", "I want to go to rehab", "", "HL-7K3Q",
     "lack of sleep"],
)
def test_other_texts_are_not_acknowledgements(text: str) -> None:
    assert paging.parse_acknowledgement(text, "HL") is None

"""Program settings validation: the shipped file is valid, and each mistake is reported clearly."""
from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml

from bot.settings import PROGRAM_FILE, SettingsError, load_program_file, parse_program


def raw() -> dict:
    return yaml.safe_load(PROGRAM_FILE.read_text())


def test_shipped_settings_are_valid() -> None:
    prog = load_program_file(PROGRAM_FILE)
    assert prog.opening_hours[0] == (dt.time(8), dt.time(20))
    assert prog.opening_hours[6] is None
    assert prog.crisis_line == "988" and prog.emergency == "911"
    assert "Mon-Thu 8am-8pm" in prog.describe_hours()
    assert (prog.conversation_days, prog.closed_request_days) == (30, 365)


def test_retention_defaults_when_the_section_is_missing() -> None:
    data = copy.deepcopy(raw())
    data.pop("retention")
    prog = parse_program(data)
    assert prog.placeholders()["conversation_days"] == "30" and prog.placeholders()["closed_request_days"] == "365"


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["program"].pop("name"), "program.name"),
        (lambda d: d["program"].update(phone="12"), "program.phone"),
        (lambda d: d.update(timezone="Mars/Olympus"), "timezone"),
        (lambda d: d["opening_hours"].update(monday=["9", "17:00"]), "opening_hours.monday"),
        (lambda d: d["opening_hours"].update(monday=["18:00", "09:00"]), "before closing"),
        (lambda d: d["opening_hours"].update(funday=["09:00", "10:00"]), "unknown day"),
        (lambda d: d.update(holidays=["25/12/2026"]), "holidays"),
        (lambda d: d["crisis"].pop("emergency"), "crisis.emergency"),
        (lambda d: d["program"].update(name="{oops}"), "braces"),
        (lambda d: d.update(callback_within_minutes=-5), "callback_within_minutes"),
        (lambda d: d["retention"].update(conversation_days=0), "retention.conversation_days"),
        (lambda d: d["retention"].update(closed_request_days="a year"), "retention.closed_request_days"),
        (lambda d: d["retention"].update(conversation_days=True), "retention.conversation_days"),
        (lambda d: d.update(retention=[30]), "retention: must be a mapping"),
    ],
)
def test_invalid_settings_are_explained(mutate, message: str) -> None:
    data = copy.deepcopy(raw())
    mutate(data)
    with pytest.raises(SettingsError) as err:
        parse_program(data)
    assert message in str(err.value)


def test_all_problems_reported_at_once() -> None:
    data = copy.deepcopy(raw())
    data["program"].pop("name")
    data["timezone"] = "Nowhere"
    with pytest.raises(SettingsError) as err:
        parse_program(data)
    assert "program.name" in str(err.value) and "timezone" in str(err.value)


def test_missing_file(tmp_path) -> None:
    with pytest.raises(SettingsError, match="not found"):
        load_program_file(tmp_path / "nope.yml")


def test_not_yaml(tmp_path) -> None:
    path = tmp_path / "p.yml"
    path.write_text("program: [unclosed")
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_program_file(path)

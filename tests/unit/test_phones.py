"""Phone numbers: what people type becomes E.164, and E.164 reads well for staff."""
from __future__ import annotations

from typing import Optional

import pytest

from bot.phones import format_phone, is_e164, normalize_phone, require_e164, tel_href

# typed, region, expected
PHONE_CASES = [
    ("(410) 555-0142", "US", "+14105550142"),
    ("410.555.0142", "US", "+14105550142"),
    ("410 555 0142", "US", "+14105550142"),
    ("+1 410 555 0142", "US", "+14105550142"),
    ("1-410-555-0142", "US", "+14105550142"),
    ("my number is 410-555-0142, thanks", "US", "+14105550142"),
    ("+44 20 7946 0958", "US", "+442079460958"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("12345", "US", None),
    ("555-0142", "US", None),  # no area code
    ("(123) 456-7890", "US", None),  # no such area code
    ("call 410 555 0142 or 443 555 0100", "US", None),  # two numbers: ask again
    ("", "US", None),
    ("not a number", "US", None),
    ("4" * 200, "US", None),
]


@pytest.mark.parametrize("typed, region, expected", PHONE_CASES)
def test_normalize_phone(typed: str, region: str, expected: Optional[str]) -> None:
    assert normalize_phone(typed, region) == expected


# stored, shown to staff
FORMAT_CASES = [
    ("+14105550142", "(410) 555-0142"),
    ("+442079460958", "+44 20 7946 0958"),
    ("not a number", "not a number"),
]


@pytest.mark.parametrize("stored, shown", FORMAT_CASES)
def test_format_phone(stored: str, shown: str) -> None:
    assert format_phone(stored) == shown


# value, is E.164
E164_CASES = [("+14105550142", True), ("+442079460958", True), ("410-555-0142", False), ("", False), (None, False)]


@pytest.mark.parametrize("value, expected", E164_CASES)
def test_is_e164(value: object, expected: bool) -> None:
    assert is_e164(value) is expected


def test_require_e164() -> None:
    assert require_e164("+14105550142") == "+14105550142"
    with pytest.raises(ValueError):
        require_e164("410 555 0142")


@pytest.mark.parametrize(
    "written, href",
    [
        ("988", "tel:988"),
        ("911", "tel:911"),
        ("(410) 555-0100", "tel:+14105550100"),
        ("1-800-662-4357", "tel:+18006624357"),
        ("+1 410 555 0100", "tel:+14105550100"),
    ],
)
def test_tel_href(written: str, href: str) -> None:
    assert tel_href(written) == href

"""Phone numbers: what a person types, as E.164 for storage, and back to a readable form for staff.

One place for the rules, so the callback form, the SMS channel and the staff console agree on
what a valid number is. Numbers are stored as E.164 (e.g. '+14105550142') because that is what
Twilio sends and what a `tel:` link needs.
"""
from __future__ import annotations

import re
from typing import Optional

import phonenumbers

DEFAULT_REGION = "US"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def normalize_phone(text: str, region: str = DEFAULT_REGION) -> Optional[str]:
    """The one valid phone number in `text` as E.164 (e.g. '+14105550142'), else None.

    Two different numbers in one answer count as none: we ask again rather than guess.
    """
    if not text or len(text) > 100:
        return None
    try:
        number = phonenumbers.parse(text.strip(), region)
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    found = {
        phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    }
    return found.pop() if len(found) == 1 else None


def format_phone(phone_e164: str, region: str = DEFAULT_REGION) -> str:
    """Human form for staff: national format at home, international otherwise."""
    try:
        number = phonenumbers.parse(phone_e164, None)
    except phonenumbers.NumberParseException:
        return phone_e164
    home = phonenumbers.region_code_for_number(number) == region
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def is_e164(value: object) -> bool:
    """True for a string already in E.164 form; a cheap check, no parsing."""
    return isinstance(value, str) and _E164.match(value) is not None


def require_e164(phone_e164: str) -> str:
    """`phone_e164` unchanged, or ValueError: what gets stored must already be normalised."""
    if not is_e164(phone_e164):
        raise ValueError("phone number must be in E.164 form, e.g. +14105550142")
    return phone_e164


def tel_href(phone: str) -> str:
    """A tel: link for a number as written in the program settings ('988', '(410) 555-0100')."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 10:
        digits = "1" + digits
    return f"tel:+{digits}" if len(digits) > 3 else f"tel:{digits}"

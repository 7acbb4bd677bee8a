"""Callback-form answer parsing as plain functions (names, times, yes/no)."""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

from bot.screening.answers import parse_screen_for, read_plain_yes_no
from bot.screening.rules import LOVED_ONE, NO, SELF, UNSURE, YES

_NAME_PREFIX = re.compile(
    r"^(?:hi|hello|hey)?[\s,]*(?:my name is|my name's|name is|i am|i'm|im|it's|its|this is|call me|ask for)\s+",
    re.IGNORECASE,
)
_NAME_MARKS = ".'-\u2019"
MAX_NAME_LENGTH = 30
_TIMES = {
    "morning": ("morning", "mornings", "am", "early", "before noon", "breakfast"),
    "afternoon": ("afternoon", "afternoons", "lunch", "midday", "noon", "after lunch"),
    "evening": ("evening", "evenings", "night", "nights", "after work", "after 5", "after five", "pm", "tonight", "late"),
    "any time": ("any time", "anytime", "whenever", "any", "all day", "doesn't matter", "dont care", "no preference"),
}


_STOP_WORDS = {
    "stop", "cancel", "quit", "exit", "end", "nevermind", "never mind", "nvm", "forget it",
    "no more questions", "no more questions please", "stop this", "cancel that", "cancel this",
    "cancel the callback", "stop the callback", "i changed my mind", "i don't want to continue",
    "i dont want to continue", "not anymore", "no thanks",
}


def is_stop_request(text: str) -> bool:
    """The whole message asks to stop ("cancel", "never mind"), whatever the classifier thinks.

    Used in the callback form, where a name like "Quintessa" could be classified as anything.
    """
    if text.strip().startswith("/stop_form"):  # the "No thanks" button
        return True
    cleaned = " ".join(re.sub(r"[^a-z' ]+", " ", text.lower()).split())
    return cleaned in _STOP_WORDS


def _is_name(word: str) -> bool:
    """Letters of any script (with their accents), apostrophes, dots and hyphens; a letter first."""
    if not 0 < len(word) <= MAX_NAME_LENGTH or not word[0].isalpha():
        return False
    return all(ch.isalpha() or unicodedata.category(ch).startswith("M") or ch in _NAME_MARKS for ch in word)


def parse_first_name(text: str) -> Optional[str]:
    """'my name is sarah' -> 'Sarah'; 'J.D.' -> 'J.D.'; 'Nguyễn', 'Дмитрий', 'محمد', '李' as they are;
    digits, links or long sentences -> None."""
    text = _NAME_PREFIX.sub("", unicodedata.normalize("NFC", text.strip())).strip(" ,!")
    if text.endswith(".") and text.count(".") == 1:  # "Sam." but keep initials like "J.D."
        text = text[:-1]
    words = text.split()
    if not words or len(words) > 2 or any(ch.isdigit() for ch in text) or "/" in text or "@" in text:
        return None
    first = words[0]
    if not _is_name(first):
        return None
    return first if any(ch.isupper() for ch in first[1:]) or "." in first else first.capitalize()


def parse_best_time(text: str) -> Optional[str]:
    """A preferred time: one of the buttons, or a short free-text time like 'after 3pm'."""
    cleaned = " ".join(text.split())
    lowered = f" {cleaned.lower()} "
    for label, words in _TIMES.items():
        if any(f" {w} " in lowered for w in words):
            return label
    if 0 < len(cleaned) <= 60 and re.search(r"\d|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekday|weekend|today|tomorrow", lowered):
        return cleaned
    return None


_NOT_NOW = re.compile(r"^\W*(?:not now|not right now|not yet|not today|rather not|maybe later|later)\b", re.IGNORECASE)


def parse_consent(text: str) -> Optional[str]:
    """Yes or no to a consent question; 'not sure' is not consent and is re-asked, and 'not now'
    is a no."""
    if _NOT_NOW.match(text):
        return NO
    answer = read_plain_yes_no(text)
    return answer if answer in (YES, NO) else None


def parse_callback_for(text: str) -> Optional[str]:
    """Who the call is about: self or loved_one."""
    return parse_screen_for(text)


__all__ = [
    "is_stop_request", "parse_first_name", "parse_best_time", "parse_consent", "parse_callback_for",
    "SELF", "LOVED_ONE", "YES", "NO", "UNSURE",
]

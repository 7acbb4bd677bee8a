"""Finding what a person typed in log files: the conversations that type it and the leak checks.

Shared by the privacy tests of the happy path and of failing actions.
"""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from tests.support.chat import Chat

CALLBACK_NAME = "Quintessa"
CALLBACK_PHONE = "(410) 555-0199"
FREE_NAME = "Bartholomew"
FREE_TEXT = "my name is Bartholomew and my number is 410-555-0123, my son uses heroin"
MORE_FORMS = "you can also text +14105550123 or 410.555.0199 or 4105550123"
NAMES = (CALLBACK_NAME, FREE_NAME)
# The seven-digit local part of each number: every written form (with or without separators, with
# the area code, in E.164 with +1) contains it once separators are dropped.
NUMBERS = {"5550199": "+14105550199", "5550123": "+14105550123"}
DISCLOSURE = "uses heroin"
EXPECTED_LOGS = ("rasa.log", "actions.log", "web.log")
REF_PATTERN = re.compile(r"reference ([A-Z0-9]+-[A-Z0-9]+)\.")

# digits joined by anything a phone number may be written with
_DIGIT_RUN = re.compile(r"\+?\d(?:[\s().\-/+]*\d)*")


# ---------------------------------------------------------------- the conversations


@dataclass
class Transcript:
    """What was said in one conversation (for failure messages)."""

    chat: Chat
    turns: List[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.chat.say(text)
        self._record(text)

    def click(self, title: str) -> bool:
        """Tap the first button whose title contains `title`; False when there is none."""
        if not any(title.lower() in b["title"].lower() for b in self.chat.buttons):
            self.turns.append(f"(no button {title!r} among {[b['title'] for b in self.chat.buttons]})")
            return False
        self.chat.click(title)
        self._record(f"[tap {title}]")
        return True

    def _record(self, said: str) -> None:
        self.turns.append(f"> {said}\n< " + self.chat.text.replace("\n", " ")[:160])

    def __str__(self) -> str:
        return "\n".join(self.turns)



def request_callback(chat: Chat) -> Tuple[Transcript, Optional[str]]:
    """A callback request straight from the menu, tapping the offered answers as they come."""
    t = Transcript(chat)
    t.say("/request_callback")
    t.click("Yes")  # consent
    t.say(CALLBACK_NAME)
    t.say(CALLBACK_PHONE)
    for answer in ("Any time", "No", "No", "For me"):  # best time, voicemail, texts, for whom
        if "reference" in chat.text.lower() or not t.click(answer):
            break
    match = REF_PATTERN.search(chat.text)
    return t, match.group(1) if match else None


def redact(line: str) -> str:
    """A leaking line as it can be shown in a report: the secret itself masked."""
    for name in NAMES:
        line = re.sub(re.escape(name), "[NAME]", line, flags=re.IGNORECASE)
    line = _DIGIT_RUN.sub(
        lambda m: "[PHONE]" if any(k in re.sub(r"\D", "", m.group()) for k in NUMBERS) else m.group(), line
    )
    line = re.sub(re.escape(DISCLOSURE), "[DISCLOSURE]", line, flags=re.IGNORECASE)
    return line.strip()[:400]


def leaks(logs: Dict[str, str], found) -> List[Tuple[str, int, str]]:
    hits = []
    for file_name, text in logs.items():
        for number, line in enumerate(text.splitlines(), start=1):
            if found(line) or found(urllib.parse.unquote_plus(line)):
                hits.append((file_name, number, redact(urllib.parse.unquote_plus(line))))
    return hits


def report(what: str, hits: List[Tuple[str, int, str]]) -> str:
    return f"{what} found in the logs:\n" + "\n".join(f"  {f}:{n}: {line}" for f, n, line in hits)


def has_name(line: str) -> bool:
    lowered = line.lower()
    return any(name.lower() in lowered for name in NAMES)


def has_number(line: str) -> bool:
    return any(key in re.sub(r"\D", "", run) for run in _DIGIT_RUN.findall(line) for key in NUMBERS)


def has_disclosure(line: str) -> bool:
    return DISCLOSURE in line.lower()

"""Replies the channels send without Rasa (when Rasa or its database fails), from content/."""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Optional

logger = logging.getLogger(__name__)


@lru_cache(maxsize=None)
def fallback_text(name: str) -> str:
    """A core response text from content/, with program settings filled in."""
    from bot.content import message_responses
    from bot.settings import program

    return str(message_responses(program().placeholders())[name][0]["text"])


def technical_trouble_text() -> str:
    """The technical-trouble message; if content itself is broken, still the phone and crisis numbers."""
    try:
        return fallback_text("utter_technical_trouble")
    except Exception as exc:
        from bot.settings import program

        logger.error("technical-trouble text unavailable: %s", type(exc).__name__)
        prog = program()
        return (
            f"Sorry, something went wrong on our side. Please try again or call {prog.phone}. "
            f"If you are in danger, call or text {prog.crisis_line} or call {prog.emergency}."
        )


def crisis_text(kind: Optional[str]) -> str:
    """The crisis reply for a kind (suicide / medical / violence), rendered without Rasa."""
    from bot.content import message_responses
    from bot.settings import program

    variations = message_responses(program().placeholders())["utter_crisis"]
    for variation in variations:
        if any(c.get("value") == kind for c in variation.get("condition") or []):
            return str(variation["text"])
    return str(next(v["text"] for v in variations if not v.get("condition")))


def failure_reply(text: str) -> str:
    """What to say when Rasa could not answer: the crisis reply if the rules see a crisis, else the
    technical-trouble message (which also carries the crisis numbers)."""
    from bot.safety import detect_crisis

    signal = detect_crisis(text)
    if signal is not None:
        return crisis_text(signal.kind)
    return technical_trouble_text()

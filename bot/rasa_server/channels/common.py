"""What both channels do alike: clean what a person typed, read Rasa's verdict, answer when Rasa failed."""
from __future__ import annotations

import logging
import unicodedata
from typing import Any, Iterable, Mapping, Optional

from sanic import Blueprint

from bot.safety.names import UTTER_CRISIS, UTTER_CRISIS_NEXT, UTTER_RISK_CHECK, UTTER_RISK_CHECK_AGAIN, UTTER_RISK_UNSURE
from bot.texts import catalogue

logger = logging.getLogger(__name__)

# The responses Rasa sends to a crisis or a warning sign; a turn that contains one is a safety turn.
CRISIS_RESPONSES = frozenset({UTTER_CRISIS, UTTER_CRISIS_NEXT, UTTER_RISK_CHECK, UTTER_RISK_CHECK_AGAIN, UTTER_RISK_UNSURE})


# Bodies above this are refused (413) before they are read: a chat turn or a Twilio form is a few
# kilobytes, and Sanic would otherwise take 100 MB into memory.
MAX_REQUEST_BYTES = 64 * 1024


def limit_request_size(blueprint: Blueprint) -> Blueprint:
    """Cap the Rasa server's request bodies when a channel is mounted (rasa run takes no option)."""

    @blueprint.listener("before_server_start")
    async def cap(app: Any, loop: Any) -> None:
        app.config.REQUEST_MAX_SIZE = min(int(app.config.REQUEST_MAX_SIZE), MAX_REQUEST_BYTES)

    return blueprint


def clean_text(text: Optional[str], limit: int) -> str:
    """Inbound text without control characters (NUL breaks PostgreSQL), normalised, at most `limit` characters.

    Cut to a small multiple of `limit` first, so that an oversized message costs no more work
    than a long one (normalising may merge characters, removing control characters may drop some).
    """
    text = unicodedata.normalize("NFC", (text or "")[: 4 * limit + 64])
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()[:limit]


def is_crisis_reply(messages: Iterable[Mapping[str, Any]]) -> bool:
    """Whether Rasa answered this turn with a crisis response or a safety check-in.

    Rasa puts the name of the response it uttered into each message as `utter_action` (it is
    BotUttered metadata, which `BotUttered.message()` hands to the output channel), so the
    channel reads the decision the safety rules and the crisis policy already made.
    """
    return any(str(m.get("utter_action") or "") in CRISIS_RESPONSES for m in messages)


def failure_reply(text: str) -> str:
    """What to say when Rasa could not answer: the crisis reply if the safety rules see a crisis in
    the text, else the technical-trouble message (which also carries the crisis numbers)."""
    texts = catalogue()
    try:
        from bot.safety import detect_crisis

        signal = detect_crisis(text)
    except Exception as exc:  # a bug in the rules must not cost the person the reply
        logger.error("crisis detection failed: %s", type(exc).__name__)
        signal = None
    if signal is not None:
        return texts.crisis(signal.kind)
    return texts.technical_trouble()

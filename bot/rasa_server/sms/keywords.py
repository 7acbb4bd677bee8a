"""What the SMS channel answers itself, before Rasa sees a text: carrier keywords and empty texts.

Carrier rules reserve a few whole-message keywords: STOP (and its synonyms) opts a number out,
START opts it back in, HELP says who we are. After STOP a number gets one confirmation and then
silence until START, whatever it writes. A text with nothing to read (empty, or only a picture)
gets a kind explanation instead of a turn that Rasa could only misread.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Literal, Optional, Tuple

from bot.rasa_server.sms.format import split_message, to_gsm7
from bot.settings import Program
from bot.texts import catalogue

logger = logging.getLogger(__name__)

Keyword = Literal["stop", "start", "help"]

# Whole-message keywords. CANCEL opts out even inside a form where it might mean "stop this form":
# carriers (and Twilio) treat it as an opt-out, so we must too.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
START_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP"})


@dataclass(frozen=True)
class Answer:
    """The channel's own answer to a text: what to record, then what to send (nothing: silence)."""

    parts: Tuple[str, ...] = ()
    opt_out: Optional[bool] = None  # record an opt-out (True) or an opt-in (False) before sending


SILENCE = Answer()


def classify_keyword(text: str) -> Optional[Keyword]:
    """Carrier keyword when it is the whole message (case, spaces and a trailing '.'/'!' ignored).

    "Cancel" opts the number out even in the middle of a form: carrier rules win over the
    conversation, so the SMS texts must not suggest typing stop/cancel/quit/end to leave a form.
    """
    word = re.sub(r"\s+", "", (text or "")).rstrip(".!").upper()
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    return None


def keyword_text(key: str, prog: Program) -> str:
    """A keyword reply from content/sms.yml in the GSM-7 alphabet (stop, start, help, media_only, empty_message)."""
    return to_gsm7(catalogue(prog).sms[key])


def answer(body: str, num_media: int, opted_out: bool, prog: Program) -> Optional[Answer]:
    """The channel's own answer to a text, or None when the text goes to Rasa.

    `body` is the cleaned text, `num_media` the number of attachments, `opted_out` whether the
    number is opted out now.
    """
    keyword = classify_keyword(body)
    if keyword == "stop":
        # One confirmation only: a second STOP from an opted-out number gets nothing.
        return SILENCE if opted_out else Answer((keyword_text("stop", prog),), opt_out=True)
    if keyword == "start":
        return Answer((keyword_text("start", prog),), opt_out=False)
    if opted_out:
        logger.info("message from an opted-out number: not answered")
        return SILENCE
    if keyword == "help":
        return Answer(tuple(split_message(keyword_text("help", prog))))
    if not body:
        key = "media_only" if num_media > 0 else "empty_message"
        return Answer(tuple(split_message(keyword_text(key, prog))))
    return None

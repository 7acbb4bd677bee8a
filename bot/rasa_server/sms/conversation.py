"""What the SMS channel needs to know about a conversation: what Rasa said, and what came before.

A text message carries no state, so the conversation stored by Rasa answers the questions a web
page answers itself: which buttons did the person see (a "2" means the second of them), and is
this the first message after a long silence (it then gets the after-hours note while the office
is closed, and the privacy note). Rasa's own reply is collected with the response it came from, so the channel can
tell a crisis reply from any other.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, Iterable, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.events import BotUttered, UserUttered

from bot import clock, hours
from bot.settings import Program
from bot.texts import catalogue

logger = logging.getLogger(__name__)

NEW_CONVERSATION_GAP = dt.timedelta(hours=6)


class SmsCollector(CollectingOutputChannel):
    """Collects one turn's bot messages with the response each came from (`utter_action`, which
    Rasa adds to every message it renders from a response); named twilio_sms so Rasa picks the
    SMS variations."""

    @classmethod
    def name(cls) -> Text:
        return "twilio_sms"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        text = str(message.get("text") or "")
        if message.get("image"):
            text = f"{text}\n{message['image']}".strip()
        buttons = list(message.get("buttons") or message.get("quick_replies") or [])
        if text.strip() or buttons:
            self.messages.append(
                {"recipient_id": recipient_id, "text": text, "buttons": buttons, "utter_action": message.get("utter_action")}
            )


async def recent_events(app: Any, sender_id: str) -> List[Any]:
    """Events of the conversation's current session, or [] if there is none or the store fails."""
    store = getattr(getattr(getattr(app, "ctx", None), "agent", None), "tracker_store", None)
    if store is None:
        return []
    try:
        tracker = await store.retrieve(sender_id)
    except Exception as exc:
        logger.error("could not read the conversation: %s", type(exc).__name__)
        return []
    return list(tracker.events) if tracker is not None else []


def offered_buttons(events: Iterable[Any]) -> List[Dict[str, Any]]:
    """Buttons of the last bot message with buttons since the user's last message ([] if none).

    Matches what `format.compose_sms` numbered in that turn, so "2" means what the user saw.
    """
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            return []
        if isinstance(event, BotUttered):
            data = event.data or {}
            buttons = data.get("buttons") or data.get("quick_replies")
            if buttons:
                return list(buttons)
    return []


def replies_to(events: Iterable[Any], message_id: str) -> Optional[List[Dict[str, Any]]]:
    """What Rasa said after the user message `message_id`, or None if Rasa never received it.

    A text taken over after a server stopped may have been handled already (the stop came between
    Rasa's turn and the text going out); it is then answered from the record, not handled twice.
    """
    replies: Optional[List[Dict[str, Any]]] = None
    for event in events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if event.message_id == message_id:
                replies = []
        elif replies is not None and isinstance(event, BotUttered):
            data = event.data or {}
            replies.append({
                "text": event.text or "",
                "buttons": list(data.get("buttons") or data.get("quick_replies") or []),
                "utter_action": (event.metadata or {}).get("utter_action"),
            })
    return replies


def last_user_message_at(events: Iterable[Any]) -> Optional[dt.datetime]:
    """When the user last wrote (UTC), or None for a new conversation."""
    for event in reversed(list(events)):
        if isinstance(event, UserUttered) and event.timestamp:
            return dt.datetime.fromtimestamp(event.timestamp, tz=dt.timezone.utc)
    return None


def starts_conversation(
    last_user_message_at: Optional[dt.datetime], now: dt.datetime, gap: dt.timedelta = NEW_CONVERSATION_GAP
) -> bool:
    """A message starts a conversation if it is the first ever or follows >= `gap` of silence."""
    if last_user_message_at is None:
        return True
    return now - last_user_message_at >= gap


def describe_opening(when: dt.datetime, now: dt.datetime, prog: Program) -> str:
    """When the office opens, in the program's time zone: '8am today', '8am tomorrow', '9am Saturday'."""
    local_when = when.astimezone(prog.tz)
    day = clock.day_phrase(local_when.date(), now.astimezone(prog.tz).date(), short=True)
    return f"{clock.clock(local_when)} {day}"


def after_hours_prefix(when: dt.datetime, now: dt.datetime, prog: Program) -> str:
    """The note put before the first reply of a conversation that starts while the office is closed."""
    return catalogue(prog).sms_text("after_hours", opening=describe_opening(when, now, prog))


def privacy_note(prog: Program) -> str:
    """The line the first reply of a conversation carries: what is kept, how long, not an emergency service."""
    return catalogue(prog).sms_text("privacy_note")


def after_hours_note(now: dt.datetime, prog: Program) -> str:
    """The after-hours note if the office is closed at `now`; '' when open, or unknown."""
    try:
        if hours.is_open(now, prog):
            return ""
        return after_hours_prefix(hours.next_opening(now, prog), now, prog)
    except Exception as exc:  # never lose a reply over a courtesy note
        logger.error("after-hours check failed: %s", type(exc).__name__)
        return ""

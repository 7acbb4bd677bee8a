"""The standard REST channel (/webhooks/rest/webhook), hardened.

Rasa's RestInput returns an empty list (or logs the user's text) when something inside fails: a
dead action server, a database outage. A person in distress would then see nothing. This channel
keeps the standard URL and JSON format, but:
- rejects malformed requests with a clear 400 instead of a 500,
- answers empty messages and trims huge ones, drops control characters,
- never lets a turn end silently: if Rasa produced no message or raised, the reply is the
  technical-trouble message with the program phone and the crisis numbers,
- never logs message text, and ignores client-sent channel names and metadata,
- marks the callback questions for a name, a number and a time `"sensitive": true`, so that the
  widget never keeps the answers in the browser.
"""
from __future__ import annotations

import inspect
import logging
import re
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa_server.channels.common import clean_text, failure_reply, limit_request_size
from bot.rasa_server.tracker_store import conversation_store_available
from bot.text_keys import PRIVATE_PROMPTS
from bot.texts import UTTER_EMPTY_MESSAGE, catalogue

logger = logging.getLogger(__name__)


class MarkingCollector(CollectingOutputChannel):
    """Rasa's collector, with each message rendered from a private question marked `sensitive`."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        before = len(self.messages)
        await super().send_response(recipient_id, message)
        if message.get("utter_action") in PRIVATE_PROMPTS:
            for sent in self.messages[before:]:
                sent["sensitive"] = True

MAX_MESSAGE_CHARS = 2000
SENDER_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


def parse_request(body: Any) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(sender, text, error) from a REST request body."""
    if not isinstance(body, dict):
        return None, None, "Expected a JSON object with 'sender' and 'message'."
    sender = body.get("sender")
    text = body.get("message")
    if not isinstance(sender, str) or not SENDER_ID.match(sender):
        return None, None, "'sender' must be 1-128 letters, digits, '-', '_', '.' or ':'."
    if text is None:
        text = ""
    if not isinstance(text, str):
        return None, None, "'message' must be a string."
    return sender, clean_text(text, MAX_MESSAGE_CHARS), None


class SafeRestInput(InputChannel):
    """Drop-in replacement for Rasa's RestInput that always answers."""

    def __init__(self) -> None:
        # Built (and checked) now, so broken content stops the server at start, not in a reply.
        catalogue()

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", module.__name__ if module else None)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # sanic raises on invalid JSON
                body = None
            sender, text, error = parse_request(body)
            if error:
                return response.json({"error": error}, status=400)
            if not text:
                return response.json(
                    [{"recipient_id": sender, "text": catalogue().text(UTTER_EMPTY_MESSAGE)}]
                )
            if not await conversation_store_available(request.app):
                # Rasa would silently start a blank conversation in memory: say so instead.
                logger.error("conversation store unavailable; answering without Rasa")
                return response.json([{"recipient_id": sender, "text": failure_reply(text)}])
            messages = await self.handle(on_new_message, sender, text)
            return response.json(messages)

        return limit_request_size(webhook)

    async def handle(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], sender: str, text: str
    ) -> List[Dict[str, Any]]:
        """Run one turn; never return an empty reply."""
        collector = MarkingCollector()
        try:
            await on_new_message(UserMessage(text, collector, sender, input_channel=self.name()))
        except CancelledError:
            logger.error("rest turn cancelled (timeout)")
        except Exception as exc:  # the user still gets an answer; details stay in the server log
            logger.error("rest turn failed: %s", type(exc).__name__)
        if not collector.messages:
            logger.warning("rest turn produced no reply; answering without Rasa")
            return [{"recipient_id": sender, "text": failure_reply(text)}]
        return collector.messages

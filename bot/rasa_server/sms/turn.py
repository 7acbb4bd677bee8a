"""One inbound text, start to finish, read top to bottom in `Turns.run`: an on-call person's ACK of a
page (acks.py), carrier keywords and empty texts (keywords.py, with opt-outs in opt_outs.py), then
Rasa, then the reply as numbered GSM-7 parts (format.py), with an after-hours note before the first
reply of a conversation but never before a crisis reply (conversation.py), sent through Twilio's REST
API (bot/clients/twilio_api.py). Every way Rasa can fail still gets a reply: the crisis lines when the
text reads as a crisis.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Optional, Sequence

from rasa.core.channels.channel import UserMessage

from bot.clients.twilio_api import RecipientUnsubscribed, TwilioClient
from bot.rasa_server.channels.common import failure_reply, is_crisis_reply
from bot.rasa_server.sms import acks, conversation, keywords
from bot.rasa_server.sms import format as sms
from bot.rasa_server.sms.inbox import MAX_ATTEMPTS, Claim
from bot.rasa_server.sms.opt_outs import OptOuts
from bot.rasa_server.tracker_store import conversation_store_available
from bot.settings import Program
from bot.texts import catalogue

logger = logging.getLogger(__name__)

TURN_TIMEOUT_SECONDS = 60.0

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@dataclass(frozen=True)
class Inbound:
    """One inbound text; `phone` stays in memory only, to address the reply (kept out of repr)."""

    phone: str = field(repr=False)
    sender_id: str
    body: str = field(repr=False)
    num_media: int = 0
    message_sid: str = ""
    claim: Optional[Claim] = None  # our lease on its inbox row; None when the database could not take it
    attempts: int = 1
    taken_over: bool = False  # from the inbox after its server stopped: Rasa may have handled it already


class Turns:
    """Answers one text at a time; True from `run` once Twilio took the whole reply."""

    def __init__(
        self,
        twilio: TwilioClient,
        opt_outs: OptOuts,
        program: Callable[[], Program],
        now: Callable[[], dt.datetime],
        channel_name: str,
    ) -> None:
        self.twilio = twilio
        self.opt_outs = opt_outs
        self._program = program
        self._now = now
        self._channel_name = channel_name

    async def run(self, inbound: Inbound, on_new_message: OnNewMessage, app: Any) -> bool:
        """One text; after MAX_ATTEMPTS failed tries, the reply for when Rasa cannot answer."""
        if inbound.attempts > MAX_ATTEMPTS:
            logger.error("an inbound SMS failed %d times; answering it without Rasa and closing it", MAX_ATTEMPTS)
            await self.send_without_rasa(inbound)
            return True  # closed whatever Twilio says
        prog = self._program()
        if prog.on_call is not None:
            ack = await acks.answer(inbound.phone, inbound.body, self._now(), prog)
            if ack is not None:
                return await self.send(inbound, ack)
        opted_out = await self.opt_outs.is_opted_out(inbound.phone, inbound.sender_id)
        own = keywords.answer(inbound.body, inbound.num_media, opted_out, prog)
        if own is not None:
            if own.opt_out is not None:
                await self.opt_outs.record(inbound.phone, inbound.sender_id, own.opt_out)
            return await self.send(inbound, own.parts)
        if not await conversation_store_available(app):
            logger.error("conversation store unavailable; answering without Rasa")
            return await self.send_without_rasa(inbound)
        return await self._through_rasa(inbound, on_new_message, app, prog)

    async def _through_rasa(self, inbound: Inbound, on_new_message: OnNewMessage, app: Any, prog: Program) -> bool:
        now = self._now()
        events = await conversation.recent_events(app, inbound.sender_id)
        if inbound.taken_over:
            earlier = conversation.replies_to(events, inbound.message_sid)
            if earlier is not None:  # Rasa handled it before its server stopped: send what it said
                return await self.send(inbound, sms.compose_sms(earlier or [{"text": failure_reply(inbound.body)}]))
        text = sms.map_numeric_reply(inbound.body, conversation.offered_buttons(events)) or inbound.body
        collector = conversation.SmsCollector()
        message = UserMessage(
            text, collector, inbound.sender_id, input_channel=self._channel_name, metadata={"channel": "sms"},
            message_id=inbound.message_sid or None,
        )
        try:
            await asyncio.wait_for(on_new_message(message), timeout=TURN_TIMEOUT_SECONDS)
        except Exception as exc:  # tracker store down, action server error, timeout...
            logger.error("SMS turn failed: %s; answering without Rasa", type(exc).__name__)
            # Whatever Rasa said before failing (a crisis reply comes first) still goes out; Rasa's
            # own crisis reply is not repeated, otherwise the rules choose between crisis and trouble.
            said = list(collector.messages)
            last = catalogue(prog).technical_trouble() if is_crisis_reply(said) else failure_reply(inbound.body)
            return await self.send(inbound, sms.compose_sms(said + [{"text": last}]))
        if not collector.messages:
            logger.warning("SMS turn produced no reply; answering without Rasa")
            return await self.send_without_rasa(inbound)

        prefix = ""
        messages = list(collector.messages)
        if conversation.starts_conversation(conversation.last_user_message_at(events), now):
            # The first text of a conversation says what is kept; a crisis reply still comes first.
            note = conversation.privacy_note(prog)
            if is_crisis_reply(collector.messages):
                messages.append({"text": note})
            else:
                prefix = "\n\n".join(p for p in (conversation.after_hours_note(now, prog), note) if p)
        return await self.send(inbound, sms.compose_sms(messages, prefix))

    async def send_without_rasa(self, inbound: Inbound) -> bool:
        """The reply for when Rasa cannot answer: the crisis lines when the text reads as a crisis."""
        return await self.send(inbound, sms.compose_sms([{"text": failure_reply(inbound.body)}]))

    async def send(self, inbound: Inbound, parts: Sequence[str]) -> bool:
        """Send the parts in order; True when Twilio took them all. A number Twilio reports as
        unsubscribed is recorded as opted out (nothing more to send: True)."""
        try:
            return await self.twilio.send(inbound.phone, parts)
        except RecipientUnsubscribed:
            await self.opt_outs.record(inbound.phone, inbound.sender_id, True)
            return True

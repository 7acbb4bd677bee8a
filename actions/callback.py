"""Callback form glue: validate answers, store the request, tell the user when to expect a call."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import GuidedFormValidation
from bot.action_server import callback_answers as parse
from bot.phones import normalize_phone
from bot.screening import LOVED_ONE, SELF, YES

logger = logging.getLogger(__name__)

CALLBACK_SLOTS = (
    "callback_consent", "first_name", "phone", "best_time", "voicemail_ok", "voicemail_name_ok",
    "text_ok", "callback_for",
)
# Cleared with the answers once the request is stored: the next request starts without a topic.
TOPIC_SLOTS = ("callback_topic",)


class ValidateCallbackForm(GuidedFormValidation):
    """Validates the callback answers; the privacy notice comes first (callback_consent)."""

    help_response = "utter_unclear_answer"
    give_up_response = "utter_explain_question"

    def form_name(self) -> Text:
        return "callback_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        if tracker.get_slot("callback_consent") == "no":
            return ["callback_consent"]
        slots = list(CALLBACK_SLOTS)
        if tracker.get_slot("voicemail_ok") == "no":
            slots.remove("voicemail_name_ok")
        return slots

    async def extract_callback_for(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Reuse the fit check's answer so we never ask twice who it is for."""
        if tracker.get_slot("callback_for") is None and tracker.get_slot("screen_for") in ("self", "loved_one"):
            return {"callback_for": tracker.get_slot("screen_for")}
        return {}

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """A stop request ends the form with nothing stored (consent 'no'), at any question."""
        text = (tracker.latest_message or {}).get("text") or ""
        if tracker.get_slot("requested_slot") and parse.is_stop_request(text):
            requested = tracker.get_slot("requested_slot")
            return [SlotSet(requested, None), SlotSet("callback_consent", "no"), SlotSet("requested_slot", None)]
        return await super().run(dispatcher, tracker, domain)

    def validate_callback_consent(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self.accept_or_retry("callback_consent", value, parse.parse_consent, dispatcher, tracker)

    def validate_first_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self.accept_or_retry(
            "first_name", value, parse.parse_first_name, dispatcher, tracker,
            question_first=True, help_response="utter_invalid_name",
        )

    def validate_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self.accept_or_retry(
            "phone", value, normalize_phone, dispatcher, tracker, help_response="utter_invalid_phone"
        )

    def validate_best_time(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self.accept_or_retry("best_time", value, parse.parse_best_time, dispatcher, tracker)

    def validate_voicemail_ok(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self.accept_or_retry("voicemail_ok", value, parse.parse_consent, dispatcher, tracker)

    def validate_voicemail_name_ok(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self.accept_or_retry("voicemail_name_ok", value, parse.parse_consent, dispatcher, tracker)

    def validate_text_ok(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self.accept_or_retry("text_ok", value, parse.parse_consent, dispatcher, tracker)

    def validate_callback_for(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self.accept_or_retry("callback_for", value, parse.parse_callback_for, dispatcher, tracker)


def _channel(tracker: Tracker) -> str:
    name = tracker.get_latest_input_channel() or "rest"
    return {"twilio_sms": "sms", "rest": "web"}.get(name, name)


class ActionSubmitCallback(Action):
    """Stores the request (once per conversation) and confirms it with a reference and a time window.

    The answers are checked again before storing (a value may have been kept while the checks
    were unavailable): one that does not pass is asked for again rather than failing every retry.
    Once stored, the personal answers are cleared from the conversation's slots (the conversation's
    record keeps the turns until the retention period deletes it).
    """

    def name(self) -> Text:
        return "action_submit_callback"

    @staticmethod
    def now() -> dt.datetime:
        """The time of the request (the program's hours and the on-call rota are read at it)."""
        return dt.datetime.now(dt.timezone.utc)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        from bot import paging
        from bot.hours import callback_window
        from bot.settings import program
        from bot.store import StorageUnavailable, configured_store
        from bot.store.callbacks import CallbackData, ref_prefix
        from bot.links import request_path

        if tracker.get_slot("callback_consent") != YES:
            dispatcher.utter_message(response="utter_callback_declined")
            return _cleared()
        contact = _checked_contact(tracker)
        recheck = [slot for slot, value in contact.items() if value is None]
        if recheck:
            dispatcher.utter_message(response="utter_callback_recheck")
            return [SlotSet(slot, None) for slot in recheck] + [FollowupAction("callback_form")]

        outcome: Optional[str] = tracker.get_slot("screening_outcome")
        urgent = bool(tracker.get_slot("urgent")) or outcome == "crisis"
        data = CallbackData(
            first_name=str(contact["first_name"]),
            phone_e164=str(contact["phone"]),
            best_time=tracker.get_slot("best_time"),
            voicemail_ok=tracker.get_slot("voicemail_ok") == YES,
            voicemail_name_ok=tracker.get_slot("voicemail_name_ok") == YES,
            text_ok=tracker.get_slot("text_ok") == YES,
            for_whom=tracker.get_slot("callback_for") if tracker.get_slot("callback_for") in (SELF, LOVED_ONE) else SELF,
            screening_outcome=outcome,
            urgent=urgent,
            channel=_channel(tracker),
            topic=tracker.get_slot("callback_topic"),
            loved_one_relation=tracker.get_slot("family_relation") if tracker.get_slot("callback_topic") else None,
        )
        prog = program()
        now = self.now()
        window = callback_window(now, prog)
        page_to = paging.first_page(now, prog, urgent=urgent)
        try:
            store = configured_store()
            record = await asyncio.to_thread(
                store.callbacks.create,
                tracker.sender_id,
                data,
                window.text,
                prefix=ref_prefix(prog.short_name),
                console_path=request_path,
                page_to=page_to,
                now=now,
            )
            # A repeated submission says what the stored request did: paged someone (not refused) or not.
            paged = page_to is not None if record.created else any(
                page.not_sent is None for page in await asyncio.to_thread(store.pages.for_request, record.ref)
            )
        except StorageUnavailable:
            logger.error("callback request could not be stored: database unavailable")
            dispatcher.utter_message(response="utter_callback_failed")
            return []
        confirmed = "utter_callback_confirmed_on_call" if paged else "utter_callback_confirmed"
        dispatcher.utter_message(response=confirmed, ref=record.ref, window=record.expected_window_text)
        logger.info("callback request stored (urgent=%s, new=%s, paged=%s)", urgent, record.created, paged)
        return [SlotSet("callback_ref", record.ref), *_cleared()]


def _checked_contact(tracker: Tracker) -> Dict[str, Optional[str]]:
    """The name and number slots as the store takes them; None for one that would not pass its checks."""
    checks = (("first_name", parse.parse_first_name), ("phone", normalize_phone))
    return {slot: check(str(tracker.get_slot(slot) or "")) or None for slot, check in checks}


def _cleared() -> List[EventType]:
    """The callback answers removed from the conversation's current state. The turns that gave them
    stay in the conversation's record until it is deleted (bot.store.retention)."""
    return [SlotSet(slot, None) for slot in CALLBACK_SLOTS + TOPIC_SLOTS]

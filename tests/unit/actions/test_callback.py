"""actions/callback.py: the callback form's answers and stop requests, and the request stored once
in a real SQLite database (the `database` fixture)."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import ActionSubmitCallback, ValidateCallbackForm
from tests.support.actions import DOMAIN, responses, tracker, validate

# --- answers ---------------------------------------------------------------------------------------


async def test_invalid_phone_is_reasked_with_help() -> None:
    t = tracker({"callback_consent": "yes", "first_name": "Sam", "phone": "12345"}, text="12345",
                requested="phone", loop="callback_form")
    out = await validate(ValidateCallbackForm(), t)
    assert out["phone"] is None and out["_responses"] == ["utter_invalid_phone"]


async def test_phone_is_normalised_to_e164() -> None:
    t = tracker({"callback_consent": "yes", "first_name": "Sam", "phone": "(410) 555-0143"}, text="(410) 555-0143",
                requested="phone", loop="callback_form")
    out = await validate(ValidateCallbackForm(), t)
    assert out["phone"] == "+14105550143"


async def test_who_it_is_for_comes_from_the_screening() -> None:
    t = tracker({"screen_for": "loved_one", "callback_consent": "yes", "first_name": "Sam", "phone": "+14105550143",
                 "best_time": "morning", "voicemail_ok": "no", "text_ok": "yes"},
                text="yes", intent="affirm", requested="text_ok", loop="callback_form")
    out = await validate(ValidateCallbackForm(), t)
    assert out["callback_for"] == "loved_one" and out["requested_slot"] is None


@pytest.mark.parametrize("text", ["cancel", "Never mind", "no more questions", "/stop_form"])
async def test_stop_ends_the_callback_form_with_nothing_stored(text: str) -> None:
    t = tracker({"callback_consent": "yes", "first_name": text}, text=text, intent="stop_form",
                requested="first_name", loop="callback_form")
    out = await validate(ValidateCallbackForm(), t)
    assert out["callback_consent"] == "no" and out["requested_slot"] is None and out["first_name"] is None


@pytest.mark.parametrize("name", ["Quintessa", "Priya", "Robin"])
async def test_unusual_names_are_names_whatever_the_classifier_says(name: str) -> None:
    t = tracker({"callback_consent": "yes", "first_name": name}, text=name, intent="stop_form", confidence=0.8,
                requested="first_name", loop="callback_form")
    out = await validate(ValidateCallbackForm(), t)
    assert out["first_name"] == name and "callback_consent" not in out


# --- submitting ------------------------------------------------------------------------------------

FILLED = {
    "callback_consent": "yes", "first_name": "Sam", "phone": "+14105550143", "best_time": "evening",
    "voicemail_ok": "yes", "voicemail_name_ok": "no", "text_ok": "yes", "callback_for": "self",
}


async def test_submit_stores_one_request_even_when_submitted_twice(database: str) -> None:
    from bot.store import Store

    t = tracker({**FILLED, "urgent": True, "screening_outcome": "iop_fit"}, sender="conv-dup")
    d1, d2 = CollectingDispatcher(), CollectingDispatcher()
    e1 = await ActionSubmitCallback().run(d1, t, DOMAIN)
    e2 = await ActionSubmitCallback().run(d2, t, DOMAIN)
    with Store(database) as store:
        rows = store.callbacks.list()
    assert len(rows) == 1
    assert rows[0].urgent and rows[0].screening_outcome == "iop_fit" and rows[0].phone_e164 == "+14105550143"
    assert responses(d1) == ["utter_callback_confirmed"] and d1.messages[0]["ref"] == rows[0].ref
    assert d2.messages[0]["ref"] == rows[0].ref
    assert e1 == e2


async def test_submitted_request_carries_program_initials_and_console_link(database: str) -> None:
    import json

    from sqlalchemy import select

    from bot.settings import program
    from bot.store import Store
    from bot.store.callbacks import ref_prefix
    from bot.store.models import OutboxMessage

    d = CollectingDispatcher()
    await ActionSubmitCallback().run(d, tracker(FILLED, sender="conv-link"), DOMAIN)
    ref = d.messages[0]["ref"]
    assert ref.startswith(ref_prefix(program().short_name) + "-")
    with Store(database) as store, store.session(write=False) as session:
        payloads = [json.loads(row.payload) for row in session.execute(select(OutboxMessage)).scalars()]
    assert [p["console_path"] for p in payloads] == [f"/staff/r/{ref}"]


async def test_declined_consent_stores_nothing(database: str) -> None:
    from bot.store import Store

    d = CollectingDispatcher()
    await ActionSubmitCallback().run(d, tracker({"callback_consent": "no"}), DOMAIN)
    with Store(database) as store:
        assert responses(d) == ["utter_callback_declined"] and store.callbacks.list() == []


async def test_dead_database_gives_a_clear_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing-dir' / 'x' / 'iop.sqlite'}")
    d = CollectingDispatcher()
    events = await ActionSubmitCallback().run(d, tracker(FILLED, sender="conv-dead"), DOMAIN)
    assert responses(d) == ["utter_callback_failed"] and events == []


async def test_personal_answers_are_cleared_once_stored(database: str) -> None:
    d = CollectingDispatcher()
    events = await ActionSubmitCallback().run(d, tracker(FILLED, sender="conv-clear"), DOMAIN)
    cleared = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert cleared.pop("callback_ref") == d.messages[0]["ref"]
    assert cleared == {slot: None for slot in [*FILLED, "callback_topic"]}


@pytest.mark.parametrize(
    "slots, asked_again",
    [
        ({"phone": "12345"}, ["phone"]),  # kept unchecked while the checks were unavailable
        ({"phone": None}, ["phone"]),
        ({"first_name": "http://x.example"}, ["first_name"]),
        ({"first_name": "", "phone": "555"}, ["first_name", "phone"]),
    ],
)
async def test_an_answer_that_would_not_store_is_asked_again(database: str, slots: dict, asked_again: list) -> None:
    from bot.store import Store

    d = CollectingDispatcher()
    events = await ActionSubmitCallback().run(d, tracker({**FILLED, **slots}, sender="conv-recheck"), DOMAIN)
    assert responses(d) == ["utter_callback_recheck"]
    assert [e["name"] for e in events if e["event"] == "slot"] == asked_again
    assert events[-1] == {"event": "followup", "name": "callback_form", "timestamp": None}
    with Store(database) as store:
        assert store.callbacks.list() == []


async def test_an_unchecked_but_valid_number_is_normalised_when_stored(database: str) -> None:
    from bot.store import Store

    d = CollectingDispatcher()
    await ActionSubmitCallback().run(d, tracker({**FILLED, "phone": "(410) 555-0143"}, sender="conv-norm"), DOMAIN)
    with Store(database) as store:
        assert [r.phone_e164 for r in store.callbacks.list()] == ["+14105550143"]

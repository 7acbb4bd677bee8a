"""What a provider's page can read of a conversation in the chat widget, against the live stack.

The demo page (the provider's page) is opened on 127.0.0.1 and embeds the widget from localhost: the chat
runs in a frame of another origin. A person chats; then a script in the page tries everything it can to
read what they typed and finds none of it. And once they have answered the callback question for their
name (and then their phone number), the frame's own storage holds neither.

Uses the session fixture `live_stack` (tests/support/fixtures/stack.py).
"""
from __future__ import annotations

import json

import pytest
from tests.support.widget import SENDER_ID

expect = pytest.importorskip("playwright.sync_api").expect

from bot.texts import catalogue  # noqa: E402
from bot.website.widget import loopback_twin, origin_of  # noqa: E402
from tests.support.fixtures.browser import REPLY_TIMEOUT_MS  # noqa: E402

QUESTION = "my brother uses fentanyl every day, is iop enough"
WORDS = ("fentanyl", "my brother")
NAME = "Quillfeather"
PHONE = "410-555-0177"
MASK = "\u2022\u2022\u2022"




def wait_for_reply(w, count: int) -> None:
    """Until the assistant has answered after `count` messages of its own."""
    expect(w.bot.nth(count)).to_be_visible()
    expect(w.status).to_have_text("")
    expect(w.errors).to_have_count(0)


@pytest.mark.e2e
def test_the_provider_page_cannot_read_the_conversation(live_stack, widget, patient_expect):
    page_url = live_stack.web_url.rstrip("/") + "/"
    w = widget(page_url)
    w.page.set_default_timeout(REPLY_TIMEOUT_MS)
    w.goto()
    # The page and the chat are different origins.
    frame_origin = origin_of(w.iframe.get_attribute("src"))
    assert frame_origin == loopback_twin(origin_of(page_url)) != origin_of(page_url)

    w.open()
    wait_for_reply(w, 0)
    greetings = w.bot.count()
    w.say(QUESTION)
    expect(w.user.first).to_contain_text(QUESTION)
    wait_for_reply(w, greetings)
    assert SENDER_ID.match(w.sender_id() or "")
    assert QUESTION in json.dumps(w.stored_state())  # the frame keeps it, for the rest of the visit

    seen = w.snoop_from_host()
    for word in WORDS:
        assert word not in seen.lower(), word
    assert "frame 0 contentDocument: null" in seen
    assert "frame 0 sessionStorage failed: SecurityError" in seen
    assert "sessionStorage: {}" in seen and "localStorage: {}" in seen
    assert w.sender_id() not in seen
    assert w.page.evaluate("document.body.innerText").count("fentanyl") == 0
    for message in w.host_messages():
        assert message["origin"] == frame_origin
        assert set(message["data"]) == {"type", "state", "open"}
    assert w.csp_violations() == []


@pytest.mark.e2e
def test_callback_name_and_phone_are_never_kept_in_the_browser(live_stack, widget, patient_expect):
    texts = catalogue()
    w = widget(live_stack.web_url.rstrip("/") + "/")
    w.page.set_default_timeout(REPLY_TIMEOUT_MS)
    w.goto().open()
    wait_for_reply(w, 0)

    w.chat.get_by_role("button", name="Request a callback").first.click()
    consent = w.chat.get_by_role("button", name="Yes, continue")
    expect(consent).to_be_visible()
    consent.click()
    expect(w.bot.last).to_contain_text(texts.text("utter_ask_first_name"))
    expect(w.status).to_have_text("")

    w.say(NAME)
    expect(w.bot.last).to_contain_text(texts.text("utter_ask_phone"))
    expect(w.status).to_have_text("")
    expect(w.user.last).to_have_text(f"You: {NAME}")  # shown to the person...
    stored = json.dumps(w.frame_storage())
    assert NAME not in stored  # ...never kept
    assert MASK in json.dumps(w.stored_state(), ensure_ascii=False)

    w.say(PHONE)
    expect(w.bot.last).to_contain_text(texts.text("utter_ask_best_time"))
    expect(w.status).to_have_text("")
    stored = json.dumps(w.frame_storage())
    for secret in (NAME, PHONE, "555-0177", "5550177"):
        assert secret not in stored, secret
    users = [m["text"] for m in w.stored_state()["messages"] if m["from"] == "user"]
    assert users[-2:] == [MASK, MASK]

    # Nor anywhere the provider's page could look.
    seen = w.snoop_from_host()
    for secret in (NAME, PHONE, "555-0177"):
        assert secret not in seen, secret
    # A reload shows the masks where the answers were.
    w.page.reload()
    w.launcher.wait_for()
    expect(w.panel).to_be_visible()
    expect(w.user.last).to_have_text(f"You: {MASK}")
    assert NAME not in w.frame().evaluate("document.body.innerText")
    assert w.csp_violations() == []

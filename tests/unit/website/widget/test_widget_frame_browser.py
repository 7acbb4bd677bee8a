"""What the chat frame keeps from the page around it, in real headless Chromium against the fake Rasa.

The page a provider embeds the widget in, and every script on it, must not be able to read the
conversation; the frame keeps a copy only in its own storage, never the answers to the callback questions
for a name, a phone number or a time to call; only the sites allowed to embed the chat can show it, and
a site that is not allowed still gets the crisis numbers.
"""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from tests.support.widget import SENDER_ID, FakeRasa, Widget, demo_app_factory

expect = pytest.importorskip("playwright.sync_api").expect

from bot.texts import catalogue  # noqa: E402
from bot.website.widget import loopback_twin  # noqa: E402

SECRET = "I have been taking my dad's pills, 7Q4"
NAME = "Robin Quillfeather"
PHONE = "410-555-0177"
MASK = "\u2022\u2022\u2022"
FRAME_TIMEOUT_MS = 10_000  # how long widget.js waits for the frame before it shows its own note


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def provider_page(widget_base: str, style: str = "") -> str:
    """A provider's page embedding the widget from another origin with the documented snippet."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">'
        f"<title>Provider</title>{style}</head><body><main><h1>Provider</h1></main>"
        f'<script src="{widget_base}/widget/widget.js" data-title="Questions about our program?"'
        ' data-phone="(410) 555-0142" defer></script></body></html>'
    )


def test_the_host_page_cannot_read_what_is_typed(widget, demo_url, fake_rasa):
    w = widget(demo_url).goto().open()
    expect(w.bot).to_have_count(1)
    w.say(SECRET)
    expect(w.bot).to_have_count(2)
    expect(w.user.first).to_contain_text(SECRET)
    expect(w.bot.last).to_contain_text(SECRET)  # the fake echoes it: the answer is private too

    # The frame keeps the transcript in its own storage...
    assert SECRET in json.dumps(w.stored_state())
    # ...which no script on the page can reach, nor anything else of the conversation.
    seen = w.snoop_from_host()
    assert SECRET not in seen and "7Q4" not in seen
    assert "frame 0 contentDocument: null" in seen
    assert "frame 0 sessionStorage failed: SecurityError" in seen
    assert "frame 0 document failed: SecurityError" in seen
    assert "sessionStorage: {}" in seen and "localStorage: {}" in seen
    assert w.sender_id() not in seen  # not even the conversation's id

    # The page heard only the frame's open/closed notes, from the frame's origin.
    messages = w.host_messages()
    assert messages, "the frame said it was ready"
    for message in messages:
        assert message["origin"] == loopback_twin(origin(demo_url))
        assert set(message["data"]) == {"type", "state", "open"}
        assert message["data"]["type"] == "iop-widget" and message["data"]["state"] in ("ready", "closed")
    assert w.console_errors == []


def test_private_answers_are_shown_but_never_stored(widget, demo_url, fake_rasa):
    """The name question is recognised by its text (content/messages.yml); the phone and time questions
    carry the REST channel's marks ("sensitive": true, custom.sensitive)."""
    w = widget(demo_url).goto().open()
    expect(w.bot).to_have_count(1)
    w.bot.first.get_by_role("button", name="Request a callback").click()
    expect(w.bot).to_have_count(2)
    w.bot.nth(1).get_by_role("button", name="Yes, continue").click()
    expect(w.bot.nth(2)).to_have_text("Assistant: " + catalogue().text("utter_ask_first_name"))
    assert w.stored_state()["privateNext"] is True

    w.say(NAME)
    expect(w.chat.get_by_text(FakeRasa.PHONE_QUESTION)).to_be_visible()
    w.say(PHONE)
    expect(w.chat.get_by_text(FakeRasa.TIME_QUESTION)).to_be_visible()
    w.chat.get_by_role("button", name="Evening").click()
    expect(w.chat.get_by_text(FakeRasa.CONFIRMED)).to_be_visible()

    # Shown to the person while the page is open, and sent to the assistant as typed...
    expect(w.user.nth(2)).to_have_text(f"You: {NAME}")
    expect(w.user.nth(3)).to_have_text(f"You: {PHONE}")
    expect(w.user.nth(4)).to_have_text("You: Evening")
    assert fake_rasa.messages()[-3:] == [NAME, PHONE, "Evening"]
    # ...but the frame's storage has a mask in their place, and no trace of the chosen time.
    stored = json.dumps(w.frame_storage(), ensure_ascii=False)
    for secret in (NAME, "Quillfeather", PHONE, "555-0177", "5550177"):
        assert secret not in stored, secret
    state = w.stored_state()
    users = [m for m in state["messages"] if m["from"] == "user"]
    assert [m["text"] for m in users] == ["Request a callback", "Yes, continue", MASK, MASK, MASK]
    time_question = next(m for m in state["messages"] if m["text"] == FakeRasa.TIME_QUESTION)
    assert time_question["chosen"] == -1 and time_question["used"] is True
    assert state["privateNext"] is False
    # After a reload the transcript shows the masks.
    w.page.reload()
    w.launcher.wait_for()
    expect(w.panel).to_be_visible()
    expect(w.user.nth(2)).to_have_text(f"You: {MASK}")
    expect(w.chat.get_by_text(FakeRasa.CONFIRMED)).to_be_visible()
    assert NAME not in w.frame().evaluate("document.body.innerText")


def test_a_pending_private_question_survives_a_reload(widget, demo_url, fake_rasa):
    w = widget(demo_url).goto().open()
    expect(w.bot).to_have_count(1)
    w.say("/request_callback")
    w.bot.nth(1).get_by_role("button", name="Yes, continue").click()
    expect(w.bot).to_have_count(3)
    w.page.reload()  # the person moves to another page of the site before answering
    w.launcher.wait_for()
    expect(w.panel).to_be_visible()
    w.say(NAME)
    expect(w.chat.get_by_text(FakeRasa.PHONE_QUESTION)).to_be_visible()
    assert NAME not in json.dumps(w.frame_storage())
    assert [m["text"] for m in w.stored_state()["messages"] if m["from"] == "user"][-1] == MASK


def test_chat_works_where_third_party_storage_is_blocked(chromium, demo_url, fake_rasa):
    """A browser that gives the frame no storage (third-party storage blocked, as in some private windows):
    the chat works for the page view, nothing is kept anywhere, and a reload starts afresh."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    try:
        w = Widget(context.new_page(), demo_url).goto().open()
        assert w.frame().evaluate("() => { try { sessionStorage.length; return 'ok'; } catch (e) { return e.name; } }") == (
            "SecurityError"
        )
        expect(w.bot).to_have_count(1)
        w.say(SECRET)
        expect(w.bot).to_have_count(2)
        assert SECRET not in w.snoop_from_host()
        w.page.reload()
        w.launcher.wait_for()
        expect(w.panel).to_be_hidden()
        w.open()
        expect(w.bot).to_have_count(1)
        expect(w.user).to_have_count(0)
        senders = fake_rasa.senders()
        assert len(set(senders)) == 2 and all(SENDER_ID.match(s) for s in senders)
        assert w.console_errors == []
    finally:
        context.close()


def test_messages_that_do_not_come_from_the_other_side_are_ignored(widget, demo_url, fake_rasa):
    w = widget(demo_url).goto().open()
    expect(w.bot).to_have_count(1)
    # A script on the page posing as the frame, to the page itself: the widget stays open.
    w.page.evaluate("window.postMessage({type: 'iop-widget', state: 'closed', open: false}, '*')")
    w.page.wait_for_timeout(300)
    expect(w.panel).to_be_visible()
    expect(w.launcher).to_have_attribute("aria-expanded", "true")
    # The page may open or close the chat, nothing more: no text is taken from it.
    w.page.evaluate(
        "() => document.getElementById('iop-chat-widget').shadowRoot.querySelector('iframe').contentWindow"
        ".postMessage({type: 'iop-widget', command: 'send', text: 'injected'}, '*')"
    )
    w.page.wait_for_timeout(300)
    assert fake_rasa.messages() == ["/greet"]
    expect(w.user).to_have_count(0)


def test_a_site_not_allowed_to_embed_the_chat_gets_the_crisis_numbers(widget, servers, fake_rasa, demo_url):
    """The frame's frame-ancestors lists the sites allowed to embed it; elsewhere the browser refuses to
    show it, and widget.js shows what to do instead."""
    pages = {"/host": provider_page(demo_url)}
    provider = servers.serve(demo_app_factory(fake_rasa.url, pages=pages))
    w = widget(provider + "/host").goto()
    w.launcher.click()
    note = w.page.locator("#iopw-fallback")
    expect(note).to_be_visible(timeout=FRAME_TIMEOUT_MS + 5_000)
    expect(note).to_have_text(
        "Sorry, I couldn't reach the assistant. Please try again, or call (410) 555-0142. "
        "If you are in danger, call or text 988 or call 911."
    )
    expect(note.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    expect(note.get_by_role("link", name="(410) 555-0142")).to_have_attribute("href", "tel:+14105550142")
    expect(w.iframe).to_be_hidden()
    assert any("frame-ancestors" in error or "WIDGET_FRAME_ANCESTORS" in error for error in w.console_errors)
    assert fake_rasa.messages() == []
    w.launcher.click()  # the button closes the note again
    expect(note).to_be_hidden()


def test_a_site_in_the_frame_ancestors_setting_can_embed_the_chat(widget, servers, fake_rasa):
    pages = {"/host": ""}  # written below, once the assistant's address is known
    provider = servers.serve(demo_app_factory(fake_rasa.url, pages=pages))
    assistant = servers.serve(demo_app_factory(fake_rasa.url, ancestors=provider))
    pages["/host"] = provider_page(
        assistant, "<style>body { --iopw-accent: #7a1f5c; --iopw-accent-dark: #4d1039; }</style>"
    )
    w = widget(provider + "/host").goto().open()
    expect(w.bot).to_have_count(1)
    w.say(SECRET)
    expect(w.bot).to_have_count(2)
    assert SECRET not in w.snoop_from_host()
    # The page's colours reach the chat, as they did when the widget lived in the page.
    header = w.frame().evaluate("getComputedStyle(document.querySelector('.iopw-header')).backgroundColor")
    assert header == "rgb(122, 31, 92)"
    assert w.console_errors == []


def test_the_frame_alone_is_a_chat_page(widget, demo_url, fake_rasa):
    """Opened on its own (a link, or a page that strips scripts), the chat page works, with nothing to close."""
    w = widget(demo_url + "/widget/frame")
    w.page.goto(w.url)
    panel = w.page.get_by_role("dialog", name="Questions about our program?")
    expect(panel).to_be_visible()
    expect(w.page.locator(".iopw-msg--bot")).to_have_count(1)
    expect(w.page.get_by_role("button", name="Close chat")).to_be_hidden()
    assert w.console_errors == []

"""The chat widget in headless Chromium against the live stack (Rasa, action server, web server).

Uses the session fixture `live_stack` (tests/support/fixtures/stack.py; attributes `web_url`,
`rasa_url`). The demo page is opened on 127.0.0.1 and embeds the widget from localhost, so the chat
runs in a frame of another origin, as on a provider's site.
"""
from __future__ import annotations


import pytest
from tests.support.widget import SENDER_ID

expect = pytest.importorskip("playwright.sync_api").expect

from bot.website.widget import loopback_twin, origin_of  # noqa: E402
from tests.support.fixtures.browser import REPLY_TIMEOUT_MS  # noqa: E402





@pytest.mark.e2e
def test_widget_conversation_on_live_stack(live_stack, widget, results_dir, patient_expect):
    w = widget(live_stack.web_url.rstrip("/") + "/")
    w.page.set_default_timeout(REPLY_TIMEOUT_MS)
    w.goto()

    # Open: the notice, then the bot's greeting.
    w.open()
    expect(w.notice).to_contain_text("If you or someone else is in danger, call or text 988 or call 911")
    expect(w.notice).to_contain_text("for 30 days, then deletes it")
    expect(w.notice).to_contain_text("and never your answers to the call-back questions")
    expect(w.bot.first).to_be_visible()
    expect(w.status).to_have_text("")  # the greeting turn is complete
    expect(w.errors).to_have_count(0)
    assert SENDER_ID.match(w.sender_id() or "")
    greetings = w.bot.count()

    # A question about IOP gets an answer about outpatient care.
    w.say("what is iop")
    expect(w.user).to_have_count(1)
    expect(w.bot.nth(greetings)).to_be_visible()
    expect(w.status).to_have_text("")
    expect(w.errors).to_have_count(0)
    answer = " ".join(w.bot.all_inner_texts()[greetings:])
    assert "outpatient" in answer.lower(), answer

    # A button of the answer: its title appears as the user's message and the bot replies again.
    replies = w.bot.count()
    choices = w.chat.locator(".iopw-msg--bot .iopw-choice:not([disabled])")
    assert choices.count() > 0, "the answer to 'what is iop' should offer buttons"
    choice = choices.first
    title = choice.inner_text().strip()
    choice.click()
    expect(w.user).to_have_count(2)
    expect(w.user.last).to_contain_text(title)
    expect(w.bot.nth(replies)).to_be_visible()
    expect(w.status).to_have_text("")
    expect(w.errors).to_have_count(0)
    expect(w.chat.locator(".iopw-choice--chosen", has_text=title)).to_be_disabled()

    # Reload: the same history is back.
    count = w.messages.count()
    sender = w.sender_id()
    w.page.reload()
    w.launcher.wait_for()
    w.open()
    expect(w.messages).to_have_count(count)
    assert w.sender_id() == sender

    # Accessibility essentials.
    expect(w.log).to_have_attribute("role", "log")
    expect(w.log).to_have_attribute("aria-live", "polite")
    assert w.input.evaluate("el => el.labels.length") == 1
    expect(w.send_button).to_be_visible()

    # Only the page's own server, the widget's origin (the same server by its other name) and Rasa are
    # contacted; the page itself never talks to Rasa, the frame does.
    widget_origin = loopback_twin(origin_of(live_stack.web_url))
    assert widget_origin and widget_origin != origin_of(live_stack.web_url)
    allowed = {origin_of(live_stack.web_url), widget_origin, origin_of(live_stack.rasa_url)}
    assert [u for u in w.requests if not u.startswith("data:") and origin_of(u) not in allowed] == []
    assert any(u.startswith(widget_origin + "/widget/frame") for u in w.requests)
    assert w.csp_violations() == []

    # Escape closes the dialog and returns focus to the launcher.
    w.input.focus()
    w.page.keyboard.press("Escape")
    expect(w.panel).to_be_hidden()
    expect(w.launcher).to_be_focused()

    # A phone-sized screenshot of the same conversation.
    phone = widget(
        live_stack.web_url.rstrip("/") + "/",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    phone.page.set_default_timeout(REPLY_TIMEOUT_MS)
    phone.goto()
    phone.launcher.tap()
    expect(phone.bot.first).to_be_visible()
    expect(phone.status).to_have_text("")
    first = phone.bot.count()
    phone.say("what is iop")
    expect(phone.bot.nth(first)).to_be_visible()
    expect(phone.status).to_have_text("")
    phone.iframe.evaluate("el => Promise.all(el.getAnimations().map(a => a.finished))")
    phone.page.screenshot(path=str(results_dir / "widget-live-phone.png"))

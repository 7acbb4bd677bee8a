"""The chat widget in real headless Chromium, against a fake Rasa server (no live stack needed).

The demo page is served by bot.website.widget.setup_widget on one local port and opened as 127.0.0.1; it
embeds the widget from localhost on the same port, so the chat frame is cross-origin to the page, as on a
provider's site. The fake Rasa REST channel runs on another port, so requests are cross-origin with CORS
and both Content-Security-Policies (the page's and the frame's) apply, as in production. The chat button
is on the page; everything else is inside the frame (tests.support.widget.Widget finds it there).
About 460 lines in one module on purpose: the browser is started once per module, and each test reads
as one visit of a person to the page.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from tests.support.widget import (
    CRISIS_SENTENCE,
    ERROR_START,
    SENDER_ID,
    XSS_BUTTON,
    XSS_TEXT,
    FakeRasa,
    Widget,
    demo_app_factory,
    unused_url,
)

expect = pytest.importorskip("playwright.sync_api").expect

from bot.settings import program  # noqa: E402
from bot.website.widget import loopback_twin  # noqa: E402

PHONE = program().phone  # the demo page's data-phone comes from the program settings


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def widget_origin(page_url: str) -> str:
    """Where the demo page loads the widget from: the other loopback name of its own address."""
    return loopback_twin(origin(page_url))


def test_conversation_buttons_history_and_keyboard(widget, demo_url, fake_rasa):
    w = widget(demo_url).goto()
    expect(w.panel).to_be_hidden()
    expect(w.launcher).to_have_attribute("aria-expanded", "false")
    # The button controls the chat frame, which has a name of its own.
    assert w.page.evaluate(
        "() => { const r = document.getElementById('iop-chat-widget').shadowRoot;"
        " const f = r.getElementById(r.querySelector('.iopw-launcher').getAttribute('aria-controls'));"
        " return f && f.tagName === 'IFRAME' && f.title; }"
    ) == "Questions about our program?"

    # Keyboard: Enter on the launcher opens the dialog and puts the cursor in the text box.
    w.launcher.focus()
    w.page.keyboard.press("Enter")
    expect(w.panel).to_be_visible()
    expect(w.launcher).to_have_attribute("aria-expanded", "true")
    expect(w.input).to_be_focused()

    # The notice comes first; then the automatic greeting.
    expect(w.notice).to_be_visible()
    expect(w.notice).to_contain_text("automated assistant")
    expect(w.notice).to_contain_text("If you or someone else is in danger, call or text 988 or call 911")
    expect(w.notice).to_contain_text("on its server for 30 days, then deletes it")
    expect(w.notice).to_contain_text("keeps a copy of the chat only until you close the tab")
    expect(w.bot).to_have_count(1)
    expect(w.bot.first).to_contain_text("Hi, I'm the test assistant")
    assert w.frame().evaluate(
        "() => !!(document.getElementById('iopw-notice').compareDocumentPosition(document.querySelector('.iopw-msg'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    assert fake_rasa.messages() == ["/greet"]
    sender = fake_rasa.senders()[0]
    assert SENDER_ID.match(sender), sender
    assert w.sender_id() == sender
    # Line breaks in bot text are kept.
    assert "\n" in w.bot.first.locator(".iopw-text").inner_text()

    # Typed question -> answer with buttons; the greeting's buttons are now used up.
    w.say("what is iop")
    expect(w.user).to_have_count(1)
    expect(w.user.first).to_contain_text("what is iop")
    expect(w.bot).to_have_count(2)
    expect(w.bot.nth(1)).to_contain_text("outpatient")
    expect(w.input).to_have_value("")
    for button in w.bot.first.get_by_role("button").all():
        expect(button).to_be_disabled()
    # Phone numbers in answers are call links.
    expect(w.bot.nth(1).get_by_role("link", name="(410) 555-0142")).to_have_attribute("href", "tel:+14105550142")

    # A button sends its payload but shows its title.
    w.bot.nth(1).get_by_role("button", name="Who IOP is for").click()
    expect(w.user).to_have_count(2)
    expect(w.user.nth(1)).to_have_text("You: Who IOP is for")
    expect(w.bot).to_have_count(3)
    assert fake_rasa.messages()[-1] == "Who is IOP a good fit for?"
    chosen = w.bot.nth(1).get_by_role("button", name="Who IOP is for")
    expect(chosen).to_be_disabled()
    expect(chosen).to_have_class("iopw-choice iopw-choice--chosen")
    expect(w.bot.nth(1).get_by_role("button", name="Request a callback")).to_be_disabled()
    assert set(fake_rasa.senders()) == {sender}

    # Reload: same history, same conversation, still open.
    count = w.messages.count()
    assert count == 5  # greeting, question, answer, chosen button, reply
    w.page.reload()
    w.launcher.wait_for()
    expect(w.panel).to_be_visible()
    expect(w.messages).to_have_count(count)
    expect(w.bot.nth(1)).to_contain_text("outpatient")
    expect(w.bot.nth(1).get_by_role("button", name="Who IOP is for")).to_be_disabled()
    assert fake_rasa.messages().count("/greet") == 1
    w.say("thanks")
    expect(w.bot).to_have_count(4)
    assert fake_rasa.senders()[-1] == sender

    # Tab order: from the launcher into the dialog (header controls in reading order), through the links and
    # buttons of the conversation, to the text box and then Send.
    w.launcher.focus()
    order = []
    for _ in range(20):
        w.page.keyboard.press("Tab")
        order.append(w.active())
        if order[-1] == "Send message":
            break
    assert order[:2] == ["Close chat", "Start over"], order
    assert order[-2:] == ["iopw-input", "Send message"], order
    assert "" not in order, order  # focus never left the widget on the way
    # Focus is visible.
    w.input.focus()
    outline = w.frame().evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"

    # Escape closes the dialog and returns focus to the launcher.
    w.page.keyboard.press("Escape")
    expect(w.panel).to_be_hidden()
    expect(w.launcher).to_have_attribute("aria-expanded", "false")
    assert w.active() == w.launcher.inner_text().strip()
    launcher_outline = w.page.evaluate(
        "() => getComputedStyle(document.getElementById('iop-chat-widget').shadowRoot.activeElement).outlineStyle"
    )
    assert launcher_outline == "solid"

    assert w.csp_violations() == []
    assert w.console_errors == []


def test_accessibility_structure(widget, demo_url, fake_rasa):
    w = widget(demo_url).goto().open()
    expect(w.bot).to_have_count(1)
    expect(w.log).to_have_attribute("aria-live", "polite")
    expect(w.panel).to_have_attribute("role", "dialog")
    expect(w.panel).to_have_attribute("aria-label", "Questions about our program?")
    assert w.launcher.evaluate("el => el.tagName") == "BUTTON"
    # The text box has a real <label>, the send and close buttons have names.
    assert w.input.evaluate("el => el.labels.length === 1 && el.labels[0].textContent") == "Your message"
    expect(w.send_button).to_be_visible()
    expect(w.close_button).to_be_visible()
    expect(w.input).to_have_attribute("maxlength", "1000")
    # The typing indicator is a polite status region.
    expect(w.status).to_have_attribute("role", "status")
    expect(w.status).to_have_attribute("aria-live", "polite")
    # Buttons of a message are grouped and named.
    expect(w.bot.first.get_by_role("group", name="Suggested replies")).to_be_visible()
    # Each message says who is speaking, for screen readers.
    expect(w.bot.first).to_contain_text("Assistant:")
    # The frame is named for screen readers and sandboxed; the page's own content is not hidden by it.
    expect(w.iframe).to_have_attribute("title", "Questions about our program?")
    expect(w.iframe).to_have_attribute("sandbox", "allow-scripts allow-same-origin allow-forms allow-popups")
    expect(w.iframe).to_have_attribute("referrerpolicy", "no-referrer")
    assert w.iframe.get_attribute("allow") is None
    # Touch-size targets for the main controls.
    for control in (w.launcher, w.send_button, w.close_button):
        box = control.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24


def test_typing_indicator_while_waiting(widget, demo_url, fake_rasa):
    w = widget(demo_url).goto().open()
    expect(w.bot).to_have_count(1)
    fake_rasa.delay = 1.5
    w.say("what is iop")
    expect(w.status).to_contain_text("The assistant is typing")
    expect(w.send_button).to_have_attribute("aria-disabled", "true")
    # While waiting, a new message is not sent; the text stays in the box.
    w.input.fill("second question")
    w.input.press("Enter")
    expect(w.input).to_have_value("second question")
    expect(w.bot).to_have_count(2)
    expect(w.status).to_have_text("")
    expect(w.send_button).not_to_have_attribute("aria-disabled", "true")
    assert fake_rasa.messages() == ["/greet", "what is iop"]


def test_bot_text_is_never_html(widget, demo_url, fake_rasa):
    fake_rasa.mode = "xss"
    w = widget(demo_url).goto().open()
    expect(w.bot).to_have_count(2)
    expect(w.bot.first.locator(".iopw-text")).to_have_text(XSS_TEXT)
    expect(w.bot.first.get_by_role("button")).to_have_text(XSS_BUTTON)
    expect(w.bot.nth(1).locator(".iopw-text")).to_have_text(
        "Plain <b>markup</b> & \"quotes\"\nsecond line <script>window.__xss=4</script>"
    )
    # A user's own text is shown as text too.
    w.say("<img src=x onerror=window.__xss=5>")
    expect(w.user.first.locator(".iopw-text")).to_have_text("<img src=x onerror=window.__xss=5>")
    expect(w.bot).to_have_count(4)
    w.page.wait_for_timeout(300)
    assert w.page.evaluate("typeof window.__xss") == "undefined"
    assert w.frame().evaluate("typeof window.__xss") == "undefined"
    counts = w.frame().evaluate(
        "() => [document.querySelectorAll('body img, body script, body b').length,"
        " document.querySelectorAll('a[href^=\"javascript\"]').length]"
    )
    assert counts == [0, 0]
    assert not [url for url in w.requests if url.rstrip("/").endswith("/x")]
    assert w.console_errors == []


def test_server_error_shows_help_and_keeps_text(widget, demo_url, fake_rasa):
    w = widget(demo_url).goto().open()
    expect(w.bot).to_have_count(1)
    fake_rasa.mode = "error"
    w.say("Can my son start next week?")
    expect(w.errors).to_have_count(1)
    expect(w.errors.first).to_contain_text(
        f"Sorry, I couldn't reach the assistant. Please try again, or call {PHONE}. {CRISIS_SENTENCE}"
    )
    expect(w.input).to_have_value("Can my son start next week?")
    expect(w.user).to_have_count(0)  # not shown as sent
    # The greeting's buttons can still be used.
    expect(w.bot.first.get_by_role("button", name="What is IOP?")).to_be_enabled()
    # Once Rasa answers again, Enter sends the kept text.
    fake_rasa.mode = "ok"
    w.input.press("Enter")
    expect(w.user).to_have_count(1)
    expect(w.user.first).to_contain_text("Can my son start next week?")
    expect(w.bot).to_have_count(2)
    expect(w.input).to_have_value("")
    assert fake_rasa.messages()[-2:] == ["Can my son start next week?", "Can my son start next week?"]


def test_failed_button_and_greeting_can_be_retried(widget, demo_url, fake_rasa):
    fake_rasa.mode = "error"
    w = widget(demo_url).goto().open()
    expect(w.errors).to_have_count(1)
    expect(w.errors.first).to_contain_text(ERROR_START)
    fake_rasa.mode = "ok"
    w.errors.first.get_by_role("button", name="Try again").click()
    expect(w.bot).to_have_count(1)
    expect(w.errors).to_have_count(0)

    fake_rasa.mode = "error"
    w.bot.first.get_by_role("button", name="What is IOP?").click()
    expect(w.errors).to_have_count(1)
    expect(w.user).to_have_count(0)
    button = w.bot.first.get_by_role("button", name="What is IOP?")
    expect(button).to_be_enabled()
    fake_rasa.mode = "ok"
    button.click()
    expect(w.bot).to_have_count(2)
    expect(w.user.first).to_contain_text("What is IOP?")


def test_network_failure_shows_help_and_keeps_text(widget, servers):
    url = servers.serve(demo_app_factory(unused_url()))
    w = widget(url).goto().open()
    expect(w.errors).to_have_count(1)  # the automatic greeting could not be fetched
    w.say("is there an evening group?")
    expect(w.errors).to_have_count(2)
    expect(w.errors.last).to_contain_text(f"{ERROR_START}, or call {PHONE}. {CRISIS_SENTENCE}")
    expect(w.input).to_have_value("is there an evening group?")
    expect(w.user).to_have_count(0)


def test_empty_input_is_not_sent_and_length_is_limited(widget, demo_url, fake_rasa):
    w = widget(demo_url).goto().open()
    expect(w.bot).to_have_count(1)
    w.say("   \n  ")
    w.send_button.click()
    w.page.wait_for_timeout(300)
    expect(w.user).to_have_count(0)
    assert fake_rasa.messages() == ["/greet"]

    counter = w.chat.locator("#iopw-counter")
    w.input.fill("a" * 500)
    expect(counter).to_be_hidden()
    w.input.fill("a" * 900)
    expect(counter).to_have_text("100 characters left")
    w.input.fill("a" * 998)
    w.input.press_sequentially("bcd")
    assert len(w.input.input_value()) == 1000
    expect(counter).to_have_text("0 characters left")
    w.input.fill("short again")
    expect(counter).to_be_hidden()


def test_start_over_and_new_tab_forget_the_conversation(widget, demo_url, fake_rasa):
    w = widget(demo_url).goto().open()
    expect(w.bot).to_have_count(1)
    w.say("what is iop")
    expect(w.bot).to_have_count(2)
    first_sender = w.sender_id()

    # A new tab (same browser) starts fresh: sessionStorage belongs to the tab.
    other = Widget(w.page.context.new_page(), demo_url).goto()
    other.iframe.wait_for(state="attached")
    assert other.page.evaluate("sessionStorage.length") == 0
    expect(other.launcher).to_be_visible()
    assert other.stored_state() is None
    other.page.close()

    w.start_over.click()
    expect(w.bot).to_have_count(1)
    expect(w.user).to_have_count(0)
    new_sender = w.sender_id()
    assert new_sender != first_sender and SENDER_ID.match(new_sender)
    assert fake_rasa.received[-1] == {"sender": new_sender, "message": "/greet"}
    expect(w.input).to_be_focused()


def test_no_third_party_requests_and_csp_respected(widget, demo_url, fake_rasa):
    w = widget(demo_url).goto().open()
    expect(w.bot).to_have_count(1)
    w.say("what is iop")
    expect(w.bot).to_have_count(2)
    allowed = {origin(demo_url), widget_origin(demo_url), origin(fake_rasa.url)}
    outside = [url for url in w.requests if not url.startswith("data:") and origin(url) not in allowed]
    assert outside == []
    # The page loads the loader from the widget's origin; the frame loads the rest from there.
    for path in ("/widget/widget.js", "/widget/widget.css", "/widget/frame.js", "/widget/frame.css"):
        assert widget_origin(demo_url) + path in w.requests, path
    assert any(url.startswith(widget_origin(demo_url) + "/widget/frame?") for url in w.requests)
    assert w.csp_violations() == []
    assert w.console_errors == []


def test_reduced_motion_turns_off_animation(widget, demo_url, fake_rasa):
    w = widget(demo_url, reduced_motion="reduce").goto().open()
    fake_rasa.delay = 1.0
    w.say("what is iop")
    expect(w.status).to_contain_text("typing")
    frame_animation = w.page.evaluate(
        "() => getComputedStyle(document.getElementById('iop-chat-widget').shadowRoot"
        ".querySelector('.iopw-frame')).animationName"
    )
    dots = w.frame().evaluate("() => getComputedStyle(document.querySelector('.iopw-dots span')).animationName")
    assert [frame_animation, dots] == ["none", "none"]


# Runs in the page (the chat button, in the widget's shadow root) and in the frame (everything else).
CONTRAST_JS = """
() => {
  const root = document.getElementById('iop-chat-widget') ? document.getElementById('iop-chat-widget').shadowRoot
    : document;
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => {
    const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const bg = el => {
    for (let n = el; n; n = n.parentElement || (n.getRootNode() && n.getRootNode().host)) {
      const c = getComputedStyle(n).backgroundColor;
      if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c;
    }
    return 'rgb(255, 255, 255)';
  };
  const out = {};
  for (const [name, selector] of Object.entries(SELECTORS)) {
    const el = root.querySelector(selector);
    if (!el) { out[name] = null; continue; }
    out[name] = Math.round(ratio(getComputedStyle(el).color, bg(el)) * 100) / 100;
  }
  return out;
}
"""


def test_text_colors_meet_wcag_aa(widget, demo_url, fake_rasa):
    w = widget(demo_url).goto().open()
    w.say("what is iop")
    expect(w.bot).to_have_count(2)
    w.bot.nth(1).get_by_role("button", name="Who IOP is for").click()
    expect(w.bot).to_have_count(3)
    fake_rasa.mode = "error"
    w.say("help")
    expect(w.errors).to_have_count(1)
    w.input.fill("x" * 950)
    selectors = {
        "title": ".iopw-title",
        "subtitle": ".iopw-subtitle",
        "start over": ".iopw-restart",
        "notice": ".iopw-notice p",
        "notice link": ".iopw-notice .iopw-link",
        "bot text": ".iopw-msg--bot .iopw-text",
        "user text": ".iopw-msg--user .iopw-text",
        "bot link": ".iopw-msg--bot .iopw-link",
        "choice": ".iopw-choice:not(:disabled)",
        "chosen": ".iopw-choice--chosen",
        "error": ".iopw-msg--error .iopw-text",
        "counter": ".iopw-counter",
        "input": ".iopw-input",
    }
    ratios = w.frame().evaluate(CONTRAST_JS.replace("SELECTORS", str(selectors)))
    ratios.update(w.page.evaluate(CONTRAST_JS.replace("SELECTORS", str({"launcher": ".iopw-launcher-label"}))))
    low = {name: value for name, value in ratios.items() if value is None or value < 4.5}
    assert low == {}, ratios
    # Non-text contrast (3:1): the send button's icon against its background, the text box border.
    w.input.blur()
    w.page.mouse.move(0, 0)
    send_color, send_background, border = w.frame().evaluate(
        "() => { const s = getComputedStyle(document.querySelector('.iopw-send'));"
        " const i = getComputedStyle(document.querySelector('.iopw-input'));"
        " return [s.color, s.backgroundColor, i.borderTopColor]; }"
    )
    assert contrast(send_color, send_background) >= 4.5
    assert contrast(border, "rgb(255, 255, 255)") >= 3.0


def contrast(a: str, b: str) -> float:
    def luminance(color: str) -> float:
        channels = [int(v) / 255 for v in re.findall(r"\d+", color)[:3]]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_screenshots_desktop_and_phone(widget, demo_url, fake_rasa, results_dir):
    desktop = widget(demo_url).goto()
    desktop.page.screenshot(path=str(results_dir / "widget-desktop-closed.png"))
    desktop.open()
    desktop.say("what is iop")
    expect(desktop.bot).to_have_count(2)
    desktop.page.mouse.move(0, 0)
    desktop.iframe.evaluate("el => Promise.all(el.getAnimations().map(a => a.finished))")
    desktop.page.screenshot(path=str(results_dir / "widget-desktop.png"))

    phone = widget(
        demo_url, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    ).goto()
    phone.page.screenshot(path=str(results_dir / "widget-phone-closed.png"))
    phone.launcher.tap()
    expect(phone.panel).to_be_visible()
    expect(phone.bot).to_have_count(1)
    phone.iframe.evaluate("el => Promise.all(el.getAnimations().map(a => a.finished))")
    # Full screen on a phone; the text box is on screen; the keyboard did not pop up on open.
    box = phone.panel.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
    field = phone.input.bounding_box()
    assert field["y"] + field["height"] <= 844
    expect(phone.input).not_to_be_focused()
    phone.say("what is iop")
    expect(phone.bot).to_have_count(2)
    phone.page.screenshot(path=str(results_dir / "widget-phone.png"))
    assert (results_dir / "widget-phone.png").stat().st_size > 10_000
    phone.page.keyboard.press("Escape")
    expect(phone.panel).to_be_hidden()
    expect(phone.launcher).to_be_visible()
    expect(phone.launcher).to_be_focused()


def test_greeting_is_sent_once_per_conversation(widget, demo_url, fake_rasa):
    w = widget(demo_url).goto().open()
    expect(w.bot).to_have_count(1)
    w.close_button.click()
    expect(w.panel).to_be_hidden()
    expect(w.launcher).to_be_focused()
    w.open()
    w.page.reload()
    w.launcher.wait_for()
    w.open()
    expect(w.bot).to_have_count(1)
    assert fake_rasa.messages() == ["/greet"]
    assert FakeRasa.GREETING.split("\n")[0] in w.bot.first.inner_text()

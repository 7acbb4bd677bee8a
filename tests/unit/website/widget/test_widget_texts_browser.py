"""The widget's texts from content/widget.yml as a person sees them in real headless Chromium: changed
texts appear, a hostile title stays text, a host page's title wins, and the defaults read as before.
The host pages here embed the widget with an older snippet (a relative src and data-rasa-url), which
still works: the chat talks to the Rasa server the website is set up with."""
from __future__ import annotations

import html
import json
import shutil

import pytest
from tests.support.widget import CRISIS_SENTENCE, ERROR_START, demo_app_factory

expect = pytest.importorskip("playwright.sync_api").expect

from bot.settings import CONTENT_DIR, program  # noqa: E402
from bot.texts import build  # noqa: E402

def host_page(rasa_url: str, **data: str) -> str:
    """A provider's page embedding the widget with only these data-* attributes besides data-rasa-url."""
    attrs = "".join(f' data-{name}="{html.escape(value)}"' for name, value in data.items())
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">'
        "<title>Provider</title></head><body>"
        f'<script src="/widget/widget.js" data-rasa-url="{html.escape(rasa_url)}"{attrs} defer></script>'
        "</body></html>"
    )


def test_texts_come_from_content_and_a_host_page_title_wins(widget, servers, fake_rasa, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    hostile = 'Ask {program_short_name} </script><script>window.__xss=1</script> & "more"'
    path = content / "widget.yml"
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("title: Questions about our program?", f"title: {json.dumps(hostile)}")
        .replace("start_over: Start over", "start_over: Begin again")
        .replace("notice_not_emergency: This is not an emergency service.", "notice_not_emergency: Not for emergencies.")
        .replace("crisis: If you are in danger, call or text {crisis_line} or call {emergency}.", "crisis: In danger? Call {emergency}."),
        encoding="utf-8",
    )
    texts = build(program(), content)
    title = texts.widget["title"]
    assert title.startswith(f"Ask {program().short_name} </script>")
    pages = {"/plain": host_page(fake_rasa.url), "/host": host_page(fake_rasa.url, title="Host page title")}
    base = servers.serve(demo_app_factory(fake_rasa.url, texts=texts, pages=pages))

    for path in ("/", "/plain"):  # the demo page's data-title and the script's own default agree
        w = widget(base + path).goto()
        expect(w.launcher).to_have_text(title)
        w.launcher.click()
        expect(w.chat.get_by_role("dialog", name=title)).to_be_visible()
        expect(w.notice.locator("strong")).to_have_text("Not for emergencies.")
        expect(w.chat.get_by_role("button", name="Begin again")).to_be_visible()
        expect(w.bot).to_have_count(1)
        assert w.page.evaluate("typeof window.__xss") == "undefined"
        assert w.frame().evaluate("typeof window.__xss") == "undefined"
        assert w.frame().evaluate("document.title") == title
        assert w.console_errors == []

    fake_rasa.mode = "error"
    w.say("hello")
    expect(w.errors.first.locator(".iopw-text")).to_have_text(f"{ERROR_START}. In danger? Call 911.")
    expect(w.errors.first.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")

    host = widget(base + "/host").goto()
    expect(host.launcher).to_have_text("Host page title")
    host.launcher.click()
    expect(host.chat.get_by_role("dialog", name="Host page title")).to_be_visible()


def test_default_texts_on_a_page_without_phone_or_title(widget, servers, fake_rasa):
    # An older snippet's data-rasa-url is ignored: the chat still reaches the website's Rasa server.
    base = servers.serve(demo_app_factory(fake_rasa.url, pages={"/plain": host_page("http://127.0.0.1:9")}))
    w = widget(base + "/plain").goto().open()
    expect(w.launcher).to_have_text("Questions about our program?")
    # The notice reads as before, its crisis numbers call links.
    crisis = w.notice.locator(".iopw-notice-crisis")
    expect(crisis).to_have_text(
        "This is not an emergency service. If you or someone else is in danger, call or text 988 or call 911."
    )
    expect(crisis.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    expect(crisis.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
    expect(w.bot).to_have_count(1)
    fake_rasa.mode = "error"
    w.say("hello")
    expect(w.errors.first.locator(".iopw-text")).to_have_text(f"{ERROR_START}. {CRISIS_SENTENCE}")
    expect(w.errors.first).to_contain_text("Connection problem:")
    w.input.fill("a" * 999)
    expect(w.chat.locator("#iopw-counter")).to_have_text("1 character left")

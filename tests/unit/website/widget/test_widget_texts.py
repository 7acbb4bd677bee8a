"""The widget's texts come from content/widget.yml: written into the scripts once when the website is built,
escaped so no text can break out of a script, and none left in widget.js or frame.js themselves. frame.js
also carries the callback questions whose answers the browser must not keep, from content/messages.yml."""
from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import List

import pytest
from aiohttp import web

import bot.website.widget as web_module
from bot.settings import program
from bot.texts import WIDGET_TEXTS, ContentError, build, catalogue
from bot.website.widget import (
    FRAME_JS_PATH, LOADER_TEXTS, PROMPTS_MARKER, STATIC_DIR, TEXTS_MARKER, WIDGET_PATH, private_prompts,
    render_frame_script, render_script, script_texts, setup_widget,
)
from tests.support.fixtures.content import edit
from tests.support.widget import split_frame_script, split_script

RASA_URL = "https://rasa.example.test:5005"
JS = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
FRAME_JS = (STATIC_DIR / "frame.js").read_text(encoding="utf-8")
SCRIPTS = {"widget.js": JS, "frame.js": FRAME_JS}


async def _served(aiohttp_client, path: str = FRAME_JS_PATH, **setup) -> tuple:
    app = web.Application()
    setup_widget(app, rasa_url=RASA_URL, public_url="", allowed_ancestors="", **setup)
    client = await aiohttp_client(app)
    response = await client.get(path)
    assert response.status == 200
    return client, response, await response.read()


# ------------------------------------------------------------- what the website serves


async def test_served_scripts_carry_the_texts_from_content(aiohttp_client, content_copy):
    edit(
        content_copy / "widget.yml",
        lambda t: t.replace("title: Questions about our program?", "title: Ask {program_short_name} anything")
        .replace("try_again: Try again", "try_again: Send it again")
        .replace("Please try again, or call {phone}.", "Please retry or phone {phone}."),
    )
    texts = build(program(), content_copy)
    client, _, body = await _served(aiohttp_client, texts=texts)
    source, served, prompts = split_frame_script(body)
    assert source == (STATIC_DIR / "frame.js").read_bytes()
    assert served == texts.widget
    assert prompts == sorted(set(private_prompts(texts)))
    assert served["title"] == f"Ask {program().short_name} anything"
    assert served["try_again"] == "Send it again"
    assert served["connection_error_with_phone"] == "Sorry, I couldn't reach the assistant. Please retry or phone {phone}."
    # The loader gets only what it shows itself: its button and what to say if the chat cannot load.
    loader_source, loader_texts = split_script(await (await client.get(WIDGET_PATH)).read())
    assert loader_source == (STATIC_DIR / "widget.js").read_bytes()
    assert loader_texts == {key: texts.widget[key] for key in LOADER_TEXTS}
    # The demo page, the snippet a provider copies and the frame carry the same title.
    page = await (await client.get("/")).text()
    assert f'data-title="{html.escape(served["title"])}"' in page
    assert html.escape(f'data-title="{html.escape(served["title"])}"') in page
    assert f"<title>{html.escape(served['title'])}</title>" in await (await client.get("/widget/frame")).text()


def test_private_prompts_are_the_callback_questions_for_name_phone_and_time():
    prompts = private_prompts(catalogue())
    texts = catalogue()
    for name in ("utter_ask_first_name", "utter_ask_phone", "utter_ask_best_time", "utter_invalid_name",
                 "utter_invalid_phone"):
        assert texts.text(name) in prompts, name
    assert "What first name (or initials) should we ask for?" in prompts
    # Questions whose answers may be kept are not among them.
    for name in ("utter_ask_callback_consent", "utter_ask_voicemail_ok", "utter_ask_callback_for", "utter_greet"):
        assert texts.text(name) not in prompts, name
    # Only what the web channel sends: no SMS variation.
    assert all(v.get("channel") != "twilio_sms" or v["text"] not in prompts
               for name in ("utter_ask_phone",) for v in texts.responses[name])


async def test_program_crisis_settings_flow_into_the_scripts(aiohttp_client, monkeypatch):
    other = dataclasses.replace(program(), crisis_line="000", emergency="112")
    monkeypatch.setattr(web_module, "program", lambda: other)
    for path in (FRAME_JS_PATH, WIDGET_PATH):
        _, _, body = await _served(aiohttp_client, path)
        _, served = split_script(body)
        assert served["crisis"] == "If you are in danger, call or text 000 or call 112."
        assert not any("988" in text or "911" in text for text in served.values())
    assert served is not None
    _, _, body = await _served(aiohttp_client)
    assert split_script(body)[1]["notice_crisis"] == "If you or someone else is in danger, call or text 000 or call 112."


async def test_default_texts_read_as_before(aiohttp_client):
    _, _, body = await _served(aiohttp_client)
    _, served = split_script(body)
    assert served["title"] == "Questions about our program?"
    assert served["crisis"] == "If you are in danger, call or text 988 or call 911."
    assert served["subtitle"] == "Automated assistant \u00b7 not for emergencies"
    assert served["typing"] == "The assistant is typing\u2026"
    assert served["input_placeholder"] == "Type your question\u2026"


def test_privacy_notice_says_what_is_kept_where_and_for_how_long():
    notice = catalogue().widget["notice_privacy"]
    prog = program()
    assert f"for {prog.conversation_days} days, then deletes" in notice  # the periods bot.store.retention applies
    assert f"until {prog.closed_request_days} days after the call" in notice and "call back" in notice
    assert "until you close the tab" in notice
    assert "never your answers to the call-back questions" in notice
    # No more "stored" and "forgotten" at once.
    assert "forgotten" not in notice and "only in this browser" not in notice
    assert program().short_name in notice


async def test_scripts_are_rendered_once_and_their_etags_are_of_the_rendered_bytes(aiohttp_client, monkeypatch):
    calls: List[str] = []

    def counted(source: str, texts, name: str = "widget.js") -> str:
        calls.append(name)
        return render_script(source, texts, name)

    monkeypatch.setattr(web_module, "render_script", counted)
    client, response, body = await _served(aiohttp_client)
    for _ in range(3):
        assert await (await client.get(FRAME_JS_PATH)).read() == body
        await client.get(WIDGET_PATH)
    assert sorted(calls) == ["frame.js", "widget.js"]
    assert response.headers["ETag"] == '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    for marker in ("/*@texts*/", "/*@private-prompts*/", "/*@end*/"):
        assert marker not in body.decode()


@pytest.mark.parametrize("path", [FRAME_JS_PATH, WIDGET_PATH])
async def test_texts_cannot_break_out_of_the_script(aiohttp_client, content_copy, path):
    hostile = "Ask us </script><script>window.__xss=1</script> <!-- & \"quotes\" \\ 'single'"
    edit(content_copy / "widget.yml", lambda t: t.replace("title: Questions about our program?", f"title: {json.dumps(hostile)}"))
    edit(content_copy / "messages.yml", lambda t: t.replace(
        "What first name (or initials) should we ask for?", "What name </script><!-- & ?"
    ))
    _, _, body = await _served(aiohttp_client, path, texts=build(program(), content_copy))
    for name in ("TEXTS", "PRIVATE_PROMPTS"):
        match = re.search(rb"^  var " + name.encode() + rb" = (.*);$", body, re.M)
        if match is None:
            continue
        literal = match.group(1).decode()
        assert not re.search("[<>&\u2028\u2029]", literal)
        json.loads(literal)
    assert json.loads(re.search(rb"^  var TEXTS = (.*);$", body, re.M).group(1))["title"] == hostile
    assert "</script" not in body.decode().split("*/", 1)[1]  # only the header comment mentions tags


def test_line_separators_and_markup_are_escaped():
    literal = script_texts({"a": "x\u2028y\u2029z <b> & </script>"})
    assert literal == '{"a": "x\\u2028y\\u2029z \\u003cb\\u003e \\u0026 \\u003c/script\\u003e"}'
    assert json.loads(literal) == {"a": "x\u2028y\u2029z <b> & </script>"}


@pytest.mark.skipif(not shutil.which("node"), reason="needs node to parse the script")
def test_rendered_scripts_are_valid_javascript(tmp_path):
    hostile = {key: f"{key} </script> \u2028 \u2029 \" ' \\ ` ${{x}} */ //" for key in WIDGET_TEXTS}
    rendered = {
        "widget.js": render_script(JS, hostile),
        "frame.js": render_frame_script(FRAME_JS, hostile, list(hostile.values())),
    }
    for name, text in rendered.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        subprocess.run(["node", "--check", str(path)], check=True, capture_output=True, timeout=30)


# ------------------------------------------------------------- the scripts are never served without their texts


@pytest.mark.parametrize("source", [JS.replace(TEXTS_MARKER, "{}"), JS + "\n" + TEXTS_MARKER, "no marker"])
def test_a_script_without_exactly_one_marker_is_refused(source):
    with pytest.raises(ValueError, match="exactly once"):
        render_script(source, catalogue().widget)


@pytest.mark.parametrize(
    "source, marker",
    [
        (FRAME_JS.replace(TEXTS_MARKER, "{}"), "texts"),
        (FRAME_JS.replace(PROMPTS_MARKER, "[]"), "private-prompts"),
        (FRAME_JS + "\n" + PROMPTS_MARKER, "private-prompts"),
    ],
)
def test_a_frame_script_without_exactly_one_of_each_marker_is_refused(source, marker):
    with pytest.raises(ValueError, match=f"frame.js must contain /\\*@{marker}"):
        render_frame_script(source, catalogue().widget, [])


@pytest.mark.parametrize("name, marker", [("widget.js", TEXTS_MARKER), ("frame.js", TEXTS_MARKER), ("frame.js", PROMPTS_MARKER)])
def test_the_website_does_not_start_with_a_script_without_marker(tmp_path, monkeypatch, name, marker):
    static = tmp_path / "static"
    shutil.copytree(STATIC_DIR, static)
    edit(static / name, lambda t: t.replace(marker, "{}"))
    monkeypatch.setattr(web_module, "STATIC_DIR", static)
    with pytest.raises(ValueError, match=f"{name} must contain"):
        setup_widget(web.Application(), rasa_url=RASA_URL, public_url="", allowed_ancestors="")


def test_the_website_does_not_start_with_broken_widget_texts(content_copy):
    edit(content_copy / "widget.yml", lambda t: t.replace("{emergency}", "{emergency_number}"))
    with pytest.raises(ContentError, match=r"widget.yml: notice_crisis: unknown placeholder \{emergency_number\}"):
        build(program(), content_copy)


# ------------------------------------------------------------- widget.js and frame.js themselves hold no text

# What a string literal of the scripts may be: code, never something a person reads or hears.
CODE_PREFIXES = re.compile(r"^\.?(iopw?|aria|data|accent)-[a-z0-9-]*:?$")  # CSS classes, ids, ARIA and data attributes
CUSTOM_PROPERTY = re.compile(r"^--iopw-[a-z-]+$")
SVG_PATH = re.compile(r"^M[\d.][MmLlHhVvCcSsQqTtAaZz\d .,-]*$")
URL_PATH = re.compile(r"^/[a-z/]*$")  # Rasa's REST endpoint and the greeting intent
CODE_WORDS = set(
    # elements and attributes
    "a button div form h1 iframe label link p path span strong svg textarea class className d focusable rel "
    "target text viewBox _blank stylesheet submit sandbox referrerpolicy title src frame "
    # attribute and style values, ARIA roles
    "additions alert auto dialog false group log off open polite status true px "
    # events, keys, document states, messages between the loader and the frame
    "click error input keydown load loading message DOMContentLoaded Enter Escape hello ready closed close "
    # typeof results, fetch options, who wrote a message, icon names, query parameters
    "function null number object string POST cors omit no-referrer no-store Content-Type bot user chat down send "
    "accent phone".split()
)
CODE_LITERALS = {
    "use strict", "(pointer: coarse)", "application/json", "noopener noreferrer", "http://www.w3.org/2000/svg",
    "widget.css", "http:", "https:", "tel:", "tel:+", "web-", "iop-widget", "iop-chat:", "'self'", "{phone}",
    "allow-scripts allow-same-origin allow-forms allow-popups",
}
# For a site's developer, in the browser console or in errors the widget catches itself; never on the page.
DEVELOPER_MESSAGES = {
    "IOP chat frame: data-rasa-url must be an http(s) URL", "HTTP ", "unexpected reply",
    "IOP chat widget: the chat frame from ", " did not load; is this site's origin in ",
    "the assistant's WIDGET_FRAME_ANCESTORS setting?",
}

_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_BEFORE_REGEX = "(,=:[!&|?{};+-*%<>~^"


def _unescape(raw: str) -> str:
    def one(match: "re.Match[str]") -> str:
        code = match.group(1)
        return chr(int(code[1:], 16)) if code[0] in "ux" and len(code) > 1 else _ESCAPES.get(code, code)

    return _ESCAPE.sub(one, raw)


def string_literals(source: str) -> List[str]:
    """Every string literal of a script, as the browser reads it; comments and regular expressions skipped."""
    literals: List[str] = []
    i, n, prev, word = 0, len(source), "", ""
    while i < n:
        c = source[i]
        if source.startswith("/*", i):
            i = source.index("*/", i + 2) + 2
        elif source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'`":
            j = i + 1
            while source[j] != c:
                j += 2 if source[j] == "\\" else 1
            literals.append(_unescape(source[i + 1 : j]))
            prev, word, i = c, "", j + 1
        elif c == "/" and (prev == "" or prev in _BEFORE_REGEX or word in ("return", "typeof")):
            j, in_class = i + 1, False  # a regular expression literal: skip it and its flags
            while in_class or source[j] != "/":
                if source[j] == "\\":
                    j += 1
                elif source[j] in "[]":
                    in_class = source[j] == "["
                j += 1
            i = j + 1
            while i < n and source[i].isalpha():
                i += 1
            prev, word = "/", ""
        elif c.isalnum() or c in "_$":
            j = i
            while j < n and (source[j].isalnum() or source[j] in "_$"):
                j += 1
            prev, word, i = "a", source[i:j], j
        else:
            if not c.isspace():
                prev, word = c, ""
            i += 1
    return literals


def _is_code(literal: str) -> bool:
    if not re.search(r"[^\W\d_]", literal) or literal in CODE_LITERALS or literal in DEVELOPER_MESSAGES:
        return True
    if SVG_PATH.match(literal) or URL_PATH.match(literal) or CUSTOM_PROPERTY.match(literal):
        return True
    return all(word in CODE_WORDS or CODE_PREFIXES.match(word) for word in literal.split())


def test_the_scanner_finds_literals_and_skips_comments_and_regular_expressions():
    source = 'var a = "One"; // "Two"\n/* "Three" */ var r = /["\']x\\//g; b = c / d / "Four\\u2026";'
    assert string_literals(source) == ["One", "Four\u2026"]
    assert not _is_code("Start over") and not _is_code("send it") and _is_code("iopw-choice iopw-retry")


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_no_text_for_a_person_is_left_in_the_scripts(name):
    source = SCRIPTS[name]
    literals = string_literals(source)
    assert len(literals) > 40  # the scanner read the whole file
    assert [literal for literal in literals if not _is_code(literal)] == []
    # Nothing a person reads is given a literal, even a lowercase word that is also a code word.
    code = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    given = r"""(?:(?:(?<![\w.$])(?:text|placeholder|title|alt)|"aria-label")\s*:|(?:textContent|title|placeholder)\s*=)"""
    assert not re.findall(given + r"""\s*["'][^"']*[^\W\d_]""", code)


def test_the_scripts_use_exactly_the_catalogue_texts():
    loader = set(re.findall(r"\bTEXTS\.([a-z_]+)", JS))
    frame = set(re.findall(r"\bTEXTS\.([a-z_]+)", FRAME_JS))
    assert loader == set(LOADER_TEXTS)
    assert frame | loader == set(WIDGET_TEXTS)
    assert JS.count(TEXTS_MARKER) == 1 and FRAME_JS.count(TEXTS_MARKER) == 1
    assert FRAME_JS.count(PROMPTS_MARKER) == 1 and PROMPTS_MARKER not in JS

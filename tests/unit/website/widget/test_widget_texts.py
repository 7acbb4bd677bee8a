"""The widget's texts come from content/widget.yml: written into the script once when the website is built,
escaped so no text can break out of the script, and none left in widget.js itself."""
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
    STATIC_DIR, TEXTS_MARKER, WIDGET_PATH, render_script, script_texts, setup_widget,
)
from tests.support.fixtures.content import edit
from tests.support.widget import split_script

RASA_URL = "https://rasa.example.test:5005"
JS = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")


async def _served(aiohttp_client, **setup) -> tuple:
    app = web.Application()
    setup_widget(app, rasa_url=RASA_URL, **setup)
    client = await aiohttp_client(app)
    response = await client.get(WIDGET_PATH)
    assert response.status == 200
    return client, response, await response.read()


# ------------------------------------------------------------- what the website serves


async def test_served_script_carries_the_texts_from_content(aiohttp_client, content_copy):
    edit(
        content_copy / "widget.yml",
        lambda t: t.replace("title: Questions about our program?", "title: Ask {program_short_name} anything")
        .replace("try_again: Try again", "try_again: Send it again")
        .replace("Please try again, or call {phone}.", "Please retry or phone {phone}."),
    )
    texts = build(program(), content_copy)
    client, _, body = await _served(aiohttp_client, texts=texts)
    source, served = split_script(body)
    assert source == (STATIC_DIR / "widget.js").read_bytes()
    assert served == texts.widget
    assert served["title"] == f"Ask {program().short_name} anything"
    assert served["try_again"] == "Send it again"
    assert served["connection_error_with_phone"] == "Sorry, I couldn't reach the assistant. Please retry or phone {phone}."
    # The demo page and the snippet a provider copies carry the same title.
    page = await (await client.get("/")).text()
    assert f'data-title="{html.escape(served["title"])}"' in page
    assert html.escape(f'data-title="{html.escape(served["title"])}"') in page


async def test_program_crisis_settings_flow_into_the_script(aiohttp_client, monkeypatch):
    other = dataclasses.replace(program(), crisis_line="000", emergency="112")
    monkeypatch.setattr(web_module, "program", lambda: other)
    _, _, body = await _served(aiohttp_client)
    _, served = split_script(body)
    assert served["crisis"] == "If you are in danger, call or text 000 or call 112."
    assert served["notice_crisis"] == "If you or someone else is in danger, call or text 000 or call 112."
    assert not any("988" in text or "911" in text for text in served.values())


async def test_default_texts_read_as_before(aiohttp_client):
    _, _, body = await _served(aiohttp_client)
    _, served = split_script(body)
    assert served["title"] == "Questions about our program?"
    assert served["crisis"] == "If you are in danger, call or text 988 or call 911."
    assert served["subtitle"] == "Automated assistant \u00b7 not for emergencies"
    assert served["typing"] == "The assistant is typing\u2026"
    assert served["input_placeholder"] == "Type your question\u2026"


async def test_script_is_rendered_once_and_its_etag_is_of_the_rendered_bytes(aiohttp_client, monkeypatch):
    calls: List[str] = []

    def counted(source: str, texts) -> str:
        calls.append(source)
        return render_script(source, texts)

    monkeypatch.setattr(web_module, "render_script", counted)
    client, response, body = await _served(aiohttp_client)
    for _ in range(3):
        assert await (await client.get(WIDGET_PATH)).read() == body
    assert len(calls) == 1
    assert response.headers["ETag"] == '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    assert "/*@texts*/" not in body.decode() and "/*@end*/" not in body.decode()


async def test_texts_cannot_break_out_of_the_script(aiohttp_client, content_copy):
    hostile = "Ask us </script><script>window.__xss=1</script> <!-- & \"quotes\" \\ 'single'"
    edit(content_copy / "widget.yml", lambda t: t.replace("title: Questions about our program?", f"title: {json.dumps(hostile)}"))
    _, _, body = await _served(aiohttp_client, texts=build(program(), content_copy))
    literal = re.search(rb"^  var TEXTS = (.*);$", body, re.M).group(1).decode()
    assert not re.search("[<>&\u2028\u2029]", literal)
    assert json.loads(literal)["title"] == hostile
    assert "</script" not in body.decode().split("*/", 1)[1]  # only the header comment mentions tags


def test_line_separators_and_markup_are_escaped():
    literal = script_texts({"a": "x\u2028y\u2029z <b> & </script>"})
    assert literal == '{"a": "x\\u2028y\\u2029z \\u003cb\\u003e \\u0026 \\u003c/script\\u003e"}'
    assert json.loads(literal) == {"a": "x\u2028y\u2029z <b> & </script>"}


@pytest.mark.skipif(not shutil.which("node"), reason="needs node to parse the script")
def test_rendered_script_is_valid_javascript(tmp_path):
    hostile = {key: f"{key} </script> \u2028 \u2029 \" ' \\ ` ${{x}} */ //" for key in WIDGET_TEXTS}
    path = tmp_path / "widget.js"
    path.write_text(render_script(JS, hostile), encoding="utf-8")
    subprocess.run(["node", "--check", str(path)], check=True, capture_output=True, timeout=30)


# ------------------------------------------------------------- the script is never served without its texts


@pytest.mark.parametrize("source", [JS.replace(TEXTS_MARKER, "{}"), JS + "\n" + TEXTS_MARKER, "no marker"])
def test_a_script_without_exactly_one_marker_is_refused(source):
    with pytest.raises(ValueError, match="exactly once"):
        render_script(source, catalogue().widget)


def test_the_website_does_not_start_with_a_script_without_marker(tmp_path, monkeypatch):
    static = tmp_path / "static"
    shutil.copytree(STATIC_DIR, static)
    edit(static / "widget.js", lambda t: t.replace(TEXTS_MARKER, "{}"))
    monkeypatch.setattr(web_module, "STATIC_DIR", static)
    with pytest.raises(ValueError, match="widget.js must contain"):
        setup_widget(web.Application(), rasa_url=RASA_URL)


def test_the_website_does_not_start_with_broken_widget_texts(content_copy):
    edit(content_copy / "widget.yml", lambda t: t.replace("{emergency}", "{emergency_number}"))
    with pytest.raises(ContentError, match=r"widget.yml: notice_crisis: unknown placeholder \{emergency_number\}"):
        build(program(), content_copy)


# ------------------------------------------------------------- widget.js itself holds no text

# What a string literal of widget.js may be: code, never something a person reads or hears.
CODE_PREFIXES = re.compile(r"^\.?(iopw?|aria|data)-[a-z0-9-]*:?$")  # CSS classes, ids, ARIA and data attributes
SVG_PATH = re.compile(r"^M[\d.][MmLlHhVvCcSsQqTtAaZz\d .,-]*$")
URL_PATH = re.compile(r"^/[a-z/]*$")  # Rasa's REST endpoint and the greeting intent
CODE_WORDS = set(
    # elements and attributes
    "a button div form h2 label link p path span strong svg textarea class className d focusable rel target text "
    "viewBox _blank stylesheet submit "
    # attribute and style values, ARIA roles
    "additions auto dialog false group log off open polite status true px "
    # events, keys, document states
    "click error input keydown load loading DOMContentLoaded Enter Escape "
    # typeof results, fetch options, who wrote a message, icon names
    "function null number string POST cors omit no-referrer no-store Content-Type bot user chat close down send".split()
)
CODE_LITERALS = {
    "use strict", "(pointer: coarse)", "application/json", "noopener noreferrer", "http://www.w3.org/2000/svg",
    "widget.css", "http:", "https:", "tel:", "tel:+", "web-",
}
# For a site's developer, in the browser console or in errors the widget catches itself; never on the page.
DEVELOPER_MESSAGES = {"IOP chat widget: data-rasa-url must be an http(s) URL", "HTTP ", "unexpected reply"}

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
    if SVG_PATH.match(literal) or URL_PATH.match(literal):
        return True
    return all(word in CODE_WORDS or CODE_PREFIXES.match(word) for word in literal.split())


def test_the_scanner_finds_literals_and_skips_comments_and_regular_expressions():
    source = 'var a = "One"; // "Two"\n/* "Three" */ var r = /["\']x\\//g; b = c / d / "Four\\u2026";'
    assert string_literals(source) == ["One", "Four\u2026"]
    assert not _is_code("Start over") and not _is_code("send it") and _is_code("iopw-choice iopw-retry")


def test_no_text_for_a_person_is_left_in_widget_js():
    literals = string_literals(JS)
    assert len(literals) > 100  # the scanner read the whole file
    assert [literal for literal in literals if not _is_code(literal)] == []
    # Nothing a person reads is given a literal, even a lowercase word that is also a code word.
    code = re.sub(r"/\*.*?\*/", "", JS, flags=re.S)
    given = r"""(?:(?:(?<![\w.$])(?:text|placeholder|title|alt)|"aria-label")\s*:|(?:textContent|title|placeholder)\s*=)"""
    assert not re.findall(given + r"""\s*["'][^"']*[^\W\d_]""", code)


def test_widget_js_uses_exactly_the_catalogue_texts():
    assert set(re.findall(r"\bTEXTS\.([a-z_]+)", JS)) == set(WIDGET_TEXTS)
    assert JS.count(TEXTS_MARKER) == 1

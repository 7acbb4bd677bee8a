"""The demo page and widget files served by bot.website.widget.setup_widget (aiohttp test client, no browser)."""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import re

import pytest
import pytest_asyncio
from aiohttp import web

import bot.website.widget as web_module
from bot.settings import program
from bot.texts import catalogue
from bot.website.widget import STATIC_DIR, WIDGET_PATH, normalise_rasa_url, setup_widget
from tests.support.widget import split_script

RASA_URL = "https://rasa.example.test:5005"


def make_app(rasa_url: str = RASA_URL) -> web.Application:
    app = web.Application()
    setup_widget(app, rasa_url=rasa_url)
    return app


@pytest_asyncio.fixture
async def client(aiohttp_client):
    return await aiohttp_client(make_app())


def check_security_headers(response, rasa_origin: str = RASA_URL) -> str:
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == f"'self' {rasa_origin}"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "*" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    return csp


def max_age(response) -> int:
    match = re.search(r"max-age=(\d+)", response.headers["Cache-Control"])
    return int(match.group(1))


@pytest.mark.asyncio
async def test_demo_page_route_and_headers(client):
    response = await client.get("/")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    check_security_headers(response)
    assert response.headers["Cache-Control"] == "no-cache"
    page = await response.text()
    assert page.startswith("<!doctype html>")
    prog = program()
    assert html.escape(prog.name) in page
    assert html.escape(prog.phone) in page
    assert html.escape(prog.address) in page
    assert "{{" not in page and "}}" not in page


@pytest.mark.parametrize(
    "path, content_type",
    [("/widget/widget.js", "text/javascript; charset=utf-8"), ("/widget/widget.css", "text/css; charset=utf-8")],
)
@pytest.mark.asyncio
async def test_widget_files(client, path, content_type):
    response = await client.get(path)
    assert response.status == 200
    assert response.headers["Content-Type"] == content_type
    check_security_headers(response)
    assert response.headers["Cache-Control"].startswith("public")
    assert 0 < max_age(response) <= 3600
    body = await response.read()
    if path == WIDGET_PATH:  # served with the texts from content/ written in
        body, texts = split_script(body)
        assert texts == catalogue().widget
    assert body == (STATIC_DIR / path.rsplit("/", 1)[1]).read_bytes()
    # Provider sites load these files cross-origin.
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    # Revalidation is cheap.
    again = await client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status == 304
    assert await again.read() == b""
    head = await client.head(path)
    assert head.status == 200


@pytest.mark.asyncio
async def test_page_embeds_widget_with_rasa_url(client):
    page = await (await client.get("/")).text()
    tags = re.findall(r"<script\b[^>]*>", page)
    assert len(tags) == 1
    assert 'src="/widget/widget.js"' in tags[0]
    assert f'data-rasa-url="{RASA_URL}"' in tags[0]
    assert "defer" in tags[0]
    assert f'data-phone="{html.escape(program().phone)}"' in tags[0]
    # The snippet shown to providers has the same attributes, written out for copying.
    code = re.search(r"<pre><code>(.*?)</code></pre>", page, re.S).group(1)
    snippet = html.unescape(code)
    assert snippet.startswith(f'<script src="http://{client.server.host}:{client.server.port}/widget/widget.js"')
    assert f'data-rasa-url="{RASA_URL}"' in snippet
    assert 'data-title="Questions about our program?"' in snippet
    assert snippet.rstrip().endswith("defer></script>")


@pytest.mark.asyncio
async def test_snippet_uses_public_origin_behind_a_proxy(client):
    page = await (
        await client.get("/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "bot.example.org"})
    ).text()
    assert "https://bot.example.org/widget/widget.js" in html.unescape(page)


@pytest.mark.asyncio
async def test_page_has_no_external_urls_other_than_rasa(client):
    page = await (await client.get("/")).text()
    own = f"http://{client.server.host}:{client.server.port}"
    urls = re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", html.unescape(page))
    outside = [u for u in urls if not (u.startswith(RASA_URL) or u.startswith(own))]
    assert outside == []
    # Every resource the page loads is local; links are local, tel: or in-page.
    for attr, value in re.findall(r"""\b(src|href)="([^"]*)\"""", page):
        assert value.startswith(("/", "#", "tel:", "data:")), (attr, value)
    assert "@import" not in page and "url(" not in page


@pytest.mark.asyncio
async def test_inline_styles_are_allowed_by_hash_only(client):
    response = await client.get("/")
    page = await response.text()
    csp = check_security_headers(response)
    blocks = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert blocks
    for block in blocks:
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert " style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline scripts


@pytest.mark.asyncio
async def test_program_values_are_escaped(aiohttp_client, monkeypatch):
    evil = dataclasses.replace(
        program(),
        name='Harbor <script>alert("name")</script> & Sons',
        short_name="Harbor <b>",
        phone='(410) 555-0142"><img src=x onerror=alert(1)>',
        address="1 Main St <iframe src=//evil.example>",
    )
    monkeypatch.setattr(web_module, "program", lambda: evil)
    client = await aiohttp_client(make_app())
    page = await (await client.get("/")).text()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<iframe" not in page
    assert "<b>" not in page
    assert "Harbor &lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; &amp; Sons" in page
    assert "1 Main St &lt;iframe src=//evil.example&gt;" in page
    assert 'data-phone="(410) 555-0142&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"' in page


@pytest.mark.asyncio
async def test_rasa_url_with_path_and_trailing_slash(aiohttp_client):
    client = await aiohttp_client(make_app("https://bot.example.org/rasa/"))
    response = await client.get("/")
    check_security_headers(response, rasa_origin="https://bot.example.org")
    assert 'data-rasa-url="https://bot.example.org/rasa"' in await response.text()


@pytest.mark.asyncio
async def test_other_routes_are_untouched(aiohttp_client):
    app = make_app()

    async def staff(request):
        return web.Response(text="staff")

    app.router.add_get("/staff/", staff)
    client = await aiohttp_client(app)
    response = await client.get("/staff/")
    assert response.status == 200
    assert "Content-Security-Policy" not in response.headers
    assert app.middlewares == []


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("http://127.0.0.1:5005", "http://127.0.0.1:5005"),
        ("https://Bot.Example.org:5005/", "https://bot.example.org:5005"),
        (" https://bot.example.org/rasa// ", "https://bot.example.org/rasa"),
        ("http://[::1]:5005", "http://[::1]:5005"),
    ],
)
def test_normalise_rasa_url(raw, expected):
    assert normalise_rasa_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "javascript:alert(1)",
        "ftp://bot.example.org",
        "bot.example.org:5005",
        "https://user:pw@bot.example.org",
        "https://bot.example.org/?x=1",
        "https://bot.example.org/a;b",
        "https://bot example.org",
        "https://bot.example.org:99999",
        "https://bot.example.org/\"><script>",
    ],
)
def test_bad_rasa_url_is_rejected(raw):
    with pytest.raises(ValueError):
        setup_widget(web.Application(), rasa_url=raw)


# ------------------------------------------------------------- the widget source, read as text

JS = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
CSS = (STATIC_DIR / "widget.css").read_text(encoding="utf-8")


def _code_only(source: str) -> str:
    return re.sub(r"/\*.*?\*/", "", source, flags=re.S)


def test_widget_never_parses_html_or_evaluates_code():
    code = _code_only(JS)
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                      "setTimeout(\"", "DOMParser", "createContextualFragment"):
        assert forbidden not in code, forbidden
    assert "textContent" in code
    assert "createTextNode" in code


def test_widget_makes_no_third_party_requests():
    urls = re.findall(r"https?://[^\s\"')]+", _code_only(JS)) + re.findall(r"https?://[^\s\"')]+", CSS)
    assert urls == ["http://www.w3.org/2000/svg"]  # the SVG namespace name, never fetched
    assert "@import" not in CSS and "url(" not in CSS
    assert "@font-face" not in CSS


def test_widget_source_documents_the_embed_snippet_and_uses_the_rest_channel():
    header = JS.split("*/", 1)[0]
    assert '<script src="https://BOT-HOST/widget/widget.js"' in header
    assert 'data-rasa-url="https://BOT-HOST:5005"' in header
    assert 'data-title="Questions about our program?"' in header
    assert "/webhooks/rest/webhook" in JS
    assert "crypto.getRandomValues" in JS and "sessionStorage" in JS
    assert '"web-"' in JS


def test_widget_css_covers_phones_motion_and_line_breaks():
    assert "white-space: pre-line" in CSS
    assert "@media (max-width: 480px)" in CSS
    assert "100dvh" in CSS
    assert "@media (prefers-reduced-motion: reduce)" in CSS
    assert ":focus-visible" in CSS

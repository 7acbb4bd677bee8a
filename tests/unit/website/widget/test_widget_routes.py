"""The demo page, the chat frame and the widget files served by bot.website.widget.setup_widget (aiohttp
test client, no browser): routes, security headers (CSP, frame-ancestors), the settings, the snippet."""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import re
from typing import Dict

import pytest
import pytest_asyncio
from aiohttp import web

import bot.website.widget as web_module
from bot.settings import program
from bot.website.widget import (
    FRAME_CSS_PATH, FRAME_JS_PATH, FRAME_PATH, IFRAME_SANDBOX, STATIC_DIR, WIDGET_CSS_PATH, WIDGET_PATH,
    loopback_twin, normalise_public_url, normalise_rasa_url, parse_frame_ancestors, setup_widget,
)
from tests.support.widget import split_frame_script

RASA_URL = "https://rasa.example.test:5005"


def make_app(rasa_url: str = RASA_URL, public_url: str = "", ancestors: str = "") -> web.Application:
    app = web.Application()
    setup_widget(app, rasa_url=rasa_url, public_url=public_url, allowed_ancestors=ancestors)
    return app


@pytest_asyncio.fixture
async def client(aiohttp_client):
    return await aiohttp_client(make_app())


def policy(response) -> Dict[str, str]:
    csp = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in csp.split(";"))


def check_common_headers(response) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert not re.search(r"(^|\s)\*(\s|;|$)", csp)  # no bare wildcard source anywhere


def check_static_headers(response, rasa_origin: str = RASA_URL) -> str:
    check_common_headers(response)
    directives = policy(response)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == f"'self' {rasa_origin}"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    return response.headers["Content-Security-Policy"]


def check_demo_headers(response, widget_origin: str) -> Dict[str, str]:
    check_common_headers(response)
    directives = policy(response)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == f"'self' {widget_origin}"
    assert directives["style-src"].startswith(f"'self' {widget_origin}")
    assert directives["frame-src"] == widget_origin
    # The page itself never talks to Rasa: the conversation is the frame's business.
    assert directives["connect-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"  # as before: nobody frames the demo page
    return directives


def own_origin(client) -> str:
    return f"http://{client.server.host}:{client.server.port}"


def twin_origin(client) -> str:
    return loopback_twin(own_origin(client))


def max_age(response) -> int:
    match = re.search(r"max-age=(\d+)", response.headers["Cache-Control"])
    return int(match.group(1))


# ------------------------------------------------------------- the demo page


@pytest.mark.asyncio
async def test_demo_page_route_and_headers(client):
    response = await client.get("/")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert client.server.host == "127.0.0.1"
    check_demo_headers(response, f"http://localhost:{client.server.port}")
    assert response.headers["Cache-Control"] == "no-cache"
    assert "X-Frame-Options" not in response.headers
    page = await response.text()
    assert page.startswith("<!doctype html>")
    prog = program()
    assert html.escape(prog.name) in page
    assert html.escape(prog.phone) in page
    assert html.escape(prog.address) in page
    assert "{{" not in page and "}}" not in page


@pytest.mark.asyncio
async def test_demo_page_embeds_the_widget_from_another_origin(client):
    """Unset WIDGET_PUBLIC_URL: a page opened on 127.0.0.1 loads the widget from localhost (and back),
    so the chat frame is cross-origin to the page, as it is on a provider's site."""
    page = await (await client.get("/")).text()
    widget_origin = twin_origin(client)
    assert widget_origin == f"http://localhost:{client.server.port}"
    tags = re.findall(r"<script\b[^>]*>", page)
    assert len(tags) == 1
    assert f'src="{widget_origin}/widget/widget.js"' in tags[0]
    assert "data-rasa-url" not in tags[0]  # the frame talks to the Rasa server the website is set up with
    assert f'data-phone="{html.escape(program().phone)}"' in tags[0]
    assert 'data-title="Questions about our program?"' in tags[0]
    assert "defer" in tags[0]

    other = await (await client.get("/", headers={"Host": f"localhost:{client.server.port}"})).text()
    assert f'src="http://127.0.0.1:{client.server.port}/widget/widget.js"' in other


@pytest.mark.asyncio
async def test_snippet_is_one_script_tag_from_the_widget_origin(client):
    page = await (await client.get("/")).text()
    code = re.search(r"<pre><code>(.*?)</code></pre>", page, re.S).group(1)
    snippet = html.unescape(code)
    assert snippet.startswith(f'<script src="{twin_origin(client)}/widget/widget.js"')
    assert 'data-title="Questions about our program?"' in snippet
    assert f'data-phone="{program().phone}"' in snippet
    assert "data-rasa-url" not in snippet
    assert snippet.rstrip().endswith("defer></script>")
    assert len(re.findall(r"<script\b", snippet)) == 1 and "<iframe" not in snippet
    # The page tells providers what their own policy must allow, and where the chat runs.
    assert f"<code>{twin_origin(client)}</code> in <code>script-src</code>" in page
    assert "frame-src" in page and "WIDGET_FRAME_ANCESTORS" in page


@pytest.mark.asyncio
async def test_public_url_setting_is_used_for_page_snippet_and_frame(aiohttp_client, monkeypatch):
    monkeypatch.setenv("WIDGET_PUBLIC_URL", "https://Chat.Example.org/")
    app = web.Application()
    setup_widget(app, rasa_url=RASA_URL)  # settings read from the environment
    client = await aiohttp_client(app)
    response = await client.get("/")
    check_demo_headers(response, "https://chat.example.org")
    page = html.unescape(await response.text())
    assert '<script src="https://chat.example.org/widget/widget.js"' in page
    assert page.count("https://chat.example.org/widget/widget.js") == 2  # the tag and the snippet
    frame = await client.get(FRAME_PATH)
    assert policy(frame)["frame-ancestors"] == "'self' https://chat.example.org"


@pytest.mark.asyncio
async def test_snippet_uses_public_origin_behind_a_proxy(client):
    page = await (
        await client.get("/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "bot.example.org"})
    ).text()
    assert "https://bot.example.org/widget/widget.js" in html.unescape(page)


@pytest.mark.asyncio
async def test_page_has_no_external_urls_other_than_the_widget(client):
    page = await (await client.get("/")).text()
    allowed = (own_origin(client), twin_origin(client))
    urls = re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", html.unescape(page))
    outside = [u for u in urls if not u.startswith(allowed)]
    assert outside == []
    assert RASA_URL not in page  # the page does not even know where Rasa is
    # Every resource the page loads is the widget's or local; links are local, tel: or in-page.
    for attr, value in re.findall(r"""\b(src|href)="([^"]*)\"""", page):
        assert value.startswith(("/", "#", "tel:", "data:", twin_origin(client) + "/widget/")), (attr, value)
    assert "@import" not in page and "url(" not in page


@pytest.mark.asyncio
async def test_inline_styles_are_allowed_by_hash_only(client):
    response = await client.get("/")
    page = await response.text()
    directives = check_demo_headers(response, twin_origin(client))
    blocks = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert blocks
    for block in blocks:
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in directives["style-src"]
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


# ------------------------------------------------------------- the chat frame


@pytest.mark.asyncio
async def test_frame_route_and_its_own_policy(client):
    response = await client.get(FRAME_PATH)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    check_common_headers(response)
    directives = policy(response)
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == RASA_URL  # Rasa only, nothing else
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'none'"
    # Embeddable by itself and by the demo page (the other loopback name), nobody else by default.
    assert directives["frame-ancestors"] == f"'self' {twin_origin(client)}"
    assert "X-Frame-Options" not in response.headers  # it would forbid what frame-ancestors allows
    assert response.headers["Cache-Control"] == "no-store"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.asyncio
async def test_frame_page_has_no_inline_code_and_names_its_settings(client):
    page = await (await client.get(FRAME_PATH)).text()
    assert page.startswith("<!doctype html>")
    assert re.findall(r"<script\b[^>]*>", page) == ['<script src="frame.js" defer>']
    assert '<link rel="stylesheet" href="frame.css">' in page
    assert "<style" not in page and " style=" not in page and " on" not in page.replace(" only", "")
    assert f'data-rasa-url="{RASA_URL}"' in page
    assert f'data-parent-origins="&#x27;self&#x27; {twin_origin(client)}"' in page
    assert "<title>Questions about our program?</title>" in page
    # No conversation and no texts beyond the title: frame.js builds the chat.
    assert re.search(r"<body>\s*</body>", page)


@pytest.mark.asyncio
async def test_frame_ancestors_setting_adds_provider_sites(aiohttp_client, monkeypatch):
    monkeypatch.setenv("WIDGET_FRAME_ANCESTORS", "https://www.provider.org, https://*.clinic.example  http://localhost:3000/")
    app = web.Application()
    setup_widget(app, rasa_url=RASA_URL)
    client = await aiohttp_client(app)
    frame = await client.get(FRAME_PATH)
    assert policy(frame)["frame-ancestors"] == (
        f"'self' {twin_origin(client)} https://www.provider.org https://*.clinic.example http://localhost:3000"
    )
    page = await frame.text()
    assert "https://*.clinic.example" in page  # frame.js checks its parent against the same list
    # Other responses keep refusing to be framed.
    for path in ("/", WIDGET_PATH, FRAME_JS_PATH):
        assert policy(await client.get(path))["frame-ancestors"] == "'none'"


@pytest.mark.parametrize(
    "value",
    ["*", "https://*", "https:", "'none'", "www.provider.org", "https://provider.org/page", "ftp://provider.org",
     "https://provider.org:99999", "https://ok.example.org *"],
)
def test_a_frame_ancestor_that_is_not_an_origin_stops_the_website(value):
    with pytest.raises(ValueError, match="WIDGET_FRAME_ANCESTORS"):
        setup_widget(web.Application(), rasa_url=RASA_URL, public_url="", allowed_ancestors=value)


def test_frame_ancestors_are_parsed_and_deduplicated():
    assert parse_frame_ancestors(None) == ()
    assert parse_frame_ancestors("  ") == ()
    assert parse_frame_ancestors("HTTPS://A.example.org/ https://a.example.org,http://[::1]:8080") == (
        "https://a.example.org", "http://[::1]:8080",
    )


@pytest.mark.parametrize("value", ["https://bot.example.org/widget", "bot.example.org", "https://u:p@bot.example.org"])
def test_a_public_url_that_is_not_an_origin_stops_the_website(value):
    with pytest.raises(ValueError, match="WIDGET_PUBLIC_URL"):
        setup_widget(web.Application(), rasa_url=RASA_URL, public_url=value, allowed_ancestors="")


@pytest.mark.parametrize(
    "raw, expected",
    [(None, None), ("", None), ("http://localhost:8080/", "http://localhost:8080"), ("https://Bot.Example.org", "https://bot.example.org")],
)
def test_normalise_public_url(raw, expected):
    assert normalise_public_url(raw) == expected


@pytest.mark.parametrize(
    "origin, twin",
    [
        ("http://127.0.0.1:8080", "http://localhost:8080"),
        ("http://localhost:8080", "http://127.0.0.1:8080"),
        ("http://[::1]:8080", "http://localhost:8080"),
        ("https://localhost", "https://127.0.0.1"),
        ("https://bot.example.org", None),
    ],
)
def test_loopback_twin(origin, twin):
    assert loopback_twin(origin) == twin


# ------------------------------------------------------------- the static files


@pytest.mark.parametrize(
    "path, content_type, resource_policy",
    [
        (WIDGET_PATH, "text/javascript; charset=utf-8", "cross-origin"),  # providers' pages load these
        (WIDGET_CSS_PATH, "text/css; charset=utf-8", "cross-origin"),
        (FRAME_JS_PATH, "text/javascript; charset=utf-8", "same-origin"),  # only the frame loads these
        (FRAME_CSS_PATH, "text/css; charset=utf-8", "same-origin"),
    ],
)
@pytest.mark.asyncio
async def test_widget_files(client, path, content_type, resource_policy):
    response = await client.get(path)
    assert response.status == 200
    assert response.headers["Content-Type"] == content_type
    check_static_headers(response)
    assert response.headers["Cache-Control"].startswith("public")
    assert 0 < max_age(response) <= 3600
    body = await response.read()
    if path.endswith(".js"):  # served with the texts from content/ written in
        body, _, _ = split_frame_script(body)
    assert body == (STATIC_DIR / path.rsplit("/", 1)[1]).read_bytes()
    assert response.headers["Cross-Origin-Resource-Policy"] == resource_policy
    # Revalidation is cheap.
    again = await client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status == 304
    assert await again.read() == b""
    head = await client.head(path)
    assert head.status == 200


@pytest.mark.asyncio
async def test_rasa_url_with_path_and_trailing_slash(aiohttp_client):
    client = await aiohttp_client(make_app("https://bot.example.org/rasa/"))
    check_static_headers(await client.get(WIDGET_PATH), rasa_origin="https://bot.example.org")
    frame = await client.get(FRAME_PATH)
    assert policy(frame)["connect-src"] == "https://bot.example.org"
    assert 'data-rasa-url="https://bot.example.org/rasa"' in await frame.text()


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
        setup_widget(web.Application(), rasa_url=raw, public_url="", allowed_ancestors="")


# ------------------------------------------------------------- the scripts, read as text

LOADER = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
FRAME = (STATIC_DIR / "frame.js").read_text(encoding="utf-8")
CSS = (STATIC_DIR / "widget.css").read_text(encoding="utf-8")
FRAME_CSS = (STATIC_DIR / "frame.css").read_text(encoding="utf-8")


def _code_only(source: str) -> str:
    return re.sub(r"/\*.*?\*/", "", source, flags=re.S)


@pytest.mark.parametrize("source", [LOADER, FRAME], ids=["widget.js", "frame.js"])
def test_scripts_never_parse_html_or_evaluate_code(source):
    code = _code_only(source)
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                      "setTimeout(\"", "DOMParser", "createContextualFragment"):
        assert forbidden not in code, forbidden
    assert "textContent" in code
    assert "createTextNode" in code


def test_scripts_make_no_third_party_requests():
    sources = [_code_only(LOADER), _code_only(FRAME), _code_only((STATIC_DIR / "dom.js").read_text()), CSS, FRAME_CSS]
    urls = [url for source in sources for url in re.findall(r"https?://[^\s\"')]+", source)]
    assert set(urls) == {"http://www.w3.org/2000/svg"}  # the SVG namespace name, never fetched
    for css in (CSS, FRAME_CSS):
        assert "@import" not in css and "url(" not in css and "@font-face" not in css


def test_the_loader_never_touches_the_conversation():
    code = _code_only(LOADER)
    # No storage, no network, no message text: only the button, the frame and control notes.
    for forbidden in ("sessionStorage", "localStorage", "indexedDB", "document.cookie", "fetch(", "XMLHttpRequest",
                      "sendBeacon", "/webhooks/", "contentDocument"):
        assert forbidden not in code, forbidden
    assert not re.search(r"\.(text|messages)\b", code)  # it reads no message's text
    assert 'attachShadow({ mode: "open" })' in code  # nothing in it worth hiding
    assert f'var SANDBOX = "{IFRAME_SANDBOX}";' in code
    assert 'referrerpolicy: "no-referrer"' in code
    assert "allow:" not in code and '"allow"' not in code  # no extra permissions for the frame
    # Messages go to the frame's origin only, and only the frame's are read.
    assert re.findall(r"postMessage\(([^)]*)\)", code) == ["message, frameOrigin"]
    assert "event.origin !== frameOrigin" in code and "event.source !== ui.frame.contentWindow" in code


def test_the_frame_only_talks_to_its_checked_parent_and_to_rasa():
    code = _code_only(FRAME)
    assert re.findall(r"postMessage\(([^)]*)\)", code) == [
        "{ type: MESSAGE_TYPE, state: name, open: state.open }, parentOrigin"
    ]
    assert '"*"' not in code
    assert "event.source !== window.parent" in code
    assert "/webhooks/rest/webhook" in code
    assert "crypto.getRandomValues" in code and "sessionStorage" in code and "localStorage" not in code
    assert '"web-"' in code


def test_loader_documents_the_embed_snippet():
    header = LOADER.split("*/", 1)[0]
    assert '<script src="https://BOT-HOST/widget/widget.js"' in header
    assert 'data-title="Questions about our program?"' in header
    assert "data-rasa-url" in header  # still accepted, for older snippets
    assert "WIDGET_FRAME_ANCESTORS" in header and "frame-src" in header


def test_stylesheets_cover_phones_motion_and_line_breaks():
    assert "white-space: pre-line" in FRAME_CSS
    assert "@media (max-width: 480px)" in CSS
    assert "100dvh" in CSS
    for css in (CSS, FRAME_CSS):
        assert "@media (prefers-reduced-motion: reduce)" in css
        assert ":focus-visible" in css

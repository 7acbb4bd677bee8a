"""The website chat widget and a demo provider page, served by aiohttp.

`setup_widget(app, rasa_url=...)` adds three routes to an aiohttp application:

- GET /                   a demo provider page for the program (from program settings), with the widget
                          embedded and the embed snippet a provider copies into their own site,
- GET /widget/widget.js   the widget (vanilla JS, no dependencies; it talks to Rasa's REST channel), with
                          its texts from content/widget.yml written in once, when the app is built,
- GET /widget/widget.css  its stylesheet (the script loads it from next to its own URL).

Every response carries security headers: a Content-Security-Policy that allows only this origin plus
`connect-src` to the Rasa server, `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`.
The page's text is content/demo_page.html, rendered by the same rules as every other text
(bot.texts): {placeholders} from the program settings and the values below, each HTML-escaped.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Dict, Mapping, Optional
from urllib.parse import urlsplit

from aiohttp import web

from bot import clock
from bot.phones import tel_href
from bot.settings import CONTENT_DIR, Program, program
from bot.texts import PLACEHOLDER, Catalogue, ContentError, catalogue, render_html

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATE_FILE = CONTENT_DIR / "demo_page.html"

WIDGET_PATH = "/widget/widget.js"
WIDGET_CSS_PATH = "/widget/widget.css"
# widget.js holds this once; the website serves the script with the texts in its place.
TEXTS_MARKER = "/*@texts*/{}/*@end*/"

# Widget files may change with a deployment; browsers re-check them after five minutes.
STATIC_CACHE_CONTROL = "public, max-age=300"
PAGE_CACHE_CONTROL = "no-cache"

_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)
_HOST = re.compile(r"^[a-z0-9.\-]+$|^[0-9a-f:.]+$")
# Characters that could end a <script> element or a JS string if the script were ever inlined.
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}

_STATIC_TYPES = {
    WIDGET_PATH: ("widget.js", "text/javascript"),
    WIDGET_CSS_PATH: ("widget.css", "text/css"),
}


def normalise_rasa_url(rasa_url: str) -> str:
    """The Rasa base URL without a trailing slash; raises ValueError unless it is a plain http(s) URL."""
    raw = (rasa_url or "").strip()
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"rasa_url must be an http(s) URL like https://bot.example.org:5005, got {rasa_url!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(f"rasa_url must not contain credentials, a query or a fragment: {rasa_url!r}")
    hostname = parts.hostname.lower()
    if not _HOST.match(hostname):
        raise ValueError(f"rasa_url has an invalid host: {rasa_url!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"rasa_url has an invalid port: {rasa_url!r}") from exc
    path = re.sub(r"/+$", "", parts.path)
    if re.search(r"[^A-Za-z0-9._~/%-]", path):
        raise ValueError(f"rasa_url has an invalid path: {rasa_url!r}")
    host = f"[{hostname}]" if ":" in hostname else hostname
    return f"{parts.scheme}://{host}{f':{port}' if port is not None else ''}{path}"


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL (what a CSP source expression needs)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1].lower()}"


def content_security_policy(rasa_url: str, style_hashes: tuple = ()) -> str:
    """Only this origin, plus connect-src to the Rasa server; no inline script, no frames, no plugins."""
    styles = " ".join(["'self'", *(f"'sha256-{h}'" for h in style_hashes)])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {styles}",
            "img-src 'self' data:",
            f"connect-src 'self' {origin_of(rasa_url)}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(csp: str) -> Dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def embed_snippet(widget_url: str, rasa_url: str, title: str, phone: str = "") -> str:
    """The <script> tag a provider pastes into their site (attribute values escaped)."""
    attrs = [
        f'src="{html.escape(widget_url)}"',
        f'data-rasa-url="{html.escape(rasa_url)}"',
        f'data-title="{html.escape(title)}"',
    ]
    if phone:
        attrs.append(f'data-phone="{html.escape(phone)}"')
    return "<script " + "\n        ".join(attrs) + "\n        defer></script>"


def style_hashes(template: str) -> tuple:
    """CSP hashes of the template's inline <style> blocks (which must not contain placeholders)."""
    hashes = []
    for block in _STYLE_BLOCK.findall(template):
        if PLACEHOLDER.search(block):
            raise ContentError(f"{TEMPLATE_FILE.name}: placeholders are not allowed inside <style>")
        digest = hashlib.sha256(block.encode("utf-8")).digest()
        hashes.append(base64.b64encode(digest).decode("ascii"))
    return tuple(hashes)


def script_texts(texts: Mapping[str, str]) -> str:
    """The widget's texts as a JS object literal: JSON, with the characters that are unsafe in a script
    escaped, so no text can break out of the script whatever a writer puts in it."""
    literal = json.dumps(dict(texts), ensure_ascii=False, sort_keys=True)
    return re.sub(r"[<>&\u2028\u2029]", lambda m: _SCRIPT_UNSAFE[m.group(0)], literal)


def render_script(source: str, texts: Mapping[str, str]) -> str:
    """widget.js with its texts written in; without exactly one marker the website must not start,
    or the widget would be served without anything to say."""
    found = source.count(TEXTS_MARKER)
    if found != 1:
        raise ValueError(f"widget.js must contain {TEXTS_MARKER} exactly once, found {found}")
    return source.replace(TEXTS_MARKER, script_texts(texts))


def demo_values(prog: Program, *, rasa_url: str, public_origin: str, title: str) -> Dict[str, str]:
    """Everything the demo page substitutes: the program settings every text may use, plus links and
    the widget's own values (raw values; rendering escapes them)."""
    return {
        **prog.placeholders(),
        "program_phone_tel": tel_href(prog.phone),
        "callback_hours": clock.duration(prog.callback_within_minutes),
        "crisis_line_tel": tel_href(prog.crisis_line),
        "emergency_tel": tel_href(prog.emergency),
        "samhsa_helpline_tel": tel_href(prog.samhsa_helpline),
        "rasa_url": rasa_url,
        "rasa_origin": origin_of(rasa_url),
        "widget_src": WIDGET_PATH,
        "widget_title": title,
        "embed_snippet": embed_snippet(public_origin + WIDGET_PATH, rasa_url, title, prog.phone),
    }


def _public_origin(request: web.Request) -> str:
    """This server's origin as the visitor sees it (honours a reverse proxy's X-Forwarded-* headers)."""
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    scheme = proto if proto in ("http", "https") else request.scheme
    host = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip() or request.host
    if not re.match(r"^[A-Za-z0-9.\-\[\]:]+$", host or ""):
        host = "BOT-HOST"
    return f"{scheme}://{host}"


def setup_widget(app: web.Application, *, rasa_url: str, texts: Optional[Catalogue] = None) -> None:
    """Serve the demo page at / and the widget at /widget/, talking to the Rasa server at rasa_url.

    `texts` is the catalogue to take the widget's texts from (the deployed program's by default).
    """
    rasa_url = normalise_rasa_url(rasa_url)
    widget_texts = (texts or catalogue(program())).widget
    title = widget_texts["title"]
    template = TEMPLATE_FILE.read_text(encoding="utf-8")
    # Checked now, so a placeholder without a value stops the website at start, not on a visit.
    start_values = demo_values(program(), rasa_url=rasa_url, public_origin="", title=title)
    render_html(template, start_values, TEMPLATE_FILE.name)
    page_csp = content_security_policy(rasa_url, style_hashes(template))
    static_csp = content_security_policy(rasa_url)
    files: Dict[str, bytes] = {
        path: (STATIC_DIR / name).read_bytes() for path, (name, _) in _STATIC_TYPES.items()
    }
    # Written in once, here: every visitor gets the same bytes, so the ETag below stays valid.
    files[WIDGET_PATH] = render_script(files[WIDGET_PATH].decode("utf-8"), widget_texts).encode("utf-8")
    etags = {path: '"' + hashlib.sha256(body).hexdigest()[:32] + '"' for path, body in files.items()}

    async def demo_page(request: web.Request) -> web.Response:
        values = demo_values(program(), rasa_url=rasa_url, public_origin=_public_origin(request), title=title)
        page = render_html(template, values, TEMPLATE_FILE.name)
        response = web.Response(text=page, content_type="text/html", charset="utf-8")
        response.headers.update(security_headers(page_csp))
        response.headers["Cache-Control"] = PAGE_CACHE_CONTROL
        return response

    async def static_file(request: web.Request) -> web.Response:
        path = request.path
        _, content_type = _STATIC_TYPES[path]
        headers = security_headers(static_csp)
        headers["Cache-Control"] = STATIC_CACHE_CONTROL
        headers["ETag"] = etags[path]
        # Providers load these files from their own site's pages.
        headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        if _etag_matches(request.headers.get("If-None-Match"), etags[path]):
            return web.Response(status=304, headers=headers)
        response = web.Response(body=files[path], headers=headers)
        response.content_type = content_type
        response.charset = "utf-8"
        return response

    app.router.add_get("/", demo_page, name="widget_demo")
    app.router.add_get(WIDGET_PATH, static_file, name="widget_js")
    app.router.add_get(WIDGET_CSS_PATH, static_file, name="widget_css")


def _etag_matches(header: Optional[str], etag: str) -> bool:
    if not header:
        return False
    return any(tag.strip() in (etag, "*", "W/" + etag) for tag in header.split(","))

"""The website chat widget and a demo provider page, served by aiohttp.

The conversation runs in an <iframe> served from the assistant's own origin, so nothing on a provider's
page (analytics, session replay, other scripts) can read what a person types. `setup_widget(app,
rasa_url=...)` adds these routes to an aiohttp application:

- GET /                   a demo provider page for the program (from program settings), with the widget
                          embedded from the widget's origin and the embed snippet a provider copies,
- GET /widget/widget.js   the loader a provider's page includes: a chat button and the <iframe>, nothing
                          else; it never sees a message (vanilla JS, texts from content/widget.yml),
- GET /widget/widget.css  the loader's stylesheet (the button and the frame's box),
- GET /widget/frame       the chat itself: a page of its own with a strict Content-Security-Policy whose
                          frame-ancestors lists the sites allowed to embed it,
- GET /widget/frame.js    the chat's script (talks to Rasa's REST channel; texts from content/widget.yml),
- GET /widget/frame.css   the chat's stylesheet.

Settings (environment, read with bot.settings.env when the app is built):

- WIDGET_PUBLIC_URL       the origin widget.js and the frame are served from, as visitors reach it (e.g.
                          https://bot.example.org). Unset: the demo page embeds the widget from the other
                          loopback name of its own address (127.0.0.1 <-> localhost, so the demo is a
                          different origin from the frame, as a provider's site is), else from its own.
- WIDGET_FRAME_ANCESTORS  the origins of provider sites allowed to embed the frame, separated by spaces or
                          commas (https://www.provider.org https://*.provider.org). Always allowed as well:
                          the frame's own origin and the loopback twin of it, i.e. the demo page. A bare
                          '*' is refused: any site could then frame the chat.

Every response carries `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`, and a
Content-Security-Policy: the demo page and the static files keep `frame-ancestors 'none'`, the frame page
has its own (script-src 'self', connect-src the Rasa server only, frame-ancestors as above).
The demo page's text is content/demo_page.html, rendered by the same rules as every other text
(bot.texts): {placeholders} from the program settings and the values below, each HTML-escaped.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from aiohttp import web

from bot import clock
from bot.phones import tel_href
from bot.settings import CONTENT_DIR, Program, env, program
from bot.text_keys import PRIVATE_PROMPTS
from bot.texts import PLACEHOLDER, Catalogue, ContentError, catalogue, render_html

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATE_FILE = CONTENT_DIR / "demo_page.html"

WIDGET_PATH = "/widget/widget.js"
WIDGET_CSS_PATH = "/widget/widget.css"
FRAME_PATH = "/widget/frame"
FRAME_JS_PATH = "/widget/frame.js"
FRAME_CSS_PATH = "/widget/frame.css"
# Each script may hold this once; the website writes the shared DOM helpers (static/dom.js) there.
DOM_MARKER = "  /*@dom*/"
# Each script holds this once; the website serves it with the texts in its place.
TEXTS_MARKER = "/*@texts*/{}/*@end*/"
# frame.js holds this once: the assistant's questions whose answers the browser must never keep.
PROMPTS_MARKER = "/*@private-prompts*/[]/*@end*/"

# The loader only labels its button and the frame, and says what to do if the frame cannot load.
LOADER_TEXTS = ("title", "connection_error", "connection_error_with_phone", "crisis")
# What the loader puts on the <iframe>: scripts and storage of its own origin, the message form, and
# popups, without which a sandboxed frame may open neither tel: links nor web links in answers.
IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-forms allow-popups"

# Widget files may change with a deployment; browsers re-check them after five minutes.
STATIC_CACHE_CONTROL = "public, max-age=300"
PAGE_CACHE_CONTROL = "no-cache"
# The frame page carries a per-visit policy and belongs to a private conversation: never cached.
FRAME_CACHE_CONTROL = "no-store"
# The chat needs none of these; a frame that cannot ask for them cannot be tricked into asking.
FRAME_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)
_HOST = re.compile(r"^[a-z0-9.\-]+$|^[0-9a-f:.]+$")
_ANCESTOR = re.compile(r"^(https?)://(\*\.)?([a-z0-9\-]+(?:\.[a-z0-9\-]+)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$")
# Characters that could end a <script> element or a JS string if the script were ever inlined.
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
# The two names of this machine: a demo page opened on one embeds the widget from the other.
_LOOPBACK_TWINS = {"127.0.0.1": "localhost", "localhost": "127.0.0.1", "::1": "localhost"}

# path -> (file in static/, content type, Cross-Origin-Resource-Policy)
_STATIC_TYPES = {
    WIDGET_PATH: ("widget.js", "text/javascript", "cross-origin"),  # loaded by providers' pages
    WIDGET_CSS_PATH: ("widget.css", "text/css", "cross-origin"),
    FRAME_JS_PATH: ("frame.js", "text/javascript", "same-origin"),  # loaded by the frame only
    FRAME_CSS_PATH: ("frame.css", "text/css", "same-origin"),
}


def normalise_rasa_url(rasa_url: str, name: str = "rasa_url") -> str:
    """The base URL without a trailing slash; raises ValueError unless it is a plain http(s) URL."""
    raw = (rasa_url or "").strip()
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an http(s) URL like https://bot.example.org:5005, got {rasa_url!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(f"{name} must not contain credentials, a query or a fragment: {rasa_url!r}")
    hostname = parts.hostname.lower()
    if not _HOST.match(hostname):
        raise ValueError(f"{name} has an invalid host: {rasa_url!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{name} has an invalid port: {rasa_url!r}") from exc
    path = re.sub(r"/+$", "", parts.path)
    if re.search(r"[^A-Za-z0-9._~/%-]", path):
        raise ValueError(f"{name} has an invalid path: {rasa_url!r}")
    host = f"[{hostname}]" if ":" in hostname else hostname
    return f"{parts.scheme}://{host}{f':{port}' if port is not None else ''}{path}"


def normalise_public_url(value: Optional[str]) -> Optional[str]:
    """WIDGET_PUBLIC_URL as an origin (scheme://host[:port]); None when unset. Only an origin: the
    loader finds the frame next to its own URL, and origins are what the browser compares."""
    if value is None or not value.strip():
        return None
    url = normalise_rasa_url(value, "WIDGET_PUBLIC_URL")
    if urlsplit(url).path:
        raise ValueError(f"WIDGET_PUBLIC_URL must be an origin without a path, like https://bot.example.org: {value!r}")
    return url


def parse_frame_ancestors(value: Optional[str]) -> Tuple[str, ...]:
    """WIDGET_FRAME_ANCESTORS as CSP source expressions; raises ValueError naming every bad entry.

    Only full http(s) origins (a leading '*.' on the host is allowed): a bare '*', a scheme alone or
    'none' would either let any site frame the chat or say something nobody meant."""
    entries = [item for item in re.split(r"[\s,]+", (value or "").strip()) if item]
    good: List[str] = []
    bad: List[str] = []
    for item in entries:
        origin = item.lower().rstrip("/")
        match = _ANCESTOR.match(origin)
        if not match or (match.group(4) and not 0 < int(match.group(4)[1:]) < 65536):
            bad.append(item)
        elif origin not in good:
            good.append(origin)
    if bad:
        raise ValueError(
            "WIDGET_FRAME_ANCESTORS must list the origins of sites allowed to embed the chat, like "
            f"https://www.provider.org (a bare '*' is not allowed); not usable: {bad}"
        )
    return tuple(good)


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL (what a CSP source expression needs)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1].lower()}"


def loopback_twin(origin: str) -> Optional[str]:
    """The same port under this machine's other name (127.0.0.1 <-> localhost), or None."""
    parts = urlsplit(origin)
    twin = _LOOPBACK_TWINS.get((parts.hostname or "").lower())
    if twin is None:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return f"{parts.scheme}://{twin}{f':{port}' if port is not None else ''}"


def content_security_policy(rasa_url: str, style_hashes: tuple = ()) -> str:
    """The static files' policy: only this origin, plus connect-src to the Rasa server; no inline
    script, no frames, no plugins."""
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


def demo_page_policy(widget_origin: str, style_hashes: tuple = ()) -> str:
    """The demo page may load the loader and its stylesheet from the widget's origin and frame the chat
    from there; it talks to nobody else (the conversation is the frame's business)."""
    styles = " ".join(["'self'", widget_origin, *(f"'sha256-{h}'" for h in style_hashes)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {widget_origin}",
            f"style-src {styles}",
            "img-src 'self' data:",
            "connect-src 'self'",
            f"frame-src {widget_origin}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def frame_policy(rasa_url: str, ancestors: Sequence[str]) -> str:
    """The chat frame: its own script and stylesheet, requests to the Rasa server only, and embedding
    only by the listed sites."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"connect-src {origin_of(rasa_url)}",
            "img-src 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {' '.join(ancestors)}",
        ]
    )


def frame_ancestors(own_origin: str, configured: Iterable[str], *, named: bool = True) -> List[str]:
    """Who may embed the frame: itself, the demo page (its loopback twin) and the configured sites.

    `named`: write the frame's own origin out as well as 'self' (when it comes from WIDGET_PUBLIC_URL;
    an origin read from request headers is left to 'self', which the browser checks itself)."""
    sources = ["'self'"]
    for origin in (own_origin if named else None, loopback_twin(own_origin), *configured):
        if origin and origin not in sources:
            sources.append(origin)
    return sources


def security_headers(csp: str) -> Dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def embed_snippet(widget_url: str, title: str, phone: str = "") -> str:
    """The <script> tag a provider pastes into their site (attribute values escaped)."""
    attrs = [f'src="{html.escape(widget_url)}"', f'data-title="{html.escape(title)}"']
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


def script_literal(value: object) -> str:
    """A value as a JS literal: JSON, with the characters that are unsafe in a script escaped, so no
    text can break out of the script whatever a writer puts in it."""
    literal = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return re.sub(r"[<>&\u2028\u2029]", lambda m: _SCRIPT_UNSAFE[m.group(0)], literal)


def script_texts(texts: Mapping[str, str]) -> str:
    """The widget's texts as a JS object literal (see script_literal)."""
    return script_literal(dict(texts))


def _fill_marker(source: str, marker: str, literal: str, name: str) -> str:
    found = source.count(marker)
    if found != 1:
        raise ValueError(f"{name} must contain {marker} exactly once, found {found}")
    return source.replace(marker, literal)


def render_script(source: str, texts: Mapping[str, str], name: str = "widget.js") -> str:
    """A script with its texts (and the shared DOM helpers, static/dom.js) written in; without exactly
    one texts marker the website must not start, or the widget would be served without anything to say."""
    if source.count(DOM_MARKER) > 1:
        raise ValueError(f"{name} must contain {DOM_MARKER} at most once")
    source = source.replace(DOM_MARKER, (STATIC_DIR / "dom.js").read_text(encoding="utf-8").strip("\n"))
    return _fill_marker(source, TEXTS_MARKER, script_texts(texts), name)


def render_frame_script(source: str, texts: Mapping[str, str], prompts: Sequence[str]) -> str:
    """frame.js with its texts and the private prompts written in (each marker exactly once)."""
    rendered = render_script(source, texts, "frame.js")
    return _fill_marker(rendered, PROMPTS_MARKER, script_literal(sorted(set(prompts))), "frame.js")


def private_prompts(texts: Catalogue) -> List[str]:
    """The web texts of the questions in PRIVATE_PROMPTS, cut into the parts Rasa's REST channel sends
    as separate messages (it splits a text at blank lines)."""
    prompts: List[str] = []
    for name in PRIVATE_PROMPTS:
        for variation in texts.responses.get(name, []):
            if variation.get("channel") not in (None, "rest"):
                continue
            for part in str(variation.get("text") or "").strip().split("\n\n"):
                if part.strip():
                    prompts.append(part.strip())
    return prompts


def demo_values(
    prog: Program, *, rasa_url: str, public_origin: str, title: str, widget_origin: Optional[str] = None
) -> Dict[str, str]:
    """Everything the demo page substitutes: the program settings every text may use, plus links and
    the widget's own values (raw values; rendering escapes them)."""
    widget_origin = public_origin if widget_origin is None else widget_origin
    return {
        **prog.placeholders(),
        "program_phone_tel": tel_href(prog.phone),
        "callback_hours": clock.duration(prog.callback_within_minutes),
        "crisis_line_tel": tel_href(prog.crisis_line),
        "emergency_tel": tel_href(prog.emergency),
        "samhsa_helpline_tel": tel_href(prog.samhsa_helpline),
        "rasa_url": rasa_url,
        "rasa_origin": origin_of(rasa_url),
        "widget_origin": widget_origin,
        "widget_src": widget_origin + WIDGET_PATH,
        "widget_title": title,
        "embed_snippet": embed_snippet(widget_origin + WIDGET_PATH, title, prog.phone),
    }


def frame_page(title: str, rasa_url: str, ancestors: Sequence[str]) -> str:
    """The chat frame's HTML: no inline script or style, its settings in data attributes for frame.js
    (the Rasa URL it talks to, the origins whose messages it accepts)."""
    e = lambda value: html.escape(value, quote=True)  # noqa: E731
    return (
        "<!doctype html>\n"
        f'<html lang="en" data-rasa-url="{e(rasa_url)}" data-parent-origins="{e(" ".join(ancestors))}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{e(title)}</title>\n"
        '<link rel="stylesheet" href="frame.css">\n'
        '<script src="frame.js" defer></script>\n'
        "</head>\n"
        "<body></body>\n"
        "</html>\n"
    )


def _public_origin(request: web.Request) -> str:
    """This server's origin as the visitor sees it (honours a reverse proxy's X-Forwarded-* headers)."""
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    scheme = proto if proto in ("http", "https") else request.scheme
    host = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip() or request.host
    if not re.match(r"^[A-Za-z0-9.\-\[\]:]+$", host or ""):
        host = "BOT-HOST"
    return f"{scheme}://{host.lower()}"


def setup_widget(
    app: web.Application,
    *,
    rasa_url: str,
    texts: Optional[Catalogue] = None,
    public_url: Optional[str] = None,
    allowed_ancestors: Optional[str] = None,
) -> None:
    """Serve the demo page at / and the widget at /widget/, talking to the Rasa server at rasa_url.

    `texts` is the catalogue to take the widget's texts from (the deployed program's by default);
    `public_url` and `allowed_ancestors` stand for WIDGET_PUBLIC_URL and WIDGET_FRAME_ANCESTORS
    (read from the environment when not given). Bad values stop the website here, at start.
    """
    rasa_url = normalise_rasa_url(rasa_url)
    widget_public = normalise_public_url(public_url if public_url is not None else env("WIDGET_PUBLIC_URL"))
    configured = parse_frame_ancestors(
        allowed_ancestors if allowed_ancestors is not None else env("WIDGET_FRAME_ANCESTORS")
    )
    catalogue_ = texts or catalogue(program())
    widget_texts = catalogue_.widget
    title = widget_texts["title"]
    template = TEMPLATE_FILE.read_text(encoding="utf-8")
    # Checked now, so a placeholder without a value stops the website at start, not on a visit.
    start_values = demo_values(program(), rasa_url=rasa_url, public_origin="", title=title)
    render_html(template, start_values, TEMPLATE_FILE.name)
    hashes = style_hashes(template)
    static_csp = content_security_policy(rasa_url)
    files: Dict[str, bytes] = {
        path: (STATIC_DIR / name).read_bytes() for path, (name, _, _) in _STATIC_TYPES.items()
    }
    # Written in once, here: every visitor gets the same bytes, so the ETags below stay valid.
    loader_texts = {key: widget_texts[key] for key in LOADER_TEXTS}
    files[WIDGET_PATH] = render_script(files[WIDGET_PATH].decode("utf-8"), loader_texts).encode("utf-8")
    files[FRAME_JS_PATH] = render_frame_script(
        files[FRAME_JS_PATH].decode("utf-8"), widget_texts, private_prompts(catalogue_)
    ).encode("utf-8")
    etags = {path: '"' + hashlib.sha256(body).hexdigest()[:32] + '"' for path, body in files.items()}

    def widget_origin_for(request: web.Request) -> str:
        """Where the demo page loads the widget from: the configured origin, else the other loopback
        name of the page's own address (so the frame is cross-origin, as on a provider's site)."""
        if widget_public:
            return widget_public
        own = _public_origin(request)
        return loopback_twin(own) or own

    async def demo_page(request: web.Request) -> web.Response:
        widget_origin = widget_origin_for(request)
        values = demo_values(
            program(), rasa_url=rasa_url, public_origin=_public_origin(request), title=title,
            widget_origin=widget_origin,
        )
        page = render_html(template, values, TEMPLATE_FILE.name)
        response = web.Response(text=page, content_type="text/html", charset="utf-8")
        response.headers.update(security_headers(demo_page_policy(widget_origin, hashes)))
        response.headers["Cache-Control"] = PAGE_CACHE_CONTROL
        return response

    async def chat_frame(request: web.Request) -> web.Response:
        own = widget_public or _public_origin(request)
        ancestors = frame_ancestors(own, configured, named=bool(widget_public))
        response = web.Response(
            text=frame_page(title, rasa_url, ancestors), content_type="text/html", charset="utf-8"
        )
        response.headers.update(security_headers(frame_policy(rasa_url, ancestors)))
        response.headers["Cache-Control"] = FRAME_CACHE_CONTROL
        response.headers["Permissions-Policy"] = FRAME_PERMISSIONS_POLICY
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        return response

    async def static_file(request: web.Request) -> web.Response:
        path = request.path
        _, content_type, resource_policy = _STATIC_TYPES[path]
        headers = security_headers(static_csp)
        headers["Cache-Control"] = STATIC_CACHE_CONTROL
        headers["ETag"] = etags[path]
        headers["Cross-Origin-Resource-Policy"] = resource_policy
        if _etag_matches(request.headers.get("If-None-Match"), etags[path]):
            return web.Response(status=304, headers=headers)
        response = web.Response(body=files[path], headers=headers)
        response.content_type = content_type
        response.charset = "utf-8"
        return response

    app.router.add_get("/", demo_page, name="widget_demo")
    app.router.add_get(FRAME_PATH, chat_frame, name="widget_frame")
    app.router.add_get(WIDGET_PATH, static_file, name="widget_js")
    app.router.add_get(WIDGET_CSS_PATH, static_file, name="widget_css")
    app.router.add_get(FRAME_JS_PATH, static_file, name="widget_frame_js")
    app.router.add_get(FRAME_CSS_PATH, static_file, name="widget_frame_css")


def _etag_matches(header: Optional[str], etag: str) -> bool:
    if not header:
        return False
    return any(tag.strip() in (etag, "*", "W/" + etag) for tag in header.split(","))

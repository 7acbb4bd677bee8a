"""Fixtures for the website widget tests.

- `servers`: aiohttp apps served on 127.0.0.1 from a private event loop in a background thread
  (Playwright's sync API blocks the test's own thread),
- `fake_rasa`: a tiny stand-in for Rasa's REST channel with CORS, scripted replies and switchable
  failure modes; it records every request it receives,
- `demo_url`: the demo page and widget (bot.web.setup_widget) wired to the fake Rasa,
- `chromium`: headless Debian Chromium driven by Playwright,
- `widget`: opens a page in a fresh browser context and wraps the widget's parts.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # for widget_helpers, whatever pytest's import mode
    sys.path.insert(0, str(HERE))

from widget_helpers import (  # noqa: E402
    RESULTS_DIR,
    BackgroundServers,
    FakeRasa,
    Widget,
    demo_app_factory,
)


@pytest.fixture(scope="module")
def servers():
    background = BackgroundServers()
    yield background
    background.close()


@pytest.fixture(scope="module")
def fake_rasa_server(servers):
    fake = FakeRasa()
    fake.url = servers.serve(fake.app)
    return fake


@pytest.fixture
def fake_rasa(fake_rasa_server):
    fake_rasa_server.reset()
    yield fake_rasa_server
    fake_rasa_server.reset()


@pytest.fixture(scope="module")
def demo_url(servers, fake_rasa_server) -> str:
    return servers.serve(demo_app_factory(fake_rasa_server.url))


# ---------------------------------------------------------------- browser


@pytest.fixture
def widget(chromium):
    """widget(url, **context_options) -> Widget in a fresh browser context (fresh sessionStorage)."""
    contexts = []

    def make(url: str, **context_options) -> Widget:
        context_options.setdefault("viewport", {"width": 1280, "height": 800})
        context = chromium.new_context(**context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return Widget(context.new_page(), url)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def results_dir() -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    return RESULTS_DIR

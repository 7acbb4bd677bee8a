"""actions/fallback.py: an unclear message gets the closest topics and a callback as buttons."""
from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultAskAffirmation
from tests.support.actions import DOMAIN, tracker


async def test_fallback_suggests_closest_topics_and_a_callback() -> None:
    d = CollectingDispatcher()
    await ActionDefaultAskAffirmation().run(d, tracker(text="blah", faq="cost"), DOMAIN)
    buttons = d.messages[0]["buttons"]
    titles = [b["title"] for b in buttons]
    assert titles[0] == "Cost" and "Request a callback" in titles and "None of these" in titles

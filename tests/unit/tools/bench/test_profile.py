"""bot.tools.bench.profile: the default pipeline's FAQ answers are scored like ours."""
from __future__ import annotations

from bot.tools.bench.profile import default_selector_as_faq


def test_default_response_selector_is_read_as_faq() -> None:
    parse = {"intent": {"name": "faq"}, "response_selector": {"default": {"response": {"intent_response_key": "faq/cost"}}}}
    mapped = default_selector_as_faq(parse)
    assert mapped["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/cost"
    assert "faq" not in parse["response_selector"]  # input untouched
    ours = {"response_selector": {"faq": {"response": {"intent_response_key": "faq/hours"}}}}
    assert default_selector_as_faq(ours) is ours


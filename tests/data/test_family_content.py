"""The family plan's texts (content/family/plan.yml) meet the same bar as the FAQ answers: they cite
seeds that exist, share no long run of words with any seed, and give no dosing or home-detox advice."""
from __future__ import annotations

import re
from typing import Iterator

from bot.family.plan import plan_texts
from tests.data.test_faq_content import BACKSTAGE_WORDS, FORBIDDEN_PATTERNS, fingerprints


def texts() -> Iterator[str]:
    """Every text of the plan a person reads."""
    data = plan_texts()
    for key, value in data.items():
        if key == "sources":
            continue
        if isinstance(value, dict):
            for item in value.values():
                yield from (item if isinstance(item, list) else [item])
        else:
            yield str(value)


def test_sources_exist_in_seeds() -> None:
    assert set(plan_texts()["sources"]) <= fingerprints().names


def test_no_long_word_run_shared_with_any_seed() -> None:
    for text in texts():
        assert fingerprints().copied_run(text) is None, text


def test_no_dosing_or_home_detox_advice_and_no_backstage_words() -> None:
    for text in texts():
        for pattern in FORBIDDEN_PATTERNS + BACKSTAGE_WORDS:
            assert not re.search(pattern, text, re.I), (pattern, text)

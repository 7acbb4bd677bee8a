"""The bars on the frozen typed-answer set (typed_answers.yml), through the trained model and the
assistant's own order: crisis policy, dialogue rules, then the form's reading of the answer.

The issue's bars are 97% read correctly and no risky answer read as the safe one. They are not met
yet: that test is marked as an expected failure, strict, so it fails the day they are met and the
mark must go. The floor below holds what is measured now, so that no change makes it worse.
"""
from __future__ import annotations

import asyncio
import logging
from functools import lru_cache

import pytest

from bot.tools.typed_answers import FROZEN_SET, TypedScores, load_items, score
from bot.tools.run import DEFAULT_MODEL

BAR_ACCURACY = 0.97
FLOOR_ACCURACY = 0.80  # measured 81.9% when the reader was landed
FLOOR_RISK_READ_AS_SAFE = 8  # measured 8 then


@lru_cache(maxsize=1)
def frozen_scores() -> TypedScores:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` (make test does it)")
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's per-message debug events would echo every answer
    agent = Agent.load(str(DEFAULT_MODEL))
    return asyncio.run(score(load_items(FROZEN_SET), agent.parse_message))


def test_the_frozen_set_is_big_enough_and_labelled() -> None:
    items = load_items(FROZEN_SET)
    assert len(items) >= 400
    assert len({i["question"] for i in items}) == 10
    assert {"yes", "no", "unsure", "question", "crisis", "stop", "callback", "off_topic"} <= {i["expected"] for i in items}


def test_no_worse_than_measured() -> None:
    scores = frozen_scores()
    assert scores.accuracy >= FLOOR_ACCURACY
    assert scores.risk_read_as_safe <= FLOOR_RISK_READ_AS_SAFE


@pytest.mark.xfail(strict=True, reason="the typed-answer bars (97%, no risky answer read as safe) are not met yet")
def test_the_issue_bars() -> None:
    scores = frozen_scores()
    assert scores.accuracy >= BAR_ACCURACY and scores.risk_read_as_safe == 0

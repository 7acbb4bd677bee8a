"""The bars on the frozen typed-answer sets (typed_answers.yml, typed_answers_batch2.yml to _batch6), through
the trained model and the assistant's own order: crisis policy, dialogue rules, then the form's
reading of the answer.

The issue's bars are 97% read correctly and no risky answer read as the safe one. They are not met
yet: that test is marked as an expected failure, strict, so it fails the day they are met and the
mark must go. The floors below hold what is measured now, so that no change makes it worse.
"""
from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from pathlib import Path

import pytest

from bot.tools.typed_answers import BATCH_2, BATCH_3, BATCH_4, BATCH_5, BATCH_6, FROZEN_SET, FROZEN_SETS, TypedScores, load_items, score
from bot.tools.run import DEFAULT_MODEL

BAR_ACCURACY = 0.97
# (accuracy, risky answers read as safe, crises without 988/911) as measured: 81.5%, 5 and 0 on the
# first set, 80.6%, 0 and 1 on the second, 83.6%, 0 and 0 on the third, 73.6%, 1 and 1 on the fourth,
# 84.8%, 1 and 1 on the fifth, 81.8%, 2 and 1 on the sixth (its figures before any change made after
# it was written, and today's).
FLOORS = {
    FROZEN_SET: (0.814, 5, 0), BATCH_2: (0.806, 0, 1), BATCH_3: (0.836, 0, 0), BATCH_4: (0.736, 1, 1),
    BATCH_5: (0.848, 1, 1), BATCH_6: (0.818, 2, 1),
}


@lru_cache(maxsize=None)
def frozen_scores(path: Path = FROZEN_SET) -> TypedScores:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` (make test does it)")
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's per-message debug events would echo every answer
    agent = Agent.load(str(DEFAULT_MODEL))
    return asyncio.run(score(load_items(path), agent.parse_message))


@pytest.mark.parametrize("path", FROZEN_SETS)
def test_the_frozen_sets_are_big_enough_and_labelled(path: Path) -> None:
    items = load_items(path)
    assert len(items) >= 400
    assert len({i["question"] for i in items}) == 10
    assert {"yes", "no", "unsure", "question", "crisis", "stop", "callback", "off_topic"} <= {i["expected"] for i in items}


@pytest.mark.parametrize("path", FROZEN_SETS)
def test_no_worse_than_measured(path: Path) -> None:
    scores = frozen_scores(path)
    accuracy, risk_read_as_safe, crisis_missed = FLOORS[path]
    assert scores.accuracy >= accuracy
    assert scores.risk_read_as_safe <= risk_read_as_safe
    assert scores.crisis_missed <= crisis_missed


@pytest.mark.parametrize("path", FROZEN_SETS)
@pytest.mark.xfail(strict=True, reason="the typed-answer bars (97%, no risky answer read as safe) are not met yet")
def test_the_issue_bars(path: Path) -> None:
    scores = frozen_scores(path)
    assert scores.accuracy >= BAR_ACCURACY and scores.risk_read_as_safe == 0

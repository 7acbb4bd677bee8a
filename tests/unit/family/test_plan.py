"""bot/family/plan.py and content/family/plan.yml: a plan for every combination of answers, tailored
to them, within SMS limits, and never recommending what backfires."""
from __future__ import annotations

import itertools
import re
from typing import Optional

import pytest

from bot.family.answers import CONCERNS, RELATIONS, SKIPPED, TRIED
from bot.family.plan import MAX_TEXT, compose, plan_texts
from bot.settings import Program, program

ANSWERS = list(itertools.product(RELATIONS + (SKIPPED,), CONCERNS + (SKIPPED,), TRIED + (SKIPPED,)))
# Said in the plan only as what to avoid (the `backfires` text).
BACKFIRES = re.compile(r"ultimatum|intervention|shame|shaming|lectur|confront|ambush|guilt trip|tough love|kick (?:him|her|them) out", re.I)
FAMILY_SUPPORT = ("Al-Anon", "Nar-Anon", "SMART Recovery Family & Friends")


@pytest.fixture(scope="module")
def prog() -> Program:
    return program()


@pytest.mark.parametrize("relation, concern, tried", ANSWERS)
def test_every_answer_gets_a_plan_within_sms_limits(prog: Program, relation: str, concern: str, tried: str) -> None:
    messages = compose(prog, relation, concern, tried)
    assert 7 <= len(messages) <= 12
    assert all(0 < len(m) <= MAX_TEXT + 40 for m in messages)  # the sample sentences get their quote marks
    text = " ".join(messages)
    assert "{" not in text and "}" not in text
    assert any(support in text for support in FAMILY_SUPPORT) and prog.samhsa_helpline in text
    assert prog.phone in text  # the family consultation call
    for message in messages:
        if BACKFIRES.search(message):
            assert message == compose(prog, "partner", None, None)[-4], f"recommended or named outside backfires: {message}"


@pytest.mark.parametrize("relation", RELATIONS)
def test_the_sample_sentences_are_the_relation_s_own(prog: Program, relation: str) -> None:
    says = compose(prog, relation, None, None)[2]
    own = plan_texts()["sentences"][relation]
    assert all(f'"{sentence}"' in says for sentence in own)
    others = [s for r in RELATIONS if r != relation for s in plan_texts()["sentences"][r]]
    assert not any(f'"{sentence}"' in says for sentence in others if sentence not in own)


@pytest.mark.parametrize("relation, teen", [(r, r == "child_under_18") for r in RELATIONS])
def test_a_parent_of_a_teen_hears_about_an_assessment_for_minors(prog: Program, relation: str, teen: bool) -> None:
    text = " ".join(compose(prog, relation, "drugs", "not_yet"))
    assert ("assessment" in text and "teen program" in text.lower()) is teen
    assert "your teen" in text if teen else "your teen" not in text


@pytest.mark.parametrize("tried", TRIED)
def test_how_it_went_last_time_picks_its_own_advice(prog: Program, tried: str) -> None:
    messages = compose(prog, "partner", "alcohol", tried)
    expected = " ".join(plan_texts()["tried"][tried].split())
    assert any(m.startswith(expected[:40]) for m in messages)
    others = [t for t in TRIED if t != tried]
    assert not any(m.startswith(" ".join(plan_texts()["tried"][o].split())[:40]) for o in others for m in messages)


@pytest.mark.parametrize("concern, word", [("mental_health", None), ("drugs", None), ("alcohol", None)])
def test_a_concern_adds_its_line_and_skipping_adds_none(prog: Program, concern: str, word: Optional[str]) -> None:
    with_concern, without = compose(prog, "parent", concern, "calm"), compose(prog, "parent", SKIPPED, "calm")
    assert len(with_concern) == len(without) + 1


def test_the_plan_gives_no_medical_instructions(prog: Program) -> None:
    text = " ".join(m for answers in ANSWERS[:40] for m in compose(prog, *answers)).lower()
    for words in ("mg", "dose", "taper", "cut down slowly", "wean"):
        assert not re.search(rf"\b{words}\b", text), words

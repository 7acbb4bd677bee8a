"""bot/family/answers.py and entry.py: what a family member's typed answer is, danger first. Table-driven."""
from __future__ import annotations

from typing import Optional

import pytest

from bot.family.answers import Kind, Reading, concern_in, mentioned_relation, read
from bot.family.entry import is_planning_request

DANGER = Reading(Kind.DANGER)
UNCLEAR = Reading(Kind.UNCLEAR)
STOP = Reading(Kind.STOP)


@pytest.mark.parametrize(
    "text, asked_again, expected",
    [
        ("No, we're safe", False, Reading(Kind.ANSWER, "no")),
        ("no", False, Reading(Kind.ANSWER, "no")),
        ("nope, he's at work", False, UNCLEAR),  # not a clear no: asked again
        ("no he is at work", False, UNCLEAR),  # more said than a no: asked once more
        ("no one is in danger", False, Reading(Kind.ANSWER, "no")),
        ("No, we are all safe.", False, Reading(Kind.ANSWER, "no")),
        ("no he just hits my mom", False, DANGER),
        ("no, he only pushes me around", False, DANGER),
        ("no he's just punching walls", True, DANGER),
        ("no one is safe", False, DANGER),
        ("no i'm not sure", False, UNCLEAR),
        ("no idea", True, DANGER),
        ("no, maybe", True, DANGER),
        ("Yes, someone is in danger", False, DANGER),
        ("yes", False, DANGER),
        ("yes but not right now", False, DANGER),  # "yes, but..." is yes
        ("no, but he scares me", False, UNCLEAR),  # "no, but..." is not a clear no
        ("no but he scares me", True, DANGER),  # and asked again, it is read as danger
        ("not sure", False, UNCLEAR),
        ("not sure", True, DANGER),
        ("maybe", False, DANGER),
        ("he hit me last week", False, DANGER),
        ("skip", False, UNCLEAR),  # the safety question cannot be skipped
        ("skip", True, DANGER),
        ("stop", False, STOP),
        ("", False, UNCLEAR),
    ],
)
def test_the_danger_question_goes_on_only_after_a_clear_no(text: str, asked_again: bool, expected: Reading) -> None:
    assert read("family_danger", text, asked_again=asked_again) == expected


@pytest.mark.parametrize(
    "question, text, expected",
    [
        ("family_relation", "Child under 18", Reading(Kind.ANSWER, "child_under_18")),
        ("family_relation", "my son, he's 16", Reading(Kind.ANSWER, "child_under_18")),
        ("family_relation", "my 22 year old daughter", Reading(Kind.ANSWER, "adult_child")),
        ("family_relation", "Adult child", Reading(Kind.ANSWER, "adult_child")),
        ("family_relation", "my husband", Reading(Kind.ANSWER, "partner")),
        ("family_relation", "boyfriend", Reading(Kind.ANSWER, "partner")),
        ("family_relation", "my mom", Reading(Kind.ANSWER, "parent")),
        ("family_relation", "my brother", Reading(Kind.ANSWER, "sibling_friend")),
        ("family_relation", "Sibling or friend", Reading(Kind.ANSWER, "sibling_friend")),
        ("family_relation", "my son", Reading(Kind.UNCLEAR, "child_age")),  # under 18 or not is asked
        ("family_relation", "I'm his mom", UNCLEAR),  # their role, not the loved one's
        ("family_relation", "my son, he has been drinking for 5 years", Reading(Kind.UNCLEAR, "child_age")),
        ("family_relation", "my son, he's 19", Reading(Kind.ANSWER, "adult_child")),
        ("family_relation", "skip", Reading(Kind.SKIP, "skipped")),
        ("family_concern", "Alcohol", Reading(Kind.ANSWER, "alcohol")),
        ("family_concern", "he smokes weed", Reading(Kind.ANSWER, "drugs")),
        ("family_concern", "she's depressed", Reading(Kind.ANSWER, "mental_health")),
        ("family_concern", "drinking and pills", Reading(Kind.ANSWER, "several")),
        ("family_concern", "Several of these", Reading(Kind.ANSWER, "several")),
        ("family_tried", "Not yet", Reading(Kind.ANSWER, "not_yet")),
        ("family_tried", "It went calmly", Reading(Kind.ANSWER, "calm")),
        ("family_tried", "They denied it", Reading(Kind.ANSWER, "denial")),
        ("family_tried", "he says he's fine", Reading(Kind.ANSWER, "denial")),
        ("family_tried", "They got angry", Reading(Kind.ANSWER, "anger")),
        ("family_tried", "she yelled at me and stormed off", Reading(Kind.ANSWER, "anger")),
        ("family_tried", "It got unsafe", DANGER),
        ("family_tried", "last time he shoved me", DANGER),
        ("family_tried", "he threatened me", DANGER),
        ("family_tried", "he pushes me when he drinks", DANGER),
        ("family_tried", "he hurts the kids", DANGER),
        ("family_tried", "he pinned me down", DANGER),
        ("family_tried", "she throws things at me", DANGER),
        ("family_tried", "honestly I'm scared of my son", DANGER),
        ("family_tried", "not yet, he seems fine", Reading(Kind.ANSWER, "not_yet")),
        ("family_tried", "not good", UNCLEAR),
        ("family_tried", "it went fine", Reading(Kind.ANSWER, "calm")),
        ("family_tried", "I'm scared of him when he drinks", DANGER),
        ("family_relation", "my partner, he pushed me last time", DANGER),
        ("family_concern", "never mind", STOP),
        ("family_tried", "blah", UNCLEAR),
    ],
)
def test_answers(question: str, text: str, expected: Reading) -> None:
    assert read(question, text) == expected


@pytest.mark.parametrize(
    "text, relation, concern",
    [
        ("my 16 year old son is smoking weed every day, how do I bring it up?", "child_under_18", "drugs"),
        ("how do I get my husband to go to rehab", "partner", None),
        ("my daughter drinks every night, how do I talk to her about it?", None, "alcohol"),
        ("my son is 15 and vaping, what do i say", "child_under_18", "drugs"),
        ("I'm his mom, how do I talk to him", None, None),  # the person is the mom, not the loved one
        ("how do i talk to my dad about his drinking and his pills", "parent", "several"),
        ("How do I talk to my son about his drinking? My husband and I are worried.", None, "alcohol"),  # two named: asked
    ],
)
def test_the_opening_message_fills_what_it_says(text: str, relation: Optional[str], concern: Optional[str]) -> None:
    assert (mentioned_relation(text), concern_in(text)) == (relation, concern)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my 16 year old son is smoking weed every day, how do I bring it up?", True),
        ("how do I get my husband to go to rehab", True),
        ("my daughter drinks every night, how do I talk to her about it?", True),
        ("what should i say to my wife", True),
        ("how can i encourage my daughter to get treatment without pushing her away", True),
        ("How do I talk to a loved one about getting treatment?", False),  # general: the FAQ answer
        ("what is iop", False),
        ("how do i get my son into your program", False),  # admission, not a talk
        ("my mom drinks every night", False),  # no question of how to raise it
        ("how much does it cost", False),
        ("How do you get my son admitted?", False),
        ("how to get my daughter enrolled", False),
        ("how to get my husband covered by my insurance", False),
        ("How should I tell my husband I relapsed?", False),
    ],
)
def test_requests_to_plan_a_talk(text: str, expected: bool) -> None:
    assert is_planning_request(text) is expected

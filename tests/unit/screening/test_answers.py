"""How typed answers to the fit check are read: the rows of the issue's table, plain answers,
answers by fact, negation, mixed answers on the risky side, questions and requests, and the NLU's
part. The frozen set in tests/screening/ measures the reader on wording nobody here wrote."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest
import yaml

from bot.safety.data import SafetyDataError
from bot.screening.answers import ANSWERS_FILE, Kind, load_phrases, parse_concern, parse_screen_for, read, read_plain_yes_no
from bot.screening.rules import SCREENING_DIR

ANSWER = Kind.ANSWER


@pytest.mark.parametrize(
    "question, text, kind, value",
    [
        # the table in the issue: questions are not answers, "yes but" is yes, "no X but Y" is not no
        ("self_harm", "how much does it cost?", Kind.QUESTION, None),
        ("daily_use", "how much does it cost?", Kind.QUESTION, None),
        ("medical", "does insurance cover it", Kind.QUESTION, None),
        ("self_harm", "yes but I'm not going to act on it", ANSWER, "yes"),
        ("daily_use", "Yes, he can't go a day without using", ANSWER, "yes"),
        ("daily_use", "nah not every day, like 6 out of 7", ANSWER, "yes"),  # nearly every day
        ("opioids", "honestly I can't get through a day without my hydrocodone", ANSWER, "yes"),
        ("daily_use", "no seizures, but I use heroin every day", ANSWER, "yes"),
        # plain answers, shorthand, emoji
        ("opioids", "Yes", ANSWER, "yes"),
        ("opioids", "ya", ANSWER, "yes"),
        ("opioids", "yep 100%", ANSWER, "yes"),
        ("opioids", "\U0001F44D", ANSWER, "yes"),
        ("opioids", "No", ANSWER, "no"),
        ("opioids", "nah", ANSWER, "no"),
        ("opioids", "\U0001F44E", ANSWER, "no"),
        ("opioids", "Not sure", ANSWER, "unsure"),
        ("opioids", "idk", ANSWER, "unsure"),
        ("overdose", "maybe?", ANSWER, "unsure"),
        ("overdose", "prob not", ANSWER, "no"),
        # answers by fact, amount or frequency
        ("daily_use", "a fifth a day", ANSWER, "yes"),
        ("daily_use", "every night after work", ANSWER, "yes"),
        ("daily_use", "only weekends", ANSWER, "no"),
        ("daily_use", "a couple times a month", ANSWER, "no"),
        ("opioids", "he's on suboxone now", ANSWER, "yes"),
        ("opioids", "never touched heroin or pills", ANSWER, "no"),
        ("overdose", "we had to narcan him in march", ANSWER, "yes"),
        ("overdose", "once, back in 2015", ANSWER, "no"),
        ("overdose", "once in 2015 and again last month", ANSWER, "yes"),
        ("overdose", "no but I keep narcan at home", ANSWER, "no"),
        ("psychosis_mania", "he hears voices", ANSWER, "yes"),
        ("medical", "she's on dialysis", ANSWER, "yes"),
        # negation that denies the fact, and negation that does not
        ("daily_use", "he does not drink every day", ANSWER, "no"),
        ("daily_use", "i cant get through a day without a drink", ANSWER, "yes"),
        # mixed answers read on the risky side; a hedge is risk; "no, but" with distress is not a no
        ("self_harm", "no, but I've been struggling a lot", ANSWER, "unsure"),
        ("self_harm", "not really sure", ANSWER, "unsure"),
        ("self_harm", "sometimes", ANSWER, "unsure"),
        ("self_harm", "no", ANSWER, "no"),
        ("self_harm", "im fine", ANSWER, "no"),
        ("daily_use", "no, but he drinks a bottle of wine a night", ANSWER, "yes"),
        # the home question: yes is the safe side
        ("home", "yes", ANSWER, "yes"),
        ("home", "we're safe", ANSWER, "yes"),
        ("home", "yes but my roommate deals", ANSWER, "no"),
        ("home", "no, his dad drinks there every night", ANSWER, "no"),
        ("home", "yes, no alcohol in the house", ANSWER, "yes"),
        # readiness has no risky side
        ("readiness", "yes, with some doubts", ANSWER, "yes"),
        ("readiness", "he refuses to even talk about it", ANSWER, "no"),
        ("readiness", "maybe", ANSWER, "unsure"),
        # a risky answer wins over a stop or a call request in the same message
        ("self_harm", "yes. stop asking", ANSWER, "yes"),
        ("self_harm", "sometimes, can we talk on the phone", ANSWER, "unsure"),
        ("daily_use", "yes every day, can you call me", ANSWER, "yes"),
        ("daily_use", "every day, i want to stop but cant", ANSWER, "yes"),
        ("readiness", "i want to stop drinking", ANSWER, "yes"),
        ("home", "can i stop now", Kind.STOP, None),
        # numbers, "never stops", double negatives, time inside the question's window
        ("daily_use", "he drinks 7 times a week", ANSWER, "yes"),
        ("daily_use", "she never stops drinking", ANSWER, "yes"),
        ("daily_use", "I'm not NOT drinking every day lol", ANSWER, "yes"),
        ("self_harm", "not since last week", ANSWER, "unsure"),
        ("overdose", "not that i know of", ANSWER, "unsure"),
        # at the home question a "no" may deny the trouble, not the safety
        ("home", "no violence, it's calm now", ANSWER, "yes"),
        ("home", "no my husband drinks every night and pushes me to drink", ANSWER, "no"),
        ("home", "no not safe", ANSWER, "no"),
        ("opioids", "i don't do opioids, only xanax", ANSWER, "no"),
        # a "no" with more said that no phrase explains is asked about once more, unless the learned
        # reading is sure of it
        ("daily_use", "nah he works nights at the plant and sleeps days", Kind.CLARIFY, None),
        ("daily_use", "nope, just a normal guy who enjoys the game with friends", ANSWER, "no"),
        # questions, requests, stop, nothing
        ("overdose", "why do you need to know that?", Kind.WHY, None),
        ("opioids", "does kratom count?", Kind.WHY, None),
        ("concern", "what is IOP exactly", Kind.QUESTION, None),
        ("home", "stop", Kind.STOP, None),
        ("home", "end the check please", Kind.STOP, None),
        ("medical", "can someone just call me", Kind.CALLBACK, None),
        ("medical", "pizza", Kind.UNCLEAR, None),
        ("medical", "", Kind.UNCLEAR, None),
        ("medical", "<b>yes</b>", ANSWER, "yes"),
        # buttons
        ("medical", "/affirm", ANSWER, "yes"),
        ("medical", "/stop_form", Kind.STOP, None),
        # intake
        ("screen_for", "my son", ANSWER, "loved_one"),
        ("screen_for", "Myself", ANSWER, "self"),
        ("concern", "drinking and pills", ANSWER, "several"),
        ("concern", "not drugs, it's the drinking", ANSWER, "alcohol"),
        ("concern", "depression", ANSWER, "mental_health"),
        ("concern", "not just alcohol, also pills", ANSWER, "several"),
        ("concern", "nothing but drinking", ANSWER, "alcohol"),
    ],
)
def test_reading(question: str, text: str, kind: Kind, value: Optional[str]) -> None:
    reading = read(question, text)
    assert (reading.kind, reading.value) == (kind, value)


@pytest.mark.parametrize(
    "question, text, first, again",
    [
        # a safe answer, then "but" and words no phrase explains: asked once more, then "not sure"
        ("home", "yes, he lives with me, though his brother brings coke over on weekends", Kind.CLARIFY, "no"),
        ("home", "yes we're supportive but her husband is controlling and takes her phone", Kind.CLARIFY, "no"),
        ("psychosis_mania", "not voices. but he's convinced the FBI is tapping his phone", Kind.CLARIFY, "unsure"),
        # ... not when what follows is explained or says little
        ("daily_use", "no, only on weekends though", ANSWER, "no"),
        ("home", "yes, but it's quiet", ANSWER, "yes"),
        ("opioids", "no but thanks", ANSWER, "no"),
    ],
)
def test_a_safe_answer_with_a_but_is_not_taken_as_safe(question: str, text: str, first: Kind, again: str) -> None:
    reading = read(question, text, learned=False)
    assert reading.kind is first and (first is Kind.CLARIFY or reading.value == again)
    if first is Kind.CLARIFY:
        # asked once already: the same answer is read on its risky side ("not sure" unless it says more)
        assert read(question, text, clarify=False, learned=False).value in (again, "unsure")


def test_a_clarified_no_is_taken_the_second_time() -> None:
    text = "nah he works nights at the plant and sleeps days"
    assert read("daily_use", text, clarify=False).value == "no"


@pytest.mark.parametrize(
    "question, text, intent, confidence, expected",
    [
        # the NLU's affirm or deny does not read an answer: the phrases and the learned reading do
        ("daily_use", "he drinks a bottle a night", "deny", 0.9, (ANSWER, "yes")),
        ("medical", "qqq zzz", "affirm", 0.99, (Kind.UNCLEAR, None)),
        # a stop from the classifier counts only when nothing in the message answers
        ("readiness", "lets do it", "stop_form", 0.8, (ANSWER, "yes")),
        ("readiness", "im out", "stop_form", 0.8, (Kind.STOP, None)),
        ("home", "what are your hours for the evening program", "faq", 0.8, (Kind.QUESTION, None)),
    ],
)
def test_the_nlu_reading_counts_after_the_phrases(question: str, text: str, intent: str, confidence: float, expected) -> None:
    reading = read(question, text, intent, confidence)
    assert (reading.kind, reading.value) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("yes please", "yes"), ("sure", "yes"), ("no thanks", "no"), ("nope", "no"), ("not sure", "unsure"), ("banana", None)],
)
def test_consent_answers(text: str, expected: Optional[str]) -> None:
    assert read_plain_yes_no(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("for my daughter", "loved_one"), ("me", "self"), ("hmm", None), ("Myself", "self"),
        ("Someone I care about", "loved_one"), ("i do", "self"), ("he drinks", "loved_one"),
        # someone named first, or as the one it is for, wins over a "me" later on
        ("my son, he steals from me", "loved_one"), ("im asking for my brother who uses pills", "loved_one"),
        ("its for my mom, im 15", "loved_one"), ("its about my husband not me", "loved_one"),
        ("For one of my employees. I'm his manager", "loved_one"), ("Not for myself. For my adult daughter", "loved_one"),
        ("not me, my dad", "loved_one"), ("para mi mamá", "loved_one"), ("mi hijo", "loved_one"),
        # a "me" wins over anyone else mentioned
        ("this is for me not my kid", "self"), ("It's for me. Since my husband passed I drink wine", "self"),
        ("im 16 and my mom is making me do this lol", "self"), ("Myself. My wife filled one of these out last time", "self"),
        ("myself, not for my son", "self"), ("para mí", "self"), ("para mi misma", "self"), ("mee", "self"),
        ("myslef", "self"), ("i'm the patient here", "self"), ("me for my kids", "self"),
        ("im a mom and i drink every day", "self"),
        # "me" elsewhere is often an object: someone else named wins
        ("hello, my son is using heroin and stealing from me", "loved_one"), ("umm my mom. she depends on me", "loved_one"),
        ("my sons 19 and using, he lives with me", "loved_one"), ("my husbands drinking is affecting me", "loved_one"),
        ("es para mi hermano", "loved_one"), ("quiero ayuda para mi hijo", "loved_one"),
        ("es mi hijo, no me hace caso", "loved_one"), ("im the parent", "loved_one"), ("my ex", "loved_one"),
    ],
)
def test_who_it_is_for(text: str, expected: Optional[str]) -> None:
    assert parse_screen_for(text) == expected


def test_concern_none() -> None:
    assert parse_concern("the weather") is None


def test_phrase_mistakes_are_named(tmp_path: Path) -> None:
    data = yaml.safe_load((SCREENING_DIR / ANSWERS_FILE).read_text(encoding="utf-8"))
    data["facts"]["unknown_question"] = {"risky": ["x"]}
    (tmp_path / ANSWERS_FILE).write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SafetyDataError, match="unknown_question"):
        load_phrases(tmp_path)
    data["facts"].pop("unknown_question")
    data["yes"].append("Yes!")
    (tmp_path / ANSWERS_FILE).write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SafetyDataError, match="lower-case words"):
        load_phrases(tmp_path)

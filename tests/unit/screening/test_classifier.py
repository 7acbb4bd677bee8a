"""The learned reading of typed answers (bot.screening.classifier) and how it is weighed with the
phrases (bot.screening.answers.with_learned_reading): situations read without a yes or no, a sure
reading over the phrases, and never a risky reading turned into a safe one."""
from __future__ import annotations

from typing import Optional

import pytest

from bot.screening.answers import CLARIFY, Kind, _same_effect, read, read_yes_no
from bot.screening.classifier import LABELS, OTHER, AnswerClassifier, classifier, label_of, load_examples, training_files
from bot.screening.rules import UNSURE, rules


def test_it_trains_on_every_yes_no_question_and_label() -> None:
    examples = load_examples(training_files())
    assert len(examples) >= 3000
    questions = {q.id for q in rules().questions if q.id not in ("screen_for", "concern")}
    assert {e.question for e in examples} == questions
    assert {e.label for e in examples} == set(LABELS)
    assert set(classifier().labels) == set(LABELS)


@pytest.mark.parametrize(
    "expected, label",
    [("yes", "yes"), ("no", "no"), ("unsure", "unsure"), ("question", OTHER), ("stop", OTHER), ("callback", OTHER),
     ("off_topic", OTHER), ("crisis", None), ("self", None), ("alcohol", None)],
)
def test_what_each_expected_reading_trains(expected: str, label: Optional[str]) -> None:
    assert label_of(expected) == label


def test_training_is_repeatable() -> None:
    again = AnswerClassifier(load_examples(training_files()))
    text = "she lives with her sober aunt now, quiet house"
    assert again.probabilities("home", text) == classifier().probabilities("home", text)


@pytest.mark.parametrize(
    "question, text, value",
    [
        # situations described without a yes or no, which no phrase names
        ("medical", "my mom can't be left alone at all since the fall", "yes"),
        ("home", "my husband throws things when he's drunk", "no"),
        ("home", "i sleep in my car", "no"),
        ("psychosis_mania", "he thinks the tv is sending him messages", "yes"),
        ("readiness", "she's already asked about the schedule", "yes"),
        # a safety question's safe answer from the learned reading alone needs more certainty
        ("medical", "roger that", CLARIFY),
    ],
)
def test_the_learned_reading_answers_where_the_phrases_do_not(question: str, text: str, value: str) -> None:
    assert read_yes_no(rules().question(question), text, learned=False) in (None, CLARIFY)
    reading = read(question, text)
    assert (reading.value if reading.kind is Kind.ANSWER else reading.kind.value) == value


@pytest.mark.parametrize("clarify", [True, False])
def test_on_a_safety_question_it_only_adds_caution(clarify: bool) -> None:
    """Over every training answer: where the phrases alone read the risky side on a safety question,
    the whole reading does too, or "not sure" where that leads to the same outcome (never at the
    self-harm question, where a family member's "not sure" leads elsewhere); where they read "not
    sure", the whole reading is not sure or risky."""
    checked = 0
    for example in load_examples(training_files()):
        question = rules().question(example.question)
        if not question.risk_side:
            continue
        by_phrases = read_yes_no(question, example.text, clarify=clarify, learned=False)
        whole = read_yes_no(question, example.text, clarify=clarify)
        if by_phrases == question.risk_side:
            checked += 1
            assert whole == question.risk_side or (whole == UNSURE and _same_effect(question, whole, by_phrases)), example
        elif by_phrases == UNSURE:
            checked += 1
            assert whole in (question.risk_side, UNSURE), example
    assert checked >= 500


@pytest.mark.parametrize(
    "question, text, intent, expected",
    [
        # a message that reads like a question is answered as one unless the learned reading is sure
        ("self_harm", "she says she is fine now?", None, Kind.QUESTION),
        ("psychosis_mania", "he has been totally himself lately, why?", None, Kind.WHY),
        # a warning sign the NLU saw is never read as the safe answer by the learned reading alone
        ("daily_use", "no, he is just a quiet guy who keeps to himself these days", "possible_risk", Kind.CLARIFY),
    ],
)
def test_it_is_warier_of_questions_and_warning_signs(question: str, text: str, intent: Optional[str], expected: Kind) -> None:
    assert read(question, text, intent, 0.9).kind is expected


def test_a_risky_answer_is_lowered_to_not_sure_only_where_the_outcome_stays() -> None:
    assert not _same_effect(rules().question("self_harm"), "yes", UNSURE)
    assert _same_effect(rules().question("daily_use"), "yes", UNSURE)
    assert _same_effect(rules().question("home"), "no", UNSURE)


def test_an_empty_message_is_not_read() -> None:
    assert read("medical", "").kind is Kind.UNCLEAR
    assert read("medical", "   ").kind is Kind.UNCLEAR

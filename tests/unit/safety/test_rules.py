"""Crisis rules and their context checks (bot/safety/rules.py, checks.py): idioms, recency,
negation, rule names that are constants, never the user's text, and recall and false alarms on
the evaluation sets (tests/support/eval_sets.py)."""
from __future__ import annotations

import re
from typing import Any, Dict

import pytest

from bot.safety import RULE_NAMES, SafetySignal, assess, detect_crisis, normalize
from tests.support.eval_sets import CRISIS, MAX_FALSE_ALARM_RATE, NEAR_MISS, short

NEVER_FIRE = [
    "I'm dying to know the cost",
    "this job is killing me",
    "my feet are killing me",
    "I could kill for a coffee",
    "killing it at work",
    "dead tired",
    "drop-dead gorgeous",
    "overdid it at the gym",
    "a shot of espresso",
    "questions about detox or relapse",
    "my son relapsed last month, what now",
    "does insurance cover detox",
    "what happens if I have withdrawal symptoms in IOP",
    "he used to have seizures as a kid",
    "how dangerous is alcohol withdrawal",
    "I overdosed two years ago and got clean",
    "the movie about suicide",
    "suicide prevention month",
    "I'm not suicidal, just want info",
    "these prices are killing me lol",
    "my mom is going to kill me when she sees my grades",
    "my phone is about to die",
    "I need to cut back on drinking",
    "I'm not ready to quit completely, I just want to cut way down",
    "i want to cut right back on the booze",
    "I'm going to jump on a call",
    "what are the signs of an overdose",
    "my friend hit me with narcan in april",  # naloxone given, not an assault
]


@pytest.mark.parametrize("text", NEVER_FIRE)
def test_idioms_and_questions_never_fire(text: str) -> None:
    assert detect_crisis(text) is None


# Recency: clearly past and resolved does not fire; recent or unclear does.
@pytest.mark.parametrize(
    "text, fires",
    [
        ("I overdosed two years ago and got clean", False),
        ("I overdosed last night", True),
        ("I overdosed", True),
        ("i overdosed years ago and again tonight", True),
        ("I was suicidal in high school, I'm fine now", False),
        ("I used to want to die, now I want to die again", True),
        ("my husband had a seizure years ago", False),
        ("my husband just had a seizure", True),
    ],
)
def test_recency(text: str, fires: bool) -> None:
    assert (detect_crisis(text) is not None) is fires


# Negation: a denial does not fire; a negated wish to live does.
@pytest.mark.parametrize(
    "text, fires",
    [
        ("I'm not suicidal, just want info", False),
        ("i have never been suicidal", False),
        ("I don't want to live anymore", True),
        ("i dont wanna be alive", True),
        ("I'm not okay. I want to die", True),
        ("not sure i want to live", True),
        ("I'm not suicidal but sometimes I think about killing myself", True),
        ("I can't stop thinking about killing myself", True),
    ],
)
def test_negation(text: str, fires: bool) -> None:
    assert (detect_crisis(text) is not None) is fires


def test_signal_is_frozen() -> None:
    signal = detect_crisis("i want to die")
    assert isinstance(signal, SafetySignal)
    with pytest.raises(AttributeError):
        signal.kind = "medical"  # type: ignore[misc]


# ------------------------------------------------------------------------------------------------
# Rule names go to logs: constants only, never user text
# ------------------------------------------------------------------------------------------------

_RULE_NAME = re.compile(r"^(?:suicide|medical|violence)\.[a-z_]+$")


def test_rule_names_are_constants() -> None:
    assert RULE_NAMES and all(_RULE_NAME.match(name) for name in RULE_NAMES)


@pytest.mark.parametrize("item", CRISIS, ids=[short(i["text"]) for i in CRISIS])
def test_rule_name_is_a_known_constant(item: Dict[str, Any]) -> None:
    signal = assess(item["text"])
    assert signal is not None
    assert signal.rule in RULE_NAMES
    assert signal.rule.split(".")[0] == signal.kind
    assert item["text"] not in signal.rule and normalize(item["text"]) not in signal.rule


def test_unique_marker_in_text_never_reaches_rule() -> None:
    marker = "zqxjmarker"
    for template in ("i want to die {m}", "{m} took 40 pills", "i will kill my dad {m}", "{m} kms"):
        signal = detect_crisis(template.format(m=marker))
        assert signal is not None and signal.rule in RULE_NAMES and marker not in signal.rule


# ------------------------------------------------------------------------------------------------
# Crisis recall
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", CRISIS, ids=[short(i["text"]) for i in CRISIS])
def test_crisis_is_detected_with_its_kind(item: Dict[str, Any]) -> None:
    signal = assess(item["text"])  # the crisis reply or the check-in: 988/911 in the same turn
    assert signal is not None, f"missed crisis: {item['text']!r} (normalized: {normalize(item['text'])!r})"
    accepted = {item["kind"], item.get("also")} - {None}
    assert signal.kind in accepted, f"{item['text']!r}: kind {signal.kind} ({signal.rule}), expected {accepted}"


def test_crisis_recall_is_total() -> None:
    missed = [item["text"] for item in CRISIS if assess(item["text"]) is None]
    assert not missed, f"recall {1 - len(missed) / len(CRISIS):.1%}; missed: {missed}"


# ------------------------------------------------------------------------------------------------
# False alarms
# ------------------------------------------------------------------------------------------------


def test_near_miss_false_alarm_rate() -> None:
    alarms = []
    for item in NEAR_MISS:
        signal = detect_crisis(item["text"])
        if signal is not None:
            alarms.append(f"{item['text']!r} -> {signal.kind} ({signal.rule})")
    rate = len(alarms) / len(NEAR_MISS)
    assert rate <= MAX_FALSE_ALARM_RATE, (
        f"false-alarm rate {rate:.1%} > {MAX_FALSE_ALARM_RATE:.0%} on {len(NEAR_MISS)} near-misses:\n"
        + "\n".join(alarms)
    )


def test_naloxone_given_is_a_medical_event_not_an_assault() -> None:
    signal = assess("they hit him w narcan twice")
    assert signal is not None and signal.kind == "medical"
    assert assess("he hit me with a bat").kind == "violence"


@pytest.mark.parametrize("text, fires", [
    ("i want to cut", True),
    ("i have the urge to cut again", True),
    ("need to cut deep tonight", True),
    ("i want to cut my wrists", True),
    ("I just want to cut way down on the drinking", False),
    ("trying to cut right back, not quit", False),
])
def test_cutting_down_on_drinking_is_not_self_harm(text: str, fires: bool) -> None:
    """"Cut down" and "cut back", with "way" or "right" between, are about using less."""
    signal = detect_crisis(text)
    assert (signal is not None and signal.kind == "suicide") is fires, signal

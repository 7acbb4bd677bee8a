"""The deterministic crisis safety net (bot.safety), driven by the evaluation sets in bot/tools/eval_sets/.

- crisis_set.yml: every message must be caught, with the expected kind (a text that genuinely
  mixes two kinds names the second one in `also`);
- near_miss_set.yml: idioms, detox / relapse / withdrawal questions, history and negations; the
  false-alarm rate must stay at or under 5%;
- medical_advice_set.yml: dosing / taper / home-detox requests versus similar allowed questions.
"""
from __future__ import annotations

import difflib
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from bot.safety import (
    MAX_CHARS,
    RULE_NAMES,
    SafetySignal,
    detect_crisis,
    is_medical_advice_request,
    normalize,
)

from bot.settings import PROJECT_ROOT as ROOT
from bot.tools.evaluate import EVAL_SETS as SETS
KINDS = {"suicide", "medical", "violence"}
MAX_FALSE_ALARM_RATE = 0.05


def _load(name: str) -> List[Dict[str, Any]]:
    data = yaml.safe_load((SETS / name).read_text(encoding="utf-8"))
    assert isinstance(data, list), f"{name}: expected a list of items"
    return data


CRISIS = _load("crisis_set.yml")
NEAR_MISS = _load("near_miss_set.yml")
ADVICE = _load("medical_advice_set.yml")


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


# ------------------------------------------------------------------------------------------------
# The sets themselves
# ------------------------------------------------------------------------------------------------


def test_crisis_set_size_and_coverage() -> None:
    kinds = Counter(item["kind"] for item in CRISIS)
    assert set(kinds) <= KINDS
    assert len(CRISIS) >= 80
    assert kinds["suicide"] >= 20 and kinds["medical"] >= 20 and kinds["violence"] >= 10, kinds
    assert sum(item.get("about") == "other" for item in CRISIS) >= 25
    assert sum(bool(item.get("sms")) for item in CRISIS) >= 20
    for item in CRISIS:
        assert item.get("also") in (None, *KINDS) and item.get("also") != item["kind"], item


def test_near_miss_and_advice_set_sizes() -> None:
    assert len(NEAR_MISS) >= 80
    assert sum(item["advice"] is True for item in ADVICE) >= 25
    assert sum(item["advice"] is False for item in ADVICE) >= 25


def test_sets_do_not_overlap() -> None:
    crisis = {normalize(item["text"]) for item in CRISIS}
    near = {normalize(item["text"]) for item in NEAR_MISS}
    assert not crisis & near
    assert len(crisis) == len(CRISIS), "duplicate crisis phrasings"
    assert len(near) == len(NEAR_MISS), "duplicate near-miss phrasings"


def test_nlu_crisis_examples_are_not_copied_from_the_evaluation_sets() -> None:
    data = yaml.safe_load((ROOT / "data" / "nlu" / "crisis.yml").read_text(encoding="utf-8"))
    blocks = [b for b in data["nlu"] if b.get("intent") == "crisis"]
    assert len(blocks) == 1
    examples = [
        line.strip()[2:].strip()
        for line in blocks[0]["examples"].splitlines()
        if line.strip().startswith("- ")
    ]
    assert len(examples) >= 60
    evaluation = [normalize(item["text"]) for item in CRISIS + NEAR_MISS]
    copies = [
        (example, text)
        for example in examples
        for text in evaluation
        if difflib.SequenceMatcher(None, normalize(example), text).ratio() >= 0.85
    ]
    assert not copies, copies


# ------------------------------------------------------------------------------------------------
# Crisis recall
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", CRISIS, ids=[_short(i["text"]) for i in CRISIS])
def test_crisis_is_detected_with_its_kind(item: Dict[str, Any]) -> None:
    signal = detect_crisis(item["text"])
    assert signal is not None, f"missed crisis: {item['text']!r} (normalized: {normalize(item['text'])!r})"
    accepted = {item["kind"], item.get("also")} - {None}
    assert signal.kind in accepted, f"{item['text']!r}: kind {signal.kind} ({signal.rule}), expected {accepted}"


def test_crisis_recall_is_total() -> None:
    missed = [item["text"] for item in CRISIS if detect_crisis(item["text"]) is None]
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
    "I'm going to jump on a call",
    "what are the signs of an overdose",
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


# SMS shorthand, typos, repeated letters, look-alike characters.
@pytest.mark.parametrize(
    "text, kind",
    [
        ("i wanna diiiie", "suicide"),
        ("WANT TO DIE", "suicide"),
        ("i want 2 d i e", "suicide"),
        ("i want to k1ll myself", "suicide"),
        ("i want to k\u0456ll myself", "suicide"),  # Cyrillic i
        ("i\u2019m gonna end it all", "suicide"),  # curly apostrophe
        ("im gonna kil myslef", "suicide"),
        ("sucidal af", "suicide"),
        ("hes not breathin", "medical"),
        ("my bro OD'd", "medical"),
        ("he ODed", "medical"),
        ("took 30 xanex", "medical"),
        ("ima stab him", "violence"),
    ],
)
def test_shorthand_and_typos(text: str, kind: str) -> None:
    signal = detect_crisis(text)
    assert signal is not None and signal.kind == kind, (text, normalize(text), signal)


# ------------------------------------------------------------------------------------------------
# Medical advice
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", ADVICE, ids=[_short(i["text"]) for i in ADVICE])
def test_medical_advice_requests(item: Dict[str, Any]) -> None:
    assert is_medical_advice_request(item["text"]) is item["advice"], (item["text"], normalize(item["text"]))


# ------------------------------------------------------------------------------------------------
# Edge cases
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\t  \n", "🙂🙂🙂", "😂", "<script>alert('x')</script>", "<b>hi</b>", "?!?!", "...",
     "\u200b\u200b", "1234567890", "a" * 1000],
)
def test_edge_inputs_are_quiet(text: str) -> None:
    assert detect_crisis(text) is None
    assert is_medical_advice_request(text) is False


def test_html_around_a_crisis_is_still_caught() -> None:
    signal = detect_crisis("<p>i want to <b>kill myself</b></p><script>x()</script>")
    assert signal is not None and signal.kind == "suicide"


def test_mixed_case() -> None:
    for text in ("I Want To DIE", "HE IS NOT BREATHING", "i'M gOiNg To HuRt HiM"):
        assert detect_crisis(text) is not None, text


def test_large_input_is_fast_and_truncated() -> None:
    filler = ("tell me about the schedule and the cost of the program please " * 2000)[:100_000]
    start = time.perf_counter()
    assert detect_crisis(filler) is None
    assert is_medical_advice_request(filler) is False
    assert time.perf_counter() - start < 2.0
    # A crisis within the first MAX_CHARS characters is found, past it the text is not read.
    assert detect_crisis("i want to die. " + filler) is not None
    assert detect_crisis(filler[: MAX_CHARS + 100] + " i want to die") is None


@pytest.mark.parametrize(
    "text",
    ["a " * 50_000, "not " * 25_000, "i want to " * 10_000, "took the whole " * 7_000,
     "if i " * 20_000, "my " * 30_000, ", " * 50_000, "d i e " * 15_000, "😂💀" * 20_000],
)
def test_pathological_inputs_are_linear(text: str) -> None:
    start = time.perf_counter()
    detect_crisis(text)
    is_medical_advice_request(text)
    assert time.perf_counter() - start < 2.0


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


@pytest.mark.parametrize("item", CRISIS, ids=[_short(i["text"]) for i in CRISIS])
def test_rule_name_is_a_known_constant(item: Dict[str, Any]) -> None:
    signal = detect_crisis(item["text"])
    assert signal is not None
    assert signal.rule in RULE_NAMES
    assert signal.rule.split(".")[0] == signal.kind
    assert item["text"] not in signal.rule and normalize(item["text"]) not in signal.rule


def test_unique_marker_in_text_never_reaches_rule() -> None:
    marker = "zqxjmarker"
    for template in ("i want to die {m}", "{m} took 40 pills", "i will kill my dad {m}", "{m} kms"):
        signal = detect_crisis(template.format(m=marker))
        assert signal is not None and signal.rule in RULE_NAMES and marker not in signal.rule

"""Text normalisation (bot/safety/normalise.py): SMS shorthand, typos, unicode, markup, case, and
the limits that keep the detectors fast on any input."""
from __future__ import annotations

import time

import pytest

from bot.safety import MAX_CHARS, detect_crisis, is_medical_advice_request, normalize


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


@pytest.mark.parametrize(
    "text, normalised",
    [
        ("im gonna kil myslef", "i am going to kil myself"),  # shorthand.yml: sms and misspellings
        ("I can't, u know?!", "i can not , you know ."),  # contractions, punctuation as tokens
        ("she'll take 2 xanex", "she will take 2 xanax"),  # apostrophe rules, then shorthand.yml
        ("k\u0456ll", "kill"),  # Cyrillic i
        ("i'm dead 💀", "i am dead lol"),  # laughing emoji
    ],
)
def test_normalize_uses_the_shorthand_table(text: str, normalised: str) -> None:
    assert normalize(text) == normalised


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

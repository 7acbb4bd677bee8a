"""The two tiers: warning signs get the check-in, definite crises the crisis reply, general questions
and films are asked about rather than treated as an emergency, and Spanish has rules of its own."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from bot.safety import assess, detect_crisis
from bot.safety.data import SAFETY_DIR, SafetyDataError
from bot.safety.rules import load_rules


@pytest.mark.parametrize(
    "text, tier, kind",
    [
        # the messages of the issue that raised the two tiers
        ("how many tylenol would it take", "possible", "suicide"),
        ("I wrote letters to my kids in case I'm not here", "possible", "suicide"),
        ("I bought a rope", "possible", "suicide"),
        ("mixing fentanyl and xanax tonight and I don't care what happens", "possible", "suicide"),
        ("I'm mixing fent and xanax tonight and honestly I don't care what happens", "definite", "medical"),
        ("Does your program treat people who had suicidal thoughts in the past?", None, None),
        # means and quantities
        ("is 40 advil enough to do damage", "possible", "suicide"),
        ("I keep counting my pills every night", "possible", "suicide"),
        ("my dad's pistol is in the nightstand and I know the code", "possible", "suicide"),
        # preparation and farewells
        ("I picked a date", "possible", "suicide"),
        ("found a new home for my cat, everything is finally in order", "possible", "suicide"),
        ("gave away most of my clothes and my guitar this week", "possible", "suicide"),
        ("it was nice knowing some of you", "possible", "suicide"),
        ("this is my last message", "definite", "suicide"),
        # hopelessness
        ("I don't see a way out of this", "possible", "suicide"),
        ("nothing helps anymore, I'm out of options", "possible", "suicide"),
        ("I'm tired of everything", "possible", "suicide"),
        # after an overdose or an attempt
        ("i wish it had worked", "possible", "suicide"),
        ("i'll do it right next time", "possible", "suicide"),
        ("i wish it had worked out with my ex", None, None),
        ("we will do it better next time with the intake forms", None, None),
        # reckless use
        ("my tolerance is gone after rehab but I'm doing the same amount tonight", "possible", "suicide"),
        ("if I die I die, I'm using alone tonight", "possible", "suicide"),
        ("threw out my narcan, what's the point", "possible", "suicide"),
        # a past attempt with distress now, and without
        ("I attempted last year and lately the thoughts are back", "possible", "suicide"),
        ("I attempted 5 years ago and I'm doing well now, is IOP right for me?", None, None),
        # someone else, violence, a medical emergency not named as one
        ("my son has a plan and a date, what do I do", "possible", "suicide"),
        ("he's banging on the door and I'm hiding in the bathroom", "possible", "violence"),
        ("my husband hasn't moved in an hour and there's a needle next to him", "possible", "medical"),
        ("he said he'd kill me if I go to treatment", "definite", "violence"),
        # general questions and stories are asked about, not treated as an emergency
        ("What are the signs of an opioid overdose?", "possible", "medical"),
        ("Why is mixing benzos and opioids so dangerous?", "possible", "medical"),
        ("my son took 30 pills and won't wake up", "definite", "medical"),
        ("can't breathe after snorting something", "definite", "medical"),
        # Spanish
        ("me quiero morir", "definite", "suicide"),
        ("no quiero vivir", "definite", "suicide"),
        ("me voy a matar", "definite", "suicide"),
        ("sobredosis", "definite", "medical"),
        ("ya no aguanto más", "possible", "suicide"),
        ("compré una soga hoy", "possible", "suicide"),
        ("no me quiero morir, solo quiero dejar de tomar", None, None),
        ("mi hermano tuvo una sobredosis hace dos años, ¿pueden ayudar?", None, None),
        # said in passing, inside a practical message
        ("ok I'll come in Monday, if I'm still here by then", "possible", "suicide"),
        ("I won't be needing the intake slot after this weekend", "possible", "suicide"),
        ("how much is it per week? or should I just end things", "possible", "suicide"),
        ("can I do evenings, I don't trust myself alone at night", "possible", "suicide"),
        ("what's the highest bridge around here", "possible", "suicide"),
        ("same dose as before jail tonight, if my heart stops it stops", "possible", "suicide"),
        # jokes and suppositions are asked about, not ignored and not treated as an emergency
        ("if I fill out one more form I'm gonna jump out a window lol", "possible", "suicide"),
        ("my son said he'd rather die than go to the picnic", "possible", "suicide"),
        ("what happens if I tell my counselor I'm having suicidal thoughts?", "possible", "suicide"),
        ("3 overdoses, all behind me now, 18 months clean, I need structure", None, None),
        # asides, shorthand and quiet endings
        ("been tryna end it for weeks", "possible", "suicide"),
        ("ready 2 hang fr", "possible", "suicide"),
        ("si really bad again", "possible", "suicide"),
        ("xans lined up on the dresser", "possible", "suicide"),
        ("if rehab doesnt work this time i have a backup plan", "possible", "suicide"),
        ("this only ends one way for me", "possible", "suicide"),
        ("I'm not worth saving", "possible", "suicide"),
        ("nothing is ever going to change for me", "possible", "suicide"),
        ("who gets my file after I die", "possible", "suicide"),
        ("not gonna hurt myself, I'm just done.", "possible", "suicide"),
        ("going out tonight and not planning on coming back from it", "possible", "suicide"),
        ("my brother keeps posting really dark stuff", "possible", "suicide"),
        ("ojalá no amanezca", "possible", "suicide"),
        ("they'll pay for what they did, I know where they live", "possible", "violence"),
        ("narcan woke her up but now she's nodding again", "possible", "medical"),
        # a laugh, someone else's words reported, a stated reason to ask
        ("i want to be dead lol", "possible", "suicide"),
        ("dead inside lol", "possible", "suicide"),
        ("she told me yesterday that she wants to die", "definite", "suicide"),
        ("that phone wants to die every afternoon", None, None),
        ("he stopped drinking 3 days ago and now he's shaking and doesn't know where he is", "definite", "medical"),
        ("lowkey wna disappear forever", "definite", "suicide"),
        ("my son doesn't see the point anymore", "possible", "suicide"),
        ("I don't see the point of group therapy", None, None),
        ("he says he should have died in the crash with his friend", "possible", "suicide"),
        ("stopped my heart pills, I'll let nature take its course", "possible", "suicide"),
        ("we let nature take its course with the garden", None, None),
        ("do u guys have night groups", None, None),
        ("I picked a night", "possible", "suicide"),
        ("every night I pray the Lord takes me", "possible", "suicide"),
        ("if I disappeared they would be better off", "possible", "suicide"),
        # near-misses stay quiet
        ("I want to end it with my dealer for good", None, None),
        ("is there a backup plan if my insurance denies it", None, None),
        ("what happens to my spot if I'm sick that week", None, None),
        ("ojalá me acepten en el programa", None, None),
        ("who is going to pay for this program", None, None),
        ("this commute is killing me", None, None),
        ("I'm moving so I've been giving away my stuff", None, None),
        ("I'm done with drinking, how do I start?", None, None),
        ("what's the point of this chat", None, None),
        ("how many hours a week is the program", None, None),
    ],
)
def test_tiers(text: str, tier: Optional[str], kind: Optional[str]) -> None:
    signal = assess(text)
    assert (signal.tier if signal else None) == tier, f"{text!r}: {signal}"
    if signal is not None:
        assert signal.kind == kind
        assert (detect_crisis(text) is not None) == (tier == "definite")


def test_spanish_rules_name_their_language() -> None:
    signal = assess("me quiero morir")
    assert signal is not None and signal.language == "es"
    signal = assess("I want to die")
    assert signal is not None and signal.language == "en"


def test_a_question_about_amounts_is_answered_with_the_dosing_refusal_after_no() -> None:
    signal = assess("how many tylenol would it take")
    assert signal is not None and signal.after_no == "medical_advice"


def test_a_definite_crisis_elsewhere_in_the_message_wins_over_a_question() -> None:
    signal = assess("What happens with an overdose? my son took 30 pills and won't wake up")
    assert signal is not None and signal.definite


def _copy_safety_data(tmp_path: Path) -> Path:
    for path in SAFETY_DIR.glob("*.yml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "edit, message",
    [
        (("kind: suicide\n    after_no: medical_advice", "kind: suicide\n    after_no: greet"), "after_no must be"),
        (("id: suicide.hopeless\n", "id: suicide.word\n"), "already used in crisis_rules.yml"),
        (("    language: es\n", "    language: fr\n"), "unknown language"),
    ],
)
def test_a_mistake_in_the_warning_signs_is_named(tmp_path: Path, edit, message: str) -> None:
    directory = _copy_safety_data(tmp_path)
    path = directory / "warning_signs.yml"
    old, new = edit
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SafetyDataError, match=message):
        load_rules(directory)
